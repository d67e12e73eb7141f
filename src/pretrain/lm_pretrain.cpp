#include "pretrain/lm_pretrain.h"

#include <fmt/format.h>

#include <cmath>

#include "core/rng.h"
#include "data/tokenizer.h"
#include "eval/benchmark.h"
#include "lm/lm.h"
#include "model/vlm.h"
#include "pretrain/log.h"
#include "train/schedule.h"
#include "train/trainer.h"

namespace ablate {
namespace {

constexpr uint64_t kLmPretrainStream = 0x6c6d707265;  // "lmpre"
constexpr int kHeldOutDocuments = 400;

struct TextQuality {
  double next_word = 0;  // %
  double perplexity = 0;
};

// Teacher-forced next-word accuracy and perplexity on held-out text documents.
TextQuality text_quality(LanguageModel& lm, const std::vector<Document>& docs,
                         const DataOptions& data) {
  torch::InferenceMode inference;
  lm->eval();
  const Batch b = collate(docs, data, /*num_visual_tokens=*/0);
  const auto logits = lm->forward(lm->embed(b.tokens)).logits;
  const auto pred = logits.slice(1, 0, -1);
  const auto target = b.tokens.slice(1, 1);
  const auto mask = b.loss_mask.slice(1, 1);
  const double count = mask.sum().item<double>();
  const double correct =
      (pred.argmax(-1).eq(target).to(torch::kFloat32) * mask).sum().item<double>();
  const auto nll = torch::nn::functional::cross_entropy(
                       pred.reshape({-1, pred.size(2)}), target.reshape({-1}),
                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                       .view_as(target);
  const double mean_nll = (nll * mask).sum().item<double>() / std::max(count, 1.0);
  lm->train();
  return {100.0 * correct / std::max(count, 1.0), std::exp(mean_nll)};
}

nlohmann::json to_json(const TextQuality& q) {
  return {{"next_word", q.next_word}, {"perplexity", q.perplexity}};
}

}  // namespace

LmPretrainStream::LmPretrainStream(const ExperimentConfig& config,
                                   const std::unordered_set<std::string>& excluded)
    : config_(config), excluded_(excluded) {}

Document LmPretrainStream::example(int64_t index, bool* is_caption) const {
  const auto& p = config_.lm.pretrain;
  const uint64_t seed = derive_seed({uint64_t(p.seed), kLmPretrainStream, uint64_t(index)});
  Rng rng(seed);
  const bool caption = rng.bernoulli(p.caption_text);
  if (is_caption) *is_caption = caption;
  if (!caption) return text_document(rng, config_.data.text_scene_questions);
  Scene scene;
  for (uint64_t attempt = 0;; ++attempt) {
    scene = generate_scene(derive_seed({seed, attempt}), config_.data);
    if (!excluded_.count(scene_signature(scene))) break;
  }
  Document doc = caption_document(scene, config_.data, rng);
  doc.segments.erase(doc.segments.begin());  // the image: only its caption's text is kept
  return doc;
}

Batch LmPretrainStream::batch(int64_t step) const {
  const int b = config_.lm.pretrain.batch_size;
  std::vector<Document> documents;
  for (int i = 0; i < b; ++i) documents.push_back(example(step * b + i));
  return collate(documents, config_.data, /*num_visual_tokens=*/0);
}

PretrainedWeights pretrain_lm(const ExperimentConfig& config, const std::string& metrics_path,
                              const PretrainProgressFn& progress) {
  const auto& p = config.lm.pretrain;
  if (p.steps <= 0) throw std::logic_error("pretrain_lm: lm.pretrain.steps is 0");
  PretrainLog loss_log(p.steps, metrics_path, progress);
  torch::manual_seed(derive_seed({uint64_t(p.seed), kLmPretrainStream}));
  LanguageModel lm(config.lm, Tokenizer::world().vocab_size());
  lm->init_weights();

  std::vector<torch::optim::OptimizerParamGroup> groups;
  const auto params = lm->parameters();
  add_adamw_groups(groups, params, p.lr, config.train.weight_decay);
  torch::optim::AdamW optimizer(std::move(groups));
  TrainOptions schedule;  // the VLM stage's warmup + cosine, with these numbers
  schedule.steps = p.steps;
  schedule.lr = p.lr;
  schedule.warmup_steps = p.warmup_steps;

  const EvalSet eval = make_eval_set(config.data, config.eval);
  const LmPretrainStream stream(config, eval.signatures);
  // Held-out text: the text_core benchmark's documents when it is scored,
  // else documents from a stream no training draws from.
  std::vector<Document> held_out;
  for (const auto& set : eval.benchmarks) {
    if (!set.documents.empty()) held_out = set.documents;
  }
  if (held_out.empty()) {
    Rng rng(derive_seed({uint64_t(config.eval.seed), kLmPretrainStream}));
    // Plain text whatever data.text_scene_questions, as text_core.
    for (int i = 0; i < kHeldOutDocuments; ++i) held_out.push_back(text_document(rng, 0));
  }
  if (held_out.size() > size_t(kHeldOutDocuments)) held_out.resize(kHeldOutDocuments);
  const TextQuality at_init = text_quality(lm, held_out, config.data);

  lm->train();
  for (int step = 0; step < p.steps; ++step) {
    const double lr = learning_rate(schedule, step);
    for (auto& g : optimizer.param_groups()) g.options().set_lr(lr);
    const Batch batch = stream.batch(step);
    optimizer.zero_grad();
    const LmOutput out = lm->forward(lm->embed(batch.tokens));
    const auto loss = per_example_loss(out.logits, batch.tokens, batch.loss_mask).mean() +
                      config.lm.moe.aux_loss_weight * out.aux_loss;
    const double value = loss.item<double>();
    if (!std::isfinite(value)) {
      throw NonFiniteLoss(fmt::format("lm pre-training: non-finite loss at step {}", step));
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params,
                                      config.train.grad_clip > 0 ? config.train.grad_clip : 1e30);
    optimizer.step();
    loss_log.add(step, value, lr);
  }
  const double train_seconds = loss_log.seconds();

  PretrainedWeights out;
  out.info = {{"steps", p.steps},
              {"first_loss", loss_log.first_loss()},
              {"final_loss", loss_log.final_loss()},
              {"train_seconds", train_seconds},
              {"parameters", count_parameters(*lm)},
              {"held_out_text", to_json(text_quality(lm, held_out, config.data))},
              {"held_out_text_at_init", to_json(at_init)}};
  out.info["seconds"] = loss_log.seconds();
  out.weights = lm->weights();
  return out;
}

}  // namespace ablate
