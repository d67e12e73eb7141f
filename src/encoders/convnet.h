// Small ResNet-style CNN (He et al. 2016) as a non-ViT image encoder: a 3x3
// stem, then log2(patch_size) stages that each halve the resolution with a
// strided 3x3 conv followed by `depth` residual basic blocks, so the final
// feature map is the patch grid a ViT of the same patch size would have.
// GroupNorm instead of BatchNorm: proxy batches are small and evaluation must
// not depend on running statistics.
#pragma once

#include "encoders/encoder.h"

namespace ablate {

// GroupNorm computed in float32. Under bf16 autocast the convolutions return
// bfloat16, which LibTorch 1.13's CPU group_norm rejects beside float32
// weights (autocast on CUDA runs group_norm in float32 as well). Same
// parameter names as torch::nn::GroupNorm, so saved encoders load unchanged.
class Fp32GroupNormImpl : public torch::nn::GroupNormImpl {
 public:
  using torch::nn::GroupNormImpl::GroupNormImpl;
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::nn::GroupNormImpl::forward(x.to(torch::kFloat));
  }
};
TORCH_MODULE(Fp32GroupNorm);

class ResidualBlockImpl : public torch::nn::Module {
 public:
  explicit ResidualBlockImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, H, W] -> [B, C, H, W]

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  Fp32GroupNorm norm1_{nullptr}, norm2_{nullptr};
};
TORCH_MODULE(ResidualBlock);

class ConvNetImpl : public EncoderImpl {
 public:
  ConvNetImpl(const EncoderOptions& options, int resolution);
  void init_weights() override;

 protected:
  torch::Tensor forward_impl(const torch::Tensor& images) override;

 private:
  torch::nn::Sequential body_;
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(ConvNet);

// Patch grid side at `resolution`; patch_size must be a power of two dividing it.
int convnet_grid_size(const EncoderOptions& options, int resolution);

}  // namespace ablate
