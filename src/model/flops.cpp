#include "model/flops.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include "data/dataset.h"

namespace ablate {
namespace {
constexpr int kFlopsBatch = 32;
}  // namespace

int64_t forward_flops_per_example(Vlm& model, const ExperimentConfig& config) {
  using namespace torch::autograd::profiler;
  // The mean cost of a training example under data.mix, padding included
  // (train.length_buckets pads less):
  // a fixed batch of the stream of seed 0 (the same for every seed of a
  // config, so budgets in FLOPs do not depend on the seed).
  ExperimentConfig fixed = config;
  fixed.seed = 0;
  fixed.train.batch_size = kFlopsBatch;
  const std::unordered_set<std::string> none;
  const auto micro_batches =
      TrainStream(fixed, none).length_buckets(0, model->shapes().num_visual_tokens);
  torch::NoGradGuard no_grad;
  enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(
      torch::profiler::impl::ProfilerState::CPU, /*report_input_shapes=*/true,
      /*profile_memory=*/false, /*with_stack=*/false, /*with_flops=*/true));
  for (const Batch& batch : micro_batches) model->loss(batch);
  const thread_event_lists events = disableProfilerLegacy();
  int64_t flops = 0;
  for (const auto& thread : events) {
    for (auto event : thread) flops += static_cast<int64_t>(event.flops());
  }
  return flops / kFlopsBatch;
}

}  // namespace ablate
