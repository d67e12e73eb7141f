// Proxy world: determinism, what captions and questions say, rendering and
// downsampling, and that evaluation scenes never reach training.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "data/dataset.h"
#include "data/language.h"
#include "data/render.h"
#include "data/tokenizer.h"
#include "test_util.h"

namespace ablate {
namespace {

TEST(Scene, DeterministicFromSeedAndWithinLimits) {
  DataOptions d;
  d.min_objects = 2;
  d.max_objects = 4;
  EXPECT_EQ(scene_signature(generate_scene(7, d)), scene_signature(generate_scene(7, d)));
  EXPECT_NE(scene_signature(generate_scene(7, d)), scene_signature(generate_scene(8, d)));
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const Scene s = generate_scene(seed, d);
    ASSERT_GE(s.objects.size(), 2u);
    ASSERT_LE(s.objects.size(), 4u);
    for (size_t i = 0; i < s.objects.size(); ++i) {
      const auto& a = s.objects[i];
      ASSERT_GE(a.x - a.radius(), 0.0);
      ASSERT_LE(a.x + a.radius(), 1.0);
      if (i > 0) {
        ASSERT_LE(s.objects[i - 1].x, a.x) << "sorted left to right";
      }
      for (size_t j = i + 1; j < s.objects.size(); ++j) {
        const auto& b = s.objects[j];
        ASSERT_GT(std::hypot(a.x - b.x, a.y - b.y), a.radius() + b.radius()) << "objects overlap";
      }
    }
  }
}

TEST(Language, CaptionsListObjectsLeftToRight) {
  Scene s;
  s.objects = {{/*shape=*/0, /*colour=*/0, /*size=*/1, 0.2, 0.5},
               {/*shape=*/4, /*colour=*/5, /*size=*/0, 0.7, 0.5}};
  const auto refs = caption_references(s);
  ASSERT_EQ(refs.size(), static_cast<size_t>(kNumCaptionReferences));
  EXPECT_EQ(refs[0], "a large red circle and a small orange star .");
  EXPECT_EQ(refs[3], "two shapes : a large red circle and a small orange star .");
  Rng rng(3);
  const auto sampled = sample_caption(s, rng);
  EXPECT_NE(std::find(refs.begin(), refs.end(), sampled), refs.end());
}

TEST(Language, QuestionsNeedTheReferentAndAreAnsweredCorrectly) {
  DataOptions d;
  std::map<std::string, int> types;
  int yes = 0, exists = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    const Scene s = generate_scene(seed, d);
    Rng rng(seed * 31 + 1);
    const VqaItem q = sample_question(s, rng);
    ++types[q.type];
    ASSERT_EQ(q.answers.size(), static_cast<size_t>(kNumVqaAnswers));
    if (q.type == "colour") {
      // "what color is the <shape> ?": that shape occurs exactly once.
      int matches = 0;
      for (const auto& o : s.objects) {
        if (q.question == fmt::format("what color is the {} ?", kShapeNames[o.shape])) {
          ++matches;
          EXPECT_EQ(q.answers[0], kColourNames[o.colour]);
        }
      }
      EXPECT_EQ(matches, 1) << q.question;
    } else if (q.type == "count") {
      EXPECT_EQ(q.answers[0], std::to_string(s.objects.size()));
    } else if (q.type == "exists") {
      ++exists;
      yes += q.answers[0] == "yes";
    }
  }
  EXPECT_EQ(types.size(), kQuestionTypes.size());
  EXPECT_NEAR(double(yes) / exists, 0.5, 0.06) << "yes/no balanced";
}

TEST(Tokenizer, WorldTextRoundTripsWithoutUnknownWords) {
  const auto& tok = Tokenizer::world();
  DataOptions d;
  d.max_objects = 6;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const Scene s = generate_scene(seed, d);
    Rng rng(seed);
    std::vector<std::string> texts = caption_references(s);
    const auto q = sample_question(s, rng);
    texts.push_back(q.question + " " + q.answers[0]);
    for (const auto& t : texts) {
      const auto ids = tok.encode(t);
      ASSERT_EQ(std::count(ids.begin(), ids.end(), Tokenizer::kUnk), 0) << t;
      ASSERT_EQ(tok.decode(ids), t);
    }
  }
  EXPECT_EQ(
      tok.decode({Tokenizer::kBos, tok.encode("red")[0], Tokenizer::kEos, tok.encode("star")[0]}),
      "red");
}

