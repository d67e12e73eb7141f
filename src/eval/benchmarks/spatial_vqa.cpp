// `spatial_vqa` models GQA: relations between objects ("is the red circle
// left of the blue star ?", "what color is the shape above the green
// square ?"). Relations hold with a clear margin, referents are unique, and
// yes / no answers are balanced. Scenes with fewer than two objects carry no
// such question; their seed is skipped.
#include "data/language.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark spatial_vqa_benchmark() {
  return image_question_benchmark("GQA", sample_spatial_question);
}

}  // namespace ablate
