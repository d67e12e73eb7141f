// What a pre-training stage (an encoder's, pretrain/pretrain.h, or the LM's,
// pretrain/lm_pretrain.h) produces and how it reports progress.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ablate {

struct PretrainedWeights {
  std::map<std::string, torch::Tensor> weights;  // by parameter name
  nlohmann::json info;  // objective, steps, seconds, losses, quality measures
};

using PretrainProgressFn = std::function<void(int step, double loss)>;

}  // namespace ablate
