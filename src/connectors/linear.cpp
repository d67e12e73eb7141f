#include "connectors/linear.h"

namespace ablate {

int LinearProjectionImpl::output_tokens(const ConnectorOptions&, const ConnectorShapes& shapes) {
  return shapes.num_patches;
}

LinearProjectionImpl::LinearProjectionImpl(const ConnectorOptions& options,
                                           const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), options) {
  proj_ = register_module("proj", torch::nn::Linear(shapes.in_dim, shapes.out_dim));
}

torch::Tensor LinearProjectionImpl::forward_impl(const torch::Tensor& patches) {
  return proj_(patches);
}

}  // namespace ablate
