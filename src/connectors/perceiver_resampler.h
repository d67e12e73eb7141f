// Perceiver resampler (Flamingo, Alayrac et al. 2022; Idefics): N learned
// latents, each layer cross-attends from the latents to [patches; latents]
// and applies a feed-forward block, both residual and pre-norm; a final norm
// and a linear projection to the LM width.
#pragma once

#include "connectors/connector.h"
#include "model/layers.h"

namespace ablate {

class PerceiverResamplerImpl : public ConnectorImpl {
 public:
  PerceiverResamplerImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  // N = num_tokens; num_heads must divide D_enc; at least one layer.
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;
  void init_extra() override;

 private:
  torch::Tensor latents_;  // [N, D_enc]
  torch::nn::ModuleList attn_norms_, attns_, ff_norms_, ffs_;
  torch::nn::LayerNorm out_norm_{nullptr};
  torch::nn::Linear proj_{nullptr};
};
TORCH_MODULE(PerceiverResampler);

}  // namespace ablate
