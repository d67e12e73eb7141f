#include "data/knowledge.h"

#include <fmt/format.h>

#include <algorithm>

#include "data/document.h"

namespace ablate {
namespace {

int pick(Rng& rng, size_t n) { return rng.uniform_int(static_cast<int>(n)); }

Object random_object(Rng& rng) {
  Object o;
  o.shape = pick(rng, kShapeNames.size());
  o.colour = pick(rng, kColourNames.size());
  o.size = pick(rng, kSizeNames.size());
  return o;
}

}  // namespace

bool sample_knowledge_question(const Scene& scene, Rng& rng, Facts facts, VqaItem& item) {
  std::vector<int> by_shape, by_colour;  // unique referents whose fact is in `facts`
  for (int i : unique_indices(scene, [](const Object& o) { return o.shape; })) {
    if (colour_fact_in(facts, scene.objects[i].colour)) by_shape.push_back(i);
  }
  for (int i : unique_indices(scene, [](const Object& o) { return o.colour; })) {
    if (shape_fact_in(facts, scene.objects[i].shape)) by_colour.push_back(i);
  }
  if (by_shape.empty() && by_colour.empty()) return false;
  int type = pick(rng, kKnowledgeTypes.size());
  if (by_shape.empty()) type = 1;
  if (by_colour.empty()) type = 0;
  item.type = kKnowledgeTypes[type];
  if (type == 0) {
    const Object& o = scene.objects[by_shape[pick(rng, by_shape.size())]];
    item.question = fmt::format("what has the same color as the {} ?", kShapeNames[o.shape]);
    item.answers = repeat_answer(kColourThings[o.colour]);
  } else {
    const Object& o = scene.objects[by_colour[pick(rng, by_colour.size())]];
    item.question =
        fmt::format("how many corners does the {} shape have ?", kColourNames[o.colour]);
    item.answers = repeat_answer(kNumberWords[kShapeCorners[o.shape]]);
  }
  return true;
}

VqaItem sample_text_question(Rng& rng) {
  VqaItem item;
  const int type = pick(rng, kTextQaTypes.size());
  item.type = kTextQaTypes[type];
  if (type == 0) {
    const int c = pick(rng, kColourNames.size());
    item.question = fmt::format("what color is {} ?", kColourThings[c]);
    item.answers = repeat_answer(kColourNames[c]);
  } else if (type == 1) {
    const int c = pick(rng, kColourNames.size());
    item.question = fmt::format("what has the color {} ?", kColourNames[c]);
    item.answers = repeat_answer(kColourThings[c]);
  } else {
    const int s = pick(rng, kShapeNames.size());
    item.question = fmt::format("how many corners does a {} have ?", kShapeNames[s]);
    item.answers = repeat_answer(kNumberWords[kShapeCorners[s]]);
  }
  return item;
}

SceneQuestion sample_scene_question(Rng& rng) {
  for (;;) {  // until the drawn objects support a question: a few draws at most
    Scene scene;
    const int num_objects = rng.uniform_int(1, 3);
    for (int i = 0; i < num_objects; ++i) scene.objects.push_back(random_object(rng));
    const Facts facts = rng.bernoulli(0.5) ? Facts::kGrounded : Facts::kHeldOut;
    SceneQuestion out;
    if (!sample_knowledge_question(scene, rng, facts, out.question)) continue;
    out.description = object_list(scene);  // no sign: only the objects
    return out;
  }
}

std::string scene_question_sentence(Rng& rng) {
  const SceneQuestion q = sample_scene_question(rng);
  return q.description + " . " + qa_words(q.question.question, q.question.answers[0]);
}

std::string sample_text_sentence(Rng& rng, double scene_questions) {
  // No draw at share 0: the text of every config without scene questions is unchanged.
  if (scene_questions > 0 && rng.bernoulli(scene_questions)) return scene_question_sentence(rng);
  switch (rng.uniform_int(6)) {
    case 0: {  // a colour fact, in one of two word orders
      const int c = pick(rng, kColourNames.size());
      return rng.bernoulli(0.5)
                 ? fmt::format("{} is {} .", kColourThings[c], kColourNames[c])
                 : fmt::format("the color of {} is {} .", kColourThings[c], kColourNames[c]);
    }
    case 1: {  // a corner fact
      const int s = pick(rng, kShapeNames.size());
      return fmt::format("a {} has {} corners .", kShapeNames[s], kNumberWords[kShapeCorners[s]]);
    }
    case 2: {  // a fact question laid out like the VQA data
      const VqaItem q = sample_text_question(rng);
      return qa_words(q.question, q.answers[0]);
    }
    case 3: {  // the bridge to images: the fact asked about a named object
      const Object o = random_object(rng);
      if (rng.bernoulli(0.5)) {
        return qa_words(fmt::format("what has the same color as the {} ?", referent(o)),
                        kColourThings[o.colour]);
      }
      return qa_words(fmt::format("how many corners does the {} have ?", referent(o)),
                      kNumberWords[kShapeCorners[o.shape]]);
    }
    default: {  // plain language about an imagined scene
      const Object a = random_object(rng), b = random_object(rng);
      return fmt::format("{} is {} {} .", object_phrase(a),
                         kRelationNames[pick(rng, kRelationNames.size())], object_phrase(b));
    }
  }
}

std::vector<std::string> knowledge_words() {
  std::vector<std::string> words = {"same", "corners", "does", "have"};
  for (const char* w : kColourThings) words.push_back(w);
  return words;
}

}  // namespace ablate
