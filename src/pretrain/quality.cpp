#include "pretrain/quality.h"

#include <ATen/CPUGeneratorImpl.h>

#include <functional>
#include <optional>

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
constexpr int kAttentiveHeads = 4;

// Which held-out scenes a probe task keeps.
enum class Keep { all, photos, word_signs, number_signs, star_and_triangle };

// The binding probe's scenes: a star and a triangle of one size (their areas
// are within 2% of each other) in two colours, either left; from a scene of
// two objects in two colours, shrunk to the smaller size (which keeps them
// apart). Nullopt for a scene that is not two objects in two colours.
std::optional<Scene> star_and_triangle(Scene scene, uint64_t seed) {
  if (scene.objects.size() != 2 || scene.objects[0].colour == scene.objects[1].colour) {
    return std::nullopt;
  }
  const int star = Rng(seed).uniform_int(2);
  scene.objects[star].shape = kStar;
  scene.objects[1 - star].shape = kTriangle;
  const int size = std::min(scene.objects[0].size, scene.objects[1].size);
  for (auto& o : scene.objects) o.size = size;
  return scene;
}

// Shape scenes, or for Keep::photos scenes of one Fashion-MNIST test photo;
// for the sign kinds only the shape scenes whose sign shows a word, or a
// number; for Keep::star_and_triangle those scenes made of two-object ones.
std::vector<Scene> held_out_scenes(const ExperimentConfig& config, const DataOptions& data,
                                   uint64_t purpose, int n, Keep keep = Keep::all) {
  std::vector<Scene> scenes;
  for (uint64_t i = 0; static_cast<int>(scenes.size()) < n; ++i) {
    const uint64_t seed =
        derive_seed({uint64_t(config.encoder.pretrain.seed), kQualityStream, purpose, i});
    Scene scene = keep == Keep::photos ? generate_fashion_scene(seed, 1, /*test=*/true)
                                       : generate_shape_scene(seed, data);
    if (keep == Keep::star_and_triangle) {
      if (auto pair = star_and_triangle(std::move(scene), splitmix64(seed))) {
        scenes.push_back(std::move(*pair));
      }
      continue;
    }
    const bool kept = keep == Keep::word_signs     ? sign_word(scene.sign.text) >= 0
                      : keep == Keep::number_signs ? sign_number(scene.sign.text) >= 0
                                                   : true;
    if (kept) scenes.push_back(std::move(scene));
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

// Features [N, T, D] of `images`, in batches.
torch::Tensor features_of(const ImageFeatures& features, const torch::Tensor& images) {
  torch::InferenceMode guard;
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += 250) {
    out.push_back(features(images.slice(0, i, i + 250)).cpu().to(torch::kFloat32));
  }
  return torch::cat(out);
}

// Standardised with the training features' mean and std per feature (over N,
// and T when there is one): {train, test}.
std::pair<torch::Tensor, torch::Tensor> standardised(const torch::Tensor& train,
                                                     const torch::Tensor& test) {
  const auto flat = train.reshape({-1, train.size(-1)});
  const auto mean = flat.mean(0);
  const auto std = flat.std(0, /*unbiased=*/true) + 1e-6;
  return {((train - mean) / std).detach(), ((test - mean) / std).detach()};
}

// Full-batch Adam on `weights` and `bias` minimising cross-entropy of
// logits(x) against y plus 1e-3 times the squared norm of `weights`; returns
// the accuracy of logits(test_x) against test_y in [0, 1].
double fit_and_test(std::vector<torch::Tensor> weights, const torch::Tensor& bias,
                    const std::function<torch::Tensor(const torch::Tensor&)>& logits,
                    const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& test_x,
                    const torch::Tensor& test_y) {
  std::vector<torch::Tensor> params = weights;
  params.push_back(bias);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(0.05));
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(logits(x), y);
    for (const auto& w : weights) loss = loss + 1e-3 * w.pow(2).sum();
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  return logits(test_x).argmax(1).eq(test_y).to(torch::kFloat64).mean().item<double>();
}

torch::Tensor labels(const std::vector<Scene>& scenes, int (*label)(const Scene&)) {
  std::vector<int64_t> y;
  for (const auto& s : scenes) y.push_back(label(s));
  return torch::tensor(y, torch::kInt64);
}

}  // namespace

double probe_accuracy(const torch::Tensor& train_x, const torch::Tensor& train_y,
                      const torch::Tensor& test_x, const torch::Tensor& test_y, int num_classes) {
  const auto [x, xt] = standardised(train_x, test_x);
  auto w = torch::zeros({x.size(1), num_classes}, torch::requires_grad());
  auto b = torch::zeros({num_classes}, torch::requires_grad());
  return fit_and_test(
      {w}, b, [&](const torch::Tensor& in) { return torch::addmm(b, in, w); }, x, train_y, xt,
      test_y);
}

