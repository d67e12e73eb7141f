#include "eval/decode.h"

#include "data/tokenizer.h"

namespace ablate {

std::vector<std::vector<int>> greedy_decode(Vlm& model, const torch::Tensor& visual,
                                            const std::vector<std::vector<int>>& prompts,
                                            int max_new_tokens) {
  const int64_t batch = static_cast<int64_t>(prompts.size());
  TORCH_CHECK(visual.dim() == 3 && visual.size(0) == batch, "greedy_decode: expected visual [",
              batch, ", N, D], got ", visual.sizes());
  const int64_t n = visual.size(1);
  const size_t prompt_len = prompts.empty() ? 0 : prompts.front().size();
  auto tokens = torch::empty({batch, 1 + n + static_cast<int64_t>(prompt_len)}, torch::kInt64);
  auto acc = tokens.accessor<int64_t, 2>();
  for (int64_t b = 0; b < batch; ++b) {
    TORCH_CHECK(prompts[b].size() == prompt_len, "greedy_decode: prompts must have equal length");
    acc[b][0] = Tokenizer::kBos;
    for (int64_t i = 0; i < n; ++i) acc[b][1 + i] = Tokenizer::kImage;
    for (size_t i = 0; i < prompt_len; ++i) acc[b][1 + n + i] = prompts[b][i];
  }
  tokens = tokens.to(visual.device());

  std::vector<std::vector<int>> out(batch);
  std::vector<bool> done(batch, false);
  // Without a KV cache each step re-runs the whole sequence; sequences are
  // short (tens of tokens) and evaluation is a small share of a trial.
  for (int step = 0; step < max_new_tokens; ++step) {
    const auto logits = model->logits(tokens, visual);                  // [B, T, V]
    const auto next = logits.select(1, -1).argmax(-1).to(torch::kCPU);  // [B]
    auto next_acc = next.accessor<int64_t, 1>();
    bool all_done = true;
    for (int64_t b = 0; b < batch; ++b) {
      if (done[b]) continue;
      const int id = static_cast<int>(next_acc[b]);
      if (id == Tokenizer::kEos) {
        done[b] = true;
      } else {
        out[b].push_back(id);
        all_done = false;
      }
    }
    if (all_done) break;
    tokens = torch::cat({tokens, next.to(tokens.device()).unsqueeze(1)}, /*dim=*/1);
  }
  return out;
}

}  // namespace ablate
