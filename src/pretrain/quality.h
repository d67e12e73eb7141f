// What a pre-trained encoder has learnt, measured on held-out scenes (their
// own seed stream, never in pre-training) and recorded with it in the cache:
// - linear probes on frozen mean-pooled patch features: colour, shape and
//   size of single-object scenes, and the object count of scenes as the data
//   options draw them (accuracy in points, with chance next to it);
// - for clip, zero-shot retrieval in groups of 100 image-caption pairs, both
//   directions (a hit is a caption identical to the query's own).
#pragma once

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "encoders/encoder.h"
#include "pretrain/clip.h"

namespace ablate {

nlohmann::json linear_probe(EncoderImpl& encoder, const ExperimentConfig& config, int resolution);

nlohmann::json clip_retrieval(ClipObjectiveImpl& clip, EncoderImpl& encoder,
                              const ExperimentConfig& config, int resolution);

// Multinomial logistic regression on standardised features, full batch:
// features [N, D] and labels [N] int64; returns test accuracy in [0, 1].
double probe_accuracy(const torch::Tensor& train_x, const torch::Tensor& train_y,
                      const torch::Tensor& test_x, const torch::Tensor& test_y, int num_classes);

}  // namespace ablate
