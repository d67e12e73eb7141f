// Throughput of the pieces a trial spends its time in. Run: build/ablate_bench
// (or `make bench`); compare ratios within one run, the machine is shared.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>

#include "core/config.h"
#include "data/dataset.h"
#include "data/language.h"
#include "data/render.h"
#include "eval/caption_metrics.h"
#include "eval/evaluate.h"
#include "model/vlm.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace ablate {
namespace {

ExperimentConfig smoke_config() {
  ExperimentConfig c;  // defaults are the smoke proxy of experiments/smoke.yaml
  c.name = "bench";
  return c;
}

// One optimizer step (batch 32), data generation included, of `c`.
void train_steps(benchmark::State& state, const ExperimentConfig& c) {
  torch::set_num_threads(1);
  Vlm model(c);
  model->init_weights(0);
  const std::unordered_set<std::string> none;
  const TrainStream stream(c, none);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  int64_t step = 0;
  for (auto _ : state) {
    opt.zero_grad();
    const auto micro = stream.length_buckets(step, model->shapes().num_visual_tokens);
    benchmark::DoNotOptimize(accumulate_gradients(model, micro, c.train, torch::kCPU, step++).lm);
    opt.step();
  }
  state.SetItemsProcessed(state.iterations() * c.train.batch_size);
}

// The smoke proxy, by connector and precision.
void BM_TrainStep(benchmark::State& state) {
  auto c = smoke_config();
  c.connector.type = state.range(0) == 0 ? "avg_pool" : "attn_pool";
  c.train.precision = state.range(1) == 0 ? "fp32" : "bf16";
  state.SetLabel(c.connector.type + "/" + c.train.precision);
  train_steps(state, c);
}
BENCHMARK(BM_TrainStep)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The 64 px proxy with 64 average-pooled visual tokens (ablations/proxy64_seeds.yaml),
// by train.length_buckets (documents run from ~80 tokens, a caption, to ~400, three
// images of an interleaved page, and one padded batch pads them all to the longest)
// and by precision (its convnet encoder runs its convolutions in bf16 under autocast).
void BM_TrainStep64(benchmark::State& state) {
  auto c = smoke_config();
  c.encoder.type = "convnet";
  c.data.resolution = 64;
  c.data.textured_objects = 0.5;
  c.connector.num_tokens = 64;
  c.train.length_buckets = static_cast<int>(state.range(0));
  c.train.precision = state.range(1) == 0 ? "fp32" : "bf16";
  state.SetLabel(fmt::format("length_buckets {}/{}", c.train.length_buckets, c.train.precision));
  train_steps(state, c);
}
BENCHMARK(BM_TrainStep64)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({4, 0})
    ->Args({4, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Data only: 32 scenes generated, rendered at 192 px, downsampled to 32 px.
void BM_TrainBatchData(benchmark::State& state) {
  auto c = smoke_config();
  const std::unordered_set<std::string> none;
  const TrainStream stream(c, none);
  int64_t step = 0;
  for (auto _ : state) benchmark::DoNotOptimize(stream.batch(step++, 16));
  state.SetItemsProcessed(state.iterations() * c.train.batch_size);
}
BENCHMARK(BM_TrainBatchData)->Unit(benchmark::kMillisecond);

// One trial checkpoint of the smoke proxy (model, AdamW moments after a
// step, loop counters of a 600-step run), written atomically to /tmp.
void BM_SaveCheckpoint(benchmark::State& state) {
  auto c = smoke_config();
  torch::set_num_threads(1);
  Vlm model(c);
  model->init_weights(0);
  const std::unordered_set<std::string> none;
  const TrainStream stream(c, none);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  model->loss(stream.batch(0, model->shapes().num_visual_tokens)).total.backward();
  opt.step();
  LoopState loop;
  loop.step = 600;
  loop.step_seconds.assign(600, 0.17);
  const std::string path = std::filesystem::temp_directory_path() / "ablate-bench-checkpoint.pt";
  for (auto _ : state) save_checkpoint(path, model, opt, loop, "0123456789abcdef");
  state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(path));
  std::filesystem::remove(path);
}
BENCHMARK(BM_SaveCheckpoint)->Unit(benchmark::kMillisecond)->UseRealTime();

// Scoring the smoke proxy (untrained, so every answer runs to the decoding
// limit: the slowest case) on 100 items of vqa and caption at 0 and 8 shots,
// with eval.batch_size sequences per forward (first argument), with its ViT
// or with the standard proxy's convnet (second argument: 0 vit, 1 convnet);
// items per second counts benchmark items x shot counts.
void BM_Evaluate(benchmark::State& state) {
  auto c = smoke_config();
  c.eval.num_items = 100;
  c.eval.benchmarks = {"vqa", "caption"};
  c.eval.shots = {0, 8};
  c.eval.batch_size = static_cast<int>(state.range(0));
  if (state.range(1) == 1) c.encoder.type = "convnet";
  torch::set_num_threads(1);
  Vlm model(c);
  model->init_weights(0);
  const EvalSet eval = make_eval_set(c.data, c.eval);
  for (auto _ : state) benchmark::DoNotOptimize(evaluate_model(model, c, eval));
  state.SetItemsProcessed(state.iterations() * 100 * 2 * 2);
  state.SetLabel(c.encoder.type);
}
BENCHMARK(BM_Evaluate)
    ->Args({125, 0})
    ->Args({16, 0})
    ->Args({125, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// CIDEr-D over a 500-item corpus of world captions.
void BM_CiderD500(benchmark::State& state) {
  DataOptions d;
  std::vector<std::string> cands;
  std::vector<std::vector<std::string>> refs;
  for (uint64_t i = 0; i < 500; ++i) {
    const Scene s = generate_scene(i, d);
    refs.push_back(caption_references(s));
    cands.push_back(refs.back()[i % 5]);
  }
  for (auto _ : state) benchmark::DoNotOptimize(cider_d(cands, refs).score);
}
BENCHMARK(BM_CiderD500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ablate
