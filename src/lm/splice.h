// Places visual tokens into the text sequence where the image appears: each
// image is represented in `tokens` by N consecutive placeholder ids, whose
// embeddings are replaced by the connector's N visual tokens, in order.
#pragma once

#include <torch/torch.h>

namespace ablate {

// embeds [B, T, D], tokens [B, T], visual [B, N, D] (one image per sequence,
// or [M, N, D] for M images across the batch in reading order) -> [B, T, D].
torch::Tensor splice_visual_tokens(const torch::Tensor& embeds, const torch::Tensor& tokens,
                                   const torch::Tensor& visual, int64_t placeholder_id);

}  // namespace ablate
