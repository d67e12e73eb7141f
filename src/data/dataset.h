// Training stream of the proxy world.
//
// Training document k of a trial is drawn from seed (trial seed, k) alone: its
// kind (data.mix), its scenes and its text. The data order is the same for
// every config that shares a seed and a world (paired comparisons), and a
// resumed run continues exactly. Scenes whose signature is in the excluded set
// (every evaluation scene, eval/benchmark.h) are redrawn.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/config.h"
#include "data/document.h"

namespace ablate {

class TrainStream {
 public:
  // `excluded`: signatures of scenes that must never be trained on.
  TrainStream(const ExperimentConfig& config, const std::unordered_set<std::string>& excluded);

  // Training document `index`; `kind` (optional) receives its kDocumentKinds index.
  Document example(int64_t index, int* kind = nullptr) const;

  // Documents [step * batch_size, (step + 1) * batch_size).
  Batch batch(int64_t step, int num_visual_tokens) const;
  // The same documents as train.length_buckets micro-batches: sorted by length
  // (ties in stream order), split into groups of near-equal count, each
  // collated (padded) on its own. One bucket is batch(step) itself.
  std::vector<Batch> length_buckets(int64_t step, int num_visual_tokens) const;

 private:
  std::vector<Document> documents(int64_t step) const;

  const ExperimentConfig& config_;
  const std::unordered_set<std::string>& excluded_;
};

}  // namespace ablate
