// The Slurm executor: a sweep's trials submitted as one job array, driven
// through Slurm's command-line tools (sbatch, squeue, sacct or scontrol; not
// libslurm, whose ABI changes with every release). Files, in the sweep folder:
//   slurm/array-<n>.sbatch   the generated batch script of submission n
//   slurm/array-<n>.txt      its run folders, one per array index
//   slurm/submissions.json   job id, time and trial ids of every submission
//   slurm/pretrain-<n>.*     stages to pre-train first: script, task list
//                            ("config stage key" per line), a job the trial
//                            array of submission n depends on
//   slurm/logs/<job>_<i>.out Slurm's output of each task (the trial's own
//                            output goes to its run folder's log.txt)
// Each array task runs `ablate run-trial` on one run folder, so run folders
// and their locks stay the ground truth: a trial another runner holds is left
// alone, and Slurm states only fill in what folders cannot tell (pending, or
// killed: timeout, out of memory, cancelled).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sweep/spec.h"

namespace ablate {

struct SlurmSubmitOptions {
  SlurmSettings settings;     // spec's `slurm:` with command-line options over it
  int max_parallel = 0;       // %K of --array; 0: no limit
  std::string ablate_binary;  // must be reachable from the compute nodes
  std::string cache_root;     // absolute; shared with the compute nodes
  std::string dependency;     // a job the array waits for (afterany), or ""
};

// One stage to pre-train (`ablate pretrain CONFIG --stage STAGE`).
struct SlurmPretrainTask {
  std::string config;  // a config.yaml that needs it
  std::string stage;   // "encoder" or "lm"
  std::string key;     // cache key, for logs
};

// A trial's task in a Slurm job array.
struct SlurmTask {
  std::string job;    // e.g. "12_3"
  std::string state;  // PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, ...
  std::string reason;
  bool active = false;  // still queued or running
};

// Every trial id of the sweep that Slurm knows, with its latest task. Trials
// whose task ended without a result (killed by Slurm: timeout, out of
// memory, cancelled, node failure) and that nobody runs now are recorded as
// failed in their run folders, with Slurm's state as the reason.
std::map<std::string, SlurmTask> slurm_tasks(const std::string& sweep_dir);

// Throws, saying what is missing, unless sbatch, squeue and scontrol run.
void require_slurm_tools();

// Generates the batch script and submits `trials` (ids and run folders) as
// one array; returns the job id.
std::string submit_slurm_array(const std::string& sweep_dir, const std::vector<Trial>& trials,
                               const SlurmSubmitOptions& options);

// Submits the stages as one array (slurm/pretrain-<n>.sbatch, one task per
// stage, the trials' resources); returns the job id.
std::string submit_slurm_pretrain(const std::string& sweep_dir,
                                  const std::vector<SlurmPretrainTask>& tasks,
                                  const SlurmSubmitOptions& options);

// The text of the batch script for a submission (shown in README).
std::string slurm_batch_script(const std::string& sweep_dir, int submission,
                               const SlurmSubmitOptions& options, int num_trials);

}  // namespace ablate
