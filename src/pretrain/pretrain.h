// Encoder pre-training stage: trains config.encoder (at full depth, at
// encoder.pretrain.resolution) with its objective on the world's images and
// captions, then measures what it learnt (pretrain/quality.h). Scenes come
// from their own stream of encoder.pretrain.seed, so every trial sharing the
// encoder shares it exactly, and never include the VLM's evaluation scenes.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/config.h"
#include "data/scene.h"
#include "data/tokenizer.h"
#include "pretrain/objective.h"
#include "pretrain/stage.h"

namespace ablate {

// Image side used in pre-training (encoder.pretrain.resolution, or data.resolution).
int pretrain_resolution(const ExperimentConfig& config);
// config.encoder as pre-training builds it: every block, at pretrain_resolution.
EncoderOptions pretrain_encoder_options(const ExperimentConfig& config);
// data options of pre-training scenes (encoder.pretrain.max_objects applied).
DataOptions pretrain_data_options(const ExperimentConfig& config);

class PretrainStream {
 public:
  PretrainStream(const ExperimentConfig& config, const std::unordered_set<std::string>& excluded);
  // Scene and caption of pre-training example `index`.
  std::pair<Scene, std::string> example(int64_t index) const;
  PretrainBatch batch(int64_t step) const;

 private:
  const ExperimentConfig& config_;
  const std::unordered_set<std::string>& excluded_;
  DataOptions data_;
  int resolution_;
};

// Tokenised captions, each ending in <eos>, right-padded: texts [B, L] and eos [B].
PretrainBatch collate_captions(const std::vector<torch::Tensor>& images,
                               const std::vector<std::string>& captions);

// Throws ConfigError when config.encoder.pretrain cannot train config.encoder.
void check_pretrain_config(const ExperimentConfig& config);

// Runs the whole stage (weights: the full-depth encoder); metrics lines go to
// `metrics_path` when not empty.
PretrainedWeights pretrain_encoder(const ExperimentConfig& config, const std::string& metrics_path,
                                   const PretrainProgressFn& progress = {});

}  // namespace ablate
