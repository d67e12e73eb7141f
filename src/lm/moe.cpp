#include "lm/moe.h"

namespace ablate {

MoeFeedForwardImpl::MoeFeedForwardImpl(int64_t dim, int64_t hidden_dim, int num_experts, int top_k,
                                       double capacity_factor)
    : num_experts_(num_experts), top_k_(top_k), capacity_factor_(capacity_factor) {
  TORCH_CHECK(top_k >= 1 && top_k <= num_experts, "moe: top_k ", top_k, " must be in [1, ",
              num_experts, "]");
  router_ = register_module(
      "router", torch::nn::Linear(torch::nn::LinearOptions(dim, num_experts).bias(false)));
  experts_ = register_module("experts", torch::nn::ModuleList());
  for (int e = 0; e < num_experts; ++e) experts_->push_back(SwiGlu(dim, hidden_dim));
}

MoeOutput MoeFeedForwardImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 3, "moe: expected [B, T, D], got ", x.sizes());
  const auto flat = x.reshape({-1, x.size(2)});                                      // [M, D]
  const auto probs = torch::softmax(router_(flat).to(torch::kFloat32), /*dim=*/-1);  // [M, E]
  const auto [top_p, top_i] = probs.topk(top_k_, /*dim=*/-1);                        // [M, k]
  const auto weights = (top_p / top_p.sum(-1, /*keepdim=*/true)).to(x.scalar_type());

  const int64_t num_slots = top_i.numel();
  const int64_t capacity =
      capacity_factor_ > 0 && is_training()
          ? static_cast<int64_t>(std::ceil(capacity_factor_ * num_slots / num_experts_))
          : num_slots;
  int64_t num_dropped = 0;
  auto out = torch::zeros_like(flat);
  for (int e = 0; e < num_experts_; ++e) {
    auto hit = top_i.eq(e).nonzero();  // [m_e, 2]: token, slot, in token order
    if (hit.size(0) > capacity) {
      num_dropped += hit.size(0) - capacity;
      hit = hit.slice(0, 0, capacity);
    }
    if (hit.size(0) == 0) continue;
    const auto tokens = hit.select(1, 0);
    const auto w = weights.index({tokens, hit.select(1, 1)}).unsqueeze(1);  // [m_e, 1]
    const auto y = experts_[e]->as<SwiGlu>()->forward(flat.index_select(0, tokens));
    out = out.index_add(0, tokens, y * w);
  }
  // f_e: share of routing slots that went to e; p_e: mean router probability.
  const auto load =
      torch::one_hot(top_i.reshape({-1}), num_experts_).to(torch::kFloat32).mean(/*dim=*/0);
  const auto aux = num_experts_ * (load * probs.mean(/*dim=*/0)).sum();
  return {out.view_as(x), aux, load.detach(), double(num_dropped) / num_slots};
}

}  // namespace ablate
