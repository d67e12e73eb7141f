// Training stream and evaluation sets of the proxy world, and batching.
//
// A sequence is  <bos> <image> x N  text... <eos>  padded right with <pad>;
// the N <image> placeholders are replaced by the connector's visual tokens in
// the model. Training example k of a trial is drawn from seed
// (trial seed, k) alone, so the data order is the same for every config that
// shares a seed (paired comparisons) and a resumed run continues exactly.
// Evaluation scenes come from eval.seed, are the same for every trial, and
// are never in any training stream (rejected by signature).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/config.h"
#include "data/language.h"
#include "data/scene.h"

namespace ablate {

struct Batch {
  torch::Tensor images;     // [B, 3, H, W]
  torch::Tensor tokens;     // [B, T] int64
  torch::Tensor loss_mask;  // [B, T] float, 1 where tokens[:, t] is a prediction target
};

// Builds padded sequences from images and the text token ids that follow
// each image. Every text token (including a final <eos> if present) is a
// target; <bos>, image placeholders and padding are not.
Batch collate(const std::vector<torch::Tensor>& images, const std::vector<std::vector<int>>& texts,
              int num_visual_tokens);

struct CaptionEvalItem {
  Scene scene;
  std::vector<std::string> references;
};

struct VqaEvalItem {
  Scene scene;
  VqaItem item;
};

struct EvalSet {
  std::vector<CaptionEvalItem> captions;
  std::vector<VqaEvalItem> vqa;
  std::unordered_set<std::string> signatures;  // every scene above
};

EvalSet make_eval_set(const DataOptions& data, const EvalOptions& eval);

class TrainStream {
 public:
  // `excluded`: signatures of scenes that must never be trained on.
  TrainStream(const ExperimentConfig& config, const std::unordered_set<std::string>& excluded);

  // Scene and text (ids, ending in <eos>) of training example `index`.
  std::pair<Scene, std::vector<int>> example(int64_t index) const;

  // Examples [step * batch_size, (step + 1) * batch_size).
  Batch batch(int64_t step, int num_visual_tokens) const;

 private:
  const ExperimentConfig& config_;
  const std::unordered_set<std::string>& excluded_;
};

// Text ids of a training caption / VQA pair (prompt words included, <eos> last).
std::vector<int> caption_text(const std::string& caption);
std::vector<int> vqa_text(const VqaItem& item);
// Decoding prompts: the text that follows the image before generation starts.
std::vector<int> caption_prompt();
std::vector<int> vqa_prompt(const std::string& question);

}  // namespace ablate
