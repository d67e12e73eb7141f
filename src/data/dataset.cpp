#include "data/dataset.h"

#include <algorithm>

#include "core/rng.h"

namespace ablate {
namespace {

// Keeps training streams on seeds unrelated to evaluation's.
constexpr uint64_t kTrainStream = 0x747261696e;  // "train"

}  // namespace

TrainStream::TrainStream(const ExperimentConfig& config,
                         const std::unordered_set<std::string>& excluded)
    : config_(config), excluded_(excluded) {}

Document TrainStream::example(int64_t index, int* kind) const {
  const uint64_t seed = derive_seed({uint64_t(config_.seed), kTrainStream, uint64_t(index)});
  Rng rng(seed);
  uint64_t num_scenes = 0;
  auto next_scene = [&] {
    for (uint64_t attempt = 0;; ++attempt) {
      Scene scene = generate_scene(derive_seed({seed, num_scenes, attempt}), config_.data);
      if (!excluded_.count(scene_signature(scene))) {
        ++num_scenes;
        return scene;
      }
    }
  };
  const int k = sample_document_kind(config_.data, rng);
  if (kind) *kind = k;
  return make_document(k, config_.data, rng, next_scene);
}

std::vector<Document> TrainStream::documents(int64_t step) const {
  const int b = config_.train.batch_size;
  std::vector<Document> out;
  for (int i = 0; i < b; ++i) out.push_back(example(step * b + i));
  return out;
}

Batch TrainStream::batch(int64_t step, int num_visual_tokens) const {
  return collate(documents(step), config_.data, num_visual_tokens);
}

std::vector<Batch> TrainStream::length_buckets(int64_t step, int num_visual_tokens) const {
  const int buckets = config_.train.length_buckets;
  if (buckets <= 1) return {batch(step, num_visual_tokens)};
  std::vector<Document> docs = documents(step);
  std::stable_sort(docs.begin(), docs.end(), [&](const Document& a, const Document& b) {
    return a.length(num_visual_tokens) < b.length(num_visual_tokens);
  });
  std::vector<Batch> out;
  const size_t n = docs.size();
  for (int k = 0; k < buckets; ++k) {
    const auto begin = docs.begin() + n * k / buckets, end = docs.begin() + n * (k + 1) / buckets;
    if (begin != end) out.push_back(collate({begin, end}, config_.data, num_visual_tokens));
  }
  return out;
}

}  // namespace ablate
