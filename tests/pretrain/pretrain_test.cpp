// Encoder pre-training: one suite over every registered objective, the cache
// (hit, miss, corrupt entries, two processes at once), weights readable from
// Python, and a pre-trained encoder inside a VLM trial.
#include "pretrain/pretrain.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "core/io.h"
#include "core/tensor_file.h"
#include "data/language.h"
#include "eval/benchmark.h"
#include "model/vlm.h"
#include "pretrain/aim.h"
#include "pretrain/cache.h"
#include "pretrain/quality.h"
#include "sweep/trial.h"
#include "test_util.h"
#include "train/trainer.h"

namespace ablate {
namespace {

using testing::tiny_pretrain;

class ObjectiveSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(ObjectiveSuite, LossDecreasesOnATinyRun) {
  const ExperimentConfig c = tiny_pretrain(GetParam());
  torch::manual_seed(0);
  const EncoderOptions o = pretrain_encoder_options(c);
  Encoder encoder = encoder_registry().get(o.type).make(o, c.data.resolution);
  encoder->init_weights();
  Objective objective =
      objective_registry().get(GetParam()).make(o, *encoder, Tokenizer::world().vocab_size());
  objective->init_weights();
  auto params = encoder->parameters();
  for (const auto& p : objective->parameters()) params.push_back(p);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(3e-3));
  const std::unordered_set<std::string> none;
  const PretrainBatch batch = PretrainStream(c, none).batch(0);
  // Mean loss over five fixed draws of whatever the objective samples (aim's prefix).
  auto fixed_loss = [&] {
    double sum = 0;
    for (int k = 0; k < 5; ++k) {
      torch::manual_seed(100 + k);
      sum += objective->loss(*encoder, batch).item<double>();
    }
    return sum / 5;
  };
  const double first = fixed_loss();
  for (int step = 0; step < 100; ++step) {
    torch::manual_seed(step);
    opt.zero_grad();
    objective->loss(*encoder, batch).backward();
    opt.step();
  }
  const double last = fixed_loss();
  EXPECT_LT(last, 0.8 * first) << "first " << first << ", last " << last;
  testing::expect_gradients_everywhere(*encoder);
}

INSTANTIATE_TEST_SUITE_P(Registry, ObjectiveSuite,
                         ::testing::ValuesIn(objective_registry().names()),
                         [](const auto& info) { return info.param; });

TEST(Aim, PrefixCausalMaskAndPatchOrder) {
  // Prefix 2 of 4: patches 0 and 1 see each other; 2 sees 0..2; 3 sees all.
  const auto mask = prefix_causal_mask(4, 2);
  const auto expected =
      torch::tensor({{0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 0, 1}, {0, 0, 0, 0}}, torch::kBool);
  EXPECT_TRUE(torch::equal(mask, expected));
  // Patch k of patchify is the k-th patch of the ViT's raster grid.
  const auto images = torch::arange(2 * 3 * 8 * 8, torch::kFloat32).reshape({2, 3, 8, 8});
  const auto patches = patchify(images, 4);  // [2, 4, 48]
  EXPECT_EQ(patches.sizes(), (std::vector<int64_t>{2, 4, 48}));
  using torch::indexing::Slice;
  const auto top_right = images.index({1, Slice(), Slice(0, 4), Slice(4, 8)}).reshape({-1});
  EXPECT_TRUE(torch::equal(patches[1][1], top_right));
}

TEST(Aim, RejectsNonVitEncoders) {
  ExperimentConfig c = tiny_pretrain("aim");
  c.encoder.type = "convnet";
  EXPECT_THROW(check_config(c, "test"), ConfigError);
}

TEST(Pretrain, DenseCaptionsNameEveryObjectAndItsPlace) {
  Scene s;
  s.objects = {{/*shape=*/4, /*colour=*/0, /*size=*/0, /*x=*/0.1, /*y=*/0.1},
               {/*shape=*/0, /*colour=*/2, /*size=*/1, /*x=*/0.5, /*y=*/0.5}};
  EXPECT_EQ(dense_caption(s),
            "a small red star in the top left . a large blue circle in the middle . two shapes "
            "in total .");
  for (const auto id : Tokenizer::world().encode(dense_caption(s))) {
    EXPECT_NE(id, Tokenizer::kUnk);
  }
}

TEST(Pretrain, HardNegativePairsDifferInOneShapeOnly) {
  ExperimentConfig c = tiny_pretrain("clip");
  c.encoder.pretrain.hard_negatives = true;
  c.data.fashion_scenes = 0;  // pairs of photos: tests/data/fashion_test.cpp
  const std::unordered_set<std::string> none;
  const PretrainStream stream(c, none);
  for (int64_t k = 0; k < 40; k += 2) {
    const auto [a, caption_a] = stream.example(k);
    const auto [b, caption_b] = stream.example(k + 1);
    ASSERT_EQ(a.objects.size(), b.objects.size());
    int shape_changes = 0;
    for (size_t i = 0; i < a.objects.size(); ++i) {
      EXPECT_EQ(a.objects[i].colour, b.objects[i].colour);
      EXPECT_EQ(a.objects[i].size, b.objects[i].size);
      EXPECT_EQ(a.objects[i].x, b.objects[i].x);
      shape_changes += a.objects[i].shape != b.objects[i].shape;
    }
    EXPECT_EQ(shape_changes, 1) << "pair " << k;
    EXPECT_NE(caption_a, caption_b);
  }
  ExperimentConfig single = c;
  single.encoder.pretrain.max_objects = 1;
  const PretrainStream single_stream(single, none);
  for (int64_t k = 0; k < 10; ++k) EXPECT_EQ(single_stream.example(k).first.objects.size(), 1u);
  EXPECT_NE(cache_key(Stage::kEncoder, single), cache_key(Stage::kEncoder, c));

  // A share of the pairs is of single-object scenes; both scenes of a pair agree.
  ExperimentConfig mixed = c;
  mixed.encoder.pretrain.single_object_share = 0.5;
  const PretrainStream mixed_stream(mixed, none);
  int singles = 0;
  constexpr int kPairs = 400;
  for (int64_t k = 0; k < 2 * kPairs; k += 2) {
    const Scene a = mixed_stream.example(k).first, b = mixed_stream.example(k + 1).first;
    ASSERT_EQ(a.objects.size(), b.objects.size());
    singles += a.objects.size() == 1;
  }
  // Scenes of 1..3 objects hold one object a third of the time anyway.
  EXPECT_NEAR(double(singles) / kPairs, 0.5 + 0.5 / 3, 0.08);
  EXPECT_NE(cache_key(Stage::kEncoder, mixed), cache_key(Stage::kEncoder, c));

  ExperimentConfig plain = c;
  plain.encoder.pretrain.hard_negatives = false;
  const auto [x, cx] = PretrainStream(plain, none).example(1);
  EXPECT_NE(scene_signature(x), scene_signature(stream.example(1).first)) << "independent scenes";
}

// What tells a hard-negative pair apart, or "" when nothing or more than one
// detail does.
std::string pair_difference(const Scene& a, const Scene& b) {
  if (a.objects.size() != b.objects.size()) return "";
  std::vector<std::string> changes;
  if (a.sign.text != b.sign.text) changes.push_back("sign");
  if (a.sign.x != b.sign.x || a.sign.y != b.sign.y) return "";
  std::vector<size_t> recoloured;
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const Object &x = a.objects[i], &y = b.objects[i];
    if (x.size != y.size || x.x != y.x || x.y != y.y) return "";
    if (x.colour != y.colour) recoloured.push_back(i);
    if (x.shape != y.shape) changes.push_back("shape");
    if (x.texture != y.texture) changes.push_back("texture");
  }
  if (!recoloured.empty()) {
    // Only a swap of two objects' colours, where their shapes differ.
    if (recoloured.size() != 2) return "";
    const Object &x = a.objects[recoloured[0]], &y = a.objects[recoloured[1]];
    if (x.colour != b.objects[recoloured[1]].colour ||
        y.colour != b.objects[recoloured[0]].colour || x.shape == y.shape) {
      return "";
    }
    changes.push_back("binding");
  }
  return changes.size() == 1 ? changes[0] : "";
}

