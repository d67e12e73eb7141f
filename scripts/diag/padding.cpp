// Diagnostic (not part of ablate): how much of a training batch is padding, by
// train.length_buckets. Over the first 50 steps of the config's stream, prints
// the positions collated per real (non-pad) token with 1, 2 and 4 buckets.
// Used in results/bench.md. Build and run:
//   cmake --build build --target padding && build/padding CONFIG [key=value ...]
#include <cstdio>

#include "core/config.h"
#include "data/dataset.h"
#include "data/tokenizer.h"
#include "model/vlm.h"
using namespace ablate;
int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: padding CONFIG [key=value ...]\n");
    return 2;
  }
  const ExperimentConfig base = load_experiment(argv[1], {argv + 2, argv + argc});
  const int tokens = Vlm(base)->shapes().num_visual_tokens;
  const std::unordered_set<std::string> none;
  for (int buckets : {1, 2, 4}) {
    ExperimentConfig c = base;
    c.train.length_buckets = buckets;
    const TrainStream stream(c, none);
    double positions = 0, real = 0;
    for (int step = 0; step < 50; ++step) {
      for (const Batch& b : stream.length_buckets(step, tokens)) {
        positions += b.tokens.numel();
        real += b.tokens.ne(Tokenizer::kPad).sum().item<double>();
      }
    }
    std::printf("%d visual tokens, length_buckets %d: %.2f positions per real token\n", tokens,
                buckets, positions / real);
  }
}
