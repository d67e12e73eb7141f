#include "data/language.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "data/fashion.h"

namespace ablate {

std::string object_list(const Scene& scene, PhraseOrder order) {
  std::vector<std::string> items;
  for (const auto& o : scene.objects) items.push_back(object_phrase(o, order));
  if (!scene.sign.text.empty()) items.push_back(sign_phrase(scene.sign));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " and " : " , ";
    out += items[i];
  }
  return out;
}

namespace {

constexpr int kNumTemplates = kNumCaptionReferences;

std::string caption_template(const Scene& scene, int t, PhraseOrder order) {
  const std::string list = object_list(scene, order);
  const size_t n = scene.objects.size();
  switch (t) {
    case 0:
      return list + " .";
    case 1:
      return "there is " + list + " .";
    case 2:
      return "an image of " + list + " .";
    case 3:
      return fmt::format("{} {} : {} .", kNumberWords.at(n), n == 1 ? "shape" : "shapes", list);
    case 4:
      return list + " on a grey background .";
    default:
      throw std::logic_error("caption_template: unknown template");
  }
}

constexpr std::array<const char*, 3> kRowNames = {"top", "middle", "bottom"};
constexpr std::array<const char*, 3> kColumnNames = {"left", "center", "right"};
constexpr std::array<const char*, 4> kDenseWords = {"in", "total", "top", "bottom"};

}  // namespace

std::string place_phrase(double x, double y) {
  const int row = std::min(2, static_cast<int>(y * 3));
  const int column = std::min(2, static_cast<int>(x * 3));
  if (row == 1 && column == 1) return "in the middle";
  if (row == 1) return fmt::format("in the middle {}", kColumnNames[column]);
  return fmt::format("in the {} {}", kRowNames[row], kColumnNames[column]);
}

std::string with_article(const std::string& phrase) {
  const char c = phrase.empty() ? 'x' : phrase[0];
  const bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return (vowel ? "an " : "a ") + phrase;
}

std::string sign_phrase(const Sign& sign) { return "a sign that says " + sign.text; }

std::string object_phrase(const Object& o, PhraseOrder order) {
  const char* size = kSizeNames[o.size];
  const char* colour = kColourNames[o.colour];
  const char* shape = kShapeNames[o.shape];
  const char* texture = o.texture > 0 ? kTextureNames[o.texture] : nullptr;
  if (order == PhraseOrder::kShapeFirst) {
    return with_article(texture
                            ? fmt::format("{} {} that is {} and {}", size, shape, texture, colour)
                            : fmt::format("{} {} that is {}", size, shape, colour));
  }
  return with_article(texture ? fmt::format("{} {} {} {}", size, texture, colour, shape)
                              : fmt::format("{} {} {}", size, colour, shape));
}

std::string referent(const Object& o) {
  return fmt::format("{} {}", kColourNames[o.colour], kShapeNames[o.shape]);
}

std::vector<std::string> repeat_answer(const std::string& answer) {
  return std::vector<std::string>(kNumVqaAnswers, answer);
}

std::string dense_caption(const Scene& scene) {
  if (scene.is_fashion()) return fashion_dense_caption(scene);
  std::string out;
  for (const auto& o : scene.objects)
    out += object_phrase(o) + " " + place_phrase(o.x, o.y) + " . ";
  if (!scene.sign.text.empty()) {
    out += sign_phrase(scene.sign) + " " + place_phrase(scene.sign.x, scene.sign.y) + " . ";
  }
  const size_t n = scene.objects.size();
  return out + fmt::format("{} {} in total .", kNumberWords.at(n), n == 1 ? "shape" : "shapes");
}

std::vector<std::string> caption_references(const Scene& scene, double shape_first) {
  if (scene.is_fashion()) return fashion_caption_references(scene);
  const int num_shape_first =
      shape_first > 0 ? std::max(1, static_cast<int>(std::lround(kNumTemplates * shape_first))) : 0;
  std::vector<std::string> refs;
  for (int t = 0; t < kNumTemplates; ++t) {
    refs.push_back(caption_template(scene, t,
                                    t >= kNumTemplates - num_shape_first
                                        ? PhraseOrder::kShapeFirst
                                        : PhraseOrder::kModifiersFirst));
  }
  return refs;
}

std::string sample_caption(const Scene& scene, Rng& rng, double shape_first) {
  if (scene.is_fashion()) {
    return fashion_caption_references(scene).at(rng.uniform_int(kNumTemplates));
  }
  const int t = rng.uniform_int(kNumTemplates);
  const bool reversed = shape_first > 0 && rng.bernoulli(shape_first);
  return caption_template(scene, t,
                          reversed ? PhraseOrder::kShapeFirst : PhraseOrder::kModifiersFirst);
}

