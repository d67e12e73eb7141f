// `ablate score FILE.json`: scores external predictions with the same metric
// code the benchmarks use. Input:
//   {"captions": {"candidates": {id: str}, "references": {id: [str, ...]}},
//    "vqa":      {"candidates": {qid: str}, "references": {qid: [10 answers]}}}
// Either part is optional. Output keys are present only for given parts:
//   {"cider_d": x, "bleu": [b1, b2, b3, b4], "vqa_accuracy": y}
// with CIDEr-D on coco-caption's scale and VQA accuracy a fraction in [0, 1].
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ablate {

// `source` names the input in errors (ConfigError naming the key).
nlohmann::json score_predictions(const nlohmann::json& input, const std::string& source);

}  // namespace ablate
