#include "data/fashion.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>

namespace ablate {
namespace {

constexpr const char* kDebianDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kHowToGet =
    "install Debian's dataset-fashion-mnist, or set ABLATE_FASHION_MNIST to a folder holding "
    "its four .gz files";

// The gunzipped file, or its first `limit` bytes (0: all of it).
std::vector<uint8_t> read_gz(const std::string& path, size_t limit) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw std::runtime_error(fmt::format("fashion-mnist: cannot open {} ({})", path, kHowToGet));
  }
  std::vector<uint8_t> out;
  uint8_t buffer[1 << 16];
  int n = 0;
  while ((limit == 0 || out.size() < limit) && (n = gzread(f, buffer, sizeof(buffer))) > 0) {
    out.insert(out.end(), buffer, buffer + n);
  }
  const bool failed = n < 0;
  gzclose(f);
  if (failed)
    throw std::runtime_error(fmt::format("fashion-mnist: {} is not a valid gzip file", path));
  return out;
}

uint32_t big_endian(const std::vector<uint8_t>& bytes, size_t at) {
  return uint32_t(bytes[at]) << 24 | uint32_t(bytes[at + 1]) << 16 | uint32_t(bytes[at + 2]) << 8 |
         uint32_t(bytes[at + 3]);
}

// Checks an IDX header (magic 0x0000080N: unsigned bytes, N dimensions, then
// the dimensions) at the start of `bytes`; returns the payload size.
size_t check_idx_header(const std::string& path, const std::vector<uint8_t>& bytes,
                        const std::vector<uint32_t>& dims) {
  auto bad = [&](const std::string& what) {
    return std::runtime_error(fmt::format("fashion-mnist: {}: {}", path, what));
  };
  if (bytes.size() < 4 + 4 * dims.size()) throw bad("shorter than its header");
  const uint32_t magic = 0x800u + static_cast<uint32_t>(dims.size());
  if (big_endian(bytes, 0) != magic) {
    throw bad(
        fmt::format("expected the IDX magic {:#x}, found {:#x}", magic, big_endian(bytes, 0)));
  }
  size_t payload = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (big_endian(bytes, 4 + 4 * i) != dims[i]) {
      throw bad(
          fmt::format("dimension {} is {}, expected {}", i, big_endian(bytes, 4 + 4 * i), dims[i]));
    }
    payload *= dims[i];
  }
  return payload;
}

struct IdxFile {
  std::string path;
  std::vector<uint32_t> dims;
};

// The images file and the labels file of a split.
std::array<IdxFile, 2> split_files(bool test) {
  const std::string prefix = fashion_mnist_dir() + (test ? "/t10k" : "/train");
  const uint32_t count = test ? 10000 : 60000;
  return {IdxFile{prefix + "-images-idx3-ubyte.gz", {count, kFashionPixels, kFashionPixels}},
          IdxFile{prefix + "-labels-idx1-ubyte.gz", {count}}};
}

// An IDX file's payload, checked against its expected dimensions.
std::vector<uint8_t> read_idx(const IdxFile& file) {
  const std::vector<uint8_t> bytes = read_gz(file.path, /*limit=*/0);
  const size_t header = 4 + 4 * file.dims.size();
  const size_t payload = check_idx_header(file.path, bytes, file.dims);
  if (bytes.size() != header + payload) {
    throw std::runtime_error(fmt::format("fashion-mnist: {}: {} bytes of data, expected {}",
                                         file.path, bytes.size() - header, payload));
  }
  return {bytes.begin() + header, bytes.end()};
}

FashionSplit load_split(bool test) {
  const auto files = split_files(test);
  FashionSplit split;
  split.count = static_cast<int>(files[1].dims[0]);
  split.pixels = read_idx(files[0]);
  split.labels = read_idx(files[1]);
  for (int i = 0; i < split.count; ++i) {
    if (split.labels[i] >= kFashionNames.size()) {
      throw std::runtime_error(
          fmt::format("fashion-mnist: {}: label {} of image {} is not a "
                      "class (0..9)",
                      files[1].path, split.labels[i], i));
    }
    split.by_label[split.labels[i]].push_back(i);
  }
  return split;
}

// "a sneaker , a bag and a coat": items left to right.
std::string item_list(const Scene& scene) {
  std::string out;
  for (size_t i = 0; i < scene.items.size(); ++i) {
    if (i > 0) out += (i + 1 == scene.items.size()) ? " and " : " , ";
    out += with_article(kFashionNames[scene.items[i].label]);
  }
  return out;
}

