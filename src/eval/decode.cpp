#include "eval/decode.h"

#include <algorithm>

#include "data/document.h"
#include "data/tokenizer.h"

namespace ablate {

std::vector<int> world_stop_ids() {
  return {Tokenizer::kEos, Tokenizer::kImage, Tokenizer::world().encode(kEndOfAnswer).at(0)};
}

Decoded greedy_decode(Vlm& model, const torch::Tensor& prompt_tokens, const torch::Tensor& visual,
                      int max_new_tokens, const std::vector<int>& stop_ids,
                      const std::vector<std::vector<int>>& references) {
  TORCH_CHECK(prompt_tokens.dim() == 2, "greedy_decode: expected tokens [B, T], got ",
              prompt_tokens.sizes());
  const int64_t batch = prompt_tokens.size(0), prompt_len = prompt_tokens.size(1);
  TORCH_CHECK(references.empty() || static_cast<int64_t>(references.size()) == batch,
              "greedy_decode: ", references.size(), " references for ", batch, " prompts");
  Decoded out;
  out.ids.resize(batch);
  std::vector<bool> done(batch, false);
  std::vector<KvCache> cache;
  const auto no_images = visual.slice(/*dim=*/0, 0, 0);  // [0, N, D]
  torch::Tensor logits;  // [B, V]: the next token's
  if (references.empty()) {
    logits = model->logits(prompt_tokens.to(visual.device()), visual, &cache).select(1, -1);
  } else {
    size_t longest = 0;
    for (const auto& r : references) longest = std::max(longest, r.size());
    auto answers = torch::full({batch, int64_t(longest)}, Tokenizer::kPad, torch::kInt64);
    auto mask = torch::zeros({batch, int64_t(longest)});
    auto a = answers.accessor<int64_t, 2>();
    auto m = mask.accessor<float, 2>();
    for (int64_t b = 0; b < batch; ++b) {
      for (size_t j = 0; j < references[b].size(); ++j) {
        a[b][j] = references[b][j];
        m[b][j] = 1;
      }
    }
    const auto tokens = torch::cat({prompt_tokens, answers}, /*dim=*/1).to(visual.device());
    const auto all = model->logits(tokens, visual, &cache);  // [B, T + A, V]
    // Position t predicts token t + 1: the reference is predicted from T - 1 on.
    const auto pred = all.slice(1, prompt_len - 1, -1).to(torch::kFloat32);  // [B, A, V]
    const auto logp = torch::log_softmax(pred, /*dim=*/-1)
                          .gather(2, answers.to(pred.device()).unsqueeze(2))
                          .squeeze(2)
                          .to(torch::kCPU);  // [B, A]
    const auto per_item = (logp * mask).sum(1) / mask.sum(1).clamp_min(1.0);
    auto p = per_item.accessor<float, 1>();
    for (int64_t b = 0; b < batch; ++b) out.loglik.push_back(p[b]);
    logits = all.select(1, prompt_len - 1);
    for (auto& c : cache) {  // back to the prompt: generation starts there
      c.k = c.k.slice(/*dim=*/2, 0, prompt_len);
      c.v = c.v.slice(/*dim=*/2, 0, prompt_len);
    }
  }
  for (int step = 0; step < max_new_tokens; ++step) {
    const auto next = logits.argmax(-1).to(torch::kCPU);  // [B]
    auto next_acc = next.accessor<int64_t, 1>();
    bool all_done = true;
    for (int64_t b = 0; b < batch; ++b) {
      if (done[b]) continue;
      const int id = static_cast<int>(next_acc[b]);
      if (std::find(stop_ids.begin(), stop_ids.end(), id) != stop_ids.end()) {
        done[b] = true;
      } else {
        out.ids[b].push_back(id);
        all_done = false;
      }
    }
    if (all_done || step + 1 == max_new_tokens) break;
    logits = model->logits(next.to(visual.device()).unsqueeze(1), no_images, &cache)
                 .select(1, -1);  // [B, V]
  }
  return out;
}

}  // namespace ablate
