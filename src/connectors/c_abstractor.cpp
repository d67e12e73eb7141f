#include "connectors/c_abstractor.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace ablate {

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels) {
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
  // In float32: under bf16 autocast x is bfloat16, which LibTorch 1.13's CPU
  // layer_norm rejects beside float32 weights.
  return norm_(x.permute({0, 2, 3, 1}).to(torch::kFloat)).permute({0, 3, 1, 2});
}

RegNetBottleneckImpl::RegNetBottleneckImpl(int64_t in_channels, int64_t out_channels,
                                           double se_ratio) {
  using torch::nn::Conv2dOptions;
  const int64_t mid = out_channels;  // bottle ratio 1
  conv1_ =
      register_module("conv1", torch::nn::Conv2d(Conv2dOptions(in_channels, mid, 1).bias(false)));
  norm1_ = register_module("norm1", LayerNorm2d(mid));
  // Group size 1: one group per channel (depthwise).
  conv2_ = register_module(
      "conv2", torch::nn::Conv2d(Conv2dOptions(mid, mid, 3).padding(1).groups(mid).bias(false)));
  norm2_ = register_module("norm2", LayerNorm2d(mid));
  // timm sizes the SE bottleneck from the block's input width.
  const int64_t se_channels = std::max<int64_t>(1, std::lround(in_channels * se_ratio));
  se_reduce_ = register_module("se_reduce", torch::nn::Conv2d(Conv2dOptions(mid, se_channels, 1)));
  se_expand_ = register_module("se_expand", torch::nn::Conv2d(Conv2dOptions(se_channels, mid, 1)));
  conv3_ =
      register_module("conv3", torch::nn::Conv2d(Conv2dOptions(mid, out_channels, 1).bias(false)));
  norm3_ = register_module("norm3", LayerNorm2d(out_channels));
  if (in_channels != out_channels) {
    shortcut_ = register_module(
        "shortcut", torch::nn::Conv2d(Conv2dOptions(in_channels, out_channels, 1).bias(false)));
    shortcut_norm_ = register_module("shortcut_norm", LayerNorm2d(out_channels));
  }
}

torch::Tensor RegNetBottleneckImpl::forward(const torch::Tensor& x) {
  auto h = torch::silu(norm1_(conv1_(x)));
  h = torch::silu(norm2_(conv2_(h)));
  const auto scale =
      torch::sigmoid(se_expand_(torch::relu(se_reduce_(h.mean({2, 3}, /*keepdim=*/true)))));
  h = norm3_(conv3_(h * scale));
  const auto shortcut = shortcut_ ? shortcut_norm_(shortcut_(x)) : x;
  return torch::silu(h + shortcut);
}

namespace {
// Honeybee's C-Abstractor always adds a position embedding to the patches.
ConnectorOptions with_pos_embed(ConnectorOptions options) {
  options.pos_embed = true;
  return options;
}
}  // namespace

int CAbstractorImpl::output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes) {
  const int grid = patch_grid_side(shapes.num_patches);
  const int side = static_cast<int>(std::lround(std::sqrt(double(options.num_tokens))));
  if (side * side != options.num_tokens || side > grid) {
    throw ConfigError(fmt::format(
        "connector.num_tokens={} is impossible for c_abstractor on a {}x{} patch grid: it pools "
        "to a square grid no larger than the patch grid (1, 4, 9, ..., {})",
        options.num_tokens, grid, grid, grid * grid));
  }
  return options.num_tokens;
}

CAbstractorImpl::CAbstractorImpl(const ConnectorOptions& options, const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), with_pos_embed(options)),
      out_side_(std::lround(std::sqrt(double(options.num_tokens)))) {
  // Honeybee's hidden width is the LM's; the first block maps D_enc to it.
  const int64_t hidden = shapes.out_dim;
  stage1_ = register_module("stage1", torch::nn::Sequential());
  stage2_ = register_module("stage2", torch::nn::Sequential());
  for (int i = 0; i < options.depth; ++i) {
    stage1_->push_back(RegNetBottleneck(i == 0 ? shapes.in_dim : hidden, hidden));
    stage2_->push_back(RegNetBottleneck(hidden, hidden));
  }
  const int64_t readout_in = options.depth > 0 ? hidden : shapes.in_dim;
  readout1_ = register_module("readout1", torch::nn::Linear(readout_in, shapes.out_dim));
  readout2_ = register_module("readout2", torch::nn::Linear(shapes.out_dim, shapes.out_dim));
}

torch::Tensor CAbstractorImpl::forward_impl(const torch::Tensor& patches) {
  const int64_t b = patches.size(0), d = patches.size(2), g = grid_size();
  auto x = patches.transpose(1, 2).reshape({b, d, g, g});  // [B, D_enc, g, g]
  if (!stage1_->is_empty()) x = stage1_->forward(x);
  x = torch::adaptive_avg_pool2d(x, {out_side_, out_side_});  // [B, C, n, n]
  if (!stage2_->is_empty()) x = stage2_->forward(x);
  x = x.flatten(2).transpose(1, 2);  // [B, N, C]
  return readout2_(torch::silu(readout1_(x)));
}

}  // namespace ablate
