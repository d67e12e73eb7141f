#include "encoders/vit.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace ablate {

int vit_grid_size(const EncoderOptions& options, int resolution) {
  if (resolution % options.patch_size != 0) {
    const int p = options.patch_size;
    const int below = resolution / p * p, above = below + p;
    throw ConfigError(fmt::format(
        "encoder.patch_size={} does not divide data.resolution={}; nearest valid resolutions: "
        "{}, {}",
        p, resolution, below > 0 ? below : above, above));
  }
  if (options.width % options.num_heads != 0) {
    throw ConfigError(fmt::format("encoder.width={} is not divisible by encoder.num_heads={}",
                                  options.width, options.num_heads));
  }
  return resolution / options.patch_size;
}

VitImpl::VitImpl(const EncoderOptions& options, int resolution)
    : EncoderImpl(options.width, resolution, vit_grid_size(options, resolution)) {
  patch_embed_ = register_module(
      "patch_embed",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(3, options.width, options.patch_size)
                            .stride(options.patch_size)));
  pos_embed_ = register_parameter("pos_embed", torch::zeros({1, num_patches(), dim()}));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < options.depth; ++i) {
    blocks_->push_back(VitBlock(options.width, options.num_heads, options.mlp_ratio));
  }
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim()})));
}

void VitImpl::init_weights() {
  init_transformer_weights(*this);
  torch::NoGradGuard no_grad;
  pos_embed_.normal_(0.0, 0.02);
  // Conv patch embedding: fan-in scaled, as a Linear over flattened patches.
  const double fan_in = patch_embed_->weight[0].numel();
  patch_embed_->weight.normal_(0.0, 1.0 / std::sqrt(fan_in));
  patch_embed_->bias.zero_();
}

torch::Tensor VitImpl::forward_impl(const torch::Tensor& images) {
  auto x = patch_embed_(images).flatten(2).transpose(1, 2);  // [B, P, D]
  x = x + pos_embed_;
  for (auto& block : *blocks_) x = block->as<VitBlock>()->forward(x);
  return norm_(x);
}

}  // namespace ablate
