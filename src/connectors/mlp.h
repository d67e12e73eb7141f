// Two-layer GELU MLP connector (LLaVA-1.5, Liu et al. 2024): every patch
// becomes a visual token, N = P.
#pragma once

#include "connectors/connector.h"
#include "model/layers.h"

namespace ablate {

class MlpProjectionImpl : public ConnectorImpl {
 public:
  MlpProjectionImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;

 private:
  Mlp proj_{nullptr};
};
TORCH_MODULE(MlpProjection);

}  // namespace ablate