TEST(Pretrain, HardNegativePairsChangeOneDetailFromTheirList) {
  ExperimentConfig c = tiny_pretrain("clip");
  c.encoder.pretrain.hard_negatives = true;
  c.data.fashion_scenes = 0;
  c.data.textured_objects = 0.5;
  c.data.text_scenes = 0.5;
  const std::unordered_set<std::string> none;
  auto changes_of = [&](const std::vector<std::string>& list) {
    ExperimentConfig x = c;
    x.encoder.pretrain.twin_changes = list;
    const PretrainStream stream(x, none);
    std::map<std::string, int> seen;
    int signs = 0;
    for (int64_t k = 0; k < 600; k += 2) {
      const auto [a, caption_a] = stream.example(k);
      const auto [b, caption_b] = stream.example(k + 1);
      const std::string change = pair_difference(a, b);
      EXPECT_NE(change, "") << "pair " << k << ": " << caption_a << " / " << caption_b;
      EXPECT_NE(caption_a, caption_b) << "captions name every detail";
      ++seen[change];
      signs += !a.sign.text.empty();
    }
    return std::make_pair(seen, signs);
  };
  const auto [all, signs] = changes_of({"shape", "texture", "sign", "binding"});
  // Each pair draws among the changes its scene has: all four occur, signs
  // only in the half of the scenes that have one, swaps only in scenes of two
  // or three objects.
  EXPECT_GT(all.at("shape"), 40);
  EXPECT_GT(all.at("texture"), 40);
  EXPECT_GT(all.at("sign"), 20);
  EXPECT_GT(all.at("binding"), 20);
  EXPECT_LE(all.at("sign"), signs);
  // Only swaps: every scene with two objects of different colours and shapes
  // swaps colours, the others (one object, or all alike) change a shape.
  const auto [only_swaps, unused] = changes_of({"binding"});
  EXPECT_GT(only_swaps.at("binding"), 120);
  EXPECT_GT(only_swaps.at("shape"), 60) << "single-object scenes";
  EXPECT_EQ(only_swaps.at("binding") + only_swaps.at("shape"), 300);
  // Only signs: scenes with a sign change it, the others change a shape.
  const auto [only_signs, with_sign] = changes_of({"sign"});
  EXPECT_EQ(only_signs.at("sign"), with_sign);
  EXPECT_EQ(only_signs.at("shape"), 300 - with_sign);
  EXPECT_EQ(only_signs.count("texture"), 0u);

  ExperimentConfig x = c;
  x.encoder.pretrain.twin_changes = {"shape", "sign"};
  EXPECT_NE(cache_key(Stage::kEncoder, x), cache_key(Stage::kEncoder, c));
}

