// Greedy decoding for the proxy VLM. Prompts in one call have equal length,
// so no padding enters the prompt (callers group items by prompt length).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model/vlm.h"

namespace ablate {

// tokens [B, T]: prompts of equal length with N <image> placeholders per
// image; visual [M, N, D_lm]: the visual tokens of all their images in reading
// order (already encoded; M may be 0). Returns the generated ids of each
// item, up to and excluding the first of `stop_ids` (e.g. <eos>, or the
// period that ends every answer and caption of the world), at most
// `max_new_tokens`. Keys and values are cached: the prompt runs once.
std::vector<std::vector<int>> greedy_decode(Vlm& model, const torch::Tensor& tokens,
                                            const torch::Tensor& visual, int max_new_tokens,
                                            const std::vector<int>& stop_ids);

}  // namespace ablate
