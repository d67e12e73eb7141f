// Helpers of the sweep tests: specs beside a tiny base experiment, the real
// `ablate` binary run as a command, a trial made to diverge.
#pragma once

#include <fmt/format.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/config.h"
#include "core/tensor_file.h"
#include "data/dataset.h"
#include "eval/benchmark.h"
#include "model/vlm.h"
#include "sweep/trial.h"
#include "train/trainer.h"
#include "test_util.h"

namespace ablate::testing {

// Writes base.yaml (`base`, by default the tiny config) and spec.yaml into `dir`.
inline std::string write_spec(const ScratchDir& dir, const std::string& spec_body,
                              const ExperimentConfig& base = tiny_config()) {
  std::ofstream(dir.file("base.yaml")) << to_yaml(base);
  const std::string path = dir.file("spec.yaml");
  std::ofstream(path) << spec_body;
  return path;
}

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r{-1, ""};
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Makes the trial of `config` diverge: its checkpoint after step 1 with every
// weight NaN, which the sweep resumes from.
inline void plant_diverged_checkpoint(const ExperimentConfig& config, const std::string& run_dir) {
  std::filesystem::create_directories(run_dir);
  ExperimentConfig stop_early = config;
  stop_early.train.log_every = 2;  // neither changes the trial's identity
  stop_early.train.checkpoint_every = 1;
  Vlm model(stop_early);
  model->init_weights(config.seed);
  const EvalSet eval = make_eval_set(config.data, config.eval);
  struct Stop {};
  try {
    train_model(model, stop_early, TrainStream(stop_early, eval.signatures),
                run_dir + "/metrics.jsonl", [](int, double) { throw Stop{}; },
                checkpoint_path(run_dir));
  } catch (const Stop&) {
  }
  auto tensors = load_named_tensors(checkpoint_path(run_dir));
  EXPECT_EQ(tensors.at("loop.step").item<int64_t>(), 1);
  for (auto& [name, t] : tensors) {
    if (name.rfind("model.", 0) == 0 && t.is_floating_point()) t.fill_(NAN);
  }
  save_named_tensors(checkpoint_path(run_dir), tensors);
}

}  // namespace ablate::testing
