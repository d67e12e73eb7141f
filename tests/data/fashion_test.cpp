// Real photos in the proxy world (data/fashion.h): the Fashion-MNIST splits
// load as the dataset defines them, fashion scenes are deterministic and well
// placed, their captions and questions are right for their photos, training
// only ever shows training-split photos and evaluation only test-split ones,
// and a missing dataset is a configuration error that names the file.
#include "data/fashion.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include "core/error.h"
#include "data/dataset.h"
#include "data/render.h"
#include "eval/benchmark.h"
#include "model/vlm.h"
#include "pretrain/pretrain.h"
#include "test_util.h"

namespace ablate {
namespace {

TEST(Fashion, SplitsHoldTheDatasetsImagesAndBalancedClasses) {
  const FashionSplit& train = fashion_split(false);
  const FashionSplit& test = fashion_split(true);
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(test.count, 10000);
  for (size_t label = 0; label < kFashionNames.size(); ++label) {
    EXPECT_EQ(train.by_label[label].size(), 6000u) << kFashionNames[label];
    EXPECT_EQ(test.by_label[label].size(), 1000u) << kFashionNames[label];
  }
  // Real photos: a dark background around a brighter item.
  const uint8_t* first = train.image(0);
  EXPECT_LT(first[0], 30) << "corner is background";
  int bright = 0;
  for (int i = 0; i < kFashionPixels * kFashionPixels; ++i) bright += first[i] > 100;
  EXPECT_GT(bright, 50);
}

TEST(Fashion, ScenesAreDeterministicPlacedWithoutOverlapAndFromTheirSplit) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const int n = 1 + int(seed % kMaxFashionItems);
    const bool test = seed % 2 == 0;
    const Scene s = generate_fashion_scene(seed, n, test);
    ASSERT_EQ(scene_signature(s), scene_signature(generate_fashion_scene(seed, n, test)));
    ASSERT_TRUE(s.is_fashion());
    ASSERT_TRUE(s.objects.empty());
    ASSERT_EQ(s.items.size(), size_t(n)) << "three photos always fit";
    std::set<int> labels;
    for (size_t i = 0; i < s.items.size(); ++i) {
      const FashionItem& a = s.items[i];
      labels.insert(a.label);
      EXPECT_EQ(a.test, test);
      EXPECT_EQ(fashion_split(test).labels[a.image], a.label) << "the photo is of its class";
      EXPECT_GE(a.x - kFashionSide / 2, 0.0);
      EXPECT_LE(a.x + kFashionSide / 2, 1.0);
      if (i > 0) {
        EXPECT_LE(s.items[i - 1].x, a.x) << "sorted left to right";
      }
      for (size_t j = i + 1; j < s.items.size(); ++j) {
        const FashionItem& b = s.items[j];
        EXPECT_GT(std::max(std::abs(a.x - b.x), std::abs(a.y - b.y)), kFashionSide) << "overlap";
      }
    }
    EXPECT_LE(labels.size(), 2u) << "one or two classes per scene";
  }
  // The same photo from the other split is another scene.
  Scene a = generate_fashion_scene(1, 1, false), b = a;
  b.items[0].test = true;
  EXPECT_NE(scene_signature(a), scene_signature(b));
}

TEST(Fashion, TrainingMixesPhotosAtTheConfiguredShareAndLeavesShapeScenesAlone) {
  DataOptions d;
  d.fashion_scenes = 0.3;
  DataOptions none = d;
  none.fashion_scenes = 0;
  constexpr int kScenes = 3000;
  int photos = 0;
  for (uint64_t seed = 0; seed < kScenes; ++seed) {
    const Scene s = generate_scene(seed, d);
    if (s.is_fashion()) {
      ++photos;
      ASSERT_GE(int(s.items.size()), d.min_objects);
      ASSERT_LE(int(s.items.size()), d.max_objects);
      for (const auto& item : s.items) ASSERT_FALSE(item.test) << "training shows training photos";
    } else {
      // Whether a scene is a photo is decided apart: shape scenes are those of
      // a world without photos.
      ASSERT_EQ(scene_signature(s), scene_signature(generate_scene(seed, none)));
    }
    ASSERT_FALSE(generate_scene(seed, none).is_fashion());
  }
  const double sd = std::sqrt(0.3 * 0.7 / kScenes);
  EXPECT_NEAR(double(photos) / kScenes, 0.3, 4 * sd);
}

TEST(Fashion, CaptionsAndQuestionsSayWhatThePhotosShow) {
  Scene s;
  s.items = {{/*label=*/7, 0, false, 0.2, 0.3}, {8, 0, false, 0.5, 0.5}, {7, 0, false, 0.8, 0.8}};
  const auto refs = caption_references(s);
  ASSERT_EQ(refs.size(), size_t(kNumCaptionReferences));
  EXPECT_EQ(refs[0], "a sneaker , a bag and a sneaker .");
  EXPECT_EQ(refs[2], "two sneakers and a bag .");
  EXPECT_EQ(refs[3], "there are two sneakers and a bag .");
  EXPECT_EQ(dense_caption(s),
            "a sneaker in the top left . a bag in the middle . a sneaker in the bottom right . "
            "three items in total .");
  Rng rng(5);
  std::set<std::string> asked;
  for (int i = 0; i < 50; ++i) {
    const VqaItem q = sample_question(s, rng);
    EXPECT_EQ(q.type, "count");
    asked.insert(q.question);
    EXPECT_EQ(q.answers[0], q.question == "how many sneakers are there ?" ? "2" : "1")
        << q.question;
  }
  EXPECT_EQ(asked,
            (std::set<std::string>{"how many sneakers are there ?", "how many bags are there ?"}));
  Scene one;
  one.items = {{/*label=*/0, 0, false, 0.5, 0.5}};
  const VqaItem q = sample_question(one, rng);
  EXPECT_EQ(q.type, "item");
  EXPECT_EQ(q.question, "what item is shown ?");
  EXPECT_EQ(q.answers, repeat_answer("tshirt"));
  EXPECT_EQ(caption_references(one)[4], "one item : a tshirt .");
  // Questions about shapes have nothing to ask of a photo.
  VqaItem none;
  EXPECT_FALSE(sample_spatial_question(one, rng, none));
  EXPECT_FALSE(sample_reading_question(one, rng, none));
}

