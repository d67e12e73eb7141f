#include "eval/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "data/tokenizer.h"
#include "eval/caption_metrics.h"
#include "eval/decode.h"
#include "eval/visual_cache.h"
#include "eval/vqa_accuracy.h"
#include "train/trainer.h"

namespace ablate {
namespace {

constexpr int kNumSamples = 4;  // predictions per benchmark and shot kept for reading

// Sequences per forward for prompts of `length` tokens: eval.batch_size, or
// fewer where the attention scores [B, H, T, T] would pass 32 MB, glibc's
// largest mmap threshold (core/cpu.h): larger buffers are mapped and unmapped on
// every use, and the page faults cost more than smaller batches do.
size_t batch_size_for(const ExperimentConfig& c, int64_t length) {
  constexpr double kMaxScoreFloats = 8.0 * (1 << 20);
  const double per_sequence = double(c.lm.num_heads) * double(length) * double(length);
  return std::max<size_t>(1, std::min<size_t>(c.eval.batch_size, kMaxScoreFloats / per_sequence));
}

struct Generated {
  std::vector<std::string> texts;
  std::vector<double> loglik;  // of each item's reference, per token
};

// Greedy continuation of each prompt, batched among prompts of equal length,
// with the log-likelihood of `references[i]` after prompt i scored in the
// same forward pass (eval/decode.h). The prompts' images are encoded by
// `visual_of`.
Generated generate(Vlm& model, const ExperimentConfig& c, VisualCache& visual_of,
                   const std::vector<Document>& prompts, const std::vector<std::string>& references,
                   int max_new) {
  const int n = model->shapes().num_visual_tokens;
  std::map<int64_t, std::vector<size_t>> by_length;
  for (size_t i = 0; i < prompts.size(); ++i) by_length[prompts[i].length(n)].push_back(i);
  Generated out;
  out.texts.resize(prompts.size());
  out.loglik.resize(prompts.size());
  const auto& tok = Tokenizer::world();
  const std::vector<int> stop_ids = world_stop_ids();
  for (const auto& [len, indices] : by_length) {
    const size_t bs = batch_size_for(c, len + max_new);
    for (size_t start = 0; start < indices.size(); start += bs) {
      const size_t end = std::min(indices.size(), start + bs);
      std::vector<Document> batch;
      std::vector<std::vector<int>> refs;
      for (size_t k = start; k < end; ++k) {
        batch.push_back(prompts[indices[k]]);
        refs.push_back(tok.encode(answer_words(references[indices[k]])));
      }
      const Batch b = collate(batch, c.data, n, /*render_images=*/false);
      AutocastGuard autocast(c.train.precision == "bf16");
      const auto visual = visual_of(batch);
      const Decoded decoded = greedy_decode(model, b.tokens, visual, max_new, stop_ids, refs);
      for (size_t k = start; k < end; ++k) {
        out.texts[indices[k]] = tok.decode(decoded.ids[k - start]);
        out.loglik[indices[k]] = decoded.loglik[k - start];
      }
    }
  }
  return out;
}

struct TextScores {
  double next_word = 0;  // %
  double perplexity = 0;
};

// Teacher-forced next-word accuracy and perplexity over the target tokens.
TextScores score_text(Vlm& model, const ExperimentConfig& c, const std::vector<Document>& docs) {
  double correct = 0, nll = 0, count = 0;
  const size_t bs = static_cast<size_t>(c.eval.batch_size);
  for (size_t start = 0; start < docs.size(); start += bs) {
    const std::vector<Document> batch(docs.begin() + start,
                                      docs.begin() + std::min(docs.size(), start + bs));
    const Batch b = collate(batch, c.data, model->shapes().num_visual_tokens);
    AutocastGuard autocast(c.train.precision == "bf16");
    const auto tokens = b.tokens.to(device_of(c));
    const auto logits = model->logits(tokens, model->encode_images(b.images.to(device_of(c))));
    const auto pred = logits.slice(1, 0, -1).to(torch::kFloat32);  // position t predicts t + 1
    const auto target = tokens.slice(1, 1);
    const auto mask = b.loss_mask.slice(1, 1).to(pred.device());
    correct += (pred.argmax(-1).eq(target).to(torch::kFloat32) * mask).sum().item<double>();
    nll += (torch::nn::functional::cross_entropy(
                pred.reshape({-1, pred.size(2)}), target.reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                .view_as(target) *
            mask)
               .sum()
               .item<double>();
    count += mask.sum().item<double>();
  }
  return {100.0 * correct / std::max(count, 1.0), std::exp(nll / std::max(count, 1.0))};
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / v.size();
}

// Standard error of the mean of `v` (sample std / sqrt(n)).
double standard_error(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / (v.size() - 1) / v.size());
}

// Colours (shapes, textures) present in `scene` when `answer` names a colour
// (a shape, a texture); empty otherwise.
std::vector<std::string> present_attributes(const Scene& scene, const std::string& answer) {
  std::set<std::string> out;
  auto names = [&](const auto& list) {
    return std::find(list.begin(), list.end(), answer) != list.end();
  };
  const bool colour = names(kColourNames), shape = names(kShapeNames),
             texture = names(kTextureNames);
  for (const auto& o : scene.objects) {
    if (colour) out.insert(kColourNames[o.colour]);
    if (shape) out.insert(kShapeNames[o.shape]);
    if (texture) out.insert(kTextureNames[o.texture]);
  }
  return {out.begin(), out.end()};
}

// The answer to a yes/no question by presence alone: "yes" when every
// colour, shape and pattern `prompt` names is somewhere in `scene`, on any
// object ("is there a red star ?" with a red circle and a blue star: yes);
// empty when it names none.
std::string yes_if_named_present(const Scene& scene, const std::string& prompt) {
  bool named = false, present = true;
  std::istringstream words(prompt);
  for (std::string w; words >> w;) {
    const auto in = [&](const auto& list, auto attribute) {
      const auto at = std::find(list.begin(), list.end(), w);
      if (at == list.end()) return false;
      const int index = static_cast<int>(at - list.begin());
      present = present && std::any_of(scene.objects.begin(), scene.objects.end(),
                                       [&](const Object& o) { return attribute(o) == index; });
      return true;
    };
    named |= in(kColourNames, [](const Object& o) { return o.colour; }) ||
             in(kShapeNames, [](const Object& o) { return o.shape; }) ||
             in(kTextureNames, [](const Object& o) { return o.texture; });
  }
  return named ? (present ? "yes" : "no") : "";
}

}  // namespace

VqaShortcuts vqa_shortcut_baselines(const std::vector<EvalItem>& items) {
  VqaShortcuts out;
  if (items.empty()) return out;
  std::map<std::string, std::map<std::string, int>> counts;  // type -> answer -> count
  for (const auto& it : items) ++counts[it.type][it.references.front()];
  std::map<std::string, std::string> majority;
  for (const auto& [type, answers] : counts) {
    majority[type] =
        std::max_element(answers.begin(), answers.end(), [](const auto& a, const auto& b) {
          return a.second < b.second;
        })->first;
  }
  std::map<std::string, std::pair<double, double>> by_type;  // type -> (majority, present) sums
  std::map<std::string, int> type_count;
  for (const auto& it : items) {
    const auto references = vqa_annotation_form(it.references);
    const double m = vqa_accuracy(majority[it.type], references);
    double p = m;
    if (!it.images.empty()) {
      const std::string& answer = it.references.front();
      auto candidates = present_attributes(it.images.back(), answer);
      if (answer == "yes" || answer == "no") {
        const std::string guess = yes_if_named_present(it.images.back(), it.prompt);
        if (!guess.empty()) candidates = {guess};
      }
      if (!candidates.empty()) {
        p = 0;
        for (const auto& a : candidates) p += vqa_accuracy(a, references);
        p /= candidates.size();
      }
    }
    by_type[it.type].first += m;
    by_type[it.type].second += p;
    ++type_count[it.type];
  }
  for (const auto& [type, sums] : by_type) {
    out.majority += sums.first;
    out.present_attribute += sums.second;
    out.best += std::max(sums.first, sums.second);
    out.best_by_type[type] = std::max(sums.first, sums.second) / type_count[type];
  }
  const double n = static_cast<double>(items.size());
  out.majority /= n;
  out.present_attribute /= n;
  out.best /= n;
  return out;
}

double vqa_majority_baseline(const std::vector<EvalItem>& items) {
  return vqa_shortcut_baselines(items).majority;
}

namespace {

bool is_multi_digit_numeral(const std::string& w) { return w.size() >= 2 && is_numeral(w); }

}  // namespace

double digits_read(const std::string& answer, const std::string& reference) {
  if (!is_multi_digit_numeral(reference)) return -1;
  if (!is_numeral(answer)) return 0;
  int right = 0;
  for (size_t i = 0; i < reference.size() && i < answer.size(); ++i) {
    right += answer[i] == reference[i];
  }
  return static_cast<double>(right) / reference.size();
}

double digits_read_majority_baseline(const std::vector<EvalItem>& items) {
  std::vector<std::map<char, int>> counts;  // place -> digit -> count
  for (const auto& it : items) {
    const std::string& r = it.references.front();
    if (!is_multi_digit_numeral(r)) continue;
    if (counts.size() < r.size()) counts.resize(r.size());
    for (size_t i = 0; i < r.size(); ++i) ++counts[i][r[i]];
  }
  std::string majority;
  for (const auto& place : counts) {
    majority += std::max_element(place.begin(), place.end(), [](auto& a, auto& b) {
                  return a.second < b.second;
                })->first;
  }
  double sum = 0;
  int n = 0;
  for (const auto& it : items) {
    const double d = digits_read(majority, it.references.front());
    if (d < 0) continue;
    sum += d;
    ++n;
  }
  return n > 0 ? sum / n : -1;
}

double caption_majority_baseline(const std::vector<EvalItem>& items) {
  std::map<std::string, int> counts;
  for (const auto& it : items) {
    for (const auto& r : it.references) ++counts[r];
  }
  if (counts.empty()) return 0.0;
  const std::string most = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                             return a.second < b.second;
                           })->first;
  std::vector<std::vector<std::string>> refs;
  for (const auto& it : items) refs.push_back(it.references);
  return cider_d(std::vector<std::string>(items.size(), most), refs).score;
}

