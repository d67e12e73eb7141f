#include "connectors/avg_pool.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "core/error.h"

namespace ablate {

int AvgPoolImpl::output_tokens(const ConnectorOptions& options, const ConnectorShapes& shapes) {
  const int grid = patch_grid_side(shapes.num_patches);
  const int side = static_cast<int>(std::lround(std::sqrt(double(options.num_tokens))));
  if (side * side != options.num_tokens || grid % side != 0) {
    std::vector<int> valid;
    for (int s = 1; s <= grid; ++s) {
      if (grid % s == 0) valid.push_back(s * s);
    }
    throw ConfigError(fmt::format(
        "connector.num_tokens={} is impossible for avg_pool on a {}x{} patch grid: it pools to "
        "a square grid whose side divides {}; valid values: {}",
        options.num_tokens, grid, grid, grid, fmt::join(valid, ", ")));
  }
  return options.num_tokens;
}

AvgPoolImpl::AvgPoolImpl(const ConnectorOptions& options, const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), options) {
  proj_ = register_module("proj", Mlp(shapes.in_dim, shapes.out_dim, shapes.out_dim));
}

torch::Tensor AvgPoolImpl::forward_impl(const torch::Tensor& patches) {
  const int64_t b = patches.size(0), d = patches.size(2), grid = grid_size();
  const int64_t side = static_cast<int64_t>(std::lround(std::sqrt(double(num_output_tokens()))));
  auto x = patches.transpose(1, 2).reshape({b, d, grid, grid});  // [B, D, g, g]
  x = torch::avg_pool2d(x, /*kernel_size=*/grid / side);         // [B, D, n, n]
  x = x.flatten(2).transpose(1, 2);                              // [B, N, D]
  return proj_(x);
}

}  // namespace ablate
