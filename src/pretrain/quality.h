// What a pre-trained encoder has learnt, measured on held-out scenes (their
// own seed stream, never in pre-training) and recorded with it in the cache:
// - linear probes on frozen mean-pooled patch features: colour, shape and
//   size of single-object scenes, and the object count of scenes as the data
//   options draw them (accuracy in points, with chance next to it), and where
//   the world has them the class of one photo, the texture of one object, the
//   word a sign shows and each digit of a number it shows; the quadrant of
//   one object (position); and where scenes hold two objects, the colour of
//   the star next to a triangle of another colour (binding: 50 for features
//   that know both colours but not which shape wears which, recorded as its
//   shortcut);
// - for clip, zero-shot retrieval in groups of 100 image-caption pairs, both
//   directions (a hit is a caption identical to the query's own).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>

#include "core/config.h"
#include "encoders/encoder.h"
#include "pretrain/clip.h"

namespace ablate {

// images [B, 3, H, W] -> features [B, T, D] (patches, visual tokens, ...),
// mean-pooled over T by the linear probes.
using ImageFeatures = std::function<torch::Tensor(const torch::Tensor& images)>;

// The probes of the header comment on `features` of the held-out scenes at
// `resolution`: {task: {accuracy, chance}} in points, with `attentive` also
// {attentive}: the accuracy of an attentive probe on the same features (see
// attentive_probe_accuracy), which can find one object's or the sign's
// tokens among many where their mean blurs them. The scenes depend only on
// config.data and config.encoder.pretrain.seed, so every probe of one
// encoder's descendants (the trial that fine-tuned it, its visual tokens) is
// on the same scenes as the encoder's own.
nlohmann::json linear_probe(const ImageFeatures& features, const ExperimentConfig& config,
                            int resolution, bool attentive = false);
nlohmann::json linear_probe(EncoderImpl& encoder, const ExperimentConfig& config, int resolution);

nlohmann::json clip_retrieval(ClipObjectiveImpl& clip, EncoderImpl& encoder,
                              const ExperimentConfig& config, int resolution);

// Multinomial logistic regression on standardised features, full batch:
// features [N, D] and labels [N] int64; returns test accuracy in [0, 1].
double probe_accuracy(const torch::Tensor& train_x, const torch::Tensor& train_y,
                      const torch::Tensor& test_x, const torch::Tensor& test_y, int num_classes);

// AIM's attentive probe, trained like probe_accuracy: features [N, T, D] are
// standardised per feature, pooled over T by 4 learnt queries (softmax
// attention, one weighted mean per query), and the pooled [N, 4 D] classified
// linearly. Returns test accuracy in [0, 1].
double attentive_probe_accuracy(const torch::Tensor& train_x, const torch::Tensor& train_y,
                                const torch::Tensor& test_x, const torch::Tensor& test_y,
                                int num_classes);

}  // namespace ablate
