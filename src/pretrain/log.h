// The training-loss log both pre-training stages keep: a window mean every
// `log_every` steps, written to metrics.jsonl and passed to the progress callback.
#pragma once

#include <chrono>
#include <string>

#include "pretrain/stage.h"

namespace ablate {

class PretrainLog {
 public:
  PretrainLog(int steps, std::string metrics_path, PretrainProgressFn progress);

  // Records the loss of step `step` (0-based), trained at `lr`.
  void add(int step, double loss, double lr);

  double first_loss() const { return first_loss_; }
  // Mean loss over the last logged window.
  double final_loss() const { return final_loss_; }
  // Seconds since the log was made.
  double seconds() const;

 private:
  int steps_;
  int log_every_;
  std::string metrics_path_;
  PretrainProgressFn progress_;
  std::chrono::steady_clock::time_point start_;
  double window_ = 0, first_loss_ = 0, final_loss_ = 0;
  int window_steps_ = 0;
};

}  // namespace ablate
