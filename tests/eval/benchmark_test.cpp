// The benchmark suite: every registered benchmark makes valid items whose
// answers are right for their scenes, few-shot prompts hold exactly k
// examples and never the query, and the shortcut baselines are computed as
// defined on hand-made cases.
#include "eval/benchmark.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/error.h"
#include "data/document.h"
#include "data/knowledge.h"
#include "data/tokenizer.h"
#include "eval/caption_metrics.h"
#include "eval/evaluate.h"
#include "test_util.h"

namespace ablate {
namespace {

int count_words(const std::string& text, const std::string& word) {
  int n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

EvalOptions small_eval() {
  EvalOptions e;
  e.num_items = 300;
  e.shot_pool = 20;
  e.shots = {0, 4, 8};
  return e;
}

TEST(Benchmarks, RegistryHoldsExactlyTheConfigurableNames) {
  auto names = benchmark_registry().names();
  auto expected = kBenchmarkNames;
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
}

class EveryBenchmark : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryBenchmark, ItemsAreDeterministicWellFormedAndInTheWorldsVocabulary) {
  DataOptions data;
  EvalOptions eval = small_eval();
  eval.benchmarks = {GetParam()};
  const EvalSet a = make_eval_set(data, eval);
  const EvalSet b = make_eval_set(data, eval);
  const BenchmarkSet& set = a.benchmarks.at(0);
  ASSERT_EQ(set.items.size(), 300u);
  ASSERT_EQ(set.shot_pool.size(), 20u);
  const bool images = set.benchmark->scoring != Scoring::kText;
  std::set<std::string> answers;
  for (size_t i = 0; i < set.items.size(); ++i) {
    const EvalItem& item = set.items[i];
    EXPECT_EQ(item.prompt, b.benchmarks[0].items[i].prompt) << "deterministic";
    EXPECT_EQ(item.images.size(), images ? 1u : 0u);
    const size_t num_refs =
        set.benchmark->scoring == Scoring::kCaption ? kNumCaptionReferences : kNumVqaAnswers;
    ASSERT_EQ(item.references.size(), num_refs);
    std::vector<std::string> texts = item.references;
    texts.push_back(item.prompt);
    for (const auto& text : texts) {
      const auto ids = Tokenizer::world().encode(text);
      EXPECT_EQ(std::count(ids.begin(), ids.end(), Tokenizer::kUnk), 0) << text;
      // Generated answers are decoded and scored as text: every reference
      // must come back as written (numerals are split into digits).
      EXPECT_EQ(Tokenizer::world().decode(ids), text);
    }
    answers.insert(item.references.front());
  }
  EXPECT_GT(answers.size(), 2u) << "answers are not constant";
  // Queries and shot pool never share a scene.
  std::set<std::string> pool;
  for (const auto& item : set.shot_pool) {
    for (const auto& s : item.images) pool.insert(scene_signature(s));
  }
  for (const auto& item : set.items) {
    for (const auto& s : item.images) EXPECT_EQ(pool.count(scene_signature(s)), 0u);
  }
}

TEST_P(EveryBenchmark, FewShotPromptsHoldExactlyKExamplesAndNeverTheQuery) {
  DataOptions data;
  EvalOptions eval = small_eval();
  eval.benchmarks = {GetParam()};
  const EvalSet set = make_eval_set(data, eval);
  const BenchmarkSet& b = set.benchmarks[0];
  const bool images = b.benchmark->scoring != Scoring::kText;
  const std::string marker = b.benchmark->scoring == Scoring::kCaption ? "caption :" : "question :";
  for (int i = 0; i < 50; ++i) {
    const auto four = shot_indices(eval, b.name, i, 4);
    const auto eight = shot_indices(eval, b.name, i, 8);
    EXPECT_TRUE(std::equal(four.begin(), four.end(), eight.begin())) << "4-shot within 8-shot";
    EXPECT_EQ(std::set<int>(eight.begin(), eight.end()).size(), 8u) << "distinct examples";
    for (int k : {0, 4, 8}) {
      const Document doc = few_shot_prompt(b, eval, i, k);
      const std::string text = doc.text();
      EXPECT_EQ(doc.num_images(), images ? k + 1 : 0) << text;
      EXPECT_EQ(count_words(text, marker), k + 1) << text;
      // The query comes last: its image, then its prompt with no answer.
      EXPECT_EQ(text.substr(text.size() - b.items[i].prompt.size()), b.items[i].prompt);
      for (const auto& seg : doc.segments) EXPECT_FALSE(!seg.is_image && seg.target);
      if (images) {
        const auto scenes = doc.scenes();
        const std::string query = scene_signature(b.items[i].images[0]);
        EXPECT_EQ(scene_signature(scenes.back()), query);
        for (size_t s = 0; s + 1 < scenes.size(); ++s) {
          EXPECT_NE(scene_signature(scenes[s]), query) << "the query is never its own example";
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Suite, EveryBenchmark, ::testing::ValuesIn(kBenchmarkNames),
                         [](const auto& info) { return info.param; });

TEST(Benchmarks, SpatialAnswersFollowTheSceneGraph) {
  DataOptions data;
  EvalOptions eval = small_eval();
  eval.num_items = 1000;
  eval.benchmarks = {"spatial_vqa"};
  const auto set = make_eval_set(data, eval).benchmarks[0];
  int yes = 0, yes_no = 0;
  for (const auto& item : set.items) {
    const Scene& s = item.images[0];
    ASSERT_GE(s.objects.size(), 2u);
    // Find the relation and the named objects in the question.
    int relation = -1;
    for (int r = 0; r < 4; ++r) {
      if (item.prompt.find(std::string(" ") + kRelationNames[r] + " the ") != std::string::npos) {
        relation = r;
      }
    }
    ASSERT_GE(relation, 0) << item.prompt;
    const Object* anchor = nullptr;
    for (const auto& o : s.objects) {
      if (item.prompt.find(std::string(kRelationNames[relation]) + " the " + referent(o) + " ?") !=
          std::string::npos) {
        ASSERT_EQ(anchor, nullptr) << "the anchor is unique";
        anchor = &o;
      }
    }
    ASSERT_NE(anchor, nullptr) << item.prompt;
    if (item.type == "relation") {
      ++yes_no;
      const Object* subject = nullptr;
      for (const auto& o : s.objects) {
        if (item.prompt.find("is the " + referent(o) + " " + kRelationNames[relation]) !=
            std::string::npos) {
          subject = &o;
        }
      }
      ASSERT_NE(subject, nullptr) << item.prompt;
      const int holds = relation_holds(*subject, *anchor, relation);
      ASSERT_GE(holds, 0) << "never asked when too close: " << item.prompt;
      EXPECT_EQ(item.references[0], holds ? "yes" : "no") << item.prompt;
      yes += holds;
    } else {
      // Exactly one object stands in the relation, and the answer is its attribute.
      std::vector<const Object*> holding;
      for (const auto& o : s.objects) {
        if (&o != anchor && relation_holds(o, *anchor, relation) == 1) holding.push_back(&o);
      }
      ASSERT_EQ(holding.size(), 1u) << item.prompt;
      const bool colour = item.prompt.find("what color") != std::string::npos;
      EXPECT_EQ(item.references[0],
                colour ? kColourNames[holding[0]->colour] : kShapeNames[holding[0]->shape])
          << item.prompt;
    }
  }
  EXPECT_GT(yes_no, 200);
  EXPECT_NEAR(double(yes) / yes_no, 0.5, 0.08) << "yes / no balanced";
}

TEST(Benchmarks, KnowledgeAnswersComeFromTheTextOnlyFacts) {
  DataOptions data;
  EvalOptions eval = small_eval();
  eval.benchmarks = {"knowledge_vqa"};
  const EvalSet set = make_eval_set(data, eval);
  std::set<std::string> answers;
  for (const auto& item : set.benchmarks[0].items) {
    const Scene& s = item.images[0];
    int matches = 0;
    for (const auto& o : s.objects) {
      if (item.type == "colour_thing" &&
          item.prompt.find(std::string("as the ") + kShapeNames[o.shape] + " ?") !=
              std::string::npos) {
        ++matches;
        EXPECT_EQ(item.references[0], kColourThings[o.colour]);
        EXPECT_TRUE(colour_fact_in(Facts::kHeldOut, o.colour)) << item.prompt;
      }
      if (item.type == "corners" && item.prompt.find(std::string("the ") + kColourNames[o.colour] +
                                                     " shape") != std::string::npos) {
        ++matches;
        EXPECT_EQ(item.references[0], kNumberWords[kShapeCorners[o.shape]]);
        EXPECT_TRUE(shape_fact_in(Facts::kHeldOut, o.shape)) << item.prompt;
      }
    }
    EXPECT_EQ(matches, 1) << "the referent is unique: " << item.prompt;
    answers.insert(item.references[0]);
  }
  // Every held-out thing and corner count is asked about.
  EXPECT_EQ(answers,
            (std::set<std::string>{"plum", "carrot", "snow", "coal", "three", "four", "ten"}));
  // The facts are all in text documents.
  Rng rng(1);
  std::set<std::string> things;
  for (int i = 0; i < 2000; ++i) {
    const std::string sentence = sample_text_sentence(rng, 0);
    for (const char* thing : kColourThings) {
      if (sentence.find(thing) != std::string::npos) things.insert(thing);
    }
  }
  EXPECT_EQ(things.size(), kColourThings.size());
}

TEST(Benchmarks, TextBenchmarksNeedTheSignsText) {
  DataOptions data;
  data.text_scenes = 0;  // training scenes without signs change nothing here
  EvalOptions eval = small_eval();
  eval.benchmarks = {"text_vqa", "text_caption"};
  const EvalSet set = make_eval_set(data, eval);
  std::set<std::string> read;
  std::map<std::string, int> types;
  for (const auto& item : set.benchmarks[0].items) {
    const std::string& text = item.images[0].sign.text;
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(item.references[0], text);
    read.insert(item.references[0]);
    const bool number = std::isdigit(static_cast<unsigned char>(text[0])) != 0;
    EXPECT_EQ(item.type, number ? "number" : "word") << text;
    ++types[item.type];
  }
  EXPECT_GT(read.size(), 50u) << "answers spread over words and numbers";
  EXPECT_GT(types["word"], 0);
  EXPECT_GT(types["number"], types["word"]) << "90 numbers against 16 words";
  for (const auto& item : set.benchmarks[1].items) {
    for (const auto& ref : item.references) {
      EXPECT_NE(ref.find("a sign that says " + item.images[0].sign.text), std::string::npos) << ref;
    }
  }
}

TEST(Benchmarks, ImpossibleConfigurationsFailWithTheBenchmarkNamed) {
  DataOptions data;
  data.max_objects = 1;
  EvalOptions eval = small_eval();
  eval.benchmarks = {"spatial_vqa"};
  try {
    make_eval_set(data, eval);
    FAIL() << "no spatial question exists with one object";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("spatial_vqa"), std::string::npos) << e.what();
  }
}

TEST(Baselines, ComputedAsDefinedOnHandMadeItems) {
  auto item = [](const std::string& type, const std::string& answer) {
    EvalItem it;
    it.type = type;
    it.references = repeat_answer(answer);
    return it;
  };
  // colour: red twice, blue once -> "red" right 2 of 3; count: all "2";
  // corners: answers in words, scored in VQA's annotation form ("four" = "4").
  const std::vector<EvalItem> vqa = {
      item("colour", "red"),   item("colour", "red"),   item("colour", "blue"),  item("count", "2"),
      item("corners", "four"), item("corners", "four"), item("corners", "three")};
  EXPECT_DOUBLE_EQ(vqa_majority_baseline(vqa), 5.0 / 7.0);

  // Naming an attribute present in the image, drawn uniformly: a scene of a
  // striped red star and a plain blue circle. "what color is the star ?"
  // (red): 1/2; "what pattern is on the circle ?" (plain): 1/2; "what shape
  // is the red object ?" (star): 1/2; a count has no attribute to name: the
  // majority answer, here right.
  Scene scene;
  scene.textures = true;
  scene.objects = {{/*shape=*/4, /*colour=*/0, /*size=*/1, 0.3, 0.5},
                   {/*shape=*/0, /*colour=*/2, /*size=*/0, 0.7, 0.5}};
  scene.objects[0].texture = 1;
  std::vector<EvalItem> shown = {item("colour", "red"), item("texture", "plain"),
                                 item("shape", "star"), item("count", "2")};
  for (auto& it : shown) it.images = {scene};
  const VqaShortcuts s = vqa_shortcut_baselines(shown);
  EXPECT_DOUBLE_EQ(s.majority, 1.0) << "one item per type: its own answer is the majority";
  EXPECT_DOUBLE_EQ(s.present_attribute, (0.5 + 0.5 + 0.5 + 1.0) / 4);
  EXPECT_DOUBLE_EQ(s.best_by_type.at("texture"), 1.0);
  // With a second texture item the majority ("plain", 1 of 2) and a present
  // pattern (plain or striped: 1/2 each) tie on texture.
  shown.push_back(item("texture", "striped"));
  shown.back().images = {scene};
  EXPECT_DOUBLE_EQ(vqa_shortcut_baselines(shown).best_by_type.at("texture"), 0.5);

  // Yes/no by presence alone: "yes" when each colour, shape and pattern named
  // is on some object, bound or not. Right on the red star (yes) and the
  // green star (no: no green), wrong on the blue star and the striped circle
  // (no, but blue, star, striped and circle are all there); a question naming
  // nothing falls back to the majority answer ("no", 4 of 5).
  std::vector<EvalItem> exists;
  for (const auto& [question, answer] :
       std::vector<std::pair<std::string, std::string>>{{"is there a red star ?", "yes"},
                                                        {"is there a green star ?", "no"},
                                                        {"is there a blue star ?", "no"},
                                                        {"is there a striped circle ?", "no"},
                                                        {"is it raining ?", "no"}}) {
    exists.push_back(item("exists", answer));
    exists.back().prompt = "question : " + question + " answer :";
    exists.back().images = {scene};
  }
  const VqaShortcuts e = vqa_shortcut_baselines(exists);
  EXPECT_DOUBLE_EQ(e.majority, 4.0 / 5.0);
  EXPECT_DOUBLE_EQ(e.present_attribute, (1 + 1 + 0 + 0 + 1) / 5.0);
  EXPECT_DOUBLE_EQ(e.best_by_type.at("exists"), 4.0 / 5.0);

  // Captions: the most frequent reference given for every item.
  // "a red star ." is the most frequent reference; CIDEr's idf gives it credit
  // only where it is rare, so the baseline is low but not zero.
  EvalItem a, b, c;
  a.references = {"a red star .", "a red star .", "a red star on a grey background ."};
  b.references = {"a blue circle .", "a blue circle .", "a red star ."};
  c.references = {"a green square .", "a green square .", "two shapes ."};
  const std::vector<std::vector<std::string>> refs = {a.references, b.references, c.references};
  const double cider = caption_majority_baseline({a, b, c});
  EXPECT_DOUBLE_EQ(cider, cider_d(std::vector<std::string>(3, "a red star ."), refs).score);
  EXPECT_GT(cider, cider_d(std::vector<std::string>(3, "a green square ."), refs).score);

  // Next word: the most frequent target word's share of target words.
  Document d;
  d.add_text("fire is red .");
  d.add_text("question :", /*target=*/false);
  d.add_text("snow is white .");
  EXPECT_DOUBLE_EQ(next_word_majority_baseline({d}), 2.0 / 8.0);  // "is" or "." : 2 of 8
}

TEST(Baselines, DigitsReadCountsDigitsAtTheirPlace) {
  EXPECT_DOUBLE_EQ(digits_read("62", "62"), 1.0);
  EXPECT_DOUBLE_EQ(digits_read("12", "62"), 0.5);
  EXPECT_DOUBLE_EQ(digits_read("26", "62"), 0.0) << "digits at the wrong place";
  EXPECT_DOUBLE_EQ(digits_read("6", "62"), 0.5) << "a shorter numeral, read left to right";
  EXPECT_DOUBLE_EQ(digits_read("627", "62"), 1.0);
  EXPECT_DOUBLE_EQ(digits_read("bus", "62"), 0.0) << "no numeral reads nothing";
  EXPECT_LT(digits_read("3", "3"), 0) << "one digit: a count, not read";
  EXPECT_LT(digits_read("bus", "bus"), 0);
  // Majority digit per place over the numeral references: "6" then "2", so
  // "62" reads 1, "68" 0.5, "12" 0.5, "47" 0; the word item is left out.
  std::vector<EvalItem> items(5);
  const char* refs[] = {"62", "68", "12", "bus", "47"};
  for (size_t i = 0; i < items.size(); ++i) items[i].references = {refs[i]};
  items.push_back(items[0]);  // "62" twice: 6 and 2 are the majorities
  EXPECT_DOUBLE_EQ(digits_read_majority_baseline(items), (1 + 0.5 + 0.5 + 0 + 1) / 5);
  EXPECT_LT(digits_read_majority_baseline({items[3]}), 0) << "no numeral reference: none";
}

TEST(Benchmarks, EvaluationLengthBoundCoversEveryPrompt) {
  DataOptions data;
  EvalOptions eval = small_eval();
  const EvalSet set = make_eval_set(data, eval);
  const int64_t longest = longest_eval_sequence(set, eval, 16);
  int64_t seen = 0;
  for (const auto& b : set.benchmarks) {
    for (int i = 0; i < 20; ++i) {
      seen = std::max(seen, few_shot_prompt(b, eval, i, 8).length(16));
    }
  }
  EXPECT_GT(longest, seen) << "the bound includes the decoding limit";
  EXPECT_GE(longest, 1 + 9 * 16) << "eight examples and the query, 16 visual tokens each";
}

}  // namespace
}  // namespace ablate
