// Proxy world: determinism, what captions and questions say, rendering and
// downsampling, and that evaluation scenes never reach training.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "core/error.h"
#include "data/dataset.h"
#include "data/knowledge.h"
#include "data/language.h"
#include "data/render.h"
#include "data/tokenizer.h"
#include "eval/benchmark.h"
#include "test_util.h"

namespace ablate {
namespace {

TEST(Scene, DeterministicFromSeedAndWithinLimits) {
  DataOptions d;
  d.min_objects = 2;
  d.max_objects = 4;
  EXPECT_EQ(scene_signature(generate_shape_scene(7, d)),
            scene_signature(generate_shape_scene(7, d)));
  EXPECT_NE(scene_signature(generate_shape_scene(7, d)),
            scene_signature(generate_shape_scene(8, d)));
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const Scene s = generate_shape_scene(seed, d);
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

TEST(Language, ShapeFirstCaptionsNameTheShapeBeforeItsColourAndPattern) {
  Scene s;
  s.objects = {{/*shape=*/0, /*colour=*/0, /*size=*/1, 0.2, 0.5},
               {/*shape=*/4, /*colour=*/5, /*size=*/0, 0.7, 0.5}};
  s.objects[0].texture = 1;
  EXPECT_EQ(object_phrase(s.objects[0], PhraseOrder::kShapeFirst),
            "a large circle that is striped and red");
  EXPECT_EQ(object_phrase(s.objects[1], PhraseOrder::kShapeFirst), "a small star that is orange");
  EXPECT_EQ(object_phrase(s.objects[1]), "a small orange star");

  // The last round(5 x share) references, at least one, are shape first.
  auto num_shape_first = [&](double share) {
    int n = 0;
    for (const auto& ref : caption_references(s, share)) {
      if (ref.find("that is") != std::string::npos) {
        ++n;
      } else {
        EXPECT_EQ(n, 0) << "shape-first references come last: " << ref;
      }
    }
    return n;
  };
  EXPECT_EQ(num_shape_first(0.0), 0);
  EXPECT_EQ(num_shape_first(0.05), 1);
  EXPECT_EQ(num_shape_first(0.5), 3);
  EXPECT_EQ(num_shape_first(1.0), 5);
  EXPECT_EQ(
      caption_references(s, 1.0)[3],
      "two shapes : a large circle that is striped and red and a small star that is orange .");

  // Share 0 draws exactly what the world drew before the option (one template).
  Rng a(3), b(3);
  sample_caption(s, a, 0.0);
  b.uniform_int(kNumCaptionReferences);
  EXPECT_EQ(a.next(), b.next());

  // Sampled captions are reference templates, shape first at the share.
  std::set<std::string> known;
  for (double share : {0.0, 1.0}) {
    for (const auto& r : caption_references(s, share)) known.insert(r);
  }
  Rng rng(7);
  const int n = 4000;
  int reversed = 0;
  for (int i = 0; i < n; ++i) {
    const std::string c = sample_caption(s, rng, 0.3);
    ASSERT_TRUE(known.count(c)) << c;
    reversed += c.find("that is") != std::string::npos;
  }
  EXPECT_NEAR(double(reversed) / n, 0.3, 3 * std::sqrt(0.3 * 0.7 / n));
}

TEST(Language, QuestionsNeedTheReferentAndAreAnsweredCorrectly) {
  DataOptions d;
  d.textured_objects = 0.5;
  std::map<std::string, int> types;
  int yes = 0, exists = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    const Scene s = generate_shape_scene(seed, d);
    Rng rng(seed * 31 + 1);
    const VqaItem q = sample_question(s, rng);
    ++types[q.type];
    ASSERT_EQ(q.answers.size(), static_cast<size_t>(kNumVqaAnswers));
    // "<question naming a shape> ?": that shape occurs exactly once, and the
    // answer is its attribute.
    auto check_named_by_shape = [&](const char* form, auto attribute) {
      int matches = 0;
      for (const auto& o : s.objects) {
        if (q.question == fmt::format(fmt::runtime(form), kShapeNames[o.shape])) {
          ++matches;
          EXPECT_EQ(q.answers[0], attribute(o));
        }
      }
      EXPECT_EQ(matches, 1) << q.question;
    };
    if (q.type == "colour") {
      check_named_by_shape("what color is the {} ?",
                           [](const Object& o) { return kColourNames[o.colour]; });
    } else if (q.type == "texture") {
      check_named_by_shape("what pattern is on the {} ?",
                           [](const Object& o) { return kTextureNames[o.texture]; });
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

TEST(Scene, TexturesComeFromTheirOwnStreamAtTheConfiguredShare) {
  DataOptions plain, textured;
  textured.textured_objects = 0.4;
  int objects = 0, with_texture = 0;
  std::map<int, int> kinds;
  Rng rng(5);
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    const Scene a = generate_shape_scene(seed, plain), b = generate_shape_scene(seed, textured);
    ASSERT_FALSE(a.textures);
    ASSERT_TRUE(b.textures);
    ASSERT_EQ(a.objects.size(), b.objects.size());
    bool any = false;
    for (size_t i = 0; i < a.objects.size(); ++i) {
      const Object &x = a.objects[i], &y = b.objects[i];
      ASSERT_EQ(x.texture, 0);
      ASSERT_EQ(std::make_tuple(x.shape, x.colour, x.size, x.x, x.y),
                std::make_tuple(y.shape, y.colour, y.size, y.x, y.y))
          << "textures must not move or change the objects";
      ++objects;
      if (y.texture > 0) ++with_texture, ++kinds[y.texture], any = true;
    }
    EXPECT_EQ(scene_signature(a) != scene_signature(b), any) << "a texture is part of the scene";
    // A world without textures never names one.
    for (const auto& text : caption_references(a)) {
      for (const char* t : kTextureNames) ASSERT_EQ(text.find(t), std::string::npos) << text;
    }
    ASSERT_NE(sample_question(a, rng).type, "texture");
  }
  const double share = double(with_texture) / objects;
  EXPECT_NEAR(share, 0.4, 3 * std::sqrt(0.4 * 0.6 / objects));
  ASSERT_EQ(kinds.size(), kTextureNames.size() - 1) << "striped, dotted and checked";
  for (const auto& [kind, n] : kinds) EXPECT_NEAR(double(n) / with_texture, 1.0 / 3, 0.04);
  Scene one;
  one.objects = {{/*shape=*/0, /*colour=*/2, /*size=*/1, 0.5, 0.5}};
  one.objects[0].texture = 1;
  EXPECT_EQ(caption_references(one)[0], "a large striped blue circle .");
}

TEST(Tokenizer, WorldTextRoundTripsWithoutUnknownWords) {
  const auto& tok = Tokenizer::world();
  DataOptions d;
  d.max_objects = 6;
  d.textured_objects = 0.5;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const Scene s = generate_scene(seed, d);
    Rng rng(seed);
    std::vector<std::string> texts = caption_references(s);
    for (const auto& ref : caption_references(s, 1.0)) texts.push_back(ref);
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

TEST(Tokenizer, NumeralsAreDigitsAndDecodeJoinsThem) {
  const auto& tok = Tokenizer::world();
  const auto id = [&](const std::string& w) { return tok.encode(w).at(0); };
  EXPECT_EQ(tok.encode("says 62 ."), (std::vector<int>{id("says"), id("6"), id("2"), id(".")}));
  EXPECT_EQ(tok.encode("105"), (std::vector<int>{id("1"), id("0"), id("5")}));
  EXPECT_EQ(tok.decode(tok.encode("says 62 .")), "says 62 .");
  // Only adjacent digits join: a special token between them separates.
  EXPECT_EQ(tok.decode({id("6"), Tokenizer::kImage, id("2")}), "6 2");
  // Every sign number is spelled by the ten digits; the sign words stay words.
  for (const auto& text : sign_texts()) {
    const auto ids = tok.encode(text);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), Tokenizer::kUnk), 0) << text;
    EXPECT_EQ(ids.size(), sign_word(text) < 0 ? text.size() : 1u) << text;
    // Each text is a word or a number, never both.
    EXPECT_NE(sign_word(text) < 0, sign_number(text) < 0) << text;
  }
  EXPECT_EQ(sign_number("62"), 62);
  EXPECT_EQ(sign_number("gym"), -1);
  EXPECT_EQ(sign_number(""), -1);
  EXPECT_EQ(sign_number("7"), -1);  // outside the signs' numbers
  EXPECT_EQ(sign_number("6a"), -1);
  // A vocabulary without a digit leaves it unknown.
  EXPECT_EQ(Tokenizer({"a"}).encode("a 7"),
            (std::vector<int>{Tokenizer::kUnk + 1, Tokenizer::kUnk}));
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

TEST(Scene, SignsAreClearOfObjectsAtTheConfiguredShareAndInTheSignature) {
  DataOptions d;
  d.text_scenes = 0.5;
  int signs = 0;
  constexpr int kScenes = 2000;
  for (uint64_t seed = 0; seed < kScenes; ++seed) {
    const Scene s = generate_shape_scene(seed, d);
    if (s.sign.text.empty()) continue;
    ++signs;
    const auto& g = s.sign;
    ASSERT_GE(g.x - g.width / 2, 0.0);
    ASSERT_LE(g.x + g.width / 2, 1.0);
    for (const auto& o : s.objects) {
      const double dx = std::max(0.0, std::abs(o.x - g.x) - g.width / 2);
      const double dy = std::max(0.0, std::abs(o.y - g.y) - g.height / 2);
      ASSERT_GT(std::hypot(dx, dy), o.radius()) << "sign overlaps an object";
    }
    Scene other = s;
    other.sign.text = s.sign.text == "stop" ? "taxi" : "stop";
    ASSERT_NE(scene_signature(other), scene_signature(s));
    // The objects do not depend on whether there is a sign.
    DataOptions none = d;
    none.text_scenes = 0;
    Scene without = s;
    without.sign = Sign{};
    EXPECT_EQ(scene_signature(generate_shape_scene(seed, none)), scene_signature(without));
  }
  EXPECT_NEAR(double(signs) / kScenes, 0.5, 0.05) << "a few signs find no room";
  const auto texts = sign_texts();
  EXPECT_EQ(texts.size(), kSignWords.size() + (kMaxSignNumber - kMinSignNumber + 1));
}

TEST(Render, SignTextIsLegibleAtHighResolutionOnly) {
  // Two scenes that differ only in the sign's word (same length, same box):
  // the pixel difference between them shrinks as resolution drops.
  Scene a;
  a.objects = {{/*shape=*/0, /*colour=*/0, /*size=*/0, 0.2, 0.2}};
  a.sign = {"stop", 0.5, 0.6, kSignTextHeight * (0.95 * 4 + 0.8), kSignTextHeight * 1.6};
  Scene b = a;
  b.sign.text = "taxi";
  std::vector<double> diffs;
  for (int res : {192, 64, 32, 16}) {
    diffs.push_back(
        (scene_image(a, 192, res) - scene_image(b, 192, res)).abs().mean().item<double>());
  }
  for (size_t i = 1; i < diffs.size(); ++i) {
    EXPECT_LT(diffs[i], diffs[i - 1]) << "resolution index " << i;
  }
  std::cout << "mean |stop - taxi| at 192 / 64 / 32 / 16 px: " << diffs[0] << " " << diffs[1] << " "
            << diffs[2] << " " << diffs[3] << "\n";
  EXPECT_LT(diffs[3], 0.5 * diffs[0]) << "at 16 px most of the difference is averaged away";
  // The sign is drawn: white box, dark text in it.
  Scene none = a;
  none.sign = Sign{};
  EXPECT_GT((scene_image(a, 192, 64) - scene_image(none, 192, 64)).abs().max().item<float>(), 0.9f);
}

TEST(Render, TexturesAreSeenAtHighResolutionOnly) {
  // One large square, plain or with each pattern. Within its inner half, a
  // pattern's contrast (pixel std) and the difference between two patterns
  // shrink as resolution drops; a plain surface stays apart by brightness.
  auto square = [](int texture) {
    Scene s;
    s.objects = {{/*shape=*/1, /*colour=*/2, /*size=*/1, 0.5, 0.5}};
    s.objects[0].texture = texture;
    return s;
  };
  auto inner = [](const Scene& s, int res) {
    const int lo = res * 7 / 16, hi = res * 9 / 16;  // well inside the square (0.398..0.602)
    return scene_image(s, 192, res).slice(1, lo, hi).slice(2, lo, hi);
  };
  const std::vector<int> resolutions = {192, 64, 32, 16};
  for (int texture = 1; texture < int(kTextureNames.size()); ++texture) {
    std::vector<double> contrast, from_next;
    for (int res : resolutions) {
      const auto x = inner(square(texture), res);
      contrast.push_back(x.flatten(1).std(1).mean().item<double>());  // per channel, over pixels
      const auto other = inner(square(texture % 3 + 1), res);
      from_next.push_back((x - other).abs().mean().item<double>());
    }
    std::cout << kTextureNames[texture] << ": contrast at 192 / 64 / 32 / 16 px " << contrast[0]
              << " " << contrast[1] << " " << contrast[2] << " " << contrast[3] << "; against "
              << kTextureNames[texture % 3 + 1] << " " << from_next[0] << " " << from_next[1] << " "
              << from_next[2] << " " << from_next[3] << "\n";
    EXPECT_GT(contrast[1], 0.6 * contrast[0]) << "the pattern is seen at 64 px";
    EXPECT_LT(contrast[2], 0.6 * contrast[1]) << "and mostly blurred at 32 px";
    EXPECT_LT(contrast[3], 0.25 * contrast[0]) << "and gone at 16 px";
    EXPECT_LT(from_next[3], 0.3 * from_next[0]);
    // Half-shaded: at 16 px the surface is as dark as every other pattern's
    // and clearly darker than the plain one.
    const double plain = inner(square(0), 16).mean().item<double>();
    const double mean = inner(square(texture), 16).mean().item<double>();
    EXPECT_GT(plain - mean, 0.1);
  }
}

TEST(Dataset, EvaluationScenesNeverReachTraining) {
  auto c = testing::tiny_config();
  c.data.min_objects = 1;
  c.data.max_objects = 1;
  c.eval.num_items = 200;
  // One object per scene: no relation to ask about.
  EXPECT_THROW(make_eval_set(c.data, c.eval), ConfigError);
  c.eval.benchmarks = {"caption", "text_caption", "vqa", "text_vqa", "knowledge_vqa", "text_core"};
  const EvalSet eval = make_eval_set(c.data, c.eval);
  ASSERT_EQ(eval.benchmarks.size(), 6u);
  for (const auto& b : eval.benchmarks) {
    EXPECT_EQ(b.items.size(), 200u) << b.name;
    EXPECT_EQ(b.shot_pool.size(), 16u) << b.name;
  }
  const TrainStream stream(c, eval.signatures);
  int64_t scenes = 0;
  for (int64_t i = 0; i < 3000; ++i) {
    for (const Scene& s : stream.example(i).scenes()) {
      ASSERT_EQ(eval.signatures.count(scene_signature(s)), 0u);
      ++scenes;
    }
  }
  EXPECT_GT(scenes, 3000) << "interleaved documents hold several scenes";
  // Exclusion is real: forbid the first scene of a document and it is replaced.
  const std::unordered_set<std::string> none;
  int64_t index = 0;
  while (TrainStream(c, none).example(index).scenes().empty()) ++index;
  const auto natural = scene_signature(TrainStream(c, none).example(index).scenes()[0]);
  const std::unordered_set<std::string> forbid = {natural};
  EXPECT_NE(scene_signature(TrainStream(c, forbid).example(index).scenes()[0]), natural);
}

TEST(Dataset, HeldOutFactsNeverAppearNextToAnImage) {
  DataOptions data;
  Rng rng(2);
  std::set<std::string> things;
  int knowledge_questions = 0;
  for (int i = 0; i < 3000; ++i) {
    const int kind = i % 2;  // captions and interleaved documents: the ones with images
    const std::string text =
        make_document(kind, data, rng, [&] { return generate_scene(rng.next(), data); }).text();
    for (const char* thing : kColourThings) {
      if (text.find(std::string(" ") + thing + " ") != std::string::npos) things.insert(thing);
    }
    for (size_t at = text.find("same color as"); at != std::string::npos;
         at = text.find("same color as", at + 1)) {
      ++knowledge_questions;
    }
  }
  EXPECT_EQ(things, (std::set<std::string>{"fire", "grass", "sea", "sun"}));
  EXPECT_GT(knowledge_questions, 100) << "interleaved documents ask about grounded facts";
}

// Index of `word` in a list of names, or -1.
template <size_t N>
int index_of(const std::array<const char*, N>& names, const std::string& word) {
  for (size_t i = 0; i < N; ++i) {
    if (word == names[i]) return static_cast<int>(i);
  }
  return -1;
}

TEST(Knowledge, TextSceneQuestionsAskAFactAboutADescribedObjectAtTheirShare) {
  const std::string marker = " . question : ";
  Rng rng(3);
  std::set<std::string> answers;
  for (int i = 0; i < 2000; ++i) {
    const std::string sentence = scene_question_sentence(rng);
    const size_t at = sentence.find(marker);
    ASSERT_NE(at, std::string::npos) << sentence;
    // The described objects: each shape name follows its colour.
    std::vector<Object> objects;
    std::istringstream description(sentence.substr(0, at));
    std::string previous, word;
    while (description >> word) {
      const int shape = index_of(kShapeNames, word);
      if (shape >= 0) {
        objects.emplace_back();
        objects.back().shape = shape;
        objects.back().colour = index_of(kColourNames, previous);
        ASSERT_GE(objects.back().colour, 0) << sentence;
      }
      previous = word;
    }
    ASSERT_GE(objects.size(), 1u);
    ASSERT_LE(objects.size(), 3u);
    // The question names the referent by the other attribute; it is unique.
    std::istringstream question(sentence.substr(at + marker.size()));
    std::vector<std::string> q;
    while (question >> word) q.push_back(word);
    const std::string answer = q.at(q.size() - 2);
    int matches = 0;
    if (sentence.find("what has the same color as the") != std::string::npos) {
      const int shape = index_of(kShapeNames, q.at(7));
      for (const auto& o : objects) {
        if (o.shape != shape) continue;
        ++matches;
        EXPECT_EQ(answer, kColourThings[o.colour]) << sentence;
      }
    } else {
      ASSERT_NE(sentence.find("how many corners does the"), std::string::npos) << sentence;
      const int colour = index_of(kColourNames, q.at(5));
      for (const auto& o : objects) {
        if (o.colour != colour) continue;
        ++matches;
        EXPECT_EQ(answer, kNumberWords[kShapeCorners[o.shape]]) << sentence;
      }
    }
    EXPECT_EQ(matches, 1) << "the referent is unique: " << sentence;
    answers.insert(answer);
  }
  // Facts of both halves, held-out ones included: they are text facts.
  for (const char* a : {"fire", "plum", "coal", "zero", "four", "ten"}) {
    EXPECT_TRUE(answers.count(a)) << a;
  }

  // sample_text_sentence draws them at their share; none at 0.
  for (const double share : {0.0, 0.25, 1.0}) {
    constexpr int kSentences = 4000;
    int count = 0;
    for (int i = 0; i < kSentences; ++i) {
      count += sample_text_sentence(rng, share).find(marker) != std::string::npos;
    }
    const double sd = std::sqrt(share * (1 - share) / kSentences);
    EXPECT_NEAR(double(count) / kSentences, share, 4 * sd + 1e-9) << share;
  }
  // A training text document takes its share from the data config.
  DataOptions data;
  data.text_scene_questions = 1.0;
  const std::string text = make_document(2, data, rng, [] { return Scene{}; }).text();
  EXPECT_NE(text.find(marker), std::string::npos) << text;
}

TEST(Dataset, SameSeedSameDataAcrossConfigsAndBatchLayout) {
  auto a = testing::tiny_config();
  a.train.batch_size = 16;
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
  int64_t placeholders = 0;
  for (int64_t r = 0; r < x.tokens.size(0); ++r) {
    const Document doc = TrainStream(a, none).example(3 * 16 + r);
    EXPECT_EQ(x.tokens[r][0].item<int64_t>(), Tokenizer::kBos);
    int64_t t = 1;
    for (const auto& seg : doc.segments) {
      for (int i = 0; i < (seg.is_image ? 4 : static_cast<int>(seg.text.size())); ++i, ++t) {
        EXPECT_EQ(x.tokens[r][t].item<int64_t>(), seg.is_image ? Tokenizer::kImage : seg.text[i]);
        EXPECT_EQ(x.loss_mask[r][t].item<float>(), seg.is_image ? 0.0f : 1.0f);
      }
    }
    EXPECT_EQ(doc.segments.back().text.back(), Tokenizer::kEos);
    EXPECT_EQ(x.loss_mask[r].slice(0, t).sum().item<float>(), 0.0f) << "no loss on padding";
    EXPECT_EQ(x.loss_mask[r][0].item<float>(), 0.0f) << "no loss on <bos>";
    placeholders += doc.num_images() * 4;
  }
  EXPECT_EQ(x.tokens.eq(Tokenizer::kImage).sum().item<int64_t>(), placeholders);
  EXPECT_EQ(x.images.size(0) * 4, placeholders) << "one image per 4 placeholders, reading order";
}

TEST(Dataset, MixtureRatiosAreHonouredWithinSamplingError) {
  auto c = testing::tiny_config();
  const std::unordered_set<std::string> none;
  for (const std::array<double, 3> mix :
       {std::array<double, 3>{0.45, 0.45, 0.10}, std::array<double, 3>{2, 0, 1},
        std::array<double, 3>{0, 0, 1}}) {
    c.data.mix = {mix[0], mix[1], mix[2]};
    const TrainStream stream(c, none);
    constexpr int kDocs = 4000;
    std::array<int, 3> counts{};
    for (int i = 0; i < kDocs; ++i) {
      int kind = -1;
      const Document doc = stream.example(i, &kind);
      ++counts.at(kind);
      EXPECT_EQ(doc.num_images(), kind == 0 ? 1 : kind == 2 ? 0 : doc.num_images());
      if (kind == 1) {
        EXPECT_GE(doc.num_images(), 2);
        EXPECT_LE(doc.num_images(), c.data.max_images);
      }
    }
    const double total = mix[0] + mix[1] + mix[2];
    for (int k = 0; k < 3; ++k) {
      const double p = mix[k] / total;
      const double sd = std::sqrt(p * (1 - p) / kDocs);
      EXPECT_NEAR(double(counts[k]) / kDocs, p, 4 * sd + 1e-9) << kDocumentKinds[k];
    }
  }
}

TEST(Dataset, LongestDocumentBoundHoldsForRandomDocuments) {
  auto c = testing::tiny_config();
  c.data.max_objects = 6;
  c.data.max_images = 4;
  c.data.synthetic_captions = 0.5;
  c.data.shape_first_captions = 0.5;
  const int64_t bound = longest_training_document(c.data, 4);
  const std::unordered_set<std::string> none;
  const TrainStream stream(c, none);
  int64_t longest = 0;
  for (int i = 0; i < 5000; ++i) longest = std::max(longest, stream.example(i).length(4));
  EXPECT_LE(longest, bound);
  EXPECT_GT(longest, bound / 3) << "the bound is not far above what documents need";
}

}  // namespace
}  // namespace ablate
