// Runs a sweep. Every trial of the spec is checked first and the trial table
// printed with what will happen to each trial:
//   done        scores on disk: skipped
//   failed      failed before: skipped unless --retry-failed
//   elsewhere   locked by another live process (a second runner, a Slurm
//               task): waited for, and run here if its owner dies
//   in Slurm    queued or running in a job array this sweep submitted
//   to resume   interrupted: continues from its checkpoint
//   to run
// Executors: local (below), or slurm (sweep/slurm.h: one job array).
// The local executor runs trials as child processes (`ablate run-trial DIR`),
// `jobs` at a time, each with cores/jobs threads and OMP_WAIT_POLICY=PASSIVE
// set before it starts, with a live progress display. Run folders and their
// locks (sweep/lock.h) are the only shared state, so any number of runners
// may work on one sweep folder and a killed one is resumed by running the same
// command again. Pre-trained encoders and LMs that the trials need and the
// cache lacks are trained each once (`ablate pretrain`) in the same job slots
// as the trials; a trial starts as soon as its own stages are cached. A
// done trial's trial.json takes the label the current spec gives it.
// With `reuse_from`, a trial without a run folder whose config another sweep
// folder has finished (same config hash, so the same run) gets a copy of that
// folder instead of training; its trial.json says where it was copied from.
#pragma once

#include <string>
#include <vector>

#include "sweep/spec.h"

namespace ablate {

struct SweepOptions {
  std::string out_dir = "sweeps";
  int jobs = 0;  // 0: one trial per core
  bool dry_run = false;
  bool retry_failed = false;
  std::vector<std::string> overrides;
  std::string ablate_binary;            // the executable that runs `run-trial` and `pretrain`
  std::string cache_root = "cache";     // pre-trained encoders (pretrain/cache.h)
  double poll_seconds = 2;              // how often trials run elsewhere are looked at
  std::string executor = "local";       // local or slurm
  SlurmSettings slurm;                  // command-line #SBATCH options, over the spec's
  bool wait = false;                    // slurm: wait for the array to finish
  std::vector<std::string> reuse_from;  // sweep folders whose done trials are copied
};

struct SweepOutcome {
  std::string sweep_dir;
  int num_trials = 0;
  int skipped = 0;           // done before this run
  int failed_before = 0;     // failed before and not retried
  int done = 0, failed = 0;  // run here
  int done_elsewhere = 0, failed_elsewhere = 0;
  bool finished = true;   // false: submitted to Slurm and not waited for
  std::string slurm_job;  // the job array submitted, if any
};

SweepOutcome run_sweep(const std::string& spec_path, const SweepOptions& options);

// Environment of a trial process with `threads` threads per pool.
std::vector<std::string> trial_environment(int threads);

}  // namespace ablate
