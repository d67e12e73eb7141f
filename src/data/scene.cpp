#include "data/scene.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/rng.h"
#include "data/fashion.h"

namespace ablate {

Scene generate_shape_scene(uint64_t seed, const DataOptions& options) {
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
  if (options.textured_objects > 0) {
    scene.textures = true;
    Rng texture_rng(splitmix64(seed ^ 0x74657874));  // "text"ure
    for (auto& o : scene.objects) {
      if (texture_rng.bernoulli(options.textured_objects)) {
        o.texture = texture_rng.uniform_int(1, static_cast<int>(kTextureNames.size()) - 1);
      }
    }
  }

  Rng sign_rng(splitmix64(seed ^ 0x7369676e));  // "sign"
  if (!sign_rng.bernoulli(options.text_scenes)) return scene;
  const auto texts = sign_texts();
  Sign sign;
  sign.text = texts[sign_rng.uniform_int(static_cast<int>(texts.size()))];
  // Box: a bold letter is about 0.9 text heights wide; margins of 0.4 each side.
  sign.width = kSignTextHeight * (0.95 * sign.text.size() + 0.8);
  sign.height = kSignTextHeight * 1.6;
  for (int attempt = 0; attempt < kMaxTries; ++attempt) {
    sign.x = sign_rng.uniform(sign.width / 2 + kMargin, 1.0 - sign.width / 2 - kMargin);
    sign.y = sign_rng.uniform(sign.height / 2 + kMargin, 1.0 - sign.height / 2 - kMargin);
    const bool clear =
        std::all_of(scene.objects.begin(), scene.objects.end(), [&](const Object& o) {
          // Distance from the object's centre to the box, against its radius.
          const double dx = std::max(0.0, std::abs(o.x - sign.x) - sign.width / 2);
          const double dy = std::max(0.0, std::abs(o.y - sign.y) - sign.height / 2);
          return std::hypot(dx, dy) > o.radius() + kMargin;
        });
    if (clear) {
      scene.sign = sign;
      break;
    }
  }
  return scene;
}

Scene generate_scene(uint64_t seed, const DataOptions& options) {
  if (options.fashion_scenes > 0) {
    Rng kind(splitmix64(seed ^ 0x66617368));  // "fash"
    if (kind.bernoulli(options.fashion_scenes)) {
      const int most = std::min(options.max_objects, kMaxFashionItems);
      const int fewest = std::min(options.min_objects, most);
      return generate_fashion_scene(seed, kind.uniform_int(fewest, most), /*test=*/false);
    }
  }
  return generate_shape_scene(seed, options);
}

std::vector<std::string> sign_texts() {
  std::vector<std::string> out(kSignWords.begin(), kSignWords.end());
  for (int n = kMinSignNumber; n <= kMaxSignNumber; ++n) out.push_back(std::to_string(n));
  return out;
}

int sign_word(const std::string& text) {
  const auto w = std::find(kSignWords.begin(), kSignWords.end(), text);
  return w == kSignWords.end() ? -1 : static_cast<int>(w - kSignWords.begin());
}

int sign_number(const std::string& text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), ::isdigit)) return -1;
  const int n = std::stoi(text);
  return n >= kMinSignNumber && n <= kMaxSignNumber ? n : -1;
}

std::string scene_signature(const Scene& scene) {
  std::string sig;
  if (!scene.sign.text.empty()) {
    sig += fmt::format("sign:{}:{}:{};", scene.sign.text, std::lround(scene.sign.x * 1000),
                       std::lround(scene.sign.y * 1000));
  }
  for (const auto& o : scene.objects) {
    sig += fmt::format("{}:{}:{}:{}:{}", o.shape, o.colour, o.size, std::lround(o.x * 1000),
                       std::lround(o.y * 1000));
    sig += o.texture > 0 ? fmt::format(":{};", o.texture) : ";";
  }
  for (const auto& item : scene.items) {
    sig += fmt::format("photo:{}:{}:{}:{}:{};", item.test ? "test" : "train", item.image,
                       item.label, std::lround(item.x * 1000), std::lround(item.y * 1000));
  }
  return sig;
}

}  // namespace ablate
