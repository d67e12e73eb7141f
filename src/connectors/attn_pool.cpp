#include "connectors/attn_pool.h"

namespace ablate {

int AttnPoolImpl::output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes) {
  check_heads_divide_width(options, shapes, "attn_pool");
  return options.num_tokens;
}

AttnPoolImpl::AttnPoolImpl(const ConnectorOptions& options, const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), options) {
  queries_ = register_parameter("queries", torch::zeros({options.num_tokens, shapes.in_dim}));
  attn_ = register_module("attn", Attention(shapes.in_dim, options.num_heads));
  proj_ = register_module("proj", Mlp(shapes.in_dim, shapes.out_dim, shapes.out_dim));
}

void AttnPoolImpl::init_extra() {
  torch::NoGradGuard no_grad;
  queries_.normal_(0.0, 0.02);
}

torch::Tensor AttnPoolImpl::forward_impl(const torch::Tensor& patches) {
  const auto q = queries_.unsqueeze(0).expand({patches.size(0), -1, -1});  // [B, N, D_enc]
  return proj_(q + attn_(q, patches));
}

}  // namespace ablate
