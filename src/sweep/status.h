// What a sweep folder says about its trials, for `ablate status` and the
// Slurm executor's wait: run folders first (done, failed, held by a live
// process), then Slurm's queue for trials submitted there.
#pragma once

#include <string>
#include <vector>

namespace ablate {

struct TrialStatus {
  std::string id, label;
  int seed = 0;
  std::string state;   // done, failed, running, pending, interrupted, not started
  std::string detail;  // average, reason, owner and step, Slurm task
};

struct SweepStatus {
  std::vector<TrialStatus> trials;  // one per run folder
  int count(const std::string& state) const;
  std::string table() const;  // the rows and a summary line
};

SweepStatus read_sweep_status(const std::string& sweep_dir);

}  // namespace ablate