double attentive_probe_accuracy(const torch::Tensor& train_x, const torch::Tensor& train_y,
                                const torch::Tensor& test_x, const torch::Tensor& test_y,
                                int num_classes) {
  const auto [x, xt] = standardised(train_x, test_x);
  const int64_t dim = x.size(2);
  // Small distinct queries, the same for every call: the heads start close to
  // mean pooling and part as they learn.
  auto generator = at::detail::createCPUGenerator(/*seed_in=*/0);
  auto queries = (0.01 * torch::randn({kAttentiveHeads, dim}, generator)).requires_grad_();
  auto w = torch::zeros({kAttentiveHeads * dim, num_classes}, torch::requires_grad());
  auto b = torch::zeros({num_classes}, torch::requires_grad());
  const auto logits = [&](const torch::Tensor& in) {
    const auto weights = torch::softmax(torch::matmul(in, queries.t()), /*dim=*/1);  // [N, T, H]
    const auto pooled = torch::einsum("nth,ntd->nhd", {weights, in});
    return torch::addmm(b, pooled.reshape({in.size(0), -1}), w);
  };
  return fit_and_test({queries, w}, b, logits, x, train_y, xt, test_y);
}

nlohmann::json linear_probe(EncoderImpl& encoder, const ExperimentConfig& config, int resolution) {
  return linear_probe([&](const torch::Tensor& images) { return encoder.forward(images); }, config,
                      resolution);
}

nlohmann::json linear_probe(const ImageFeatures& features, const ExperimentConfig& config,
                            int resolution, bool attentive) {
  DataOptions single = config.data;
  single.min_objects = single.max_objects = 1;
  DataOptions signed_single = single;
  signed_single.text_scenes = 1;
  DataOptions pair = config.data;  // plain shapes, no pattern to change their areas
  pair.min_objects = pair.max_objects = 2;
  pair.textured_objects = pair.text_scenes = 0;
  struct Task {
    const char* name;
    const DataOptions* data;
    int num_classes;
    int (*label)(const Scene&);
    Keep keep = Keep::all;
    bool textures = false;
    double shortcut = 0;  // what features without the skill score, where above chance
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
       Keep::photos},
      // The pattern (or none) of one object, when the world has textures.
      {"texture", &single, int(kTextureNames.size()),
       [](const Scene& s) { return s.objects[0].texture; }, Keep::all, /*textures=*/true},
      // Reading, when the world has signs: which word a sign shows, and the
      // tens and the units digit of a number it shows (each place one task, so
      // that features which keep only which digits are there, not where, as
      // a mean over tokens does, cannot solve both).
      {"sign", &signed_single, int(kSignWords.size()),
       [](const Scene& s) { return sign_word(s.sign.text); }, Keep::word_signs},
      {"sign_tens", &signed_single, 10,
       [](const Scene& s) { return sign_number(s.sign.text) / 10; }, Keep::number_signs},
      {"sign_units", &signed_single, 10,
       [](const Scene& s) { return sign_number(s.sign.text) % 10; }, Keep::number_signs},
      // Where one object is: the quadrant of its centre. What spatial_vqa's
      // relations need from the visual tokens; features with no position
      // (a convnet's away from its borders, pooled without a position
      // embedding) give a bag of regions that cannot say where.
      {"position", &single, 4,
       [](const Scene& s) { return int(s.objects[0].x >= 0.5) + 2 * int(s.objects[0].y >= 0.5); }},
      // Binding, when the world has scenes of two objects: the colour of the
      // star next to a triangle of another colour. Features that keep which
      // colours and which shapes are there but not which shape wears which
      // colour (a mean over objects, unless a feature binds them) score 50,
      // a guess between the two colours; the areas of the two shapes do not
      // tell them apart. What "what color is the star ?" needs.
      {"binding", &pair, int(kColourNames.size()),
       [](const Scene& s) { return s.objects[s.objects[0].shape == kStar ? 0 : 1].colour; },
       Keep::star_and_triangle, /*textures=*/false, /*shortcut=*/50},
  };
  nlohmann::json out = nlohmann::json::object();
  uint64_t purpose = 0;
  for (const auto& task : tasks) {
    purpose += 2;
    if (task.keep == Keep::photos && config.data.fashion_scenes <= 0) continue;
    if (task.textures && config.data.textured_objects <= 0) continue;
    const bool signs = task.keep == Keep::word_signs || task.keep == Keep::number_signs;
    if (signs && config.data.text_scenes <= 0) continue;
    if (task.keep == Keep::star_and_triangle && config.data.max_objects < 2) continue;
    const auto train = held_out_scenes(config, *task.data, purpose - 1, kProbeTrain, task.keep);
    const auto test = held_out_scenes(config, *task.data, purpose, kProbeTest, task.keep);
    const auto train_y = labels(train, task.label), test_y = labels(test, task.label);
    const auto train_x = features_of(features, images_of(train, config, resolution));
    const auto test_x = features_of(features, images_of(test, config, resolution));
    // Chance: the majority class of the test scenes.
    const double chance = torch::bincount(test_y).max().item<double>() / test_y.size(0);
    const double acc = probe_accuracy(train_x.mean(/*dim=*/1), train_y, test_x.mean(/*dim=*/1),
                                      test_y, task.num_classes);
    out[task.name] = {{"accuracy", 100 * acc}, {"chance", 100 * chance}};
    if (task.shortcut > 0) out[task.name]["shortcut"] = task.shortcut;
    if (attentive) {
      out[task.name]["attentive"] =
          100 * attentive_probe_accuracy(train_x, train_y, test_x, test_y, task.num_classes);
    }
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
