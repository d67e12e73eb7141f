// Knowledge that the proxy world teaches only in text-only documents (MM1's
// text data, and what OK-VQA needs): which thing has each colour, and how many
// corners each shape has. No image shows fire or a corner count; a question
// like "what has the same color as the star ?" needs the image (the star's
// colour) and a fact read only in text.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/rng.h"
#include "data/language.h"
#include "data/scene.h"

namespace ablate {

// Same order as kColourNames.
inline constexpr std::array<const char*, 8> kColourThings = {"fire", "grass",  "sea",  "sun",
                                                             "plum", "carrot", "snow", "coal"};
// Same order as kShapeNames: circle, square, triangle, diamond, star.
inline constexpr std::array<int, 5> kShapeCorners = {0, 4, 3, 4, 10};

// Which facts a knowledge question about an image may use. Interleaved
// documents ask such questions only about the grounded half of the facts
// (the things of the first kGroundedColours colours: fire, grass, sea, sun;
// the corners of the first kGroundedShapes shapes: circle, square), as web
// pages teach a VLM to answer questions about pictures; `knowledge_vqa` asks
// only about the other half (plum, carrot, snow, coal; triangle, diamond,
// star), facts that appear in text documents and never next to an image. So
// the benchmark, like OK-VQA, needs a question form seen with images and a
// fact known only from text, and its answers cannot be learned from images.
enum class Facts { kGrounded, kHeldOut };
inline constexpr int kGroundedColours = 4;
inline constexpr int kGroundedShapes = 2;
inline bool colour_fact_in(Facts facts, int colour) {
  return (colour < kGroundedColours) == (facts == Facts::kGrounded);
}
inline bool shape_fact_in(Facts facts, int shape) {
  return (shape < kGroundedShapes) == (facts == Facts::kGrounded);
}

// Question types of the `knowledge_vqa` benchmark.
inline constexpr std::array<const char*, 2> kKnowledgeTypes = {"colour_thing", "corners"};
// "what has the same color as the star ?" (the star's colour's thing) or "how
// many corners does the red shape have ?", about a fact in `facts`; referents
// unique in the scene. False when no object is both.
bool sample_knowledge_question(const Scene& scene, Rng& rng, Facts facts, VqaItem& item);

// Question types of `text_core`'s question answering (text only, no image).
inline constexpr std::array<const char*, 3> kTextQaTypes = {"thing_colour", "colour_thing",
                                                            "corners"};
VqaItem sample_text_question(Rng& rng);

// A knowledge question about objects described in words, the text's stand-in
// for a picture: "a small red star and a large blue circle . question : what
// has the same color as the star ? answer : fire". Answering it needs what a
// `knowledge_vqa` item needs, in text: find the referent's colour (or shape) in
// the context, then recall a fact. Facts of both halves: all are text facts.
struct SceneQuestion {
  std::string description;  // "a small red star and a large blue circle"
  VqaItem question;         // of a type of kKnowledgeTypes, about one of the objects
};
SceneQuestion sample_scene_question(Rng& rng);
// The same as one sentence: "<description> . question : ... answer : <answer> ."
std::string scene_question_sentence(Rng& rng);

// One sentence of a text-only document: with probability `scene_questions` a
// scene question (above); otherwise a fact, a question with its answer laid out
// like the VQA data ("question : ... answer : ..."), or plain language about an
// imagined scene.
std::string sample_text_sentence(Rng& rng, double scene_questions);

// Words of text documents not already in language_words().
std::vector<std::string> knowledge_words();

}  // namespace ablate
