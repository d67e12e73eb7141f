// Real images in the proxy world: the clothing items of Fashion-MNIST
// (Debian's dataset-fashion-mnist: 28 x 28 greyscale photographs of ten
// classes) placed in scenes as small photos on the grey background. They model
// what MM1's synthetic shapes cannot: natural image statistics, and classes
// told apart by texture and outline rather than by colour.
//
// A fashion scene holds 1..3 items of one or two classes and nothing else.
// Training scenes draw from the 60,000 training images; the fashion_vqa
// benchmark draws from the 10,000 test images only, so every evaluated item is
// a photo no trial has seen.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "data/language.h"
#include "data/scene.h"

namespace ablate {

// Same order as the dataset's labels 0..9 (T-shirt/top, Trouser, Pullover,
// Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot), one word each.
inline constexpr std::array<const char*, 10> kFashionNames = {
    "tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"};
inline constexpr std::array<const char*, 10> kFashionPlurals = {
    "tshirts", "trousers", "pullovers", "dresses", "coats",
    "sandals", "shirts",   "sneakers",  "bags",    "boots"};
inline constexpr int kFashionPixels = 28;     // side of a dataset image
inline constexpr double kFashionSide = 0.36;  // side of an item's photo, fraction of the image
inline constexpr int kMaxFashionItems = 3;    // one per quadrant, with one left empty

// The folder of the four .gz files: $ABLATE_FASHION_MNIST if set, else
// Debian's /usr/share/datasets/fashion-mnist.
std::string fashion_mnist_dir();

struct FashionSplit {
  int count = 0;
  std::vector<uint8_t> pixels;  // count x 28 x 28 bytes, row-major, 0 = black background
  std::vector<uint8_t> labels;  // count
  std::array<std::vector<int>, kFashionNames.size()> by_label;  // image indices per class
  const uint8_t* image(int index) const {
    return &pixels[static_cast<size_t>(index) * kFashionPixels * kFashionPixels];
  }
};

// The training split (60,000 images) or the test split (10,000), read once per
// process. Throws std::runtime_error naming the file, what is wrong with it,
// and how to get it.
const FashionSplit& fashion_split(bool test);

// Checks that the four files under fashion_mnist_dir() open and start with
// the headers of the dataset (read anew on every call; cheap). Throws
// std::runtime_error naming the file.
void check_fashion_mnist();

// A scene of `num_items` (1..kMaxFashionItems) items of one or two classes,
// each at a random place in its own quadrant of the image, sorted left to
// right, from the test split or the training split.
Scene generate_fashion_scene(uint64_t seed, int num_items, bool test);

// The language of fashion scenes; data/language.cpp hands scenes with items
// to these.
std::vector<std::string> fashion_caption_references(const Scene& scene);
std::string fashion_dense_caption(const Scene& scene);

// Question types of `fashion_vqa`: "what item is shown ?" (scenes of one
// item) and "how many sneakers are there ?" (a class present in the scene).
inline constexpr std::array<const char*, 2> kFashionTypes = {"item", "count"};
VqaItem sample_fashion_question(const Scene& scene, Rng& rng);

// Words of fashion captions and questions not in the shape world.
std::vector<std::string> fashion_words();

}  // namespace ablate
