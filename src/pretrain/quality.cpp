#include "pretrain/quality.h"

#include "core/rng.h"
#include "data/fashion.h"
#include "data/language.h"
#include "data/render.h"
#include "data/scene.h"
#include "pretrain/pretrain.h"

namespace ablate {
namespace {

constexpr uint64_t kQualityStream = 0x7175616c;  // "qual"
constexpr int kProbeTrain = 1000, kProbeTest = 500;
constexpr int kRetrievalGroups = 5, kRetrievalGroupSize = 100;

// Shape scenes, or with `photos` scenes of one Fashion-MNIST test photo; with
// `word_signs` only the shape scenes whose sign shows a word (not a number).
std::vector<Scene> held_out_scenes(const ExperimentConfig& config, const DataOptions& data,
                                   uint64_t purpose, int n, bool photos = false,
                                   bool word_signs = false) {
  std::vector<Scene> scenes;
  for (uint64_t i = 0; static_cast<int>(scenes.size()) < n; ++i) {
    const uint64_t seed =
        derive_seed({uint64_t(config.encoder.pretrain.seed), kQualityStream, purpose, i});
    Scene scene =
        photos ? generate_fashion_scene(seed, 1, /*test=*/true) : generate_shape_scene(seed, data);
    if (!word_signs || sign_word(scene.sign.text) >= 0) scenes.push_back(std::move(scene));
  }
  return scenes;
}

torch::Tensor images_of(const std::vector<Scene>& scenes, const ExperimentConfig& config,
                        int resolution) {
  std::vector<torch::Tensor> images;
  for (const auto& s : scenes) {
    images.push_back(scene_image(s, config.data.render_resolution, resolution));
  }
  return torch::stack(images);
}

// Mean-pooled features [N, D], in batches.
torch::Tensor pooled_features(const ImageFeatures& features, const torch::Tensor& images) {
  torch::InferenceMode guard;
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += 250) {
    out.push_back(features(images.slice(0, i, i + 250)).mean(/*dim=*/1).cpu());
  }
  return torch::cat(out).to(torch::kFloat32);
}

torch::Tensor labels(const std::vector<Scene>& scenes, int (*label)(const Scene&)) {
  std::vector<int64_t> y;
  for (const auto& s : scenes) y.push_back(label(s));
  return torch::tensor(y, torch::kInt64);
}

}  // namespace

double probe_accuracy(const torch::Tensor& train_x, const torch::Tensor& train_y,
                      const torch::Tensor& test_x, const torch::Tensor& test_y, int num_classes) {
  const auto mean = train_x.mean(0, /*keepdim=*/true);
  const auto std = train_x.std(0, /*unbiased=*/true, /*keepdim=*/true) + 1e-6;
  const auto x = ((train_x - mean) / std).detach();
  const auto xt = ((test_x - mean) / std).detach();
  auto w = torch::zeros({x.size(1), num_classes}, torch::requires_grad());
  auto b = torch::zeros({num_classes}, torch::requires_grad());
  torch::optim::Adam opt({w, b}, torch::optim::AdamOptions(0.05));
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    const auto loss = torch::nn::functional::cross_entropy(torch::addmm(b, x, w), train_y) +
                      1e-3 * w.pow(2).sum();
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  return torch::addmm(b, xt, w).argmax(1).eq(test_y).to(torch::kFloat64).mean().item<double>();
}

nlohmann::json linear_probe(EncoderImpl& encoder, const ExperimentConfig& config, int resolution) {
  return linear_probe([&](const torch::Tensor& images) { return encoder.forward(images); }, config,
                      resolution);
}

