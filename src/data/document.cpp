#include "data/document.h"

#include <algorithm>

#include "data/knowledge.h"
#include "data/language.h"
#include "data/render.h"
#include "data/tokenizer.h"

namespace ablate {
namespace {

// Text documents hold 3..kMaxSentences sentences; an interleaved image's block
// up to kMaxQuestions question-answer pairs.
constexpr int kMaxSentences = 6;
constexpr int kMaxQuestions = 2;
// Share of an interleaved image's questions that ask a knowledge question about
// it (grounded facts only, data/knowledge.h): a minority, as on web pages,
// enough for the question form to be learned at the standard budget.
constexpr double kKnowledgeQuestionShare = 0.2;

}  // namespace

void Document::add_image(const Scene& scene) {
  Segment s;
  s.is_image = true;
  s.scene = scene;
  segments.push_back(std::move(s));
}

void Document::add_text(const std::string& words, bool target) {
  add_ids(Tokenizer::world().encode(words), target);
}

void Document::add_ids(const std::vector<int>& ids, bool target) {
  // Consecutive text of the same kind stays one segment.
  if (!segments.empty() && !segments.back().is_image && segments.back().target == target) {
    auto& text = segments.back().text;
    text.insert(text.end(), ids.begin(), ids.end());
    return;
  }
  Segment s;
  s.text = ids;
  s.target = target;
  segments.push_back(std::move(s));
}

int Document::num_images() const {
  return static_cast<int>(
      std::count_if(segments.begin(), segments.end(), [](const Segment& s) { return s.is_image; }));
}

int64_t Document::length(int num_visual_tokens) const {
  int64_t n = 1;
  for (const auto& s : segments) n += s.is_image ? num_visual_tokens : s.text.size();
  return n;
}

std::string Document::text() const {
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out += ' ';
    out += s.is_image ? std::string("<image>") : Tokenizer::world().decode(s.text);
  }
  return out;
}

std::vector<Scene> Document::scenes() const {
  std::vector<Scene> out;
  for (const auto& s : segments) {
    if (s.is_image) out.push_back(s.scene);
  }
  return out;
}

Batch collate(const std::vector<Document>& documents, const DataOptions& data,
              int num_visual_tokens, bool render_images) {
  TORCH_CHECK(!documents.empty(), "collate: empty batch");
  const int64_t batch = static_cast<int64_t>(documents.size());
  int64_t seq_len = 0;
  for (const auto& d : documents) seq_len = std::max(seq_len, d.length(num_visual_tokens));

  auto tokens = torch::full({batch, seq_len}, Tokenizer::kPad, torch::kInt64);
  auto mask = torch::zeros({batch, seq_len}, torch::kFloat32);
  auto tok = tokens.accessor<int64_t, 2>();
  auto msk = mask.accessor<float, 2>();
  std::vector<torch::Tensor> images;
  for (int64_t b = 0; b < batch; ++b) {
    int64_t t = 0;
    tok[b][t++] = Tokenizer::kBos;
    for (const auto& s : documents[b].segments) {
      if (s.is_image) {
        if (render_images) {
          images.push_back(scene_image(s.scene, data.render_resolution, data.resolution));
        }
        for (int i = 0; i < num_visual_tokens; ++i) tok[b][t++] = Tokenizer::kImage;
        continue;
      }
      for (int id : s.text) {
        msk[b][t] = s.target ? 1.0f : 0.0f;
        tok[b][t++] = id;
      }
    }
  }
  auto stacked = images.empty() ? torch::empty({0, 3, data.resolution, data.resolution})
                                : torch::stack(images);
  return {stacked, tokens, mask};
}

int sample_document_kind(const DataOptions& data, Rng& rng) {
  const double weights[] = {data.mix.captions, data.mix.interleaved, data.mix.text};
  const double total = weights[0] + weights[1] + weights[2];
  TORCH_CHECK(total > 0, "data.mix: the weights sum to 0");
  double u = rng.uniform() * total;
  for (int k = 0; k < 3; ++k) {
    if (u < weights[k]) return k;
    u -= weights[k];
  }
  return weights[2] > 0 ? 2 : (weights[1] > 0 ? 1 : 0);  // rounding at the top end
}

std::string caption_words(const std::string& caption) {
  return std::string(kCaptionPrompt) + " " + caption;
}

std::string question_prompt(const std::string& question) {
  return std::string(kQuestionPrompt) + " " + question + " " + kAnswerPrompt;
}

std::string qa_words(const std::string& question, const std::string& answer) {
  return question_prompt(question) + " " + answer + " " + kEndOfAnswer;
}

