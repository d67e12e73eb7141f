#include "model/flops.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include "data/tokenizer.h"

namespace ablate {

int64_t forward_flops_per_example(Vlm& model, const ExperimentConfig& config) {
  using namespace torch::autograd::profiler;
  // One image and the longest text the world produces: the cost of the
  // longest training sequence, the same for every seed.
  const auto& s = model->shapes();
  const auto image = torch::zeros({3, config.data.resolution, config.data.resolution});
  const Batch batch =
      collate({image}, {std::vector<int>(s.max_text_tokens, Tokenizer::kEos)}, s.num_visual_tokens);
  torch::NoGradGuard no_grad;
  enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(
      torch::profiler::impl::ProfilerState::CPU, /*report_input_shapes=*/true,
      /*profile_memory=*/false, /*with_stack=*/false, /*with_flops=*/true));
  model->loss(batch);
  const thread_event_lists events = disableProfilerLegacy();
  int64_t flops = 0;
  for (const auto& thread : events) {
    for (auto event : thread) flops += static_cast<int64_t>(event.flops());
  }
  return flops;
}

}  // namespace ablate
