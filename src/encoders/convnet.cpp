#include "encoders/convnet.h"

#include <fmt/format.h>

#include "core/error.h"
#include "encoders/vit.h"
#include "model/layers.h"

namespace ablate {
namespace {

Fp32GroupNorm group_norm(int64_t channels) {
  int64_t groups = std::min<int64_t>(8, channels);
  while (channels % groups != 0) --groups;
  return Fp32GroupNorm(torch::nn::GroupNormOptions(groups, channels));
}

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

int log2_exact(int n) {
  int k = 0;
  while ((1 << k) < n) ++k;
  return (1 << k) == n ? k : -1;
}

}  // namespace

int convnet_grid_size(const EncoderOptions& options, int resolution) {
  if (log2_exact(options.patch_size) < 0) {
    throw ConfigError(fmt::format(
        "encoder.patch_size={} is not a power of two; convnet halves the resolution per stage",
        options.patch_size));
  }
  if (options.output_layer != -1) {
    throw ConfigError(fmt::format(
        "encoder.output_layer={} applies to vit only; convnet's output is its last stage (-1)",
        options.output_layer));
  }
  return vit_grid_size(options, resolution);  // same divisibility rule and message
}

ResidualBlockImpl::ResidualBlockImpl(int64_t channels) {
  conv1_ = register_module("conv1", conv3x3(channels, channels, 1));
  norm1_ = register_module("norm1", group_norm(channels));
  conv2_ = register_module("conv2", conv3x3(channels, channels, 1));
  norm2_ = register_module("norm2", group_norm(channels));
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x) {
  auto h = torch::relu(norm1_(conv1_(x)));
  return torch::relu(x + norm2_(conv2_(h)));
}

ConvNetImpl::ConvNetImpl(const EncoderOptions& options, int resolution)
    : EncoderImpl(options.width, resolution, convnet_grid_size(options, resolution)) {
  const int64_t w = options.width;
  body_ = register_module("body", torch::nn::Sequential());
  body_->push_back(conv3x3(3, w, 1));
  body_->push_back(group_norm(w));
  body_->push_back(torch::nn::ReLU());
  for (int stage = 0; stage < log2_exact(options.patch_size); ++stage) {
    body_->push_back(conv3x3(w, w, 2));
    body_->push_back(group_norm(w));
    body_->push_back(torch::nn::ReLU());
    for (int b = 0; b < options.depth; ++b) body_->push_back(ResidualBlock(w));
  }
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
}

void ConvNetImpl::init_weights() { init_transformer_weights(*this); }

torch::Tensor ConvNetImpl::forward_impl(const torch::Tensor& images) {
  auto x = body_->forward(images);             // [B, D, g, g]
  return norm_(x.flatten(2).transpose(1, 2));  // [B, P, D]
}

}  // namespace ablate
