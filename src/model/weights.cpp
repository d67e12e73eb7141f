#include "model/weights.h"

#include <c10/util/StringUtil.h>

namespace ablate {

NamedWeights named_weights(const torch::nn::Module& module, bool with_buffers) {
  NamedWeights out;
  for (const auto& p : module.named_parameters()) out[p.key()] = p.value().detach();
  if (with_buffers) {
    for (const auto& b : module.named_buffers()) out[b.key()] = b.value().detach();
  }
  return out;
}

std::vector<std::string> load_named_weights(torch::nn::Module& module, const NamedWeights& weights,
                                            bool with_buffers, const std::string& what,
                                            const AdaptFn& adapt) {
  auto targets = module.named_parameters();
  if (with_buffers) {
    for (const auto& b : module.named_buffers()) targets.insert(b.key(), b.value());
  }
  torch::NoGradGuard no_grad;
  for (const auto& t : targets) {
    const auto found = weights.find(t.key());
    if (found == weights.end()) {
      throw std::runtime_error(c10::str(what, " weights: missing '", t.key(), "'"));
    }
    const auto w = adapt ? adapt(t.key(), found->second) : found->second;
    if (w.sizes() != t.value().sizes()) {
      throw std::runtime_error(c10::str(what, " weights: '", t.key(), "' has shape ", w.sizes(),
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

void blend_weights(torch::nn::Module& module, const NamedWeights& other, double keep) {
  torch::NoGradGuard no_grad;
  for (const auto& p : module.named_parameters()) {
    const auto o = other.find(p.key());
    TORCH_CHECK(o != other.end(), "blend_weights: missing '", p.key(), "'");
    TORCH_CHECK(o->second.sizes() == p.value().sizes(), "blend_weights: '", p.key(), "' has shape ",
                o->second.sizes(), ", expected ", p.value().sizes());
    p.value().mul_(keep).add_(o->second, 1.0 - keep);
  }
}

}  // namespace ablate