TEST(Pretrain, ProbeSeparatesLearnableFromRandomLabels) {
  // Features that carry the label linearly vs features that do not.
  torch::manual_seed(0);
  const auto y = torch::randint(0, 3, {400}, torch::kInt64);
  const auto informative = torch::one_hot(y, 3).to(torch::kFloat32) + 0.1 * torch::randn({400, 3});
  const auto noise = torch::randn({400, 3});
  const auto tr = torch::indexing::Slice(0, 300), te = torch::indexing::Slice(300, 400);
  EXPECT_GT(probe_accuracy(informative.index({tr}), y.index({tr}), informative.index({te}),
                           y.index({te}), 3),
            0.95);
  EXPECT_LT(probe_accuracy(noise.index({tr}), y.index({tr}), noise.index({te}), y.index({te}), 3),
            0.6);
}

TEST(Pretrain, AttentiveProbeFindsTheOneTokenThatCarriesTheLabel) {
  // 16 tokens of noise, one of them (at a random place, marked by its last
  // feature) carrying the label: the mean over tokens dilutes it among the
  // noise, the attentive probe can attend to it.
  torch::manual_seed(0);
  const int64_t n = 600, tokens = 16;
  const auto y = torch::randint(0, 3, {n}, torch::kInt64);
  auto x = torch::cat({torch::randn({n, tokens, 3}), torch::zeros({n, tokens, 1})}, 2);
  const auto place = torch::randint(0, tokens, {n}, torch::kInt64);
  const auto rows = torch::arange(n);
  x.index_put_({rows, place},
               torch::cat({2 * torch::one_hot(y, 3).to(torch::kFloat32), torch::full({n, 1}, 3.0)},
                          1));
  const auto tr = torch::indexing::Slice(0, 450), te = torch::indexing::Slice(450, n);
  const double attentive =
      attentive_probe_accuracy(x.index({tr}), y.index({tr}), x.index({te}), y.index({te}), 3);
  const double mean = probe_accuracy(x.index({tr}).mean(1), y.index({tr}), x.index({te}).mean(1),
                                     y.index({te}), 3);
  EXPECT_GT(attentive, 0.9);
  EXPECT_LT(mean, 0.75);
  // Labels the features do not carry stay near chance.
  const auto shuffled = y.index({torch::randperm(n)});
  EXPECT_LT(attentive_probe_accuracy(x.index({tr}), shuffled.index({tr}), x.index({te}),
                                     shuffled.index({te}), 3),
            0.6);
}

