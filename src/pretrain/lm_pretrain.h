// Text-only pre-training of the LM (lm.pretrain), before any VLM trial: MM1
// starts from a pre-trained LLM, and a proxy LM trained from scratch inside a
// few-minute trial has to learn the language, the facts of the text documents
// and the use of images all at once. Sequences are the world's text documents
// and caption text without its image, lm.pretrain.caption_text of them
// captions. The stream is drawn from lm.pretrain.seed alone, so every trial
// sharing the LM shares it exactly, and its scenes never include the VLM's
// evaluation scenes.
#pragma once

#include <string>
#include <unordered_set>

#include "core/config.h"
#include "data/document.h"
#include "pretrain/stage.h"

namespace ablate {

class LmPretrainStream {
 public:
  LmPretrainStream(const ExperimentConfig& config, const std::unordered_set<std::string>& excluded);
  // Text-only document `index`; `is_caption` (optional) says which kind it is.
  Document example(int64_t index, bool* is_caption = nullptr) const;
  Batch batch(int64_t step) const;

 private:
  const ExperimentConfig& config_;
  const std::unordered_set<std::string>& excluded_;
};

// Runs the stage (weights: the LM's parameters by name; info: cost, losses and
// held-out next-word accuracy and perplexity before and after); metrics lines
// go to `metrics_path` when not empty.
PretrainedWeights pretrain_lm(const ExperimentConfig& config, const std::string& metrics_path,
                              const PretrainProgressFn& progress = {});

}  // namespace ablate
