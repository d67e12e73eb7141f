// `fashion_vqa` models VQA on real photographs (MM1's VQAv2 and VizWiz images
// are photos, not drawings): "what item is shown ?" about one Fashion-MNIST
// item, and "how many sneakers are there ?" about two or three items of one or
// two classes (data/fashion.h). Its photos come from the dataset's test split,
// which training never draws from. Half the items are of each type. A model
// trained with data.fashion_scenes 0 has never seen such a photo or its words.
#include "data/fashion.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark fashion_vqa_benchmark() {
  return {"VQAv2 on photos (Fashion-MNIST test split)", Scoring::kVqa,
          [](uint64_t seed, const DataOptions&, EvalItem& item) {
            Rng rng(question_seed(seed));
            const bool count = rng.bernoulli(0.5);
            const int num_items = count ? rng.uniform_int(2, kMaxFashionItems) : 1;
            item.images = {generate_fashion_scene(seed, num_items, /*test=*/true)};
            const VqaItem q = sample_fashion_question(item.images[0], rng);
            item.prompt = question_prompt(q.question);
            item.references = q.answers;
            item.type = q.type;
            return true;
          }};
}

}  // namespace ablate
