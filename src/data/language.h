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

// Question types of the `vqa` benchmark.
inline constexpr std::array<const char*, 4> kQuestionTypes = {"colour", "shape", "count", "exists"};

// All reference captions of a scene, one per template.
std::vector<std::string> caption_references(const Scene& scene);

// A training caption: one of the reference templates, drawn with `rng`.
std::string sample_caption(const Scene& scene, Rng& rng);

struct VqaItem {
  std::string type;                  // one of kQuestionTypes
  std::string question;              // e.g. "what color is the star ?"
  std::vector<std::string> answers;  // kNumVqaAnswers references
};

// A question whose type is drawn uniformly among the types the scene supports.
VqaItem sample_question(const Scene& scene, Rng& rng);

// Dense synthetic caption (MM1's VeCap, at proxy scale): every object with its
// size, colour, shape and place in a 3 x 3 layout, then the object count, e.g.
// "a small red star in the top left . a large blue circle in the middle . two
// shapes in total ." Used by contrastive encoder pre-training only.
std::string dense_caption(const Scene& scene);

// Every word the world's text can contain (the tokenizer's vocabulary).
std::vector<std::string> world_words();
// world_words() plus the words only dense captions use (the pre-training text
// tower's vocabulary; the VLM's vocabulary is unchanged by them).
std::vector<std::string> pretrain_words();

// Prompt words placed after the image.
inline constexpr const char* kCaptionPrompt = "caption :";
inline constexpr const char* kQuestionPrompt = "question :";
inline constexpr const char* kAnswerPrompt = "answer :";

}  // namespace ablate