// "two sneakers and a bag": counts per class, classes in order of first
// appearance from the left.
std::string item_counts(const Scene& scene) {
  std::vector<int> order, counts(kFashionNames.size(), 0);
  for (const auto& item : scene.items) {
    if (counts[item.label]++ == 0) order.push_back(item.label);
  }
  std::string out;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) out += " and ";
    const int n = counts[order[i]];
    out += n == 1 ? with_article(kFashionNames[order[i]])
                  : fmt::format("{} {}", kNumberWords.at(n), kFashionPlurals[order[i]]);
  }
  return out;
}

std::string items_word(size_t n) { return n == 1 ? "item" : "items"; }

}  // namespace

std::string fashion_mnist_dir() {
  const char* env = std::getenv("ABLATE_FASHION_MNIST");
  return env && *env ? env : kDebianDir;
}

const FashionSplit& fashion_split(bool test) {
  static std::once_flag once[2];
  static FashionSplit splits[2];
  std::call_once(once[test], [&] { splits[test] = load_split(test); });
  return splits[test];
}

void check_fashion_mnist() {
  for (bool test : {false, true}) {
    for (const IdxFile& file : split_files(test)) {
      check_idx_header(file.path, read_gz(file.path, /*limit=*/16), file.dims);
    }
  }
}

Scene generate_fashion_scene(uint64_t seed, int num_items, bool test) {
  if (num_items < 1 || num_items > kMaxFashionItems) {
    throw std::invalid_argument(
        fmt::format("generate_fashion_scene: {} items (1..{} fit)", num_items, kMaxFashionItems));
  }
  const FashionSplit& split = fashion_split(test);
  Rng rng(seed);
  const int num_classes = static_cast<int>(kFashionNames.size());
  int classes[2];
  classes[0] = rng.uniform_int(num_classes);
  classes[1] = (classes[0] + 1 + rng.uniform_int(num_classes - 1)) % num_classes;
  const int used = num_items == 1 ? 1 : 1 + rng.uniform_int(2);
  // Each photo in its own quadrant, at a random place inside it: photos of
  // side 0.36 in cells of 0.5 never overlap, and up to four always fit.
  int cells[4] = {0, 1, 2, 3};
  for (int i = 3; i > 0; --i) std::swap(cells[i], cells[rng.uniform_int(i + 1)]);
  constexpr double kGap = 0.02, kSlack = 0.5 - kFashionSide - 2 * kGap;
  Scene scene;
  for (int i = 0; i < num_items; ++i) {
    FashionItem item;
    item.label = classes[rng.uniform_int(used)];
    const auto& pool = split.by_label[item.label];
    item.image = pool[rng.uniform_int(static_cast<int>(pool.size()))];
    item.test = test;
    item.x = 0.5 * (cells[i] % 2) + kGap + kFashionSide / 2 + rng.uniform(0, kSlack);
    item.y = 0.5 * (cells[i] / 2) + kGap + kFashionSide / 2 + rng.uniform(0, kSlack);
    scene.items.push_back(item);
  }
  std::sort(scene.items.begin(), scene.items.end(),
            [](const FashionItem& a, const FashionItem& b) { return a.x < b.x; });
  return scene;
}

std::vector<std::string> fashion_caption_references(const Scene& scene) {
  const std::string list = item_list(scene), counts = item_counts(scene);
  const size_t n = scene.items.size();
  return {list + " .", "a photo of " + list + " .", counts + " .",
          (n == 1 ? "there is " : "there are ") + counts + " .",
          fmt::format("{} {} : {} .", kNumberWords.at(n), items_word(n), list)};
}

std::string fashion_dense_caption(const Scene& scene) {
  std::string out;
  for (const auto& item : scene.items) {
    out += with_article(kFashionNames[item.label]) + " " + place_phrase(item.x, item.y) + " . ";
  }
  const size_t n = scene.items.size();
  return out + fmt::format("{} {} in total .", kNumberWords.at(n), items_word(n));
}

VqaItem sample_fashion_question(const Scene& scene, Rng& rng) {
  VqaItem q;
  if (scene.items.size() == 1) {
    q.type = kFashionTypes[0];
    q.question = "what item is shown ?";
    q.answers = repeat_answer(kFashionNames[scene.items[0].label]);
    return q;
  }
  const int label = scene.items[rng.uniform_int(static_cast<int>(scene.items.size()))].label;
  const auto n = std::count_if(scene.items.begin(), scene.items.end(),
                               [&](const FashionItem& item) { return item.label == label; });
  q.type = kFashionTypes[1];
  q.question = fmt::format("how many {} are there ?", kFashionPlurals[label]);
  q.answers = repeat_answer(std::to_string(n));
  return q;
}

std::vector<std::string> fashion_words() {
  std::set<std::string> words = {"photo", "item", "items", "shown"};
  for (const char* w : kFashionNames) words.insert(w);
  for (const char* w : kFashionPlurals) words.insert(w);
  return {words.begin(), words.end()};
}

}  // namespace ablate
