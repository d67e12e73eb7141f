#include "eval/visual_cache.h"

#include <unordered_set>

#include "data/render.h"

namespace ablate {

torch::Tensor ImageCache::operator()(const Scene& scene) {
  auto [it, added] = images_.try_emplace(scene_signature(scene));
  if (added) it->second = scene_image(scene, data_.render_resolution, data_.resolution);
  return it->second;
}

VisualCache::VisualCache(Vlm& model, ImageCache& images, torch::Device device, int batch_size)
    : model_(model), images_(images), device_(device), batch_size_(std::max(1, batch_size)) {}

torch::Tensor VisualCache::operator()(const std::vector<Document>& documents) {
  std::vector<std::string> order;  // signature of each image in reading order
  std::vector<std::string> missing;
  std::vector<torch::Tensor> missing_images;
  std::unordered_set<std::string> pending;
  for (const auto& d : documents) {
    for (const auto& scene : d.scenes()) {
      order.push_back(scene_signature(scene));
      if (tokens_.count(order.back()) == 0 && pending.insert(order.back()).second) {
        missing.push_back(order.back());
        missing_images.push_back(images_(scene));
      }
    }
  }
  for (size_t start = 0; start < missing.size(); start += batch_size_) {
    const size_t end = std::min(missing.size(), start + batch_size_);
    const auto batch = torch::stack(
        std::vector<torch::Tensor>(missing_images.begin() + start, missing_images.begin() + end));
    const auto visual = model_->encode_images(batch.to(device_));  // [b, N, D]
    for (size_t i = start; i < end; ++i) tokens_[missing[i]] = visual[i - start].clone();
  }
  if (order.empty()) {
    const auto& s = model_->shapes();
    return torch::zeros({0, s.num_visual_tokens, s.lm_dim}, torch::TensorOptions(device_));
  }
  std::vector<torch::Tensor> out;
  for (const auto& sig : order) out.push_back(tokens_.at(sig));
  return torch::stack(out);
}

}  // namespace ablate
