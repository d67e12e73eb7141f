#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace ablate {

double learning_rate(const TrainOptions& o, int step) {
  if (step < o.warmup_steps) return o.lr * (step + 1) / o.warmup_steps;
  const int decay_steps = std::max(1, o.steps - o.warmup_steps - 1);
  const double progress = std::min(1.0, double(step - o.warmup_steps) / decay_steps);
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  const double min_lr = o.lr * o.min_lr_ratio;
  return min_lr + (o.lr - min_lr) * cosine;
}

}  // namespace ablate
