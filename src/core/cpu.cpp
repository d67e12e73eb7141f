#include "core/cpu.h"

#include <dlfcn.h>
#include <malloc.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace ablate {

bool cpu_has_flag(const std::string& flag) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0)
      return (line + " ").find(" " + flag + " ") != std::string::npos;
  }
  return false;
}

int usable_cores() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string blas_core_name() {
  using CoreName = char* (*)();
  const auto get = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = get ? get() : nullptr;
  return name ? name : "";
}

std::string preferred_blas_core() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";
  std::string core = blas_core_name();
  std::transform(core.begin(), core.end(), core.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  // OpenBLAS's x86-64 families older than AVX (its fallbacks).
  static const char* kPreAvx[] = {"prescott",   "core2",     "penryn",    "dunnington", "nehalem",
                                  "atom",       "opteron",   "barcelona", "bobcat",     "katmai",
                                  "coppermine", "northwood", "banias",    "athlon"};
  if (std::none_of(std::begin(kPreAvx), std::end(kPreAvx),
                   [&](const char* old) { return core == old; })) {
    return "";
  }
  if (cpu_has_flag("avx512f") && cpu_has_flag("avx512bw") && cpu_has_flag("avx512dq") &&
      cpu_has_flag("avx512vl")) {
    return "SkylakeX";
  }
  if (cpu_has_flag("avx2") && cpu_has_flag("fma")) return "Haswell";
  if (cpu_has_flag("avx")) return "Sandybridge";
  return "";
}

void prepare_process(char** argv) {
  bool changed = false;
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    changed = true;
  }
  const std::string core = preferred_blas_core();
  if (!core.empty()) {
    ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
    changed = true;
  }
  if (changed) ::execv("/proc/self/exe", argv);
  // If re-exec is impossible, run on: slower, never wrong.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace ablate
