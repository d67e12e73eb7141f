#include "connectors/pixel_shuffle.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace ablate {

int PixelShuffleImpl::output_tokens(const ConnectorOptions& options,
                                    const ConnectorShapes& shapes) {
  const int grid = patch_grid_side(shapes.num_patches);
  const int r = options.shuffle_factor;
  if (grid % r != 0) {
    std::vector<int> valid;
    for (int f = 1; f <= grid; ++f) {
      if (grid % f == 0) valid.push_back(f);
    }
    throw ConfigError(fmt::format(
        "connector.shuffle_factor={} does not divide the {}x{} patch grid; valid values: {}", r,
        grid, grid, fmt::join(valid, ", ")));
  }
  return (grid / r) * (grid / r);
}

PixelShuffleImpl::PixelShuffleImpl(const ConnectorOptions& options, const ConnectorShapes& shapes)
    : ConnectorImpl(shapes, output_tokens(options, shapes), options),
      factor_(options.shuffle_factor) {
  proj_ =
      register_module("proj", torch::nn::Linear(shapes.in_dim * factor_ * factor_, shapes.out_dim));
}

torch::Tensor PixelShuffleImpl::forward_impl(const torch::Tensor& patches) {
  const int64_t b = patches.size(0), d = patches.size(2), g = grid_size(), r = factor_;
  auto x = patches.reshape({b, g / r, r, g / r, r, d});  // [B, g/r, r, g/r, r, D]
  x = x.permute({0, 1, 3, 2, 4, 5})                      // [B, g/r, g/r, r, r, D]
          .reshape({b, (g / r) * (g / r), r * r * d});   // [B, N, r^2 D]
  return proj_(x);
}

}  // namespace ablate
