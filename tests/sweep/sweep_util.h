// Helpers of the sweep tests: specs beside a tiny base experiment, and the
// real `ablate` binary run as a command.
#pragma once

#include <fmt/format.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/config.h"
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

}  // namespace ablate::testing
