#include "eval/decode.h"

#include <algorithm>

namespace ablate {

std::vector<std::vector<int>> greedy_decode(Vlm& model, const torch::Tensor& prompt_tokens,
                                            const torch::Tensor& visual, int max_new_tokens,
                                            const std::vector<int>& stop_ids) {
  TORCH_CHECK(prompt_tokens.dim() == 2, "greedy_decode: expected tokens [B, T], got ",
              prompt_tokens.sizes());
  const int64_t batch = prompt_tokens.size(0);
  std::vector<std::vector<int>> out(batch);
  std::vector<bool> done(batch, false);
  // The prompt runs once; each step then feeds only the new token, attending
  // to the cached keys and values of everything before it.
  std::vector<KvCache> cache;
  const auto no_images = visual.slice(/*dim=*/0, 0, 0);  // [0, N, D]
  auto logits = model->logits(prompt_tokens.to(visual.device()), visual, &cache);  // [B, T, V]
  for (int step = 0; step < max_new_tokens; ++step) {
    const auto next = logits.select(1, -1).argmax(-1).to(torch::kCPU);  // [B]
    auto next_acc = next.accessor<int64_t, 1>();
    bool all_done = true;
    for (int64_t b = 0; b < batch; ++b) {
      if (done[b]) continue;
      const int id = static_cast<int>(next_acc[b]);
      if (std::find(stop_ids.begin(), stop_ids.end(), id) != stop_ids.end()) {
        done[b] = true;
      } else {
        out[b].push_back(id);
        all_done = false;
      }
    }
    if (all_done || step + 1 == max_new_tokens) break;
    logits = model->logits(next.to(visual.device()).unsqueeze(1), no_images, &cache);  // [B, 1, V]
  }
  return out;
}

}  // namespace ablate
