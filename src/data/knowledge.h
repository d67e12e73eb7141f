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
inline constexpr std::array<const char*, 8> kColourThings = {"fire", "grass", "sea",  "sun",
                                                             "plum", "carrot", "snow", "coal"};
// Same order as kShapeNames: circle, square, triangle, diamond, star.
inline constexpr std::array<int, 5> kShapeCorners = {0, 4, 3, 4, 10};

// Question types of the `knowledge_vqa` benchmark.
inline constexpr std::array<const char*, 2> kKnowledgeTypes = {"colour_thing", "corners"};
// "what has the same color as the star ?" (the star's colour's thing) or "how
// many corners does the red shape have ?"; referents unique in the scene.
// False when no shape and no colour is unique.
bool sample_knowledge_question(const Scene& scene, Rng& rng, VqaItem& item);

// Question types of `text_core`'s question answering (text only, no image).
inline constexpr std::array<const char*, 3> kTextQaTypes = {"thing_colour", "colour_thing",
                                                            "corners"};
VqaItem sample_text_question(Rng& rng);

// One sentence of a text-only document: a fact, a question with its answer
// laid out like the VQA data ("question : ... answer : ..."), or plain
// language about an imagined scene.
std::string sample_text_sentence(Rng& rng);

// Words of text documents not already in language_words().
std::vector<std::string> knowledge_words();

}  // namespace ablate
