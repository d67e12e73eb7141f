// Convolutional abstractor, C-Abstractor (Honeybee, Cha et al. 2024), as MM1
// uses it: learned position embedding on the patch features -> sqrt(P) x
// sqrt(P) grid -> RegNet stage of `depth` bottleneck blocks -> adaptive average
// pool to sqrt(N) x sqrt(N) -> a second stage of `depth` blocks -> flatten ->
// readout MLP (Linear, SiLU, Linear) to the LM width. With depth 0 it reduces
// to pooling plus the readout MLP.
//
// Bottleneck block (timm RegNet, as Honeybee builds it: bottle ratio 1, group
// size 1, squeeze-excitation 0.25): 1x1 conv, LayerNorm2d, SiLU -> depthwise
// 3x3 conv, LayerNorm2d, SiLU -> SE -> 1x1 conv, LayerNorm2d -> + shortcut
// (1x1 conv + LayerNorm2d when widths differ) -> SiLU.
#pragma once

#include "connectors/connector.h"

namespace ablate {

// LayerNorm over channels at every position of [B, C, H, W].
class LayerNorm2dImpl : public torch::nn::Module {
 public:
  explicit LayerNorm2dImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, H, W] -> [B, C, H, W]

 private:
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(LayerNorm2d);

class RegNetBottleneckImpl : public torch::nn::Module {
 public:
  RegNetBottleneckImpl(int64_t in_channels, int64_t out_channels, double se_ratio = 0.25);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C_in, H, W] -> [B, C_out, H, W]

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  LayerNorm2d norm1_{nullptr}, norm2_{nullptr}, norm3_{nullptr};
  torch::nn::Conv2d se_reduce_{nullptr}, se_expand_{nullptr};
  torch::nn::Conv2d shortcut_{nullptr};
  LayerNorm2d shortcut_norm_{nullptr};
};
TORCH_MODULE(RegNetBottleneck);

class CAbstractorImpl : public ConnectorImpl {
 public:
  CAbstractorImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  // N = num_tokens: a square no larger than the patch grid.
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;

 private:
  int64_t out_side_;
  torch::nn::Sequential stage1_, stage2_;
  torch::nn::Linear readout1_{nullptr}, readout2_{nullptr};
};
TORCH_MODULE(CAbstractor);

}  // namespace ablate
