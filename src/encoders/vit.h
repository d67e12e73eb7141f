// Vision Transformer (Dosovitskiy et al. 2021): non-overlapping patches ->
// linear embedding + learned position embedding -> pre-norm blocks -> LayerNorm.
// MM1's encoders are ViT-L/14 and ViT-H/14; the proxy uses a few narrow blocks.
#pragma once

#include "encoders/encoder.h"
#include "model/layers.h"

namespace ablate {

class VitImpl : public EncoderImpl {
 public:
  VitImpl(const EncoderOptions& options, int resolution);
  void init_weights() override;

 protected:
  torch::Tensor forward_impl(const torch::Tensor& images) override;

 private:
  torch::nn::Conv2d patch_embed_{nullptr};
  torch::Tensor pos_embed_;  // [1, P, D]
  torch::nn::ModuleList blocks_;
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(Vit);

// Patch grid side at `resolution`; ConfigError naming valid resolutions if the
// patch size does not divide it.
int vit_grid_size(const EncoderOptions& options, int resolution);

}  // namespace ablate
