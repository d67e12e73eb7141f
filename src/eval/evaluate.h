// The benchmark suite of the first proxy world, each modelling one of MM1's:
//   caption  (COCO captioning)  CIDEr-D and BLEU-4 of greedy captions
//   vqa      (VQAv2)            VQA accuracy on colour / shape / count / exists
// Every score card carries the shortcut baseline next to the score: the
// majority answer per question type, computed on the same items.
#pragma once

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "data/dataset.h"
#include "model/vlm.h"

namespace ablate {

// Scores in "points" (0-100 scale as MM1's tables): caption.cider_d is
// CIDEr-D x 100, vqa.accuracy is VQA accuracy x 100. Returns
// {"metrics": {flat name: value}, "baselines": {...}, "samples": [...]}.
nlohmann::json evaluate_model(Vlm& model, const ExperimentConfig& config, const EvalSet& eval);

// Majority answer per question type, scored with VQA accuracy on `items`.
double vqa_majority_baseline(const std::vector<VqaEvalItem>& items);

}  // namespace ablate
