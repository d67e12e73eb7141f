// `text_core` models MM1's text-only score (TextCore): does multimodal
// pre-training keep the LM's language ability? Two parts, averaged: next-word
// accuracy on held-out text documents (teacher-forced), and questions about
// the facts text documents teach ("what color is snow ?"), no image.
#include "data/knowledge.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark text_core_benchmark() {
  return {"TextCore (text-only tasks)", Scoring::kText,
          [](uint64_t seed, const DataOptions&, EvalItem& item) {
            Rng rng(splitmix64(seed));
            const VqaItem q = sample_text_question(rng);
            item.prompt = question_prompt(q.question);
            item.references = q.answers;
            item.type = q.type;
            return true;
          }};
}

}  // namespace ablate
