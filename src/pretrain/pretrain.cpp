#include "pretrain/pretrain.h"

#include <fmt/format.h>

#include "core/rng.h"
#include "data/dataset.h"
#include "data/fashion.h"
#include "data/language.h"
#include "data/render.h"
#include "eval/benchmark.h"
#include "pretrain/clip.h"
#include "pretrain/log.h"
#include "pretrain/quality.h"
#include "train/schedule.h"
#include "train/trainer.h"

namespace ablate {
namespace {
constexpr uint64_t kPretrainStream = 0x7072657472;  // "pretr"
constexpr uint64_t kTwinStream = 0x7477696e;        // "twin"
constexpr uint64_t kSingleStream = 0x73696e676c;    // "singl"
constexpr uint64_t kCaptionStream = 0x63617074;     // "capt"

// `value` replaced by another of [0, n), uniformly.
int another(int value, int n, Rng& rng) { return (value + 1 + rng.uniform_int(n - 1)) % n; }

// Pairs of objects that differ in colour and in shape: swapping their colours
// keeps the scene's colours and shapes and binds them the other way.
std::vector<std::pair<size_t, size_t>> swappable_pairs(const Scene& scene) {
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t i = 0; i < scene.objects.size(); ++i) {
    for (size_t j = i + 1; j < scene.objects.size(); ++j) {
      const Object &a = scene.objects[i], &b = scene.objects[j];
      if (a.colour != b.colour && a.shape != b.shape) pairs.emplace_back(i, j);
    }
  }
  return pairs;
}

// A hard negative's one change to a shape scene: one of `changes` that the
// scene has (a shape scene always has an object to change the shape of).
void change_detail(Scene& scene, const std::vector<std::string>& changes, Rng& rng) {
  const auto swappable = swappable_pairs(scene);
  std::vector<std::string> options;
  for (const auto& c : changes) {
    if (c == "shape" || (c == "texture" && scene.textures) ||
        (c == "sign" && !scene.sign.text.empty()) || (c == "binding" && !swappable.empty())) {
      options.push_back(c);
    }
  }
  if (options.empty()) options.push_back("shape");
  // Drawn only when there is a choice, so that shape-only twins stay as they were.
  const std::string& change =
      options.size() == 1 ? options[0] : options[rng.uniform_int(static_cast<int>(options.size()))];
  if (change == "sign") {
    const auto texts = sign_texts();
    const int i =
        static_cast<int>(std::find(texts.begin(), texts.end(), scene.sign.text) - texts.begin());
    scene.sign.text = texts[another(i, static_cast<int>(texts.size()), rng)];
    return;
  }
  if (change == "binding") {
    const auto [i, j] = swappable[rng.uniform_int(static_cast<int>(swappable.size()))];
    std::swap(scene.objects[i].colour, scene.objects[j].colour);
    return;
  }
  Object& o = scene.objects[rng.uniform_int(static_cast<int>(scene.objects.size()))];
  if (change == "texture") {
    o.texture = another(o.texture, int(kTextureNames.size()), rng);
  } else {
    o.shape = another(o.shape, int(kShapeNames.size()), rng);
  }
}

}  // namespace

int pretrain_resolution(const ExperimentConfig& config) {
  const int r = config.encoder.pretrain.resolution;
  return r > 0 ? r : config.data.resolution;
}

EncoderOptions pretrain_encoder_options(const ExperimentConfig& config) {
  EncoderOptions o = config.encoder;
  o.output_layer = -1;
  return o;
}

DataOptions pretrain_data_options(const ExperimentConfig& config) {
  DataOptions data = config.data;
  if (config.encoder.pretrain.max_objects > 0) {
    data.max_objects = config.encoder.pretrain.max_objects;
    data.min_objects = std::min(data.min_objects, data.max_objects);
  }
  return data;
}

