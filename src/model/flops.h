// Forward FLOPs of one example, counted by LibTorch's profiler (with_flops):
// matrix products (mm, addmm, bmm), convolutions and elementwise mul/add, as
// PyTorch's profiler counts them; other ops (softmax, norms) count 0. Lets
// reports compare choices at equal compute.
#pragma once

#include <cstdint>

#include "core/config.h"
#include "model/vlm.h"

namespace ablate {

// Mean over a fixed batch of training documents (data.mix, padding included);
// the model must be on the CPU.
int64_t forward_flops_per_example(Vlm& model, const ExperimentConfig& config);

}  // namespace ablate
