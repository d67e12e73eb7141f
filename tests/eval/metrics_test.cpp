// Metrics against hand-computed cases of their official definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "eval/caption_metrics.h"
#include "eval/score_file.h"
#include "eval/vqa_accuracy.h"

namespace ablate {
namespace {

std::vector<std::string> answers(std::initializer_list<std::pair<const char*, int>> counts) {
  std::vector<std::string> out;
  for (const auto& [a, n] : counts) out.insert(out.end(), n, a);
  return out;
}

TEST(VqaAccuracy, LeaveOneOutAverage) {
  EXPECT_DOUBLE_EQ(vqa_accuracy("yes", answers({{"yes", 10}})), 1.0);
  EXPECT_DOUBLE_EQ(vqa_accuracy("no", answers({{"yes", 10}})), 0.0);
  // 2 of 10 say red: leaving out a red leaves 1 match (1/3), else 2 (2/3):
  // (2 * 1/3 + 8 * 2/3) / 10 = 0.6.
  EXPECT_NEAR(vqa_accuracy("red", answers({{"red", 2}, {"blue", 8}})), 0.6, 1e-12);
  // 3 matches: leaving one of them out leaves 2 (2/3), else 3 (1):
  // (3 * 2/3 + 7 * 1) / 10 = 0.9.
  EXPECT_NEAR(vqa_accuracy("red", answers({{"red", 3}, {"blue", 7}})), 0.9, 1e-12);
  EXPECT_NEAR(vqa_accuracy("red", answers({{"red", 4}, {"blue", 6}})), 1.0, 1e-12);
}

TEST(VqaAccuracy, AnswerNormalisation) {
  EXPECT_EQ(vqa_process_digit_article("Two"), "2");
  EXPECT_EQ(vqa_process_digit_article("the red one"), "red 1");
  EXPECT_EQ(vqa_process_digit_article("dont know"), "don't know");
  EXPECT_EQ(vqa_process_punctuation("yes."), "yes");
  EXPECT_EQ(vqa_process_punctuation("3.5"), "3.5");
  EXPECT_EQ(vqa_process_punctuation("1,000"), "1000");         // digit,digit: removed
  EXPECT_EQ(vqa_process_punctuation("red,blue"), "red blue");  // else: a space
  EXPECT_EQ(vqa_process_punctuation("red, blue"), "red blue");
  // The prediction is normalised; "two" matches ten references of "2".
  EXPECT_DOUBLE_EQ(vqa_accuracy("  Two\n", answers({{"2", 10}})), 1.0);
  EXPECT_DOUBLE_EQ(vqa_accuracy("a circle.", answers({{"circle", 10}})), 1.0);
  // References get only the punctuation step, and only when they disagree.
  EXPECT_NEAR(vqa_accuracy("2", answers({{"two", 3}, {"2", 7}})), 1.0, 1e-12);
  EXPECT_NEAR(vqa_accuracy("two", answers({{"two", 3}, {"3", 7}})), 0.0, 1e-12);
  // So references written in words never match until put in annotation form.
  EXPECT_DOUBLE_EQ(vqa_accuracy("four", answers({{"four", 10}})), 0.0);
  const auto four = vqa_annotation_form(answers({{"four", 10}}));
  EXPECT_EQ(four, answers({{"4", 10}}));
  EXPECT_DOUBLE_EQ(vqa_accuracy("four", four), 1.0);
  EXPECT_DOUBLE_EQ(vqa_accuracy("4.", four), 1.0);
  EXPECT_DOUBLE_EQ(vqa_accuracy("three", four), 0.0);
  EXPECT_EQ(vqa_annotation_form({" the Plum.", "zero"}), (std::vector<std::string>{"plum", "0"}));
}

TEST(CaptionTokens, LowercaseAndDropPunctuation) {
  EXPECT_EQ(caption_tokens("A red circle, and a Star."),
            (std::vector<std::string>{"a", "red", "circle", "and", "a", "star"}));
}

TEST(CiderD, IdenticalCaptionsOnDisjointCorpus) {
  // Two items, disjoint vocabularies: idf = log 2 for every n-gram; unigram and
  // bigram cosines are 1, 3- and 4-grams absent: mean 0.5, x10 = 5.
  const auto r = cider_d({"a b", "c d"}, {{"a b"}, {"c d"}});
  EXPECT_NEAR(r.score, 5.0, 1e-9);
  EXPECT_NEAR(r.per_item[0], 5.0, 1e-9);
}

TEST(CiderD, ClippedNumerator) {
  // "a a" vs "a b": unigram vectors (2L) and (L, L); clipped numerator
  // min(2L, L) * L = L^2 over norms 2L * sqrt(2) L -> 1 / (2 sqrt 2); bigram 0.
  const auto r = cider_d({"a a", "c d"}, {{"a b"}, {"c d"}});
  const double item0 = 10.0 * (1.0 / (2.0 * std::sqrt(2.0))) / 4.0;
  EXPECT_NEAR(r.per_item[0], item0, 1e-9);
  EXPECT_NEAR(r.score, (item0 + 5.0) / 2.0, 1e-9);
}

TEST(CiderD, LengthPenaltyAndAveragingOverReferences) {
  // Candidate "a b c d e f g h" vs references; the corpus has a second item
  // so idf is positive. Two identical references average to the one-ref score.
  const auto one = cider_d({"a b", "x y"}, {{"a b c d e f g h i j k"}, {"x y"}});
  const auto two =
      cider_d({"a b", "x y"}, {{"a b c d e f g h i j k", "a b c d e f g h i j k"}, {"x y"}});
  EXPECT_NEAR(one.per_item[0], two.per_item[0], 1e-12);
  // idf = log 2 = L for all: unigram cosine 2L^2 / (sqrt(2) L * sqrt(11) L),
  // bigram 1 / sqrt(10), no 3-/4-grams in the candidate; 1 bigram vs 10:
  // delta 9, penalty exp(-81 / 72).
  const double expected =
      10.0 * (2.0 / std::sqrt(22.0) + 1.0 / std::sqrt(10.0)) / 4.0 * std::exp(-81.0 / 72.0);
  EXPECT_NEAR(one.per_item[0], expected, 1e-9);
  const auto single = cider_d({"a b"}, {{"a b"}});
  EXPECT_EQ(single.per_item[0], 0.0) << "single-document corpus: idf log(1) - log(1) = 0";
}

TEST(Bleu, PerfectAndShortCandidates) {
  auto b = bleu({"the cat sat on the mat"}, {{"the cat sat on the mat"}});
  for (double x : b) EXPECT_NEAR(x, 1.0, 1e-6);
  // "the cat" vs a 6-word reference: p1 = p2 = 1, p3 = p4 = 1e-15/1e-9 = 1e-6;
  // brevity penalty exp(1 - 6/2) = e^-2.
  b = bleu({"the cat"}, {{"the cat sat on the mat"}});
  const double bp = std::exp(-2.0);
  EXPECT_NEAR(b[0], bp, 1e-9);
  EXPECT_NEAR(b[1], bp, 1e-9);
  EXPECT_NEAR(b[2], 1e-2 * bp, 1e-9);
  EXPECT_NEAR(b[3], std::pow(1e-12, 0.25) * bp, 1e-9);
}

TEST(Bleu, ClosestReferenceLengthTiesPickTheShorter) {
  // Candidate of 3 words; references of 2 and 4 words: both 1 away, the
  // shorter counts, so there is no brevity penalty and BLEU-1 = 2/3.
  const auto b = bleu({"a b c"}, {{"a b", "a b x y"}});
  EXPECT_NEAR(b[0], 2.0 / 3.0, 1e-9);
  // Clipping: "a a a" vs "a b": only one "a" counts.
  const auto c = bleu({"a a a"}, {{"a b c"}});
  EXPECT_NEAR(c[0], 1.0 / 3.0, 1e-9);
}

TEST(ScoreFile, ScoresGivenPartsOnly) {
  const auto in = nlohmann::json::parse(R"({
    "captions": {"candidates": {"1": "a b", "2": "c d"}, "references": {"1": ["a b"], "2": ["c d"]}}
  })");
  const auto out = score_predictions(in, "in.json");
  EXPECT_NEAR(out["cider_d"].get<double>(), 5.0, 1e-9);
  EXPECT_EQ(out["bleu"].size(), 4u);
  EXPECT_FALSE(out.contains("vqa_accuracy"));

