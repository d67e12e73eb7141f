#include "sweep/trial.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/cpu.h"
#include "core/error.h"
#include "core/io.h"
#include "core/tensor_file.h"
#include "core/version.h"
#include "eval/evaluate.h"
#include "model/flops.h"
#include "model/vlm.h"
#include "pretrain/cache.h"
#include "sweep/lock.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace ablate {
namespace fs = std::filesystem;

namespace {

std::string file_in(const std::string& dir, const char* name) {
  return (fs::path(dir) / name).string();
}

// Temporary files of atomic writes cut short (write_file_atomic: <name>.tmp.<pid>),
// removed by the lock holder: nobody else writes in the folder.
void remove_unfinished_writes(const std::string& run_dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(run_dir, ec)) {
    if (e.path().filename().string().find(".tmp.") != std::string::npos) fs::remove(e.path(), ec);
  }
}

// A checkpoint that cannot be read is moved aside (nothing is deleted) and the
// trial trains from the start.
void set_aside_unreadable_checkpoint(const std::string& run_dir) {
  const std::string path = checkpoint_path(run_dir);
  if (!fs::exists(path)) return;
  try {
    load_named_tensors(path);
  } catch (const RunFolderError& e) {
    const std::string aside = fmt::format("{}.corrupt-{}", path, now_iso8601());
    fs::rename(path, aside);
    fmt::print(stderr, "warning: {}; moved to {}, training from the start\n", e.what(), aside);
  }
}

}  // namespace

int exit_code(TrialResult r) {
  switch (r) {
    case TrialResult::done:
      return 0;
    case TrialResult::failed:
      return 1;
    case TrialResult::busy:
      return kExitTrialBusy;
    case TrialResult::already_done:
      return kExitTrialAlreadyDone;
  }
  return 1;
}

std::string checkpoint_path(const std::string& run_dir) {
  return file_in(run_dir, "checkpoint.pt");
}

