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
  if (-options.output_layer > std::max(options.depth, 1)) {
    throw ConfigError(
        fmt::format("encoder.output_layer={} is deeper than encoder.depth={}; valid: -1 .. -{}",
                    options.output_layer, options.depth, std::max(options.depth, 1)));
  }
  return resolution / options.patch_size;
}

torch::Tensor resize_pos_embed(const torch::Tensor& pos_embed, int64_t grid_size) {
  TORCH_CHECK(pos_embed.dim() == 3 && pos_embed.size(0) == 1,
              "resize_pos_embed: expected [1, P, D], got ", pos_embed.sizes());
  const auto old_grid = static_cast<int64_t>(std::lround(std::sqrt(pos_embed.size(1))));
  TORCH_CHECK(old_grid * old_grid == pos_embed.size(1), "resize_pos_embed: ", pos_embed.size(1),
              " positions are not a square grid");
  if (old_grid == grid_size) return pos_embed;
  namespace F = torch::nn::functional;
  const auto dim = pos_embed.size(2);
  const auto grid = pos_embed.reshape({1, old_grid, old_grid, dim}).permute({0, 3, 1, 2});
  const auto resized =
      F::interpolate(grid.to(torch::kFloat32), F::InterpolateFuncOptions()
                                                   .size(std::vector<int64_t>{grid_size, grid_size})
                                                   .mode(torch::kBicubic)
                                                   .align_corners(false));
  return resized.permute({0, 2, 3, 1})
      .reshape({1, grid_size * grid_size, dim})
      .to(pos_embed.scalar_type());
}

VitImpl::VitImpl(const EncoderOptions& options, int resolution)
    : EncoderImpl(options.width, resolution, vit_grid_size(options, resolution)),
      patch_size_(options.patch_size) {
  patch_embed_ = register_module(
      "patch_embed",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(3, options.width, options.patch_size)
                            .stride(options.patch_size)));
  pos_embed_ = register_parameter("pos_embed", torch::zeros({1, num_patches(), dim()}));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  // Blocks past the output layer would never run: they are not built, so
  // parameter counts, FLOPs and gradients are those of what is used.
  const int num_built = options.depth + options.output_layer + 1;
  for (int i = 0; i < num_built; ++i) {
    blocks_->push_back(VitBlock(options.width, options.num_heads, options.mlp_ratio));
  }
  if (options.output_layer == -1) {
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim()})));
  }
}

torch::Tensor VitImpl::adapt_weight(const std::string& name, const torch::Tensor& weight) const {
  if (name == "pos_embed") return resize_pos_embed(weight, grid_size());
  return weight;
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

torch::Tensor VitImpl::forward_impl(const torch::Tensor& images) { return features(images, {}); }

torch::Tensor VitImpl::features(const torch::Tensor& images, const torch::Tensor& blocked) {
  auto x = patch_embed_(images).flatten(2).transpose(1, 2);  // [B, P, D]
  x = x + pos_embed_;
  for (auto& block : *blocks_) x = block->as<VitBlock>()->forward(x, blocked);
  return norm_ ? norm_(x) : x;
}

}  // namespace ablate
