// Linear projection connector (LLaVA, Liu et al. 2023): every patch becomes a
// visual token, N = P.
#pragma once

#include "connectors/connector.h"

namespace ablate {

class LinearProjectionImpl : public ConnectorImpl {
 public:
  LinearProjectionImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;

 private:
  torch::nn::Linear proj_{nullptr};
};
TORCH_MODULE(LinearProjection);

}  // namespace ablate