  const auto vqa = nlohmann::json::parse(R"({
    "vqa": {"candidates": {"q1": "Two", "q2": "no"},
            "references": {"q1": ["2","2","2","2","2","2","2","2","2","2"],
                           "q2": ["yes","yes","yes","yes","yes","yes","yes","yes","yes","yes"]}}
  })");
  const auto v = score_predictions(vqa, "v.json");
  EXPECT_DOUBLE_EQ(v["vqa_accuracy"].get<double>(), 0.5);
  EXPECT_FALSE(v.contains("cider_d"));
}

TEST(ScoreFile, MismatchedIdsAndBadShapesAreNamed) {
  auto err = [](const char* text) {
    try {
      score_predictions(nlohmann::json::parse(text), "p.json");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(err(R"({"vqa": {"candidates": {"a": "x"}, "references": {"b": ["x"]}}})")
                .find("p.json: vqa.candidates: no candidate for id 'b'"),
            std::string::npos);
  EXPECT_NE(err(R"({"captions": {"candidates": {"a": 3}, "references": {"a": ["x"]}}})")
                .find("captions.candidates.a: expected a string"),
            std::string::npos);
  EXPECT_NE(err(R"({"caption": {}})").find("unknown key 'caption'"), std::string::npos);
}

}  // namespace
}  // namespace ablate
