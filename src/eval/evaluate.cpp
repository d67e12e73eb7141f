#include "eval/evaluate.h"

#include <algorithm>
#include <map>

#include "data/render.h"
#include "data/tokenizer.h"
#include "eval/caption_metrics.h"
#include "eval/decode.h"
#include "eval/vqa_accuracy.h"
#include "train/trainer.h"

namespace ablate {
namespace {

constexpr int kNumSamples = 8;  // predictions kept in the score card for reading

torch::Tensor images_of(const std::vector<const Scene*>& scenes, const ExperimentConfig& c) {
  std::vector<torch::Tensor> images;
  for (const auto* s : scenes) {
    images.push_back(scene_image(*s, c.data.render_resolution, c.data.resolution));
  }
  return torch::stack(images).to(device_of(c));
}

// Decodes `prompts[i]` after the image of `scenes[i]`, in batches of items
// with equal prompt length.
std::vector<std::string> generate(Vlm& model, const ExperimentConfig& c,
                                  const std::vector<const Scene*>& scenes,
                                  const std::vector<std::vector<int>>& prompts, int max_new) {
  std::map<size_t, std::vector<size_t>> by_length;
  for (size_t i = 0; i < prompts.size(); ++i) by_length[prompts[i].size()].push_back(i);
  std::vector<std::string> out(prompts.size());
  const size_t bs = static_cast<size_t>(c.eval.batch_size);
  for (const auto& [len, indices] : by_length) {
    for (size_t start = 0; start < indices.size(); start += bs) {
      const size_t end = std::min(indices.size(), start + bs);
      std::vector<const Scene*> batch_scenes;
      std::vector<std::vector<int>> batch_prompts;
      for (size_t k = start; k < end; ++k) {
        batch_scenes.push_back(scenes[indices[k]]);
        batch_prompts.push_back(prompts[indices[k]]);
      }
      AutocastGuard autocast(c.train.precision == "bf16");
      const auto visual = model->encode_images(images_of(batch_scenes, c));
      const auto ids = greedy_decode(model, visual, batch_prompts, max_new);
      for (size_t k = start; k < end; ++k) {
        out[indices[k]] = Tokenizer::world().decode(ids[k - start]);
      }
    }
  }
  return out;
}

}  // namespace

double vqa_majority_baseline(const std::vector<VqaEvalItem>& items) {
  std::map<std::string, std::map<std::string, int>> counts;  // type -> answer -> count
  for (const auto& it : items) ++counts[it.item.type][it.item.answers.front()];
  std::map<std::string, std::string> majority;
  for (const auto& [type, answers] : counts) {
    majority[type] =
        std::max_element(answers.begin(), answers.end(), [](const auto& a, const auto& b) {
          return a.second < b.second;
        })->first;
  }
  double total = 0;
  for (const auto& it : items) total += vqa_accuracy(majority[it.item.type], it.item.answers);
  return items.empty() ? 0.0 : total / items.size();
}

nlohmann::json evaluate_model(Vlm& model, const ExperimentConfig& c, const EvalSet& eval) {
  torch::InferenceMode inference;
  model->eval();
  nlohmann::json card = {{"metrics", nlohmann::json::object()},
                         {"baselines", nlohmann::json::object()},
                         {"samples", nlohmann::json::array()}};
  auto& metrics = card["metrics"];

  // Captioning.
  std::vector<const Scene*> scenes;
  std::vector<std::vector<int>> prompts;
  std::vector<std::vector<std::string>> refs;
  for (const auto& item : eval.captions) {
    scenes.push_back(&item.scene);
    prompts.push_back(caption_prompt());
    refs.push_back(item.references);
  }
  const auto captions = generate(model, c, scenes, prompts, c.eval.max_caption_tokens);
  const auto cider = cider_d(captions, refs);
  const auto bleus = bleu(captions, refs);
  metrics["caption.cider_d"] = 100.0 * cider.score;
  metrics["caption.bleu_4"] = 100.0 * bleus[3];

  // VQA.
  scenes.clear();
  prompts.clear();
  for (const auto& item : eval.vqa) {
    scenes.push_back(&item.scene);
    prompts.push_back(vqa_prompt(item.item.question));
  }
  const auto answers = generate(model, c, scenes, prompts, c.eval.max_answer_tokens);
  std::map<std::string, std::pair<double, int>> by_type;
  double total = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const double acc = vqa_accuracy(answers[i], eval.vqa[i].item.answers);
    total += acc;
    auto& t = by_type[eval.vqa[i].item.type];
    t.first += acc;
    ++t.second;
  }
  metrics["vqa.accuracy"] = answers.empty() ? 0.0 : 100.0 * total / answers.size();
  for (const auto& [type, sum_count] : by_type) {
    metrics["vqa." + type] = 100.0 * sum_count.first / sum_count.second;
  }
  card["baselines"]["vqa.accuracy"] = 100.0 * vqa_majority_baseline(eval.vqa);
  card["baselines"]["note"] = "vqa: majority answer per question type on the same items";

  // MM1 reports one averaged score: mean of the benchmarks' primary metrics.
  metrics["average"] =
      (metrics["caption.cider_d"].get<double>() + metrics["vqa.accuracy"].get<double>()) / 2;

  for (int i = 0; i < kNumSamples && i < static_cast<int>(captions.size()); ++i) {
    card["samples"].push_back({{"benchmark", "caption"},
                               {"prediction", captions[i]},
                               {"reference", eval.captions[i].references.front()}});
  }
  for (int i = 0; i < kNumSamples && i < static_cast<int>(answers.size()); ++i) {
    card["samples"].push_back({{"benchmark", "vqa"},
                               {"question", eval.vqa[i].item.question},
                               {"prediction", answers[i]},
                               {"reference", eval.vqa[i].item.answers.front()}});
  }
  model->train();
  return card;
}

}  // namespace ablate
