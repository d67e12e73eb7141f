// What the CPU and its BLAS can do: the flags the kernel reports, and the
// OpenBLAS kernel family in use. Debian 12's OpenBLAS (0.3.21) does not
// recognise some newer CPUs (seen here: an AVX-512 Xeon that reports only
// "Intel(R) Xeon(R) Processor") and falls back to its Prescott (SSE3) kernels:
// a training step of the smoke proxy took 894 ms instead of 319 ms with the
// SkylakeX kernels, which gave the same losses to every printed digit
// (results/bench.md). `ablate` asks for the best family the CPU supports when
// that happens, before the process starts (OpenBLAS reads OPENBLAS_CORETYPE
// once, when it is loaded).
#pragma once

#include <string>

namespace ablate {

// True when /proc/cpuinfo lists `flag` (e.g. "avx512f") for the first CPU.
bool cpu_has_flag(const std::string& flag);

// Cores this process may run on: its CPU affinity (what `taskset`, Slurm's
// --cpus-per-task and cgroup cpusets restrict), else every online core. A
// sweep divides them among its trials.
int usable_cores();

// OpenBLAS's name of the kernels it runs (e.g. "SkylakeX", "Prescott"), or ""
// when the BLAS in this process is not OpenBLAS.
std::string blas_core_name();

// The OPENBLAS_CORETYPE to start this program with: "" to leave OpenBLAS's
// choice (OPENBLAS_CORETYPE already set, not OpenBLAS, or OpenBLAS chose an
// AVX-era family), else SkylakeX (AVX-512 F/BW/DQ/VL), Haswell (AVX2 + FMA) or
// Sandybridge (AVX) when OpenBLAS fell back to an older family the CPU outgrew.
std::string preferred_blas_core();

// What every program of ablate (the `ablate` command, the tests, the
// benchmarks) does first in main():
// - OMP_WAIT_POLICY (PASSIVE: busy-waiting OpenMP threads made two-thread
//   trials 2.2x slower) and OPENBLAS_CORETYPE (preferred_blas_core) are read
//   once, when the OpenMP runtime and OpenBLAS start: when either needs
//   setting, sets it and re-executes the program with the same arguments;
// - glibc keeps tensor buffers up to 32 MB (its largest mmap threshold)
//   instead of returning and re-faulting them on every use (~8% of a step).
void prepare_process(char** argv);

}  // namespace ablate