std::vector<fs::path> run_folders(const std::string& sweep_dir) {
  const fs::path runs = fs::path(sweep_dir) / "runs";
  if (!fs::is_directory(runs)) {
    throw RunFolderError(
        fmt::format("{}: no runs/ folder; is this a sweep folder (e.g. sweeps/smoke)?", sweep_dir));
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(runs)) {
    if (e.is_directory()) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

void prepare_run_folder(const std::string& run_dir, const ExperimentConfig& config,
                        const nlohmann::json& trial_info) {
  fs::create_directories(run_dir);
  write_file_atomic(file_in(run_dir, "config.yaml"), to_yaml(config));
  if (trial_info.is_object()) write_json_atomic(file_in(run_dir, "trial.json"), trial_info);
}

void write_status(const std::string& run_dir, const std::string& state, const std::string& reason,
                  const nlohmann::json& extra) {
  nlohmann::json status = {{"state", state},
                           {"reason", reason},
                           {"time", now_iso8601()},
                           {"host", hostname()},
                           {"pid", ::getpid()},
                           {"ablate_version", version()},
                           {"blas_core", blas_core_name()},
                           {"git_commit", git_commit()}};
  status.update(extra);
  write_json_atomic(file_in(run_dir, "status.json"), status);
}

bool trial_done(const std::string& run_dir) {
  try {
    const auto status = read_json(file_in(run_dir, "status.json"));
    if (status.value("state", "") != kTrialStateDone) return false;
    const auto scores = read_json(file_in(run_dir, "scores.json"));
    return scores.contains("metrics");
  } catch (const std::exception&) {
    return false;
  }
}

std::string trial_state(const std::string& run_dir) {
  try {
    return read_json(file_in(run_dir, "status.json")).value("state", "");
  } catch (const std::exception&) {
    return "";
  }
}

TrialResult run_trial(const std::string& run_dir, bool verbose, const std::string& cache_root) {
  TrialLock lock;
  if (!lock.acquire(run_dir)) {
    const auto owner = live_lock_owner(run_dir);
    fmt::print(stderr, "{}: being trained by {} (pid {}); left alone\n", run_dir,
               owner ? owner->value("host", "?") : "another process",
               owner ? owner->value("pid", 0) : 0);
    return TrialResult::busy;
  }
  if (trial_done(run_dir)) {
    // Finished by another process between a runner's look and this start.
    fmt::print("{}: already done\n", run_dir);
    return TrialResult::already_done;
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = now_iso8601();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const std::string config_path = file_in(run_dir, "config.yaml");
  try {
    const ExperimentConfig config = load_checked_experiment(config_path);
    if (config.train.threads > 0) torch::set_num_threads(config.train.threads);
    if (config.train.precision == "bf16" && config.device == "cpu" && !cpu_has_native_bf16()) {
      fmt::print(stderr,
                 "warning: train.precision=bf16 on a CPU without avx512_bf16/AMX: bf16 is "
                 "emulated and about 12x slower than fp32 here\n");
    }
    write_status(run_dir, kTrialStateRunning, "", {{"started_at", started_at}});

    remove_unfinished_writes(run_dir);
    set_aside_unreadable_checkpoint(run_dir);
    const EvalSet eval = make_eval_set(config.data, config.eval);
    const TrainStream stream(config, eval.signatures);
    Vlm model(config);
    model->init_weights(static_cast<uint64_t>(config.seed));
    const nlohmann::json stages = load_pretrained_stages(
        model, config, cache_root, [](const std::string& line) { fmt::print("{}\n", line); });
    const int64_t flops = forward_flops_per_example(model, config);
    model->to(device_of(config));

    if (verbose) {
      fmt::print("training {} ({} parameters, {} visual tokens) for {} steps\n", config.name,
                 model->parameter_counts()["total"], model->shapes().num_visual_tokens,
                 config.train.steps);
    }
    const TrainSummary summary = train_model(
        model, config, stream, file_in(run_dir, "metrics.jsonl"),
        [&](int step, double loss) {
          if (verbose) fmt::print("  step {:>6}  loss {:.4f}  ({:.0f} s)\n", step, loss, elapsed());
          std::fflush(stdout);
        },
        checkpoint_path(run_dir));
    const auto eval_start = std::chrono::steady_clock::now();
    nlohmann::json card = evaluate_model(model, config, eval);
    card["train"] = {{"steps", summary.steps},
                     {"seconds", summary.seconds},
                     {"final_loss", summary.final_loss},
                     {"median_step_seconds", summary.median_step_seconds},
                     {"resumed_from_step", summary.resumed_from_step}};
    card["eval_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - eval_start).count();
    card["parameters"] = model->parameter_counts();
    card["forward_flops_per_example"] = flops;
    card["num_visual_tokens"] = model->shapes().num_visual_tokens;
    card["encoder"] = stages["encoder"];
    card["lm"] = stages["lm"];
    write_json_atomic(file_in(run_dir, "scores.json"), card);
    write_status(run_dir, kTrialStateDone, "",
                 {{"started_at", started_at},
                  {"seconds", elapsed()},
                  {"resumed_from_step", summary.resumed_from_step}});
    return TrialResult::done;
  } catch (const std::exception& e) {
    // NonFiniteLoss, ConfigError, torch errors, I/O: recorded, never lost.
    try {
      write_status(run_dir, kTrialStateFailed, e.what(),
                   {{"started_at", started_at}, {"seconds", elapsed()}});
    } catch (const std::exception&) {
    }
    fmt::print(stderr, "trial {} failed: {}\n", run_dir, e.what());
    return TrialResult::failed;
  }
}

std::string rescore_trial(const std::string& run_dir) {
  TrialLock lock;
  if (!lock.acquire(run_dir)) {
    throw RunFolderError(fmt::format("{}: held by another process; not rescored", run_dir));
  }
  if (!trial_done(run_dir)) {
    throw RunFolderError(
        fmt::format("{}: not a finished trial (status.json is not done or "
                    "scores.json is unreadable); run it first",
                    run_dir));
  }
  const std::string scores_path = file_in(run_dir, "scores.json");
  const nlohmann::json previous = read_json(scores_path);
  const ExperimentConfig config = load_checked_experiment(file_in(run_dir, "config.yaml"));
  if (config.train.threads > 0) torch::set_num_threads(config.train.threads);
  Vlm model(config);
  const int step = load_checkpoint_model(checkpoint_path(run_dir), model, config_hash(config));
  if (step != config.train.steps) {
    throw RunFolderError(fmt::format("{}: checkpoint.pt is at step {}, not the last ({})", run_dir,
                                     step, config.train.steps));
  }
  model->to(device_of(config));
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json card = evaluate_model(model, config, make_eval_set(config.data, config.eval));
  card["eval_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& [key, value] : previous.items()) {
    if (!card.contains(key)) card[key] = value;
  }
  std::string kept = "scores.previous.json";
  for (int n = 2; fs::exists(file_in(run_dir, kept.c_str())); ++n) {
    kept = fmt::format("scores.previous{}.json", n);
  }
  write_json_atomic(file_in(run_dir, kept.c_str()), previous);
  card["rescored"] = {{"time", now_iso8601()},
                      {"ablate_version", version()},
                      {"git_commit", git_commit()},
                      {"previous", kept}};
  write_json_atomic(scores_path, card);
  return kept;
}

}  // namespace ablate
