// Renders scenes with cairo (anti-aliased) at a high native resolution, then
// area-downsamples to the trial's resolution, so resolution really decides
// which details survive.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "data/scene.h"

namespace ablate {

// RGB bytes, row-major [size, size, 3].
std::vector<uint8_t> render_scene_rgb(const Scene& scene, int size);

// Box filter by an integer factor: [in, in, 3] bytes -> [out, out, 3] floats in [0, 1].
std::vector<float> area_downsample(const std::vector<uint8_t>& rgb, int in_size, int out_size);

// The model's input: [3, resolution, resolution], values scaled to [-1, 1].
torch::Tensor scene_image(const Scene& scene, int render_resolution, int resolution);

}  // namespace ablate
