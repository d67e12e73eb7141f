#include "encoders/encoder.h"

#include <fmt/format.h>

#include "model/weights.h"

namespace ablate {

torch::Tensor EncoderImpl::forward(const torch::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3 && images.size(2) == resolution_ &&
                  images.size(3) == resolution_,
              "encoder: expected images [B, 3, ", resolution_, ", ", resolution_, "], got ",
              images.sizes());
  auto out = forward_impl(images);  // [B, P, D_enc]
  TORCH_CHECK(out.dim() == 3 && out.size(0) == images.size(0) && out.size(1) == num_patches() &&
                  out.size(2) == dim_,
              "encoder: expected patch features [", images.size(0), ", ", num_patches(), ", ", dim_,
              "], got ", out.sizes());
  return out;
}

std::map<std::string, torch::Tensor> EncoderImpl::weights() const {
  return named_weights(*this, /*with_buffers=*/true);
}

std::vector<std::string> EncoderImpl::load_weights(
    const std::map<std::string, torch::Tensor>& weights) {
  return load_named_weights(
      *this, weights, /*with_buffers=*/true, "encoder",
      [this](const std::string& name, const torch::Tensor& w) { return adapt_weight(name, w); });
}

const Registry<EncoderEntry>& encoder_registry() {
  static const Registry<EncoderEntry> registry("encoder", register_builtin_encoders);
  return registry;
}

}  // namespace ablate
