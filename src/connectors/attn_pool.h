// Attention pooling connector (MM1, McKinzie et al. 2024, sec. 3.2; as in
// Flamingo's resampler with one layer): N learned queries cross-attend to the
// patch features, then an MLP projects them to the LM width.
#pragma once

#include "connectors/connector.h"
#include "model/layers.h"

namespace ablate {

class AttnPoolImpl : public ConnectorImpl {
 public:
  AttnPoolImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  // N = num_tokens, any positive number; D_enc must divide into num_heads.
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;
  void init_extra() override;

 private:
  torch::Tensor queries_;  // [N, D_enc]
  Attention attn_{nullptr};
  Mlp proj_{nullptr};
};
TORCH_MODULE(AttnPool);

}  // namespace ablate
