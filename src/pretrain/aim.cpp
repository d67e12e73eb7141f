#include "pretrain/aim.h"

#include "core/error.h"

namespace ablate {

torch::Tensor patchify(const torch::Tensor& images, int64_t patch_size) {
  TORCH_CHECK(
      images.dim() == 4 && images.size(2) % patch_size == 0 && images.size(3) % patch_size == 0,
      "patchify: expected [B, C, H, W] divisible by ", patch_size, ", got ", images.sizes());
  const int64_t b = images.size(0), c = images.size(1);
  return images.unfold(2, patch_size, patch_size)
      .unfold(3, patch_size, patch_size)  // [B, C, g, g, p, p]
      .permute({0, 2, 3, 1, 4, 5})
      .reshape({b, -1, c * patch_size * patch_size});
}

torch::Tensor prefix_causal_mask(int64_t num_patches, int64_t prefix) {
  const auto i = torch::arange(num_patches).unsqueeze(1);
  const auto j = torch::arange(num_patches).unsqueeze(0);
  return j.gt(i).logical_and(j.ge(prefix));
}

AimObjectiveImpl::AimObjectiveImpl(const EncoderOptions& options, int64_t encoder_dim)
    : patch_size_(options.patch_size) {
  const int64_t out = 3 * patch_size_ * patch_size_;
  const int64_t hidden = 2 * encoder_dim;
  head_ = register_module("head", torch::nn::Sequential());
  int64_t in = encoder_dim;
  for (int l = 0; l + 1 < options.pretrain.head_depth; ++l) {
    head_->push_back(torch::nn::Linear(in, hidden));
    head_->push_back(torch::nn::GELU());
    in = hidden;
  }
  head_->push_back(torch::nn::Linear(in, out));
}

void AimObjectiveImpl::init_weights() { init_transformer_weights(*this); }

torch::Tensor AimObjectiveImpl::loss(EncoderImpl& encoder, const PretrainBatch& batch) {
  auto* vit = dynamic_cast<VitImpl*>(&encoder);
  TORCH_CHECK(vit != nullptr, "aim pre-training needs a vit encoder");
  const int64_t p = encoder.num_patches();
  // Prefix length K in [1, P - 1], from the seeded generator.
  const int64_t prefix = torch::randint(1, p, {1}).item<int64_t>();
  const auto features = vit->features(
      batch.images, prefix_causal_mask(p, prefix).to(batch.images.device()));  // [B, P, D]
  auto target = patchify(batch.images, patch_size_);                           // [B, P, 3pp]
  const auto mean = target.mean(-1, /*keepdim=*/true);
  const auto var = target.var(-1, /*unbiased=*/false, /*keepdim=*/true);
  target = (target - mean) / (var + 1e-6).sqrt();
  // Feature t predicts patch t + 1, for the patches after the prefix.
  const auto pred = head_->forward(features.slice(1, prefix - 1, p - 1));
  return torch::mse_loss(pred, target.slice(1, prefix, p));
}

}  // namespace ablate
