// Proxy world, first version: scenes of 1-N coloured shapes in two sizes on a
// grey background. What a scene contains decides every caption and question
// about it (data/language.h); how it looks is decided by data/render.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"

namespace ablate {

inline constexpr std::array<const char*, 5> kShapeNames = {"circle", "square", "triangle",
                                                           "diamond", "star"};
inline constexpr std::array<const char*, 8> kColourNames = {"red",    "green",  "blue",  "yellow",
                                                            "purple", "orange", "white", "black"};
inline constexpr std::array<const char*, 2> kSizeNames = {"small", "large"};
// Radius as a fraction of the image side. At 32 px a small shape is ~4.5 px
// across, too few pixels to tell a star from a diamond; at 64 px it is not.
inline constexpr std::array<double, 2> kSizeRadius = {0.07, 0.12};

struct Object {
  int shape = 0;   // index into kShapeNames
  int colour = 0;  // index into kColourNames
  int size = 0;    // index into kSizeNames
  double x = 0.5;  // centre, fraction of the image side, left to right
  double y = 0.5;  // centre, fraction of the image side, top to bottom

  double radius() const { return kSizeRadius[size]; }
};

struct Scene {
  std::vector<Object> objects;  // sorted left to right
};

// Draws a scene of data.min_objects..data.max_objects non-overlapping objects.
Scene generate_scene(uint64_t seed, const DataOptions& options);

// Exact identity of a scene (shapes, colours, sizes, positions to 1/1000):
// used to keep evaluation scenes out of the training stream.
std::string scene_signature(const Scene& scene);

}  // namespace ablate
