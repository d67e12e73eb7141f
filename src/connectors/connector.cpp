#include "connectors/connector.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "model/layers.h"

namespace ablate {

int patch_grid_side(int num_patches) {
  const int side = static_cast<int>(std::lround(std::sqrt(double(num_patches))));
  if (side * side != num_patches) {
    throw ConfigError(fmt::format("{} patches do not form a square grid", num_patches));
  }
  return side;
}

void check_heads_divide_width(const ConnectorOptions& options, const ConnectorShapes& shapes,
                              const std::string& who) {
  if (shapes.in_dim % options.num_heads != 0) {
    throw ConfigError(fmt::format(
        "connector.num_heads={} does not divide the encoder width {} ({} attends at the encoder "
        "width)",
        options.num_heads, shapes.in_dim, who));
  }
}

void check_framing(const ConnectorOptions& options, const ConnectorShapes& shapes) {
  patch_grid_side(shapes.num_patches);
  if (options.attention_layers > 0) {
    check_heads_divide_width(
        options, shapes, fmt::format("connector.attention_layers={}", options.attention_layers));
  }
}

ConnectorImpl::ConnectorImpl(const ConnectorShapes& shapes, int64_t num_tokens,
                             const ConnectorOptions& options)
    : shapes_(shapes), num_tokens_(num_tokens) {
  if (options.pos_embed) {
    pos_embed_ = register_parameter("pos_embed", torch::zeros({shapes.num_patches, shapes.in_dim}));
  }
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < options.attention_layers; ++i) {
    blocks_->push_back(VitBlock(shapes.in_dim, options.num_heads, /*mlp_ratio=*/4.0));
  }
  norm_ =
      register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({shapes.in_dim})));
}

void ConnectorImpl::init_weights() {
  init_transformer_weights(*this);
  if (pos_embed_.defined()) {
    torch::NoGradGuard no_grad;
    pos_embed_.normal_(0.0, 0.02);
  }
  init_extra();
}

int64_t ConnectorImpl::grid_size() const { return patch_grid_side(shapes_.num_patches); }

torch::Tensor ConnectorImpl::forward(const torch::Tensor& patches) {
  TORCH_CHECK(patches.dim() == 3 && patches.size(1) == shapes_.num_patches &&
                  patches.size(2) == shapes_.in_dim,
              "connector: expected patch features [B, ", shapes_.num_patches, ", ", shapes_.in_dim,
              "], got ", patches.sizes());
  auto x = pos_embed_.defined() ? patches + pos_embed_ : patches;
  for (const auto& block : *blocks_) x = block->as<VitBlock>()->forward(x);
  auto out = forward_impl(norm_(x));
  TORCH_CHECK(out.dim() == 3 && out.size(0) == patches.size(0) && out.size(1) == num_tokens_ &&
                  out.size(2) == shapes_.out_dim,
              "connector: expected visual tokens [", patches.size(0), ", ", num_tokens_, ", ",
              shapes_.out_dim, "], got ", out.sizes());
  return out;
}

const Registry<ConnectorEntry>& connector_registry() {
  static const Registry<ConnectorEntry> registry("connector", register_builtin_connectors);
  return registry;
}

}  // namespace ablate