TEST(Pretrain, PositionAndBindingProbesNeedMoreThanABagOfColours) {
  // How far each image quarter is from the background (the corner pixel),
  // as one token, keeps where the object is; the pixels as a bag of tokens
  // (what a position-free encoder's regions are to a mean or an attention
  // pool) keep its colour, not its place. The bag also knows every colour
  // of a scene and, through an attentive pool, roughly how much of each, but
  // not which shape wears which: the binding probe (the star's colour next to
  // a triangle's) stays near its shortcut of 50, far above its chance (the
  // most common colour, about 1 in 8).
  ExperimentConfig c = testing::tiny_config();
  const auto quarters = [](const torch::Tensor& images) {
    using torch::indexing::Slice;
    const auto background = images.index({Slice(), Slice(), Slice(0, 1), Slice(0, 1)});
    const auto away = (images - background).abs().sum(1, /*keepdim=*/true);
    return torch::adaptive_avg_pool2d(away, {2, 2}).flatten(1).unsqueeze(1);
  };
  const auto placed = linear_probe(quarters, c, c.data.resolution);
  const auto bag =
      linear_probe([](const torch::Tensor& images) { return images.flatten(2).transpose(1, 2); }, c,
                   c.data.resolution, /*attentive=*/true);
  ASSERT_TRUE(placed.contains("position")) << placed.dump();
  EXPECT_LT(placed["position"]["chance"].get<double>(), 35.0);
  EXPECT_GT(placed["position"]["accuracy"].get<double>(), 70.0);
  EXPECT_LT(bag["position"]["accuracy"].get<double>(), 45.0);
  EXPECT_LT(bag["position"]["attentive"].get<double>(), 45.0);
  EXPECT_GT(bag["colour"]["accuracy"].get<double>(), 80.0);
  EXPECT_FALSE(bag["colour"].contains("shortcut"));

  ASSERT_TRUE(bag.contains("binding")) << bag.dump();
  EXPECT_EQ(bag["binding"]["shortcut"].get<double>(), 50.0);
  EXPECT_LT(bag["binding"]["chance"].get<double>(), 25.0);
  EXPECT_LT(bag["binding"]["accuracy"].get<double>(), 60.0);
  EXPECT_LT(bag["binding"]["attentive"].get<double>(), 60.0);

  // A world of single objects has no pairs to bind.
  c.data.max_objects = 1;
  EXPECT_FALSE(linear_probe(quarters, c, c.data.resolution).contains("binding"));
}

