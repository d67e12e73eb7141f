// Built-in benchmarks, one line each. Adding a benchmark: one new file with
// its item generator and a comment on what it models, one line here, and its
// name in kBenchmarkNames (core/config.h).
#include "eval/benchmark.h"

namespace ablate {

void register_builtin_benchmarks(Registry<Benchmark>& registry) {
  registry.add("caption", caption_benchmark());
  registry.add("text_caption", text_caption_benchmark());
  registry.add("vqa", vqa_benchmark());
  registry.add("text_vqa", text_vqa_benchmark());
  registry.add("spatial_vqa", spatial_vqa_benchmark());
  registry.add("knowledge_vqa", knowledge_vqa_benchmark());
  registry.add("fashion_vqa", fashion_vqa_benchmark());
  registry.add("text_core", text_core_benchmark());
}

const Registry<Benchmark>& benchmark_registry() {
  static const Registry<Benchmark> registry("benchmark", register_builtin_benchmarks);
  return registry;
}

}  // namespace ablate
