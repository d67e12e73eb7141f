// The benchmark program's main: the runtime environment of `ablate` itself
// (core/cpu.h), so that benchmarks time the kernels trials use.
#include <benchmark/benchmark.h>

#include "core/cpu.h"

int main(int argc, char** argv) {
  ablate::prepare_process(argv);
  ::benchmark::Initialize(&argc, argv);
  if (::benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ::benchmark::RunSpecifiedBenchmarks();
  ::benchmark::Shutdown();
  return 0;
}