double next_word_majority_baseline(const std::vector<Document>& documents) {
  std::map<int, int> counts;
  int total = 0;
  for (const auto& d : documents) {
    for (const auto& s : d.segments) {
      if (s.is_image || !s.target) continue;
      for (int id : s.text) ++counts[id], ++total;
    }
  }
  int most = 0;
  for (const auto& [id, n] : counts) most = std::max(most, n);
  return total == 0 ? 0.0 : static_cast<double>(most) / total;
}

nlohmann::json evaluate_model(Vlm& model, const ExperimentConfig& c, const EvalSet& eval) {
  torch::InferenceMode inference;
  model->eval();
  nlohmann::json card = {{"metrics", nlohmann::json::object()},
                         {"baselines", nlohmann::json::object()},
                         {"prompts", nlohmann::json::object()},
                         {"samples", nlohmann::json::array()}};
  auto& metrics = card["metrics"];
  auto& baselines = card["baselines"];
  ImageCache images(c.data);
  std::map<int, std::vector<double>> per_shot;  // k -> primary scores of image benchmarks

  for (const auto& set : eval.benchmarks) {
    const Scoring scoring = set.benchmark->scoring;
    const int max_new =
        scoring == Scoring::kCaption ? c.eval.max_caption_tokens : c.eval.max_answer_tokens;
    std::vector<std::vector<std::string>> refs;
    for (const auto& item : set.items) {
      refs.push_back(scoring == Scoring::kCaption ? item.references
                                                  : vqa_annotation_form(item.references));
    }
    VisualCache visual(model, images, device_of(c), c.eval.batch_size);
    for (int k : shots_of(set, c.eval)) {
      std::vector<Document> prompts;
      for (int i = 0; i < static_cast<int>(set.items.size()); ++i) {
        prompts.push_back(few_shot_prompt(set, c.eval, i, k));
      }
      std::vector<std::string> answers;
      for (const auto& item : set.items) answers.push_back(item.references.front());
      const Generated generated = generate(model, c, visual, prompts, answers, max_new);
      const std::vector<std::string>& outputs = generated.texts;
      const std::string key =
          scoring == Scoring::kText ? set.name + ".qa" : fmt::format("{}.{}shot", set.name, k);
      std::vector<double> per_item;  // points
      if (scoring == Scoring::kCaption) {
        for (double x : cider_d(outputs, refs).per_item) per_item.push_back(100.0 * x);
        metrics[key + ".bleu_4"] = 100.0 * bleu(outputs, refs)[3];
      } else {
        std::map<std::string, std::pair<double, int>> by_type;
        std::pair<double, int> digits;  // sum, items whose reference is a numeral
        for (size_t i = 0; i < outputs.size(); ++i) {
          per_item.push_back(100.0 * vqa_accuracy(outputs[i], refs[i]));
          auto& t = by_type[set.items[i].type];
          t.first += per_item.back();
          ++t.second;
          const double d = digits_read(outputs[i], set.items[i].references.front());
          if (d >= 0) {
            digits.first += 100.0 * d;
            ++digits.second;
          }
        }
        for (const auto& [type, sum_count] : by_type) {
          metrics[key + "." + type] = sum_count.first / sum_count.second;
        }
        if (digits.second > 0) metrics[key + ".digits"] = digits.first / digits.second;
      }
      const double primary = mean(per_item);
      metrics[key] = primary;
      metrics[key + ".stderr"] = standard_error(per_item);
      metrics[key + ".loglik"] = mean(generated.loglik);
      if (scoring != Scoring::kText) per_shot[k].push_back(primary);
      // The prompt layout, recorded once per benchmark and shot count.
      card["prompts"][key] = prompts.front().text();
      for (int i = 0; i < kNumSamples && i < static_cast<int>(outputs.size()); ++i) {
        card["samples"].push_back({{"benchmark", key},
                                   {"prompt", set.items[i].prompt},
                                   {"prediction", outputs[i]},
                                   {"reference", set.items[i].references.front()}});
      }
    }
    if (scoring == Scoring::kCaption) {
      baselines[set.name] = 100.0 * caption_majority_baseline(set.items);
    } else if (scoring == Scoring::kVqa) {
      const VqaShortcuts shortcuts = vqa_shortcut_baselines(set.items);
      baselines[set.name] = 100.0 * shortcuts.best;
      baselines[set.name + ".majority"] = 100.0 * shortcuts.majority;
      baselines[set.name + ".present_attribute"] = 100.0 * shortcuts.present_attribute;
      for (const auto& [type, value] : shortcuts.best_by_type) {
        baselines[set.name + "." + type] = 100.0 * value;
      }
      const double digits = digits_read_majority_baseline(set.items);
      if (digits >= 0) baselines[set.name + ".digits"] = 100.0 * digits;
    } else {
      const TextScores text = score_text(model, c, set.documents);
      metrics[set.name + ".next_word"] = text.next_word;
      metrics[set.name + ".perplexity"] = text.perplexity;
      metrics[set.name] = (text.next_word + metrics[set.name + ".qa"].get<double>()) / 2;
      baselines[set.name] =
          100.0 * (next_word_majority_baseline(set.documents) + vqa_majority_baseline(set.items)) /
          2;
    }
  }

  double average = 0;
  for (const auto& [k, scores] : per_shot) {
    double sum = 0;
    for (double s : scores) sum += s;
    metrics[fmt::format("average.{}shot", k)] = sum / scores.size();
    average += sum / scores.size();
  }
  if (!per_shot.empty()) metrics["average"] = average / per_shot.size();
  baselines["note"] =
      "the better per question type of the majority answer and naming an attribute present in "
      "the image (VQA; for yes/no questions, yes when every attribute named is present), most "
      "frequent reference caption (caption), most frequent word and "
      "majority answer (text_core), on the same items";
  model->train();
  return card;
}

}  // namespace ablate