TEST(Cache, MissThenHitWithTheSameWeights) {
  testing::ScratchDir dir;
  const ExperimentConfig c = tiny_pretrain("clip");
  EXPECT_FALSE(is_cached(Stage::kEncoder, c, dir.file("cache")));
  const auto first = cached_weights(Stage::kEncoder, c, dir.file("cache"));
  EXPECT_FALSE(first.hit);
  EXPECT_TRUE(is_cached(Stage::kEncoder, c, dir.file("cache")));
  const auto second = cached_weights(Stage::kEncoder, c, dir.file("cache"));
  EXPECT_TRUE(second.hit);
  EXPECT_EQ(first.key, second.key);
  ASSERT_EQ(first.stage.weights.size(), second.stage.weights.size());
  for (const auto& [name, w] : first.stage.weights) {
    EXPECT_TRUE(torch::equal(w, second.stage.weights.at(name))) << name;
  }
  for (const char* key : {"probe", "probe_at_init", "retrieval", "train_seconds"}) {
    EXPECT_TRUE(second.stage.info.contains(key)) << key;
  }

  // What the key covers: the encoder and its pre-training, not the VLM stage.
  ExperimentConfig other = c;
  other.connector.type = "attn_pool";
  other.seed = 7;
  other.encoder.output_layer = -1;
  EXPECT_EQ(cache_key(Stage::kEncoder, other), first.key);
  other.encoder.pretrain.steps = 4;
  EXPECT_NE(cache_key(Stage::kEncoder, other), first.key);
  other = c;
  other.encoder.pretrain.captions = "dense";
  EXPECT_NE(cache_key(Stage::kEncoder, other), first.key);
  other = c;
  other.data.text_scenes = 0;  // the scenes it sees change
  EXPECT_NE(cache_key(Stage::kEncoder, other), first.key);
  other = c;
  other.data.mix.text = 0.5;  // VLM data only
  EXPECT_EQ(cache_key(Stage::kEncoder, other), first.key);
}

TEST(Cache, CorruptEntryIsMovedAsideAndRetrained) {
  testing::ScratchDir dir;
  const ExperimentConfig c = tiny_pretrain("aim");
  const auto first = cached_weights(Stage::kEncoder, c, dir.file("cache"));
  std::ofstream(first.dir + "/encoder.pt", std::ios::trunc) << "truncated";
  const auto again = cached_weights(Stage::kEncoder, c, dir.file("cache"));
  EXPECT_FALSE(again.hit);
  int corrupt = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("cache/encoders"))) {
    corrupt += e.path().filename().string().find(".corrupt-") != std::string::npos;
  }
  EXPECT_EQ(corrupt, 1) << "the broken entry is kept for inspection";
  EXPECT_TRUE(
      torch::equal(again.stage.weights.at("pos_embed"), first.stage.weights.at("pos_embed")))
      << "pre-training is deterministic";
}

// The runner shows a running stage's step from pretraining_dir's metrics.jsonl.
TEST(Cache, PretrainingDirGrowsItsLogAndAKilledWritersIsRemoved) {
  testing::ScratchDir dir;
  const ExperimentConfig c = tiny_pretrain("clip");
  const std::string root = dir.file("cache"), key = cache_key(Stage::kEncoder, c);
  const std::string stale = pretraining_dir(Stage::kEncoder, root, key, 999999);
  std::filesystem::create_directories(stale);
  std::ofstream(stale + "/metrics.jsonl") << "{\"step\": 1}\n";
  const std::string mine = pretraining_dir(Stage::kEncoder, root, key, ::getpid());
  int logged = 0;
  const auto cached = cached_weights(Stage::kEncoder, c, root, {}, [&](int step, double) {
    EXPECT_FALSE(std::filesystem::exists(stale));
    EXPECT_NE(read_file(mine + "/metrics.jsonl").find(fmt::format("\"step\":{}", step)),
              std::string::npos);
    ++logged;
  });
  EXPECT_GT(logged, 0);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("cache/encoders"))) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{key, key + ".lock"}));
}