VqaItem sample_question(const Scene& scene, Rng& rng) {
  if (scene.is_fashion()) return sample_fashion_question(scene, rng);
  const auto unique_shape = unique_indices(scene, [](const Object& o) { return o.shape; });
  const auto unique_colour = unique_indices(scene, [](const Object& o) { return o.colour; });
  std::vector<int> types;
  if (!unique_shape.empty()) types.push_back(0);
  if (!unique_colour.empty()) types.push_back(1);
  types.push_back(2);
  types.push_back(3);
  if (scene.textures && !unique_shape.empty()) types.push_back(4);
  const int type = types[rng.uniform_int(static_cast<int>(types.size()))];

  // One of the objects whose indices are `among`, drawn uniformly.
  auto pick = [&](const std::vector<int>& among) -> const Object& {
    return scene.objects[among[rng.uniform_int(static_cast<int>(among.size()))]];
  };
  VqaItem item;
  item.type = kQuestionTypes[type];
  switch (type) {
    case 0: {
      const Object& o = pick(unique_shape);
      item.question = fmt::format("what color is the {} ?", kShapeNames[o.shape]);
      item.answers = repeat_answer(kColourNames[o.colour]);
      break;
    }
    case 1: {
      const Object& o = pick(unique_colour);
      item.question = fmt::format("what shape is the {} object ?", kColourNames[o.colour]);
      item.answers = repeat_answer(kShapeNames[o.shape]);
      break;
    }
    case 2:
      item.question = "how many shapes are there ?";
      item.answers = repeat_answer(std::to_string(scene.objects.size()));
      break;
    case 3: {
      // Balanced yes/no. Negatives share the colour or the shape of an object
      // in the scene, so "yes whenever the colour is present" is not enough.
      const bool yes = rng.bernoulli(0.5);
      const Object& o = scene.objects[rng.uniform_int(static_cast<int>(scene.objects.size()))];
      int shape = o.shape, colour = o.colour;
      if (!yes) {
        auto present = [&](int s, int c) {
          return std::any_of(scene.objects.begin(), scene.objects.end(),
                             [&](const Object& x) { return x.shape == s && x.colour == c; });
        };
        do {
          if (rng.bernoulli(0.5)) {
            shape = rng.uniform_int(static_cast<int>(kShapeNames.size()));
          } else {
            colour = rng.uniform_int(static_cast<int>(kColourNames.size()));
          }
        } while (present(shape, colour));
      }
      item.question =
          fmt::format("is there {} ?",
                      with_article(fmt::format("{} {}", kColourNames[colour], kShapeNames[shape])));
      item.answers = repeat_answer(yes ? "yes" : "no");
      break;
    }
    case 4: {
      // Any object named by its shape, plain ones too, so that "name a
      // pattern" is not enough and the referent must be found.
      const Object& o = pick(unique_shape);
      item.question = fmt::format("what pattern is on the {} ?", kShapeNames[o.shape]);
      item.answers = repeat_answer(kTextureNames[o.texture]);
      break;
    }
    default:
      throw std::logic_error("sample_question: unknown type");
  }
  return item;
}

int relation_holds(const Object& a, const Object& b, int relation) {
  // Image y grows downwards: "above" is a smaller y.
  const double d = relation == 0   ? b.x - a.x
                   : relation == 1 ? a.x - b.x
                   : relation == 2 ? b.y - a.y
                                   : a.y - b.y;
  if (d > kRelationMargin) return 1;
  if (d < -kRelationMargin) return 0;
  return -1;
}