void check_pretrain_config(const ExperimentConfig& config) {
  const auto& p = config.encoder.pretrain;
  if (p.objective == "none") return;
  objective_registry().get(p.objective).check(config.encoder);
  const EncoderOptions o = pretrain_encoder_options(config);
  encoder_registry().get(o.type).grid_size(o, pretrain_resolution(config));
  if (config.data.render_resolution % pretrain_resolution(config) != 0) {
    throw ConfigError(
        fmt::format("encoder.pretrain.resolution={} does not divide data.render_resolution={}",
                    pretrain_resolution(config), config.data.render_resolution));
  }
  if (p.hard_negatives && p.twin_changes.empty()) {
    throw ConfigError(
        "encoder.pretrain.twin_changes is empty: hard negatives need a detail to change");
  }
  if (!p.hard_negatives && p.twin_changes != EncoderPretrainOptions().twin_changes) {
    throw ConfigError(
        "encoder.pretrain.twin_changes is set but encoder.pretrain.hard_negatives is false: "
        "there are no twins to change");
  }
  const auto& changes = p.twin_changes;
  if (std::count(changes.begin(), changes.end(), "texture") && config.data.textured_objects <= 0) {
    throw ConfigError(
        "encoder.pretrain.twin_changes names texture but data.textured_objects is 0: the world "
        "has no textures");
  }
  if (std::count(changes.begin(), changes.end(), "sign") && config.data.text_scenes <= 0) {
    throw ConfigError(
        "encoder.pretrain.twin_changes names sign but data.text_scenes is 0: the world has no "
        "signs");
  }
  if (std::count(changes.begin(), changes.end(), "binding") &&
      pretrain_data_options(config).max_objects < 2) {
    throw ConfigError(
        "encoder.pretrain.twin_changes names binding but pre-training scenes hold at most one "
        "object (data.max_objects / encoder.pretrain.max_objects): there are no two objects to "
        "swap colours");
  }
  if (p.text_width % 4 != 0) {
    throw ConfigError(
        fmt::format("encoder.pretrain.text_width={} must be a multiple of 4 (2 heads of even size)",
                    p.text_width));
  }
}

PretrainStream::PretrainStream(const ExperimentConfig& config,
                               const std::unordered_set<std::string>& excluded)
    : config_(config),
      excluded_(excluded),
      data_(pretrain_data_options(config)),
      resolution_(pretrain_resolution(config)) {}

std::pair<Scene, std::string> PretrainStream::example(int64_t index) const {
  const auto& p = config_.encoder.pretrain;
  // With hard negatives, odd examples are their even neighbour with one
  // object's shape changed: the pair lands in the same batch.
  const bool twin = p.hard_negatives && index % 2 == 1;
  const int64_t base = twin ? index - 1 : index;
  DataOptions data = data_;
  if (p.single_object_share > 0 &&
      Rng(derive_seed({uint64_t(p.seed), kSingleStream, uint64_t(base)}))
          .bernoulli(p.single_object_share)) {
    data.min_objects = data.max_objects = 1;
  }
  Scene scene;
  uint64_t seed = 0;
  for (uint64_t attempt = 0;; ++attempt) {
    seed = derive_seed({uint64_t(p.seed), kPretrainStream, uint64_t(base), attempt});
    scene = generate_scene(seed, data);
    if (twin) {
      seed = derive_seed({seed, kTwinStream});
      Rng pick(seed);
      if (scene.is_fashion()) {
        // A photo of another class in one item's place.
        FashionItem& item = scene.items[pick.uniform_int(static_cast<int>(scene.items.size()))];
        const int classes = static_cast<int>(kFashionNames.size());
        item.label = another(item.label, classes, pick);
        const auto& pool = fashion_split(item.test).by_label[item.label];
        item.image = pool[pick.uniform_int(static_cast<int>(pool.size()))];
      } else {
        change_detail(scene, p.twin_changes, pick);
      }
    }
    if (!excluded_.count(scene_signature(scene))) break;
  }
  Rng rng(derive_seed({seed, kCaptionStream}));  // not splitmix64(seed): the scene's own stream
  const bool dense = p.captions == "dense" || (p.captions == "mixed" && rng.bernoulli(0.5));
  std::string caption = dense ? dense_caption(scene) : sample_caption(scene, rng);
  return {std::move(scene), std::move(caption)};
}

