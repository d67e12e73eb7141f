// `knowledge_vqa` models OK-VQA: the answer needs the image and a fact that
// only text-only documents teach ("what has the same color as the star ?":
// the star's colour from the image, the thing of that colour from text;
// data/knowledge.h). It asks only about the held-out half of the facts:
// interleaved documents ask the same questions about images, but only for the
// other half, so the question form is seen with images and the fact only in
// text. A model trained without text documents can only guess.
#include "data/knowledge.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark knowledge_vqa_benchmark() {
  return image_question_benchmark("OK-VQA", [](const Scene& scene, Rng& rng, VqaItem& item) {
    return sample_knowledge_question(scene, rng, Facts::kHeldOut, item);
  });
}

}  // namespace ablate
