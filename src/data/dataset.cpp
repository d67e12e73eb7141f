#include "data/dataset.h"

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

Batch TrainStream::batch(int64_t step, int num_visual_tokens) const {
  const int b = config_.train.batch_size;
  std::vector<Document> documents;
  for (int i = 0; i < b; ++i) documents.push_back(example(step * b + i));
  return collate(documents, config_.data, num_visual_tokens);
}

}  // namespace ablate