nlohmann::json linear_probe(const ImageFeatures& features, const ExperimentConfig& config,
                            int resolution) {
  DataOptions single = config.data;
  single.min_objects = single.max_objects = 1;
  DataOptions signed_single = single;
  signed_single.text_scenes = 1;
  struct Task {
    const char* name;
    const DataOptions* data;
    int num_classes;
    int (*label)(const Scene&);
    bool photos = false;
    bool textures = false;
    bool signs = false;
  };
  const Task tasks[] = {
      {"colour", &single, int(kColourNames.size()),
       [](const Scene& s) { return s.objects[0].colour; }},
      {"shape", &single, int(kShapeNames.size()),
       [](const Scene& s) { return s.objects[0].shape; }},
      {"size", &single, int(kSizeNames.size()), [](const Scene& s) { return s.objects[0].size; }},
      {"count", &config.data, config.data.max_objects + 1,
       [](const Scene& s) { return int(s.objects.size()); }},
      // The class of one Fashion-MNIST photo, when the world has photos.
      {"item", &single, int(kFashionNames.size()), [](const Scene& s) { return s.items[0].label; },
       /*photos=*/true},
      // The pattern (or none) of one object, when the world has textures.
      {"texture", &single, int(kTextureNames.size()),
       [](const Scene& s) { return s.objects[0].texture; }, /*photos=*/false, /*textures=*/true},
      // Which word a sign shows, when the world has signs: reading (numbers are
      // left out, since mean-pooled features cannot tell 26 from 62).
      {"sign", &signed_single, int(kSignWords.size()),
       [](const Scene& s) { return sign_word(s.sign.text); }, /*photos=*/false,
       /*textures=*/false, /*signs=*/true},
  };
  nlohmann::json out = nlohmann::json::object();
  uint64_t purpose = 0;
  for (const auto& task : tasks) {
    purpose += 2;
    if (task.photos && config.data.fashion_scenes <= 0) continue;
    if (task.textures && config.data.textured_objects <= 0) continue;
    if (task.signs && config.data.text_scenes <= 0) continue;
    const auto train =
        held_out_scenes(config, *task.data, purpose - 1, kProbeTrain, task.photos, task.signs);
    const auto test =
        held_out_scenes(config, *task.data, purpose, kProbeTest, task.photos, task.signs);
    const auto train_y = labels(train, task.label), test_y = labels(test, task.label);
    // Chance: the majority class of the test scenes.
    const double chance = torch::bincount(test_y).max().item<double>() / test_y.size(0);
    const double acc = probe_accuracy(
        pooled_features(features, images_of(train, config, resolution)), train_y,
        pooled_features(features, images_of(test, config, resolution)), test_y, task.num_classes);
    out[task.name] = {{"accuracy", 100 * acc}, {"chance", 100 * chance}};
  }
  return out;
}

nlohmann::json clip_retrieval(ClipObjectiveImpl& clip, EncoderImpl& encoder,
                              const ExperimentConfig& config, int resolution) {
  const int n = kRetrievalGroups * kRetrievalGroupSize;
  const auto scenes = held_out_scenes(config, config.data, /*purpose=*/100, n);
  std::vector<std::string> captions;
  Rng rng(derive_seed({uint64_t(config.encoder.pretrain.seed), kQualityStream, 101}));
  // Short captions unless the encoder only ever saw dense ones.
  for (const auto& s : scenes) {
    captions.push_back(config.encoder.pretrain.captions == "dense" ? dense_caption(s)
                                                                   : sample_caption(s, rng));
  }
  torch::InferenceMode guard;
  const auto images = images_of(scenes, config, resolution);
  const auto texts = collate_captions({}, captions);
  double image_to_text = 0, text_to_image = 0;
  for (int g = 0; g < kRetrievalGroups; ++g) {
    const int64_t lo = g * kRetrievalGroupSize, hi = lo + kRetrievalGroupSize;
    const auto img = clip.embed_images(encoder, images.slice(0, lo, hi));
    const auto txt = clip.embed_texts(texts.texts.slice(0, lo, hi), texts.eos.slice(0, lo, hi));
    const auto sim = torch::matmul(img, txt.t());  // [G, G]
    const auto best_text = sim.argmax(1), best_image = sim.argmax(0);
    for (int64_t i = 0; i < kRetrievalGroupSize; ++i) {
      image_to_text += captions[lo + best_text[i].item<int64_t>()] == captions[lo + i];
      text_to_image += captions[lo + best_image[i].item<int64_t>()] == captions[lo + i];
    }
  }
  return {{"image_to_text", 100 * image_to_text / n},
          {"text_to_image", 100 * text_to_image / n},
          {"chance", 100.0 / kRetrievalGroupSize},
          {"group_size", kRetrievalGroupSize}};
}

}  // namespace ablate
