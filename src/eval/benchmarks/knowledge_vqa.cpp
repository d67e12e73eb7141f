// `knowledge_vqa` models OK-VQA: the answer needs the image and a fact that
// only text-only documents teach ("what has the same color as the star ?":
// the star's colour from the image, the thing of that colour from text;
// data/knowledge.h). A model trained without text documents can only guess.
#include "data/knowledge.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark knowledge_vqa_benchmark() {
  return image_question_benchmark("OK-VQA", sample_knowledge_question);
}

}  // namespace ablate