TEST(Render, AreaDownsampleAveragesBlocks) {
  // 2x2 -> 1x1: channel means.
  const std::vector<uint8_t> rgb = {0, 0, 0, 255, 0, 0, 255, 255, 0, 255, 255, 255};
  const auto out = area_downsample(rgb, 2, 1);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0], 0.75f);
  EXPECT_FLOAT_EQ(out[1], 0.5f);
  EXPECT_FLOAT_EQ(out[2], 0.25f);
  EXPECT_THROW(area_downsample(rgb, 2, 3), std::invalid_argument);
}

TEST(Render, ShapesAreDrawnInTheirColourAndResolutionLosesDetail) {
  Scene s;
  s.objects = {{/*shape=*/4, /*colour=*/0, /*size=*/1, 0.5, 0.5}};  // large red star, centred
  const auto rgb = render_scene_rgb(s, 192);
  const uint8_t* centre = &rgb[(96 * 192 + 96) * 3];
  EXPECT_GT(centre[0], 200);
  EXPECT_LT(centre[1], 60);
  const uint8_t* corner = &rgb[0];
  EXPECT_EQ(corner[0], corner[1]) << "grey background";
  const auto hi = scene_image(s, 192, 64);
  const auto lo = scene_image(s, 192, 16);
  EXPECT_EQ(hi.sizes(), (std::vector<int64_t>{3, 64, 64}));
  EXPECT_LE(hi.max().item<float>(), 1.0f);
  EXPECT_GE(hi.min().item<float>(), -1.0f);
  // Upsampling the 16 px image back cannot recover the 64 px one.
  const auto up = torch::repeat_interleave(torch::repeat_interleave(lo, 4, 1), 4, 2);
  EXPECT_GT((up - hi).abs().max().item<float>(), 0.3f);
}

TEST(Dataset, EvaluationScenesNeverReachTraining) {
  auto c = testing::tiny_config();
  c.data.min_objects = 1;
  c.data.max_objects = 1;
  c.eval.num_items = 200;
  const EvalSet eval = make_eval_set(c.data, c.eval);
  EXPECT_EQ(eval.captions.size(), 200u);
  EXPECT_EQ(eval.vqa.size(), 200u);
  const TrainStream stream(c, eval.signatures);
  for (int64_t i = 0; i < 3000; ++i) {
    ASSERT_EQ(eval.signatures.count(scene_signature(stream.example(i).first)), 0u);
  }
  // Exclusion is real: forbid example 0's scene and it is replaced.
  const std::unordered_set<std::string> none;
  const auto natural = scene_signature(TrainStream(c, none).example(0).first);
  const std::unordered_set<std::string> forbid = {natural};
  EXPECT_NE(scene_signature(TrainStream(c, forbid).example(0).first), natural);
}

TEST(Dataset, SameSeedSameDataAcrossConfigsAndBatchLayout) {
  auto a = testing::tiny_config();
  auto b = a;
  b.connector.type = "attn_pool";
  b.lm.width = 32;
  const std::unordered_set<std::string> none;
  const Batch x = TrainStream(a, none).batch(3, 4);
  const Batch y = TrainStream(b, none).batch(3, 4);
  EXPECT_TRUE(torch::equal(x.images, y.images));
  EXPECT_TRUE(torch::equal(x.tokens, y.tokens));
  b.seed = 1;
  EXPECT_FALSE(torch::equal(x.tokens, TrainStream(b, none).batch(3, 4).tokens));

  ASSERT_EQ(x.tokens.size(0), a.train.batch_size);
  for (int64_t r = 0; r < x.tokens.size(0); ++r) {
    EXPECT_EQ(x.tokens[r][0].item<int64_t>(), Tokenizer::kBos);
    for (int i = 1; i <= 4; ++i) EXPECT_EQ(x.tokens[r][i].item<int64_t>(), Tokenizer::kImage);
    EXPECT_EQ(x.loss_mask[r].slice(0, 0, 5).sum().item<float>(), 0.0f) << "no loss on bos or image";
    // Targets are exactly the text tokens: non-pad after the image.
    const auto text = x.tokens[r].slice(0, 5).ne(Tokenizer::kPad).to(torch::kFloat32);
    EXPECT_TRUE(torch::equal(text, x.loss_mask[r].slice(0, 5)));
  }
}

}  // namespace
}  // namespace ablate