Document caption_document(const Scene& scene, const DataOptions& data, Rng& rng) {
  Document doc;
  doc.add_image(scene);
  doc.add_text(caption_words(rng.bernoulli(data.synthetic_captions)
                                 ? dense_caption(scene)
                                 : sample_caption(scene, rng, data.shape_first_captions)));
  doc.add_ids({Tokenizer::kEos});
  return doc;
}

std::string interleaved_block(const Scene& scene, const DataOptions& data, Rng& rng) {
  const int kind = rng.uniform_int(3);
  if (kind == 0) return caption_words(sample_caption(scene, rng, data.shape_first_captions));
  std::string out;
  const int num_questions = rng.uniform_int(1, kMaxQuestions);
  for (int i = 0; i < num_questions; ++i) {
    VqaItem q;
    // A sign is read in one question of two about its image.
    const bool read = i == 0 && rng.bernoulli(0.5) && sample_reading_question(scene, rng, q);
    const bool knowledge = !read && rng.bernoulli(kKnowledgeQuestionShare) &&
                           sample_knowledge_question(scene, rng, Facts::kGrounded, q);
    if (!read && !knowledge && (kind == 1 || !sample_spatial_question(scene, rng, q))) {
      q = sample_question(scene, rng);
    }
    if (!out.empty()) out += " ";
    out += qa_words(q.question, q.answers.front());
  }
  return out;
}

Document text_document(Rng& rng, double scene_questions) {
  Document doc;
  const int num_sentences = rng.uniform_int(3, kMaxSentences);
  for (int i = 0; i < num_sentences; ++i) doc.add_text(sample_text_sentence(rng, scene_questions));
  doc.add_ids({Tokenizer::kEos});
  return doc;
}

int64_t longest_training_document(const DataOptions& data, int num_visual_tokens) {
  const auto& tok = Tokenizer::world();
  auto len = [&](const std::string& words) {
    return static_cast<int64_t>(tok.encode(words).size());
  };
  DataOptions worst = data;
  worst.min_objects = data.max_objects;
  Rng rng(/*seed=*/0x6c6f6e67);
  int64_t caption = 0, question = 0, sentence = 0;
  const std::vector<std::function<bool(const Scene&, Rng&, VqaItem&)>> other_questions = {
      sample_spatial_question, sample_reading_question, [](const Scene& s, Rng& r, VqaItem& out) {
        return sample_knowledge_question(s, r, Facts::kGrounded, out);
      }};
  constexpr int kSamples = 3000;  // every template is met hundreds of times
  for (int i = 0; i < kSamples; ++i) {
    const Scene scene = generate_scene(rng.next(), worst);
    caption = std::max(caption, len(caption_words(dense_caption(scene))));
    for (const auto& ref : caption_references(scene, data.shape_first_captions)) {
      caption = std::max(caption, len(caption_words(ref)));
    }
    VqaItem q = sample_question(scene, rng);
    question = std::max(question, len(qa_words(q.question, q.answers[0])));
    for (const auto& ask : other_questions) {
      if (ask(scene, rng, q)) {
        question = std::max(question, len(qa_words(q.question, q.answers[0])));
      }
    }
    sentence = std::max(sentence, len(sample_text_sentence(rng, 0)));
    if (data.text_scene_questions > 0) {
      sentence = std::max(sentence, len(scene_question_sentence(rng)));
    }
  }
  Scene one, two, photo;
  one.objects.resize(1);
  two.objects.resize(2);
  photo.items.resize(1);
  int64_t comparison = 0;
  for (const Scene* a : {&one, &two, &photo}) {
    for (const Scene* b : {&one, &two, &photo}) {
      comparison = std::max(comparison, len(compare_images(*a, *b)));
    }
  }
  const int64_t block = std::max(caption, kMaxQuestions * question);
  const int64_t captions = 1 + num_visual_tokens + caption + 1;
  const int64_t interleaved = 1 + data.max_images * (num_visual_tokens + block) + comparison + 1;
  const int64_t text = 1 + kMaxSentences * sentence + 1;
  return std::max({captions, interleaved, text});
}

Document make_document(int kind, const DataOptions& data, Rng& rng,
                       const std::function<Scene()>& next_scene) {
  if (kind == 0) return caption_document(next_scene(), data, rng);
  if (kind == 2) return text_document(rng, data.text_scene_questions);
  Document doc;
  const int num_images = rng.uniform_int(2, data.max_images);
  std::vector<Scene> scenes;
  for (int i = 0; i < num_images; ++i) {
    scenes.push_back(next_scene());
    doc.add_image(scenes.back());
    doc.add_text(interleaved_block(scenes.back(), data, rng));
  }
  doc.add_text(compare_images(scenes[0], scenes[1]));
  doc.add_ids({Tokenizer::kEos});
  return doc;
}

}  // namespace ablate