TEST(Cache, TwoProcessesTrainOnce) {
  testing::ScratchDir dir;
  const ExperimentConfig c = tiny_pretrain("clip");
  const std::string config = dir.file("tiny.yaml");
  write_file_atomic(config, to_yaml(c));
  auto command = [&](const char* log) {
    return fmt::format("{} pretrain {} --cache {} > {} 2>&1", ABLATE_BINARY, config,
                       dir.file("cache"), dir.file(log));
  };
  std::thread a([&] { std::system(command("loga").c_str()); });
  std::thread b([&] { std::system(command("logb").c_str()); });
  a.join();
  b.join();
  const std::string logs = read_file(dir.file("loga")) + read_file(dir.file("logb"));
  auto count = [&](const std::string& what) {
    int n = 0;
    for (size_t at = logs.find(what); at != std::string::npos; at = logs.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("written to"), 1) << logs;
  EXPECT_EQ(count("found in"), 1) << logs;
  EXPECT_EQ(count("pre-training encoder"), 1) << logs;
}

TEST(Cache, WeightsLoadInPython) {
  // Debian's python3-torch serves /usr/bin/python3, which a pyenv or venv
  // `python3` on PATH may hide.
  std::string python;
  for (const char* candidate : {"python3", "/usr/bin/python3"}) {
    if (std::system(fmt::format("{} -c 'import torch' > /dev/null 2>&1", candidate).c_str()) == 0) {
      python = candidate;
      break;
    }
  }
  if (python.empty()) {
    GTEST_SKIP() << "no python3 with torch (Debian: python3-torch): cannot check torch.load here";
  }
  testing::ScratchDir dir;
  const std::map<std::string, torch::Tensor> weights = {
      {"pos_embed", torch::arange(6, torch::kFloat32).reshape({1, 2, 3})},
      {"blocks.0.attn.q.weight", torch::eye(2)}};
  save_named_tensors(dir.file("w.pt"), weights);
  const std::string script = fmt::format(
      "import torch; d = torch.load('{}'); "
      "assert sorted(d) == ['blocks.0.attn.q.weight', 'pos_embed'], sorted(d); "
      "assert d['pos_embed'].shape == (1, 2, 3) and d['pos_embed'][0, 1, 2].item() == 5.0; "
      "assert torch.equal(d['blocks.0.attn.q.weight'], torch.eye(2))",
      dir.file("w.pt"));
  EXPECT_EQ(std::system(fmt::format("{} -c \"{}\"", python, script).c_str()), 0);
}

TEST(Cache, NamedTensorsRoundTripAndGarbageIsNamed) {
  testing::ScratchDir dir;
  const std::map<std::string, torch::Tensor> weights = {{"a", torch::randn({2, 3})}};
  save_named_tensors(dir.file("w.pt"), weights);
  EXPECT_TRUE(torch::equal(load_named_tensors(dir.file("w.pt")).at("a"), weights.at("a")));
  std::ofstream(dir.file("bad.pt")) << "not a pickle";
  try {
    load_named_tensors(dir.file("bad.pt"));
    FAIL() << "garbage accepted";
  } catch (const RunFolderError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.pt"), std::string::npos);
  }
}

TEST(Trial, UsesThePretrainedEncoderAndFreezingKeepsIt) {
  testing::ScratchDir dir;
  ExperimentConfig c = tiny_pretrain("clip");
  c.encoder.pretrain.resolution = 32;  // pre-trained at 32 px, used at 16 px
  c.train.freeze = {"encoder"};
  c.eval.num_items = 8;
  const auto cached = cached_weights(Stage::kEncoder, c, dir.file("cache"));

  Vlm model(c);
  model->init_weights(0);
  model->encoder()->load_weights(cached.stage.weights);
  const auto before = model->encoder()->weights();
  EXPECT_FALSE(torch::equal(before.at("pos_embed"), cached.stage.weights.at("pos_embed")))
      << "resized from an 8 x 8 to a 4 x 4 grid";
  EXPECT_EQ(before.at("pos_embed").size(1), 16);
  EXPECT_TRUE(
      torch::equal(before.at("patch_embed.weight"), cached.stage.weights.at("patch_embed.weight")));
  const EvalSet eval = make_eval_set(c.data, c.eval);
  train_model(model, c, TrainStream(c, eval.signatures), dir.file("metrics.jsonl"));
  for (const auto& [name, w] : model->encoder()->weights()) {
    EXPECT_TRUE(torch::equal(w, before.at(name))) << name << " changed while frozen";
  }

  prepare_run_folder(dir.file("run"), c, nlohmann::json());
  ASSERT_EQ(run_trial(dir.file("run"), false, dir.file("cache")), TrialResult::done);
  const auto scores = read_json(dir.file("run/scores.json"));
  EXPECT_EQ(scores["encoder"]["key"], cached.key);
  EXPECT_TRUE(scores["encoder"]["cache_hit"].get<bool>());
  EXPECT_TRUE(scores["encoder"]["pretrain"].contains("probe"));
}

}  // namespace
}  // namespace ablate
