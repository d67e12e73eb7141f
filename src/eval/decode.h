// Greedy decoding for the proxy VLM. Prompts in one call have equal length,
// so no padding enters the prompt (callers group items by prompt length).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model/vlm.h"

namespace ablate {

// visual [B, N, D_lm] (already encoded), prompts: B text-id lists of equal
// length that follow the image. Returns the generated ids of each item, up to
// and excluding <eos>, at most `max_new_tokens`.
std::vector<std::vector<int>> greedy_decode(Vlm& model, const torch::Tensor& visual,
                                            const std::vector<std::vector<int>>& prompts,
                                            int max_new_tokens);

}  // namespace ablate
