// Mixture-of-experts feed-forward (Shazeer et al. 2017; top-2 routing as in
// MM1's MoE LLMs and Mixtral): a linear router scores E experts per token, the
// top k are run and mixed with their softmax-renormalised router weights.
// With a capacity factor c > 0, each expert takes at most
// ceil(c * M * k / E) of the M * k routing slots of a batch in training, first
// come first served in token order; a token over capacity skips that expert
// (its residual stream carries it on), as in GShard and the Switch Transformer.
// Evaluation never drops, so a model's answers do not depend on its batch.
// The Switch load-balancing loss (Fedus et al. 2022), E * sum_e f_e * p_e,
// keeps the experts in use.
#pragma once

#include <torch/torch.h>

#include "model/layers.h"

namespace ablate {

struct MoeOutput {
  torch::Tensor out;       // [B, T, D]
  torch::Tensor aux_loss;  // scalar load-balancing loss
  torch::Tensor load;      // [E] share of routing slots per expert (sums to 1)
  double dropped = 0;      // share of routing slots over capacity
};

class MoeFeedForwardImpl : public torch::nn::Module {
 public:
  MoeFeedForwardImpl(int64_t dim, int64_t hidden_dim, int num_experts, int top_k,
                     double capacity_factor = 0.0);
  MoeOutput forward(const torch::Tensor& x);  // x [B, T, D]

 private:
  int num_experts_, top_k_;
  double capacity_factor_;
  torch::nn::Linear router_{nullptr};
  torch::nn::ModuleList experts_;
};
TORCH_MODULE(MoeFeedForward);

}  // namespace ablate
