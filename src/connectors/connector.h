// Vision-language connector interface: patch features [B, P, D_enc] ->
// visual tokens [B, N, D_lm]. The base class does the shared framing
// (shape checks, optional position embedding, optional self-attention blocks,
// pre-norm of the patch features) so that an ablation changes only the
// component under study.
//
// connector.attention_layers stands in for what a convnet encoder lacks and
// MM1's ViT encoders have: every patch feature seeing the whole image. A conv
// feature knows its neighbourhood, so "which patches belong to the star" is
// not readable from one token, and the LM cannot find an object by its shape
// (results/proxy/connector_attention.md).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>

#include "core/config.h"
#include "core/registry.h"

namespace ablate {

struct ConnectorShapes {
  int num_patches = 0;  // P, on a square grid
  int in_dim = 0;       // D_enc
  int out_dim = 0;      // D_lm
};

class ConnectorImpl : public torch::nn::Module {
 public:
  // patch features [B, P, D_enc] -> visual tokens [B, N, D_lm]
  torch::Tensor forward(const torch::Tensor& patches);

  const ConnectorShapes& shapes() const { return shapes_; }
  int64_t num_output_tokens() const { return num_tokens_; }

  // Draws initial weights from torch's global generator (seeded by the model
  // builder): N(0, 0.02) Linear weights, default conv init, then init_extra().
  void init_weights();

 protected:
  // Framing from `options`: pos_embed adds a learned position embedding
  // [P, D_enc], then attention_layers pre-norm ViT blocks (options.num_heads
  // heads) mix the patches, then the norm.
  ConnectorImpl(const ConnectorShapes& shapes, int64_t num_tokens, const ConnectorOptions& options);
  // normed patch features [B, P, D_enc] -> [B, N, D_lm]
  virtual torch::Tensor forward_impl(const torch::Tensor& patches) = 0;
  // Parameters that are not Linear / conv weights (e.g. learned queries).
  virtual void init_extra() {}
  int64_t grid_size() const;

 private:
  ConnectorShapes shapes_;
  int64_t num_tokens_;
  torch::Tensor pos_embed_;  // [P, D_enc], undefined when off
  torch::nn::ModuleList blocks_;
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(Connector);

struct ConnectorEntry {
  std::string description;
  // N for P patches; throws ConfigError when the combination is impossible.
  std::function<int(const ConnectorOptions&, const ConnectorShapes&)> num_output_tokens;
  std::function<Connector(const ConnectorOptions&, const ConnectorShapes&)> make;
};

void register_builtin_connectors(Registry<ConnectorEntry>& registry);
const Registry<ConnectorEntry>& connector_registry();

// Side of the square patch grid; ConfigError if P is not a square.
int patch_grid_side(int num_patches);

// ConfigError unless options.num_heads divides the encoder width, naming `who`
// (the part that attends at that width).
void check_heads_divide_width(const ConnectorOptions& options, const ConnectorShapes& shapes,
                              const std::string& who);

// ConfigError if the base class's framing cannot be built for these shapes
// (a non-square grid; attention heads that do not divide D_enc).
void check_framing(const ConnectorOptions& options, const ConnectorShapes& shapes);

}  // namespace ablate