PretrainBatch PretrainStream::batch(int64_t step) const {
  const int b = config_.encoder.pretrain.batch_size;
  std::vector<torch::Tensor> images;
  std::vector<std::string> captions;
  for (int i = 0; i < b; ++i) {
    auto [scene, caption] = example(step * b + i);
    images.push_back(scene_image(scene, config_.data.render_resolution, resolution_));
    captions.push_back(std::move(caption));
  }
  return collate_captions(images, captions);
}

PretrainBatch collate_captions(const std::vector<torch::Tensor>& images,
                               const std::vector<std::string>& captions) {
  std::vector<std::vector<int>> ids;
  size_t longest = 0;
  for (const auto& c : captions) {
    ids.push_back(Tokenizer::world().encode(c));
    ids.back().push_back(Tokenizer::kEos);
    longest = std::max(longest, ids.back().size());
  }
  const int64_t b = static_cast<int64_t>(ids.size());
  auto texts = torch::full({b, int64_t(longest)}, Tokenizer::kPad, torch::kInt64);
  auto eos = torch::empty({b}, torch::kInt64);
  auto t = texts.accessor<int64_t, 2>();
  for (int64_t i = 0; i < b; ++i) {
    for (size_t j = 0; j < ids[i].size(); ++j) t[i][j] = ids[i][j];
    eos[i] = int64_t(ids[i].size()) - 1;
  }
  return {images.empty() ? torch::Tensor() : torch::stack(images), texts, eos};
}

PretrainedWeights pretrain_encoder(const ExperimentConfig& config, const std::string& metrics_path,
                                   const PretrainProgressFn& progress) {
  check_pretrain_config(config);
  const auto& p = config.encoder.pretrain;
  PretrainLog loss_log(p.steps, metrics_path, progress);
  const EncoderOptions options = pretrain_encoder_options(config);
  const int resolution = pretrain_resolution(config);
  const auto& entry = objective_registry().get(p.objective);

  torch::manual_seed(derive_seed({uint64_t(p.seed), kPretrainStream}));
  Encoder encoder = encoder_registry().get(options.type).make(options, resolution);
  encoder->init_weights();
  Objective objective = entry.make(options, *encoder, Tokenizer::world().vocab_size());
  objective->init_weights();

  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto params = encoder->parameters();
  for (const auto& q : objective->parameters()) params.push_back(q);
  add_adamw_groups(groups, params, p.lr, /*weight_decay=*/0.05);
  torch::optim::AdamW optimizer(std::move(groups));
  TrainOptions schedule;  // the VLM stage's warmup + cosine, with these numbers
  schedule.steps = p.steps;
  schedule.lr = p.lr;
  schedule.warmup_steps = p.warmup_steps;

  // The same probes on the untrained encoder: what pre-training adds.
  encoder->eval();
  const nlohmann::json probe_at_init = linear_probe(*encoder, config, resolution);

  const EvalSet eval = make_eval_set(config.data, config.eval);
  const PretrainStream stream(config, eval.signatures);
  encoder->train();
  objective->train();
  for (int step = 0; step < p.steps; ++step) {
    const double lr = learning_rate(schedule, step);
    for (auto& g : optimizer.param_groups()) g.options().set_lr(lr);
    const PretrainBatch batch = stream.batch(step);
    optimizer.zero_grad();
    const auto loss = objective->loss(*encoder, batch);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) {
      throw NonFiniteLoss(fmt::format("encoder pre-training: non-finite loss at step {}", step));
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    optimizer.step();
    loss_log.add(step, value, lr);
  }
  const double train_seconds = loss_log.seconds();

  PretrainedWeights out;
  out.info = {{"objective", p.objective},
              {"steps", p.steps},
              {"resolution", resolution},
              {"first_loss", loss_log.first_loss()},
              {"final_loss", loss_log.final_loss()},
              {"train_seconds", train_seconds},
              {"parameters", count_parameters(*encoder)}};
  encoder->eval();
  objective->eval();
  out.info["probe"] = linear_probe(*encoder, config, resolution);
  out.info["probe_at_init"] = probe_at_init;
  if (auto* clip = dynamic_cast<ClipObjectiveImpl*>(objective.get())) {
    out.info["retrieval"] = clip_retrieval(*clip, *encoder, config, resolution);
  }
  out.info["seconds"] = loss_log.seconds();
  out.weights = encoder->weights();
  return out;
}

}  // namespace ablate
