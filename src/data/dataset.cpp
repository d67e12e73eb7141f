#include "data/dataset.h"

#include <algorithm>

#include "core/rng.h"
#include "data/render.h"
#include "data/tokenizer.h"

namespace ablate {
namespace {

// Stream identifiers keep training, evaluation scenes and evaluation
// questions on unrelated seeds.
constexpr uint64_t kTrainStream = 0x747261696e;  // "train"
constexpr uint64_t kEvalCaptionStream = 0x6361707431;
constexpr uint64_t kEvalVqaStream = 0x7671613031;

std::vector<int> concat(std::vector<int> a, const std::vector<int>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

std::vector<int> caption_prompt() { return Tokenizer::world().encode(kCaptionPrompt); }

std::vector<int> vqa_prompt(const std::string& question) {
  const auto& tok = Tokenizer::world();
  return concat(concat(tok.encode(kQuestionPrompt), tok.encode(question)),
                tok.encode(kAnswerPrompt));
}

std::vector<int> caption_text(const std::string& caption) {
  auto ids = concat(caption_prompt(), Tokenizer::world().encode(caption));
  ids.push_back(Tokenizer::kEos);
  return ids;
}

std::vector<int> vqa_text(const VqaItem& item) {
  auto ids = concat(vqa_prompt(item.question), Tokenizer::world().encode(item.answers.front()));
  ids.push_back(Tokenizer::kEos);
  return ids;
}

Batch collate(const std::vector<torch::Tensor>& images, const std::vector<std::vector<int>>& texts,
              int num_visual_tokens) {
  TORCH_CHECK(images.size() == texts.size(), "collate: ", images.size(), " images but ",
              texts.size(), " texts");
  TORCH_CHECK(!images.empty(), "collate: empty batch");
  const int64_t batch = static_cast<int64_t>(texts.size());
  size_t max_text = 0;
  for (const auto& t : texts) max_text = std::max(max_text, t.size());
  const int64_t seq_len = 1 + num_visual_tokens + static_cast<int64_t>(max_text);

  auto tokens = torch::full({batch, seq_len}, Tokenizer::kPad, torch::kInt64);
  auto mask = torch::zeros({batch, seq_len}, torch::kFloat32);
  auto tok = tokens.accessor<int64_t, 2>();
  auto msk = mask.accessor<float, 2>();
  for (int64_t b = 0; b < batch; ++b) {
    tok[b][0] = Tokenizer::kBos;
    for (int i = 0; i < num_visual_tokens; ++i) tok[b][1 + i] = Tokenizer::kImage;
    for (size_t i = 0; i < texts[b].size(); ++i) {
      tok[b][1 + num_visual_tokens + i] = texts[b][i];
      msk[b][1 + num_visual_tokens + i] = 1.0f;
    }
  }
  return {torch::stack(images), tokens, mask};
}

EvalSet make_eval_set(const DataOptions& data, const EvalOptions& eval) {
  EvalSet set;
  for (int i = 0; i < eval.num_items; ++i) {
    Scene scene =
        generate_scene(derive_seed({uint64_t(eval.seed), kEvalCaptionStream, uint64_t(i)}), data);
    set.signatures.insert(scene_signature(scene));
    set.captions.push_back({scene, caption_references(scene)});
  }
  for (int i = 0; i < eval.num_items; ++i) {
    const uint64_t seed = derive_seed({uint64_t(eval.seed), kEvalVqaStream, uint64_t(i)});
    Scene scene = generate_scene(seed, data);
    Rng rng(splitmix64(seed));
    set.signatures.insert(scene_signature(scene));
    VqaItem item = sample_question(scene, rng);
    set.vqa.push_back({std::move(scene), std::move(item)});
  }
  return set;
}

TrainStream::TrainStream(const ExperimentConfig& config,
                         const std::unordered_set<std::string>& excluded)
    : config_(config), excluded_(excluded) {}

std::pair<Scene, std::vector<int>> TrainStream::example(int64_t index) const {
  Scene scene;
  uint64_t seed = 0;
  for (uint64_t attempt = 0;; ++attempt) {
    seed = derive_seed({uint64_t(config_.seed), kTrainStream, uint64_t(index), attempt});
    scene = generate_scene(seed, config_.data);
    if (!excluded_.count(scene_signature(scene))) break;
  }
  Rng rng(splitmix64(seed));
  std::vector<int> text = rng.bernoulli(config_.data.vqa_fraction)
                              ? vqa_text(sample_question(scene, rng))
                              : caption_text(sample_caption(scene, rng));
  return {std::move(scene), std::move(text)};
}

Batch TrainStream::batch(int64_t step, int num_visual_tokens) const {
  const int b = config_.train.batch_size;
  std::vector<torch::Tensor> images;
  std::vector<std::vector<int>> texts;
  for (int i = 0; i < b; ++i) {
    auto [scene, text] = example(step * b + i);
    images.push_back(scene_image(scene, config_.data.render_resolution, config_.data.resolution));
    texts.push_back(std::move(text));
  }
  return collate(images, texts, num_visual_tokens);
}

}  // namespace ablate
