// The proxy world's language: captions and VQA items generated from a scene.
// Captions list objects left to right (a spatial skill) with size, colour and
// shape; questions are asked only where the answer needs both the image and
// the referent (a colour question names a shape that occurs once, so naming
// any colour present is not enough; see ../shared/PROXY-NOTES.md, point 2).
#pragma once

#include <string>
#include <vector>

#include "core/rng.h"
#include "data/scene.h"

namespace ablate {

inline constexpr int kNumCaptionReferences = 5;
inline constexpr int kNumVqaAnswers = 10;  // as VQAv2

// Question types of the `vqa` benchmark; "texture" ("what pattern is on the
// star ?", answered "plain" too) only in a world with textures (Scene::textures).
inline constexpr std::array<const char*, 5> kQuestionTypes = {"colour", "shape", "count", "exists",
                                                              "texture"};

// All reference captions of a scene, one per template. With shape_first > 0
// (data.shape_first_captions) the last max(1, round(5 shape_first)) of them
// name shapes first (PhraseOrder::kShapeFirst).
std::vector<std::string> caption_references(const Scene& scene, double shape_first = 0);

// A training caption: one of the reference templates, drawn with `rng`, its
// objects named shape first with probability shape_first (nothing more is
// drawn when it is 0, so that worlds without it keep their streams).
std::string sample_caption(const Scene& scene, Rng& rng, double shape_first = 0);

struct VqaItem {
  std::string type;                  // one of kQuestionTypes
  std::string question;              // e.g. "what color is the star ?"
  std::vector<std::string> answers;  // kNumVqaAnswers references
};

// A question whose type is drawn uniformly among the types the scene supports.
VqaItem sample_question(const Scene& scene, Rng& rng);

// Spatial relations between two objects, as GQA asks them. A relation holds
// only with a clear margin (kRelationMargin of the image side between the
// centres along its axis), so that no answer depends on a pixel.
inline constexpr std::array<const char*, 4> kRelationNames = {"left of", "right of", "above",
                                                              "below"};
inline constexpr double kRelationMargin = 0.15;
// 1: `a` is clearly <relation> `b`; 0: clearly not (the opposite relation holds
// with the margin); -1: too close to say.
int relation_holds(const Object& a, const Object& b, int relation);

// Question types of the `spatial_vqa` benchmark.
inline constexpr std::array<const char*, 2> kSpatialTypes = {"relation", "relate_attribute"};
// "is the red circle left of the blue star ?" (balanced yes / no), or "what
// color is the shape left of the blue star ?" where exactly one object clearly
// stands in that relation and no other is close to it. Referents are named by
// colour and shape, unique in the scene. Returns false when the scene supports
// neither (fewer than two objects, or every pair too close).
bool sample_spatial_question(const Scene& scene, Rng& rng, VqaItem& out);

// `text_vqa` (TextVQA): "what does the sign say ?", answered only by reading
// the rendered text; of type "word" or "number" (a number is one token of 90,
// each rarer than a word). False when the scene has no sign.
inline constexpr std::array<const char*, 2> kReadTypes = {"word", "number"};
bool sample_reading_question(const Scene& scene, Rng& rng, VqaItem& out);

// "a sign that says <text>", as captions mention a sign (TextCaps-style).
std::string sign_phrase(const Sign& sign);

// Comparison of two images, as interleaved web documents write across images:
// "the first image has more shapes than the second ." (items for two fashion
// scenes; which has shapes and which items for one of each).
std::string compare_images(const Scene& first, const Scene& second);

// Place in a 3 x 3 layout of the point (x, y), e.g. "in the top left".
std::string place_phrase(double x, double y);

// The phrase with "a" or "an" before it, e.g. "an orange star".
std::string with_article(const std::string& phrase);
// Word order of an object phrase. Modifiers first, the world's own: a caption
// then always names an object's colour before its shape, so the LM learns to
// find an object by its colour and read its shape, and the reverse (find it by
// its shape, read its colour or pattern) only from question-answer pairs.
// Shape first gives captions that practise the reverse; measured, it moves
// what the proxy learns from one direction to the other rather than adding
// to it (results/proxy/phrase_order.md).
enum class PhraseOrder { kModifiersFirst, kShapeFirst };
// Object phrase with its article: "a small red star", "a large striped blue
// circle" (plain objects are not called plain); shape first "a small star that
// is red", "a large circle that is striped and blue".
std::string object_phrase(const Object& o, PhraseOrder order = PhraseOrder::kModifiersFirst);
// The scene's object phrases in its order (left to right in generated scenes),
// then its sign if it has one, as a list: "a red star , a blue circle and a green square".
std::string object_list(const Scene& scene, PhraseOrder order = PhraseOrder::kModifiersFirst);
// Referent phrase "red star" (colour and shape).
std::string referent(const Object& o);
// Indices of the objects whose key (e.g. shape) occurs once in the scene: the
// referents a question can name unambiguously.
template <class Key>
std::vector<int> unique_indices(const Scene& scene, Key key) {
  std::vector<int> out;
  for (size_t i = 0; i < scene.objects.size(); ++i) {
    int count = 0;
    for (const auto& o : scene.objects) count += key(o) == key(scene.objects[i]);
    if (count == 1) out.push_back(static_cast<int>(i));
  }
  return out;
}

// kNumVqaAnswers copies of one answer (the world has no annotator disagreement).
std::vector<std::string> repeat_answer(const std::string& answer);

// Dense synthetic caption (MM1's VeCap, at proxy scale): every object with its
// size, colour, shape and place in a 3 x 3 layout, then the object count, e.g.
// "a small red star in the top left . a large blue circle in the middle . two
// shapes in total ." Used by contrastive encoder pre-training and, when
// data.synthetic_captions > 0, by caption documents.
std::string dense_caption(const Scene& scene);

// Every word of captions, questions and comparisons (data/knowledge.h adds
// the words of text documents; Tokenizer::world() holds both).
std::vector<std::string> language_words();

inline constexpr std::array<const char*, 11> kNumberWords = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};

// Prompt words placed after the image.
inline constexpr const char* kCaptionPrompt = "caption :";
inline constexpr const char* kQuestionPrompt = "question :";
inline constexpr const char* kAnswerPrompt = "answer :";

}  // namespace ablate