TEST(Fashion, PhotosAreDrawnFromTheirPixelsAndDifferByClass) {
  Scene a, b;
  const FashionSplit& test = fashion_split(true);
  a.items = {{/*label=*/1, test.by_label[1][0], true, 0.5, 0.5}};  // trousers
  b.items = {{/*label=*/8, test.by_label[8][0], true, 0.5, 0.5}};  // a bag
  const auto ra = render_scene_rgb(a, 192), rb = render_scene_rgb(b, 192);
  EXPECT_NEAR(ra[0], 128, 1) << "grey background outside the photo";
  // The photo's black border and white item are both there.
  int black = 0, white = 0;
  double differ = 0;
  for (size_t i = 0; i < ra.size(); i += 3) {
    black += ra[i] < 10;
    white += ra[i] > 150;
    differ += std::abs(int(ra[i]) - int(rb[i]));
  }
  EXPECT_GT(black, 500);
  EXPECT_GT(white, 200);
  EXPECT_GT(differ / (192 * 192), 5) << "trousers and a bag do not look alike";
}

TEST(Fashion, EvaluationUsesTestPhotosTrainingNeverDoes) {
  auto c = testing::tiny_config();
  c.data.fashion_scenes = 0.5;
  c.eval.num_items = 300;
  c.eval.benchmarks = {"fashion_vqa"};
  const EvalSet eval = make_eval_set(c.data, c.eval);
  std::map<std::string, int> types;
  for (const auto& item : eval.benchmarks[0].items) {
    ++types[item.type];
    for (const auto& s : item.images) {
      ASSERT_TRUE(s.is_fashion());
      for (const auto& photo : s.items) ASSERT_TRUE(photo.test);
    }
  }
  EXPECT_EQ(types.size(), kFashionTypes.size());
  EXPECT_NEAR(types["item"] / 300.0, 0.5, 0.12);
  // Counts of 1, 2 and 3 all occur and none dominates: the question's draws
  // are not the scene's (with Rng(splitmix64(seed)) they were, and "1" was
  // the answer of 76% of count questions).
  std::map<std::string, int> counts;
  int num_counts = 0;
  for (const auto& item : eval.benchmarks[0].items) {
    if (item.type != "count") continue;
    ++counts[item.references.front()];
    ++num_counts;
  }
  for (const char* n : {"1", "2", "3"}) {
    EXPECT_GT(counts[n], num_counts / 10) << n;
    EXPECT_LT(counts[n], num_counts * 6 / 10) << n;
  }
  const TrainStream stream(c, eval.signatures);
  int photos = 0;
  for (int64_t i = 0; i < 500; ++i) {
    for (const Scene& s : stream.example(i).scenes()) {
      for (const auto& photo : s.items) {
        ASSERT_FALSE(photo.test);
        ++photos;
      }
    }
  }
  EXPECT_GT(photos, 100);
}

TEST(Fashion, HardNegativePairsDifferInOnePhotosClass) {
  auto c = testing::tiny_config();
  c.data.fashion_scenes = 1.0;
  c.encoder.pretrain.objective = "clip";
  c.encoder.pretrain.hard_negatives = true;
  const std::unordered_set<std::string> none;
  const PretrainStream stream(c, none);
  for (int64_t i = 0; i < 40; i += 2) {
    const Scene a = stream.example(i).first, b = stream.example(i + 1).first;
    ASSERT_EQ(a.items.size(), b.items.size());
    int changed = 0;
    for (size_t k = 0; k < a.items.size(); ++k) {
      EXPECT_EQ(a.items[k].x, b.items[k].x);
      changed += a.items[k].label != b.items[k].label;
      EXPECT_EQ(fashion_split(false).labels[b.items[k].image], b.items[k].label);
    }
    EXPECT_EQ(changed, 1);
  }
}

TEST(Fashion, AMissingDatasetIsAConfigErrorNamingTheFileAndTheKey) {
  auto c = testing::tiny_config();
  c.eval.benchmarks = {"vqa", "fashion_vqa"};
  c.data.fashion_scenes = 0;
  const testing::ScratchDir empty;
  const std::string missing = empty.file("train-images-idx3-ubyte.gz");
  ::setenv("ABLATE_FASHION_MNIST", empty.path().c_str(), 1);
  try {
    check_fashion_mnist();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dataset-fashion-mnist"), std::string::npos) << e.what();
  }
  try {
    check_config(c, "cfg.yaml");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.yaml: eval.benchmarks: fashion_vqa needs"),
              std::string::npos)
        << e.what();
  }
  ::unsetenv("ABLATE_FASHION_MNIST");
  EXPECT_NO_THROW(check_config(c, "cfg.yaml"));
}

}  // namespace
}  // namespace ablate
