// AIM (El-Nouby et al. 2024, Apple), the reconstructive objective of MM1's
// encoder ablation: the ViT reads its patches in raster order under a
// prefix-causal mask (the first K patches see each other, every later patch
// sees only those before it, K drawn per step) and a light MLP head predicts
// the next patch's pixels, normalised per patch; the loss is the mean squared
// error on the patches after the prefix. The prefix is what lets the encoder
// be used with full bidirectional attention afterwards.
#pragma once

#include "encoders/vit.h"
#include "pretrain/objective.h"

namespace ablate {

class AimObjectiveImpl : public ObjectiveImpl {
 public:
  AimObjectiveImpl(const EncoderOptions& options, int64_t encoder_dim);
  torch::Tensor loss(EncoderImpl& encoder, const PretrainBatch& batch) override;
  void init_weights() override;

 private:
  int64_t patch_size_;
  torch::nn::Sequential head_;
};
TORCH_MODULE(AimObjective);

// images [B, 3, H, W] -> patches [B, P, 3 * p * p] in the order of the ViT's patch grid.
torch::Tensor patchify(const torch::Tensor& images, int64_t patch_size);

// [P, P] bool, true where query i may not attend to key j: j > i and j >= prefix.
torch::Tensor prefix_causal_mask(int64_t num_patches, int64_t prefix);

}  // namespace ablate
