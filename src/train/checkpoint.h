// Trial checkpoints: everything the training loop needs to go on as if it had
// never stopped, in one file of named tensors (core/tensor_file.h) written
// atomically:
//   model.<name>                  parameters and buffers
//   optim.<group>.<index>.<field> AdamW state (step, exp_avg, exp_avg_sq) of
//                                 each parameter, by position in its group
//   loop.*                        steps done, training seconds, step times,
//                                 the open logging window, the config hash
//   rng.cpu                       torch's CPU generator
// The data position is the step: TrainStream::batch(step) is a pure function
// of the config, so a resumed run sees the same batches in the same order.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/vlm.h"

namespace ablate {

// The training loop's own counters.
struct LoopState {
  int step = 0;         // optimizer steps done
  double seconds = 0;   // training wall time so far, over every session
  std::vector<double> step_seconds;
  double window_loss = 0, window_aux = 0, window_dropped = 0;  // since the last log line
  int window_steps = 0;
};

void save_checkpoint(const std::string& path, Vlm& model, const torch::optim::AdamW& optimizer,
                     const LoopState& loop, const std::string& config_hash);

// Restores `model`, `optimizer` (built over the same parameters) and `loop`
// from `path`. A file that cannot be read, or that belongs to another config
// or another model, is a RunFolderError naming it and what is wrong.
void load_checkpoint(const std::string& path, Vlm& model, torch::optim::AdamW& optimizer,
                     LoopState& loop, const std::string& config_hash);

// Restores only `model` (for a look at a trained model, not to train on);
// returns the optimizer steps the checkpoint was taken after. Errors as
// load_checkpoint.
int load_checkpoint_model(const std::string& path, Vlm& model, const std::string& config_hash);

}  // namespace ablate
