#include "encoders/encoder.h"

#include <fmt/format.h>

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
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : named_parameters()) out[p.key()] = p.value().detach();
  for (const auto& b : named_buffers()) out[b.key()] = b.value().detach();
  return out;
}

std::vector<std::string> EncoderImpl::load_weights(
    const std::map<std::string, torch::Tensor>& weights) {
  auto targets = named_parameters();
  for (const auto& b : named_buffers()) targets.insert(b.key(), b.value());
  torch::NoGradGuard no_grad;
  for (const auto& t : targets) {
    const auto found = weights.find(t.key());
    if (found == weights.end()) {
      throw std::runtime_error(fmt::format("encoder weights: missing '{}'", t.key()));
    }
    const auto w = adapt_weight(t.key(), found->second);
    if (w.sizes() != t.value().sizes()) {
      throw std::runtime_error(c10::str("encoder weights: '", t.key(), "' has shape ", w.sizes(),
                                        ", expected ", t.value().sizes()));
    }
    t.value().copy_(w);
  }
  std::vector<std::string> skipped;
  for (const auto& [name, w] : weights) {
    if (!targets.contains(name)) skipped.push_back(name);
  }
  return skipped;
}

const Registry<EncoderEntry>& encoder_registry() {
  static const Registry<EncoderEntry> registry("encoder", register_builtin_encoders);
  return registry;
}

}  // namespace ablate
