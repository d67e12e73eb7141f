// The benchmark suite of the proxy world. Each benchmark models one of MM1's
// and says so where it is defined (src/eval/benchmarks/<name>.cpp):
//   caption        COCO / NoCaps captioning           CIDEr-D (and BLEU-4)
//   text_caption   TextCaps: captions naming the sign  CIDEr-D
//   text_vqa       TextVQA: read the sign              VQA accuracy
//   vqa            VQAv2: colour, shape, count, yes/no VQA accuracy
//   spatial_vqa    GQA: relations between objects      VQA accuracy
//   knowledge_vqa  OK-VQA: needs a fact taught only in text documents
//   fashion_vqa    VQAv2 on photos: Fashion-MNIST items VQA accuracy
//   text_core      text-only ability: held-out next-word accuracy and text QA
// A benchmark makes evaluation items from seeds; items come from eval.seed, a
// separate pool of few-shot examples from another stream, and every scene of
// both is kept out of training (EvalSet::signatures).
//
// Few-shot prompts (MM1, OpenFlamingo): k examples of the same benchmark,
// each its image(s) then "<prompt> <answer>", followed by the query's image(s)
// and its prompt; generation starts after the prompt. The k examples of item
// i are the first k of a fixed draw from the pool, so 4-shot examples are a
// subset of 8-shot ones, and never the query (pool and items are disjoint).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/config.h"
#include "core/registry.h"
#include "core/rng.h"
#include "data/language.h"
#include "data/document.h"
#include "data/scene.h"

namespace ablate {

struct EvalItem {
  std::vector<Scene> images;            // shown before the prompt (none for text items)
  std::string prompt;                   // e.g. "question : what color is the star ? answer :"
  std::vector<std::string> references;  // captions, or kNumVqaAnswers answers
  std::string type;                     // question type, for per-type scores and baselines
};

enum class Scoring {
  kCaption,  // corpus CIDEr-D and BLEU-4 of greedy captions
  kVqa,      // VQA accuracy of greedy answers, per question type too
  kText,     // next-word accuracy on held-out text documents, plus VQA accuracy of text QA
};

struct Benchmark {
  std::string models;  // what it stands for, e.g. "VQAv2"
  Scoring scoring;
  // The item of `seed`; false when the drawn scene cannot carry the
  // benchmark's question (the caller tries the next seed).
  std::function<bool(uint64_t seed, const DataOptions& data, EvalItem& item)> make_item;
};

const Registry<Benchmark>& benchmark_registry();

// The seed of the question (and other draws) about the scene of item `seed`.
// Not splitmix64(seed): Rng(splitmix64(seed)) is Rng(seed) one draw on, so
// the question's draws would repeat the scene's.
inline uint64_t question_seed(uint64_t seed) {
  return derive_seed({seed, 0x7175657374});  // "quest"
}

struct BenchmarkSet {
  std::string name;
  const Benchmark* benchmark = nullptr;
  std::vector<EvalItem> items;
  std::vector<EvalItem> shot_pool;
  std::vector<Document> documents;  // kText: held-out text documents
};

struct EvalSet {
  std::vector<BenchmarkSet> benchmarks;        // eval.benchmarks, in that order
  std::unordered_set<std::string> signatures;  // every scene above
};

EvalSet make_eval_set(const DataOptions& data, const EvalOptions& eval);

// Indices into the shot pool of item `index`'s examples: the first `k` of a
// fixed draw of distinct pool items.
std::vector<int> shot_indices(const EvalOptions& eval, const std::string& benchmark, int index,
                              int k);

// A reference answer as training text lays it out after its prompt: answers
// end with a period, captions already do.
std::string answer_words(const std::string& answer);

// The prompt document of item `index` with `k` examples (nothing is a target).
Document few_shot_prompt(const BenchmarkSet& set, const EvalOptions& eval, int index, int k);

// The shot counts `set` is scored at: eval.shots, or only 0 for text_core
// (its questions have no images to show examples of).
std::vector<int> shots_of(const BenchmarkSet& set, const EvalOptions& eval);

// An upper bound on the longest sequence evaluation runs, in tokens: a
// prompt of any configured benchmark and shot count plus the decoding limit
// or its reference, whichever is longer. What lm.max_seq_len must hold.
int64_t longest_eval_sequence(const EvalSet& set, const EvalOptions& eval, int num_visual_tokens);

// A VQA benchmark on one image whose question comes from `ask` (false: the
// scene carries no such question); `needs_sign`: every scene has a sign.
Benchmark image_question_benchmark(
    std::string models, std::function<bool(const Scene&, Rng&, VqaItem&)> ask,
    bool needs_sign = false);

// Built-in benchmarks, one file each under src/eval/benchmarks/.
void register_builtin_benchmarks(Registry<Benchmark>& registry);
Benchmark caption_benchmark();
Benchmark text_caption_benchmark();
Benchmark text_vqa_benchmark();
Benchmark vqa_benchmark();
Benchmark spatial_vqa_benchmark();
Benchmark knowledge_vqa_benchmark();
Benchmark fashion_vqa_benchmark();
Benchmark text_core_benchmark();

}  // namespace ablate
