// Vision Transformer (Dosovitskiy et al. 2021): non-overlapping patches ->
// linear embedding + learned position embedding -> pre-norm blocks -> LayerNorm.
// MM1's encoders are ViT-L/14 and ViT-H/14; the proxy uses a few narrow blocks.
// encoder.output_layer = -2 hands the connector the second-to-last block's
// output without the final norm, as LLaVA does with CLIP's hidden_states[-2].
#pragma once

#include "encoders/encoder.h"
#include "model/layers.h"

namespace ablate {

class VitImpl : public EncoderImpl {
 public:
  VitImpl(const EncoderOptions& options, int resolution);
  void init_weights() override;

  // images [B, 3, H, W] -> [B, P, D] with attention restricted by `blocked`
  // [P, P] (true: may not attend); forward() is this with no mask.
  torch::Tensor features(const torch::Tensor& images, const torch::Tensor& blocked);
  int64_t patch_size() const { return patch_size_; }

 protected:
  torch::Tensor forward_impl(const torch::Tensor& images) override;
  // Position embeddings of another grid are resized (pre-trained at another resolution).
  torch::Tensor adapt_weight(const std::string& name, const torch::Tensor& weight) const override;

 private:
  int64_t patch_size_;
  torch::nn::Conv2d patch_embed_{nullptr};
  torch::Tensor pos_embed_;  // [1, P, D]
  torch::nn::ModuleList blocks_;
  torch::nn::LayerNorm norm_{nullptr};  // only when output_layer is the last block
};
TORCH_MODULE(Vit);

// Learned position embedding [1, g*g, D] resampled to [1, grid_size^2, D] by
// bicubic interpolation over the 2-D grid (align_corners=false, as timm's
// resample_abs_pos_embed and LLaVA's higher-resolution CLIP); unchanged when
// the grid already matches.
torch::Tensor resize_pos_embed(const torch::Tensor& pos_embed, int64_t grid_size);

// Patch grid side at `resolution`; ConfigError naming valid resolutions if the
// patch size does not divide it.
int vit_grid_size(const EncoderOptions& options, int resolution);

}  // namespace ablate
