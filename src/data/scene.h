// Proxy world: scenes of 1-N coloured shapes in two sizes on a grey
// background, with an optional sign (rendered text); or, with probability
// data.fashion_scenes, a scene of real photos (data/fashion.h). What a
// scene contains decides every caption and question about it
// (data/language.h); how it looks is decided by data/render.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"

namespace ablate {

inline constexpr std::array<const char*, 5> kShapeNames = {"circle", "square", "triangle",
                                                           "diamond", "star"};
inline constexpr int kTriangle = 2, kStar = 4;  // indices into kShapeNames
inline constexpr std::array<const char*, 8> kColourNames = {"red",    "green",  "blue",  "yellow",
                                                            "purple", "orange", "white", "black"};
inline constexpr std::array<const char*, 2> kSizeNames = {"small", "large"};
// Radius as a fraction of the image side. At 32 px a small shape is ~4.5 px
// across, too few pixels to tell a star from a diamond; at 64 px it is not.
inline constexpr std::array<double, 2> kSizeRadius = {0.07, 0.12};

// Surface patterns (with probability data.textured_objects per object): a
// fine detail of the kind MM1 finds resolution decides. The pattern is drawn
// in a shade of the object's colour covering half its surface, with a period
// of kTexturePeriod of the image side: 9.6 px at the 192 px render, 3.2 px at
// 64 px (each pattern is seen: 70-91% of its contrast at 192 px), 1.6 px at
// 32 px (under two pixels per period: aliased, 24-50% of the contrast left),
// 0.8 px at 16 px (gone: stripes, dots and checks become the same
// half-shaded surface, told from a plain one only by brightness). Measured
// in tests/data/world_test.cpp, Render.TexturesAreSeenAtHighResolutionOnly.
inline constexpr std::array<const char*, 4> kTextureNames = {"plain", "striped", "dotted",
                                                             "checked"};
inline constexpr double kTexturePeriod = 0.05;

struct Object {
  int shape = 0;    // index into kShapeNames
  int colour = 0;   // index into kColourNames
  int size = 0;     // index into kSizeNames
  double x = 0.5;   // centre, fraction of the image side, left to right
  double y = 0.5;   // centre, fraction of the image side, top to bottom
  int texture = 0;  // index into kTextureNames; 0 (plain) unless data.textured_objects > 0

  double radius() const { return kSizeRadius[size]; }
};

// Rendered text (TextVQA / TextCaps at proxy scale): a white sign with one
// word or number in black DejaVu Sans Bold, its letters kSignTextHeight of the
// image side tall: about 15 px at the 192 px render, 5 px at 64 px (legible),
// 2.5 px at 32 px (not). The word is only in the pixels; nothing else in the
// scene tells it.
inline constexpr std::array<const char*, 16> kSignWords = {
    "stop", "open",  "sale", "exit", "cafe", "park", "shop", "bank",
    "taxi", "hotel", "bus",  "zoo",  "gym",  "bar",  "spa",  "inn"};
inline constexpr int kMinSignNumber = 10;  // signs also show the numbers 10..99
inline constexpr int kMaxSignNumber = 99;
inline constexpr double kSignTextHeight = 0.08;

struct Sign {
  std::string text;              // empty: no sign
  double x = 0.5, y = 0.5;       // centre, fraction of the image side
  double width = 0, height = 0;  // fraction of the image side
};

// A Fashion-MNIST photo (data/fashion.h): the dataset image `image` of class
// `label`, from the test split or the training split.
struct FashionItem {
  int label = 0;
  int image = 0;
  bool test = false;
  double x = 0.5, y = 0.5;  // centre, fraction of the image side
};

struct Scene {
  std::vector<Object> objects;  // sorted left to right
  Sign sign;
  std::vector<FashionItem> items;  // a fashion scene: items only, sorted left to right
  // Drawn from a world with data.textured_objects > 0: captions name textures
  // and `vqa` asks about them, whether or not this scene's objects have one.
  bool textures = false;

  bool is_fashion() const { return !items.empty(); }
};

// Every text a sign can show: kSignWords, then the numbers.
std::vector<std::string> sign_texts();
// The index of `text` in kSignWords, or -1 (a number, or no sign).
int sign_word(const std::string& text);
// The number `text` shows (kMinSignNumber..kMaxSignNumber), or -1 (a word, or
// no sign).
int sign_number(const std::string& text);

// Draws a scene of data.min_objects..data.max_objects non-overlapping objects,
// with probability data.text_scenes a sign placed clear of them, and with
// probability data.textured_objects a texture per object (each from its own
// stream, so the objects do not depend on the sign or the textures).
Scene generate_shape_scene(uint64_t seed, const DataOptions& options);

// The training world: with probability data.fashion_scenes (decided on a
// stream of its own, so shape scenes do not depend on it) a fashion scene of
// data.min_objects..min(data.max_objects, 3) training-split photos, else
// generate_shape_scene. Benchmarks of shapes draw shape scenes only.
Scene generate_scene(uint64_t seed, const DataOptions& options);

// Exact identity of a scene (shapes, colours, sizes, photos, positions to 1/1000):
// used to keep evaluation scenes out of the training stream.
std::string scene_signature(const Scene& scene);

}  // namespace ablate
