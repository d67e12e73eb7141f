// The cores a sweep may use (its CPU affinity), and the BLAS kernels:
// OpenBLAS is what runs, `ablate` starts its trials on a kernel family at
// least as new as the CPU's AVX generation (Debian's OpenBLAS falls back to
// SSE3 kernels on some newer CPUs), a user's OPENBLAS_CORETYPE is left alone,
// and fp32 products stay accurate.
#include "core/cpu.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <torch/torch.h>

#include "core/io.h"
#include "sweep/sweep_util.h"
#include "test_util.h"

namespace ablate {
namespace {

bool pre_avx(const std::string& core) {
  for (const char* old : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom"}) {
    if (core == old) return true;
  }
  return false;
}

std::string trial_blas_core(const testing::ScratchDir& dir, const std::string& env) {
  std::ofstream(dir.file("tiny.yaml")) << to_yaml(testing::tiny_config());
  const auto r =
      testing::run_command(fmt::format("env {} {} train {} --out {} --cache {}", env, ABLATE_BINARY,
                                       dir.file("tiny.yaml"), dir.file("run"), dir.file("cache")));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return read_json(dir.file("run/status.json")).value("blas_core", "");
}

// A sweep's default jobs and threads: the cores `taskset` or Slurm leave it.
TEST(Cores, UsableCoresFollowTheAffinityMask) {
  cpu_set_t all;
  ASSERT_EQ(::sched_getaffinity(0, sizeof all, &all), 0);
  EXPECT_EQ(usable_cores(), CPU_COUNT(&all));
  int first = 0;
  while (!CPU_ISSET(first, &all)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  const int restricted = usable_cores();
  ASSERT_EQ(::sched_setaffinity(0, sizeof all, &all), 0);
  EXPECT_EQ(restricted, 1);
}

TEST(Blas, OpenBlasRunsTheProducts) { EXPECT_FALSE(blas_core_name().empty()); }

TEST(Blas, TrialsRunKernelsOfTheCpusGeneration) {
  testing::ScratchDir dir;
  const std::string core = trial_blas_core(dir, "-u OPENBLAS_CORETYPE");
  ASSERT_FALSE(core.empty());
  if (cpu_has_flag("avx")) {
    EXPECT_FALSE(pre_avx(core)) << core << " on a CPU with AVX";
  }
}

TEST(Blas, ExplicitCoreTypeIsLeftAlone) {
  testing::ScratchDir dir;
  EXPECT_EQ(trial_blas_core(dir, "OPENBLAS_CORETYPE=Prescott"), "Prescott");
}

TEST(Blas, Fp32ProductsMatchADoubleReference) {
  torch::manual_seed(0);
  const auto a = torch::randn({257, 193}), b = torch::randn({193, 131});
  const auto exact = torch::mm(a.to(torch::kFloat64), b.to(torch::kFloat64));
  const double err = (torch::mm(a, b).to(torch::kFloat64) - exact).abs().max().item<double>();
  EXPECT_LT(err, 1e-4 * exact.abs().max().item<double>());
}

}  // namespace
}  // namespace ablate
