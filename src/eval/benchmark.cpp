#include "eval/benchmark.h"

#include <algorithm>

#include "core/error.h"
#include "data/tokenizer.h"

namespace ablate {
namespace {

// Stream identifiers keep evaluation items, few-shot pools, held-out text and
// shot draws on unrelated seeds (and apart from training's).
constexpr uint64_t kItemStream = 0x6974656d73;  // "items"
constexpr uint64_t kPoolStream = 0x706f6f6c;    // "pool"
constexpr uint64_t kTextStream = 0x74657874;    // "text"
constexpr uint64_t kShotStream = 0x73686f74;    // "shot"

uint64_t name_id(const std::string& name) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// `count` items of `b` from consecutive seeds of `stream`, skipping seeds
// whose scene carries no item.
std::vector<EvalItem> make_items(const Benchmark& b, const std::string& name,
                                 const DataOptions& data, const EvalOptions& eval, uint64_t stream,
                                 int count) {
  std::vector<EvalItem> items;
  constexpr int kMaxSkipsPerItem = 100;
  for (uint64_t i = 0; static_cast<int>(items.size()) < count; ++i) {
    if (i > static_cast<uint64_t>(count) * kMaxSkipsPerItem) {
      throw ConfigError(
          fmt::format("benchmark {}: scenes of {}..{} objects (data.min_objects, data.max_objects) "
                      "almost never carry its questions",
                      name, data.min_objects, data.max_objects));
    }
    EvalItem item;
    if (b.make_item(derive_seed({uint64_t(eval.seed), stream, name_id(name), i}), data, item)) {
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace

Benchmark image_question_benchmark(std::string models,
                                   std::function<bool(const Scene&, Rng&, VqaItem&)> ask,
                                   bool needs_sign) {
  return {
      std::move(models), Scoring::kVqa,
      [ask = std::move(ask), needs_sign](uint64_t seed, const DataOptions& data, EvalItem& item) {
        DataOptions scene_data = data;
        if (needs_sign) scene_data.text_scenes = 1.0;
        item.images = {generate_shape_scene(seed, scene_data)};
        Rng rng(question_seed(seed));
        VqaItem q;
        if (!ask(item.images[0], rng, q)) return false;
        item.prompt = question_prompt(q.question);
        item.references = q.answers;
        item.type = q.type;
        return true;
      }};
}

EvalSet make_eval_set(const DataOptions& data, const EvalOptions& eval) {
  EvalSet set;
  for (const auto& name : eval.benchmarks) {
    BenchmarkSet b;
    b.name = name;
    b.benchmark = &benchmark_registry().get(name);
    b.items = make_items(*b.benchmark, name, data, eval, kItemStream, eval.num_items);
    b.shot_pool = make_items(*b.benchmark, name, data, eval, kPoolStream, eval.shot_pool);
    if (b.benchmark->scoring == Scoring::kText) {
      for (int i = 0; i < eval.num_items; ++i) {
        Rng rng(derive_seed({uint64_t(eval.seed), kTextStream, uint64_t(i)}));
        // Plain text whatever data.text_scene_questions: every config is scored on the same text.
        b.documents.push_back(text_document(rng, /*scene_questions=*/0));
      }
    }
    for (const auto* items : {&b.items, &b.shot_pool}) {
      for (const auto& item : *items) {
        for (const auto& scene : item.images) set.signatures.insert(scene_signature(scene));
      }
    }
    set.benchmarks.push_back(std::move(b));
  }
  return set;
}

std::vector<int> shot_indices(const EvalOptions& eval, const std::string& benchmark, int index,
                              int k) {
  TORCH_CHECK(k <= eval.shot_pool, "few-shot: ", k, " examples from a pool of ", eval.shot_pool);
  // Partial Fisher-Yates over the pool, seeded by (benchmark, item) only.
  Rng rng(derive_seed({uint64_t(eval.seed), kShotStream, name_id(benchmark), uint64_t(index)}));
  std::vector<int> pool(eval.shot_pool);
  for (int i = 0; i < eval.shot_pool; ++i) pool[i] = i;
  for (int i = 0; i < k; ++i) std::swap(pool[i], pool[i + rng.uniform_int(eval.shot_pool - i)]);
  pool.resize(k);
  return pool;
}

std::string answer_words(const std::string& answer) {
  const bool ended = !answer.empty() && answer.back() == '.';
  return ended ? answer : answer + " " + kEndOfAnswer;
}

Document few_shot_prompt(const BenchmarkSet& set, const EvalOptions& eval, int index, int k) {
  Document doc;
  for (int s : shot_indices(eval, set.name, index, k)) {
    const EvalItem& shot = set.shot_pool[s];
    for (const auto& scene : shot.images) doc.add_image(scene);
    doc.add_text(shot.prompt + " " + answer_words(shot.references.front()), /*target=*/false);
  }
  const EvalItem& query = set.items[index];
  for (const auto& scene : query.images) doc.add_image(scene);
  doc.add_text(query.prompt, /*target=*/false);
  return doc;
}

std::vector<int> shots_of(const BenchmarkSet& set, const EvalOptions& eval) {
  if (set.benchmark->scoring == Scoring::kText) return {0};
  return eval.shots;
}

int64_t longest_eval_sequence(const EvalSet& set, const EvalOptions& eval, int num_visual_tokens) {
  // An upper bound, cheap enough for every config load: k of the pool's
  // longest examples, the longest query, and the longer of the decoding limit
  // and the longest reference (scored by its log-likelihood). Prompts hold
  // k distinct pool examples, so no prompt is longer.
  const auto& tok = Tokenizer::world();
  auto example_length = [&](const EvalItem& item, bool with_answer) {
    Document d;
    for (const auto& scene : item.images) d.add_image(scene);
    d.add_text(with_answer ? item.prompt + " " + answer_words(item.references.front())
                           : item.prompt);
    return d.length(num_visual_tokens) - 1;  // without its <bos>
  };
  int64_t longest = 0;
  for (const auto& b : set.benchmarks) {
    for (const auto& d : b.documents) longest = std::max(longest, d.length(num_visual_tokens));
    int64_t query = 0, answer = b.benchmark->scoring == Scoring::kCaption ? eval.max_caption_tokens
                                                                          : eval.max_answer_tokens;
    for (const auto& item : b.items) {
      query = std::max(query, example_length(item, false));
      answer = std::max<int64_t>(answer, tok.encode(answer_words(item.references.front())).size());
    }
    std::vector<int64_t> pool;
    for (const auto& item : b.shot_pool) pool.push_back(example_length(item, true));
    std::sort(pool.rbegin(), pool.rend());
    for (int k : shots_of(b, eval)) {
      int64_t shots = 0;
      for (int i = 0; i < k && i < static_cast<int>(pool.size()); ++i) shots += pool[i];
      longest = std::max(longest, 1 + shots + query + answer);
    }
  }
  return longest;
}

}  // namespace ablate
