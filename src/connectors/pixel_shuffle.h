// Pixel-shuffle connector (Idefics3, Laurençon et al. 2024; nanoVLM):
// space-to-depth merges each r x r block of patches into one token of width
// r^2 * D_enc, then a linear projection to the LM width. N = P / r^2.
#pragma once

#include "connectors/connector.h"

namespace ablate {

class PixelShuffleImpl : public ConnectorImpl {
 public:
  PixelShuffleImpl(const ConnectorOptions& options, const ConnectorShapes& shapes);
  // r must divide the patch grid side.
  static int output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes);

 protected:
  torch::Tensor forward_impl(const torch::Tensor& patches) override;

 private:
  int64_t factor_;
  torch::nn::Linear proj_{nullptr};
};
TORCH_MODULE(PixelShuffle);

}  // namespace ablate
