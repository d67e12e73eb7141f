// Greedy decoding for the proxy VLM. Prompts in one call have equal length,
// so no padding enters the prompt (callers group items by prompt length).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model/vlm.h"

namespace ablate {

struct Decoded {
  std::vector<std::vector<int>> ids;  // generated ids of each item
  std::vector<double> loglik;         // mean log-likelihood per token of each reference
};

// Where the world's generated text ends: <eos>, an <image> placeholder, or the
// period that ends every answer, caption and sentence of the world (a model
// that runs on into the next block or image is cut there too).
std::vector<int> world_stop_ids();

// tokens [B, T]: prompts of equal length with N <image> placeholders per
// image; visual [M, N, D_lm]: the visual tokens of all their images in reading
// order (already encoded; M may be 0). Generates each item's ids, up to and
// excluding the first of `stop_ids` (e.g. <eos>, or the period that ends every
// answer and caption of the world), at most `max_new_tokens`. Keys and values
// are cached: the prompt runs once.
//
// With `references` (one id sequence per item), the prompt runs once with each
// reference appended (teacher-forced, right-padded: causal attention keeps the
// padding out of earlier positions), which scores the reference's
// log-likelihood; the cache is then cut back to the prompt and generation
// continues from the prompt's last position, as without references.
Decoded greedy_decode(Vlm& model, const torch::Tensor& tokens, const torch::Tensor& visual,
                      int max_new_tokens, const std::vector<int>& stop_ids,
                      const std::vector<std::vector<int>>& references = {});

}  // namespace ablate
