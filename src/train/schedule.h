// Learning-rate schedule: linear warmup to train.lr, then cosine decay to
// train.lr * train.min_lr_ratio at the last step.
#pragma once

#include "core/config.h"

namespace ablate {

double learning_rate(const TrainOptions& options, int step);  // step in [0, steps)

}  // namespace ablate
