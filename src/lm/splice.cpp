#include "lm/splice.h"

namespace ablate {

torch::Tensor splice_visual_tokens(const torch::Tensor& embeds, const torch::Tensor& tokens,
                                   const torch::Tensor& visual, int64_t placeholder_id) {
  TORCH_CHECK(embeds.dim() == 3 && tokens.dim() == 2 && embeds.size(0) == tokens.size(0) &&
                  embeds.size(1) == tokens.size(1),
              "splice: expected embeds [B, T, D] and tokens [B, T], got ", embeds.sizes(), " and ",
              tokens.sizes());
  TORCH_CHECK(visual.dim() == 3 && visual.size(2) == embeds.size(2),
              "splice: expected visual tokens [M, N, ", embeds.size(2), "], got ", visual.sizes());
  const auto mask = tokens.eq(placeholder_id);  // [B, T]
  const int64_t slots = mask.sum().item<int64_t>();
  TORCH_CHECK(slots == visual.size(0) * visual.size(1), "splice: ", slots,
              " image placeholders but ", visual.size(0) * visual.size(1), " visual tokens ",
              visual.sizes());
  if (slots == 0) return embeds;  // text only
  return embeds.masked_scatter(mask.unsqueeze(-1).expand_as(embeds),
                               visual.to(embeds.scalar_type()).reshape({-1, embeds.size(2)}));
}

}  // namespace ablate
