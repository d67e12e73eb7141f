// Counter-based seeding: every random stream is derived from (seed, purpose,
// index) with SplitMix64, so the k-th training example of a trial is the same
// whatever happened before it (resumable, and identical across configs that
// share a seed: paired comparisons).
#pragma once

#include <cstdint>
#include <initializer_list>

namespace ablate {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline uint64_t derive_seed(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x243F6A8885A308D3ULL;
  for (uint64_t p : parts) h = splitmix64(h ^ splitmix64(p));
  return h;
}

// Small, portable generator (xoshiro-like quality is not needed here; the
// distributions are written out so results do not depend on the C++ library).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return state_ = splitmix64(state_); }
  // Uniform integer in [0, n).
  int uniform_int(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
  int uniform_int(int lo, int hi) { return lo + uniform_int(hi - lo + 1); }  // [lo, hi]
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

}  // namespace ablate
