// Running other programs: capture a command's output (Slurm's command-line
// tools), start a child with its output in a file (trial processes).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ablate {

struct ProcessOutput {
  int exit_code = -1;  // -1: killed by a signal, or could not start
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv[0] (looked up in PATH) with the arguments, no shell; waits.
ProcessOutput run_process(const std::vector<std::string>& argv);

// Starts `binary args...` with stdout and stderr in `log_path` (truncated),
// stdin from /dev/null, and `env` entries (KEY=value) set over this process's
// environment. Throws when it cannot start.
pid_t spawn_process(const std::string& binary, const std::vector<std::string>& args,
                    const std::string& log_path, const std::vector<std::string>& env);

}  // namespace ablate
