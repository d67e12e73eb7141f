#include "encoders/encoder.h"

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

const Registry<EncoderEntry>& encoder_registry() {
  static const Registry<EncoderEntry> registry = [] {
    Registry<EncoderEntry> r("encoder");
    register_builtin_encoders(r);
    return r;
  }();
  return registry;
}

}  // namespace ablate
