// Training loop of one trial: AdamW (decoupled weight decay on matrices
// only), warmup + cosine schedule, global gradient-norm clipping, optional
// bf16 autocast, metrics every train.log_every steps to metrics.jsonl,
// checkpoints (train/checkpoint.h) to resume from. A non-finite loss stops
// training with NonFiniteLoss, recorded by the caller.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "core/config.h"
#include "data/dataset.h"
#include "model/vlm.h"

namespace ablate {

class NonFiniteLoss : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TrainSummary {
  int steps = 0;
  double seconds = 0;
  double final_loss = 0;           // mean loss over the last logging window
  double median_step_seconds = 0;  // median wall time of one optimizer step
  int resumed_from_step = 0;       // 0: trained from the start
};

// Called after every logged step with the metrics line just written.
using ProgressFn = std::function<void(int step, double loss)>;

// Two AdamW groups at `lr`: matrices with decoupled weight decay `weight_decay`,
// and the rest (norms, biases, other 1-D parameters) without; appended to
// `groups`, returns how many were added (empty lists are skipped).
int add_adamw_groups(std::vector<torch::optim::OptimizerParamGroup>& groups,
                     const std::vector<torch::Tensor>& params, double lr, double weight_decay);

// AdamW over the stages not in train.freeze (their parameters stop requiring
// gradients), two groups per stage (decayed matrices, undecayed rest), each at
// lr * that stage's lr scale; `group_scales` receives the scale of each group.
torch::optim::AdamW make_optimizer(Vlm& model, const TrainOptions& options,
                                   std::vector<double>& group_scales);

// Losses of one optimizer step, each the mean over the step's examples.
struct StepLoss {
  double lm = 0;
  double aux = 0;      // MoE load-balancing loss (0 when dense)
  double dropped = 0;  // share of MoE routing slots over capacity
  torch::Tensor load;  // [E] expert load, undefined when dense
};

// Forward and backward of one step's micro-batches (TrainStream::length_buckets),
// each loss weighted by its share of train.batch_size: adds the step's gradient
// to the parameters' (the caller zeroes them first). Throws NonFiniteLoss.
StepLoss accumulate_gradients(Vlm& model, const std::vector<Batch>& micro_batches,
                              const TrainOptions& options, const torch::Device& device, int step);

// With a `checkpoint_path`, the state is saved there every
// train.checkpoint_every steps and after the last one, and a run that finds a
// checkpoint continues from it (metrics.jsonl cut back to its step): same
// batches, same numbers as a run never stopped. Without one, or with none
// saved yet, training starts at step 0 and metrics.jsonl is started afresh.
TrainSummary train_model(Vlm& model, const ExperimentConfig& config, const TrainStream& stream,
                         const std::string& metrics_path, const ProgressFn& progress = {},
                         const std::string& checkpoint_path = "");

// Enables bf16 autocast on CPU for its lifetime when `enabled`.
class AutocastGuard {
 public:
  explicit AutocastGuard(bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool enabled_;
};

torch::Device device_of(const ExperimentConfig& config);

// True when the CPU has native bf16 arithmetic (avx512_bf16 or AMX); without
// it oneDNN emulates bf16 and autocast is ~12x slower than fp32 (results/bench.md).
bool cpu_has_native_bf16();

}  // namespace ablate
