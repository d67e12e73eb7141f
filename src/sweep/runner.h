// Runs a sweep on this machine: every trial of the spec is checked first, the
// trial table is printed, then trials run as child processes (`ablate
// run-trial DIR`), `jobs` at a time, each with cores/jobs threads and
// OMP_WAIT_POLICY=PASSIVE set before it starts. Trials already done are
// skipped; a failing trial is recorded and the sweep goes on. Pre-trained
// encoders that the trials need and the cache lacks are trained first, each
// once (`ablate pretrain`).
#pragma once

#include <string>
#include <vector>

#include "sweep/spec.h"

namespace ablate {

struct SweepOptions {
  std::string out_dir = "sweeps";
  int jobs = 0;  // 0: one trial per core
  bool dry_run = false;
  std::vector<std::string> overrides;
  std::string ablate_binary;  // the executable that runs `run-trial` and `pretrain`
  std::string cache_root = "cache";  // pre-trained encoders (pretrain/cache.h)
};

struct SweepOutcome {
  std::string sweep_dir;
  int num_trials = 0, skipped = 0, done = 0, failed = 0;
};

SweepOutcome run_sweep(const std::string& spec_path, const SweepOptions& options);

// Environment of a trial process with `threads` threads per pool.
std::vector<std::string> trial_environment(int threads);

}  // namespace ablate
