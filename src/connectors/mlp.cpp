#include "connectors/mlp.h"

namespace ablate {

int MlpProjectionImpl::output_tokens(const ConnectorOptions&, const ConnectorShapes& shapes) {
  return shapes.num_patches;
}

MlpProjectionImpl::MlpProjectionImpl(const ConnectorOptions& options, const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), options) {
  proj_ = register_module("proj", Mlp(shapes.in_dim, shapes.out_dim, shapes.out_dim));
}

torch::Tensor MlpProjectionImpl::forward_impl(const torch::Tensor& patches) {
  return proj_(patches);
}

}  // namespace ablate
