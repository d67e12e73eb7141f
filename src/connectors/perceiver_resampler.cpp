#include "connectors/perceiver_resampler.h"

#include "core/error.h"

namespace ablate {

int PerceiverResamplerImpl::output_tokens(const ConnectorOptions& options,
                                          const ConnectorShapes& shapes) {
  check_heads_divide_width(options, shapes, "perceiver_resampler");
  if (options.depth < 1) {
    throw ConfigError("connector.depth=0: perceiver_resampler needs at least one layer");
  }
  return options.num_tokens;
}

PerceiverResamplerImpl::PerceiverResamplerImpl(const ConnectorOptions& options,
                                               const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), options) {
  const int64_t d = shapes.in_dim;
  latents_ = register_parameter("latents", torch::zeros({options.num_tokens, d}));
  attn_norms_ = register_module("attn_norms", torch::nn::ModuleList());
  attns_ = register_module("attns", torch::nn::ModuleList());
  ff_norms_ = register_module("ff_norms", torch::nn::ModuleList());
  ffs_ = register_module("ffs", torch::nn::ModuleList());
  for (int i = 0; i < options.depth; ++i) {
    attn_norms_->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    attns_->push_back(Attention(d, options.num_heads));
    ff_norms_->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    ffs_->push_back(Mlp(d, 4 * d, d));
  }
  out_norm_ = register_module("out_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  proj_ = register_module("proj", torch::nn::Linear(d, shapes.out_dim));
}

void PerceiverResamplerImpl::init_extra() {
  torch::NoGradGuard no_grad;
  latents_.normal_(0.0, 0.02);
}

torch::Tensor PerceiverResamplerImpl::forward_impl(const torch::Tensor& patches) {
  auto x = latents_.unsqueeze(0).expand({patches.size(0), -1, -1});  // [B, N, D_enc]
  for (size_t i = 0; i < attns_->size(); ++i) {
    const auto q = attn_norms_[i]->as<torch::nn::LayerNorm>()->forward(x);
    // Flamingo: keys and values from the patches and the latents together.
    const auto kv = torch::cat({patches, q}, /*dim=*/1);
    x = x + attns_[i]->as<Attention>()->forward(q, kv);
    x = x + ffs_[i]->as<Mlp>()->forward(ff_norms_[i]->as<torch::nn::LayerNorm>()->forward(x));
  }
  return proj_(out_norm_(x));
}

}  // namespace ablate
