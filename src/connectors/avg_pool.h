// Average pooling connector (MM1, McKinzie et al. 2024, sec. 3.2): the
// sqrt(P) x sqrt(P) patch grid is average-pooled to sqrt(N) x sqrt(N), then
// projected to the LM width by an MLP.
#pragma once

#include "connectors/connector.h"
#include "model/layers.h"

namespace ablate {

class AvgPoolImpl : public ConnectorImpl {
 public:
  AvgPoolImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  // N = num_tokens; it must be a square whose side divides the grid side.
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;

 private:
  Mlp proj_{nullptr};
};
TORCH_MODULE(AvgPool);

}  // namespace ablate
