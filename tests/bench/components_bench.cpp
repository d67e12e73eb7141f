// Forward and forward+backward time of every registered encoder and connector
// at the smoke proxy's sizes (batch 32, D_enc 64, D_lm 128), for 16 / 36 / 64 /
// 144 visual tokens (connectors that derive N from the grid get the grid that
// gives it). Run: build/ablate_bench --benchmark_filter='Encoder|Connector'.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>

#include "connectors/connector.h"
#include "core/error.h"
#include "encoders/encoder.h"

namespace ablate {
namespace {

constexpr int kBatch = 32;

void run(benchmark::State& state, torch::nn::Module& module,
         const std::function<torch::Tensor()>& forward, bool backward) {
  torch::set_num_threads(1);
  for (auto _ : state) {
    if (backward) {
      module.zero_grad();
      forward().sum().backward();
    } else {
      torch::NoGradGuard no_grad;
      benchmark::DoNotOptimize(forward());
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// Encoders at 32 px (8x8 = 64 patches) and 48 px (12x12 = 144 patches), patch 4.
void BM_Encoder(benchmark::State& state, const std::string& type, int resolution, bool backward) {
  EncoderOptions o;
  o.type = type;
  auto encoder = encoder_registry().get(type).make(o, resolution);
  encoder->init_weights();
  const auto images = torch::randn({kBatch, 3, resolution, resolution});
  run(
      state, *encoder, [&] { return encoder(images); }, backward);
}

// Connectors: N visual tokens from a 12x12 patch grid where they choose N; the
// ones that derive N (linear, mlp, pixel_shuffle) get the grid giving N.
void BM_Connector(benchmark::State& state, const std::string& type, int tokens, bool backward) {
  ConnectorOptions o;
  o.type = type;
  o.num_tokens = tokens;
  const int side = static_cast<int>(std::lround(std::sqrt(double(tokens))));
  int grid = 12;
  if (type == "linear" || type == "mlp") grid = side;
  if (type == "pixel_shuffle") grid = side * o.shuffle_factor;
  const ConnectorShapes shapes{grid * grid, 64, 128};
  Connector connector{nullptr};
  try {
    connector = connector_registry().get(type).make(o, shapes);
  } catch (const ConfigError& e) {  // e.g. avg_pool cannot pool 12x12 to 8x8
    state.SkipWithError(e.what());
    return;
  }
  connector->init_weights();
  const auto patches = torch::randn({kBatch, grid * grid, 64});
  run(
      state, *connector, [&] { return connector(patches); }, backward);
}

// Registers `name`/fwd and `name`/fwd+bwd, timed in wall-clock milliseconds.
template <class Bench>
void register_fwd_and_bwd(const std::string& name, Bench bench) {
  for (bool bwd : {false, true}) {
    benchmark::RegisterBenchmark(fmt::format("{}/{}", name, bwd ? "fwd+bwd" : "fwd").c_str(),
                                 [=](benchmark::State& s) { bench(s, bwd); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

const bool kRegistered = [] {
  for (const auto& type : encoder_registry().names()) {
    for (int res : {32, 48}) {
      register_fwd_and_bwd(fmt::format("Encoder/{}/{}px", type, res),
                           [=](benchmark::State& s, bool bwd) { BM_Encoder(s, type, res, bwd); });
    }
  }
  for (const auto& type : connector_registry().names()) {
    for (int tokens : {16, 36, 64, 144}) {
      register_fwd_and_bwd(
          fmt::format("Connector/{}/N{}", type, tokens),
          [=](benchmark::State& s, bool bwd) { BM_Connector(s, type, tokens, bwd); });
    }
  }
  return true;
}();

}  // namespace
}  // namespace ablate