bool sample_spatial_question(const Scene& scene, Rng& rng, VqaItem& out) {
  // Referents unique by colour and shape.
  const auto unique =
      unique_indices(scene, [](const Object& o) { return o.colour * 16 + o.shape; });
  struct Candidate {
    int type, a, b, relation;
  };
  std::vector<Candidate> candidates;
  const int n = static_cast<int>(scene.objects.size());
  for (int b : unique) {
    for (int relation = 0; relation < static_cast<int>(kRelationNames.size()); ++relation) {
      // relation: every other object decided, a yes / no question about each
      // unique one; an attribute question when exactly one object holds.
      int holding = -1, num_holding = 0;
      bool all_decided = true;
      for (int a = 0; a < n; ++a) {
        if (a == b) continue;
        const int h = relation_holds(scene.objects[a], scene.objects[b], relation);
        if (h < 0) all_decided = false;
        if (h == 1) holding = a, ++num_holding;
        if (h >= 0 && std::find(unique.begin(), unique.end(), a) != unique.end()) {
          candidates.push_back({0, a, b, relation});
        }
      }
      if (all_decided && num_holding == 1) candidates.push_back({1, holding, b, relation});
    }
  }
  if (candidates.empty()) return false;
  // Type first (uniform among the types the scene supports), then a candidate.
  const bool has[2] = {
      std::any_of(candidates.begin(), candidates.end(), [](auto& c) { return c.type == 0; }),
      std::any_of(candidates.begin(), candidates.end(), [](auto& c) { return c.type == 1; })};
  int type = has[0] && has[1] ? rng.uniform_int(2) : (has[0] ? 0 : 1);
  std::vector<Candidate> of_type;
  for (const auto& c : candidates) {
    if (c.type == type) of_type.push_back(c);
  }
  if (type == 0) {
    // Balanced yes / no: pick the answer, then a pair whose relation gives it.
    const bool yes = rng.bernoulli(0.5);
    std::vector<Candidate> matching;
    for (const auto& c : of_type) {
      if ((relation_holds(scene.objects[c.a], scene.objects[c.b], c.relation) == 1) == yes) {
        matching.push_back(c);
      }
    }
    if (!matching.empty()) of_type = matching;
  }
  const Candidate c = of_type[rng.uniform_int(static_cast<int>(of_type.size()))];
  const Object& a = scene.objects[c.a];
  const Object& b = scene.objects[c.b];
  out.type = kSpatialTypes[type];
  if (type == 0) {
    out.question =
        fmt::format("is the {} {} the {} ?", referent(a), kRelationNames[c.relation], referent(b));
    out.answers = repeat_answer(relation_holds(a, b, c.relation) == 1 ? "yes" : "no");
  } else if (rng.bernoulli(0.5)) {
    out.question =
        fmt::format("what color is the shape {} the {} ?", kRelationNames[c.relation], referent(b));
    out.answers = repeat_answer(kColourNames[a.colour]);
  } else {
    out.question =
        fmt::format("what shape is {} the {} ?", kRelationNames[c.relation], referent(b));
    out.answers = repeat_answer(kShapeNames[a.shape]);
  }
  return true;
}

bool sample_reading_question(const Scene& scene, Rng&, VqaItem& out) {
  if (scene.sign.text.empty()) return false;
  out.type = kReadTypes[sign_word(scene.sign.text) < 0 ? 1 : 0];  // word or number
  out.question = "what does the sign say ?";
  out.answers = repeat_answer(scene.sign.text);
  return true;
}

std::string compare_images(const Scene& first, const Scene& second) {
  if (first.is_fashion() != second.is_fashion()) {
    return fmt::format("the first image has {} and the second has {} .",
                       first.is_fashion() ? "items" : "shapes",
                       second.is_fashion() ? "items" : "shapes");
  }
  const char* what = first.is_fashion() ? "items" : "shapes";
  const size_t a = first.objects.size() + first.items.size();
  const size_t b = second.objects.size() + second.items.size();
  if (a == b) return fmt::format("the first image has as many {} as the second .", what);
  return fmt::format("the first image has {} {} than the second .", a > b ? "more" : "fewer", what);
}

std::vector<std::string> language_words() {
  std::set<std::string> words = {
      "a",     "an",    "and",        "there",   "is",       "image",  "of",     "shape", "shapes",
      "on",    "grey",  "background", "what",    "color",    "the",    "object", "how",   "many",
      "are",   "yes",   "no",         "caption", "question", "answer", ":",      "?",     ".",
      ",",     "first", "second",     "has",     "more",     "fewer",  "as",     "than",  "left",
      "right", "above", "below",      "sign",    "that",     "says",   "does",   "say"};
  for (const char* w : kSignWords) words.insert(w);  // sign numbers are digits (tokenizer.h)
  for (const char* w : kShapeNames) words.insert(w);
  for (const char* w : kColourNames) words.insert(w);
  for (const char* w : kSizeNames) words.insert(w);
  for (const char* w : kTextureNames) words.insert(w);
  words.insert("pattern");
  for (const char* w : kNumberWords) words.insert(w);
  for (int i = 0; i <= 9; ++i) words.insert(std::to_string(i));
  for (const char* w : kDenseWords) words.insert(w);
  for (const char* w : kRowNames) words.insert(w);
  for (const char* w : kColumnNames) words.insert(w);
  for (const auto& w : fashion_words()) words.insert(w);
  return {words.begin(), words.end()};
}

}  // namespace ablate
