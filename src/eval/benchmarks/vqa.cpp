// `vqa` models VQAv2: colour, shape, count, yes/no (and, in a world with
// textures, pattern) questions about one
// image. Each question needs the image and its referent (a colour question
// names a shape that occurs once; negatives of "is there" questions share a
// colour or a shape with an object present), so naming any attribute seen is
// not enough (../shared/PROXY-NOTES.md, point 2). Most "no" items still name an
// attribute the scene lacks: answering "yes" when both are present scores
// about 93 (the score card's presence shortcut), so existence mostly tests
// presence, not binding.
#include "data/language.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark vqa_benchmark() {
  return image_question_benchmark("VQAv2", [](const Scene& scene, Rng& rng, VqaItem& q) {
    q = sample_question(scene, rng);
    return true;
  });
}

}  // namespace ablate
