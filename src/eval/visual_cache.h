// Evaluation shows the same scenes many times: a query image at every shot
// count, and the few-shot pool in thousands of prompts. Each scene is
// rendered once (ImageCache) and encoded once (VisualCache: encoder and
// connector run per image, so an image's visual tokens do not depend on the
// batch it came in).
#pragma once

#include <torch/torch.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "core/config.h"
#include "data/document.h"
#include "model/vlm.h"

namespace ablate {

class ImageCache {
 public:
  explicit ImageCache(const DataOptions& data) : data_(data) {}
  // scene -> image [3, H, W] at data.resolution
  torch::Tensor operator()(const Scene& scene);

 private:
  const DataOptions& data_;
  std::unordered_map<std::string, torch::Tensor> images_;  // by scene_signature
};

class VisualCache {
 public:
  // Encodes with `model` as it is (call in eval mode, under the caller's
  // autocast), at most `batch_size` images per forward.
  VisualCache(Vlm& model, ImageCache& images, torch::Device device, int batch_size);
  // Visual tokens [M, N, D_lm] of every image of `documents` in reading order
  // (as collate lays them out); scenes not seen before are encoded first.
  torch::Tensor operator()(const std::vector<Document>& documents);
  // Distinct scenes encoded so far.
  size_t size() const { return tokens_.size(); }

 private:
  Vlm& model_;
  ImageCache& images_;
  torch::Device device_;
  int batch_size_;
  std::unordered_map<std::string, torch::Tensor> tokens_;  // by scene_signature -> [N, D_lm]
};

}  // namespace ablate
