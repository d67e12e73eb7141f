#include "data/scene.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace ablate {

Scene generate_scene(uint64_t seed, const DataOptions& options) {
  Rng rng(seed);
  Scene scene;
  const int num_objects = rng.uniform_int(options.min_objects, options.max_objects);
  constexpr double kMargin = 0.03;
  constexpr int kMaxTries = 200;
  for (int i = 0; i < num_objects; ++i) {
    Object obj;
    obj.shape = rng.uniform_int(static_cast<int>(kShapeNames.size()));
    obj.colour = rng.uniform_int(static_cast<int>(kColourNames.size()));
    obj.size = rng.uniform_int(static_cast<int>(kSizeNames.size()));
    const double r = obj.radius();
    bool placed = false;
    for (int attempt = 0; attempt < kMaxTries && !placed; ++attempt) {
      obj.x = rng.uniform(r + kMargin, 1.0 - r - kMargin);
      obj.y = rng.uniform(r + kMargin, 1.0 - r - kMargin);
      placed = std::all_of(scene.objects.begin(), scene.objects.end(), [&](const Object& o) {
        return std::hypot(o.x - obj.x, o.y - obj.y) > o.radius() + r + kMargin;
      });
    }
    // With at most 6 objects of radius <= 0.12 a place is always found in
    // practice; a crowded scene simply keeps the objects that fit.
    if (placed) scene.objects.push_back(obj);
  }
  std::sort(scene.objects.begin(), scene.objects.end(),
            [](const Object& a, const Object& b) { return a.x < b.x; });
  return scene;
}

std::string scene_signature(const Scene& scene) {
  std::string sig;
  for (const auto& o : scene.objects) {
    sig += fmt::format("{}:{}:{}:{}:{};", o.shape, o.colour, o.size, std::lround(o.x * 1000),
                       std::lround(o.y * 1000));
  }
  return sig;
}

}  // namespace ablate
