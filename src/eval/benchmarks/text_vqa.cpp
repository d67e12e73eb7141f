// `text_vqa` models TextVQA: read the small rendered text ("what does the sign
// say ?"). The word or number is only in the pixels, 2.5 px tall at 32 px and 5
// px at 64 px (data/scene.h), so resolution decides whether it can be read.
// Every item's scene has a sign.
#include "data/language.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark text_vqa_benchmark() {
  return image_question_benchmark("TextVQA", sample_reading_question, /*needs_sign=*/true);
}

}  // namespace ablate
