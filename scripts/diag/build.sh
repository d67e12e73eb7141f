#!/usr/bin/env bash
# Builds scripts/diag/shape_learnability.cpp against build/libablate_lib.a (./run build first).
set -euo pipefail
cd "$(dirname "$0")/../.."
lib=/usr/lib/x86_64-linux-gnu
c++ -std=gnu++17 -O2 -D_GLIBCXX_USE_CXX11_ABI=1 -DFMT_SHARED -Isrc \
  -isystem /usr/include/torch/csrc/api/include -isystem /usr/include/eigen3 \
  scripts/diag/shape_learnability.cpp -o build/shape_learnability build/libablate_lib.a \
  "$lib/libtorch.so.1.13.0" -Wl,--no-as-needed,"$lib/libtorch_cpu.so.1.13.0" -Wl,--as-needed \
  "$lib/libc10.so.1.13.0" "$lib/libglog.so.0.6.0" "$lib/libgflags.so.2.2.2" -lpthread \
  "$lib/libyaml-cpp.so.0.7.0" "$lib/libfmt.so.9.1.0" "$lib/libcairo.so" "$lib/libz.so" -ldl
