// Scores a trained model on the benchmark suite (eval/benchmark.h) at every
// shot count of eval.shots, with each benchmark's shortcut baselines on the
// same items next to its score.
//
// Metric names (points, 0-100 as MM1's tables):
//   <benchmark>.<k>shot            primary score: CIDEr-D x 100 for caption,
//                                  VQA accuracy x 100 for VQA benchmarks
//   <benchmark>.<k>shot.<detail>   bleu_4, or accuracy per question type
//   average.<k>shot                MM1's aggregate: mean of the captioning and
//                                  VQA benchmarks' primary scores at k shots
//   average                        mean of average.<k>shot over eval.shots
//   text_core                      mean of text_core.next_word and text_core.qa
//   text_core.next_word / .qa / .perplexity
//   <benchmark>.<k>shot.stderr     sampling standard error of the primary score
//                                  over the items (std of per-item scores / sqrt(n))
//   <benchmark>.<k>shot.loglik     mean log-likelihood per token of each item's
//                                  first reference after its prompt (nats; a
//                                  continuous score beside accuracy)
// Baselines: "<benchmark>" -> the best shortcut: for VQA the better, per
// question type, of the majority answer and naming an attribute present in
// the image (also as "<benchmark>.majority" and "<benchmark>.present_attribute",
// and per question type as "<benchmark>.<type>"),
// the most frequent reference caption given for every image (caption), the
// most frequent word as every next word and the majority text answer (text_core).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config.h"
#include "eval/benchmark.h"
#include "model/vlm.h"

namespace ablate {

// Returns {"metrics": {...}, "baselines": {...}, "prompts": {...}, "samples": [...]}.
nlohmann::json evaluate_model(Vlm& model, const ExperimentConfig& config, const EvalSet& eval);

// Majority answer per question type, scored with VQA accuracy on `items`.
double vqa_majority_baseline(const std::vector<EvalItem>& items);

// Shortcuts that need no grounding (../shared/PROXY-NOTES.md, point 2), as
// VQA accuracy on `items`:
//   majority           the majority answer per question type
//   present_attribute  where the answer is a colour (a shape, a texture), one
//                      present in the query image, drawn uniformly:
//                      its expected accuracy; for a yes/no question
//                      naming attributes, "yes" when each is present on
//                      some object (not necessarily one object: existence
//                      without binding); the majority answer elsewhere
//   best               per question type the better of the two
struct VqaShortcuts {
  double majority = 0;
  double present_attribute = 0;
  double best = 0;
  std::map<std::string, double> best_by_type;  // question type -> best on its items
};
VqaShortcuts vqa_shortcut_baselines(const std::vector<EvalItem>& items);
// Digits read: where `reference` is a numeral of two or more digits (a sign
// number), the share of its digits that `answer` has at the same place, read
// left to right ("12" for "62": 0.5; an answer that is no numeral reads none);
// -1 for any other reference. VQA accuracy counts only whole numbers: this
// shows reading that comes a digit at a time (numerals are digit tokens,
// data/tokenizer.h). Scored as `<benchmark>.<k>shot.digits`.
double digits_read(const std::string& answer, const std::string& reference);
// digits_read of answering, at each place, the most frequent digit there among
// the numeral references of `items`; -1 when none has one.
double digits_read_majority_baseline(const std::vector<EvalItem>& items);
// The most frequent reference caption over `items`, given for every item: CIDEr-D.
double caption_majority_baseline(const std::vector<EvalItem>& items);
// Accuracy of predicting the most frequent target word everywhere.
double next_word_majority_baseline(const std::vector<Document>& documents);

}  // namespace ablate
