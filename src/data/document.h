// Documents: what one training sequence or one evaluation prompt holds. A
// document is images and text in reading order, as MM1's three kinds of
// pre-training data are:
//   captions     one image and its caption (alt-text style, or dense
//                synthetic, MM1's VeCap, when data.synthetic_captions > 0)
//   interleaved  several images with text between them that refers to them:
//                descriptions, question-answer pairs laid out like a web page,
//                and comparisons across images (what teaches in-context use of
//                images, so few-shot prompts look like this data)
//   text         text only: facts taught nowhere else (data/knowledge.h),
//                fact questions, plain language
// A sequence is <bos>, then each segment in order: an image as N <image>
// placeholders (replaced by the connector's visual tokens in the model), text
// as its ids; training documents end with <eos>.
#pragma once

#include <torch/torch.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/rng.h"
#include "data/scene.h"

namespace ablate {

struct Segment {
  bool is_image = false;
  Scene scene;            // when is_image
  std::vector<int> text;  // when !is_image
  bool target = true;     // text: predicted by the loss (evaluation prompts: no loss)
};

struct Document {
  std::vector<Segment> segments;

  void add_image(const Scene& scene);
  void add_text(const std::string& words, bool target = true);
  void add_ids(const std::vector<int>& ids, bool target = true);
  int num_images() const;
  // Sequence length: <bos> + N per image + text ids.
  int64_t length(int num_visual_tokens) const;
  // Readable layout: text words, "<image>" where an image is.
  std::string text() const;
  // Every scene in reading order.
  std::vector<Scene> scenes() const;
};

struct Batch {
  torch::Tensor images;     // [M, 3, H, W]: every image of the batch in reading order (M may be 0)
  torch::Tensor tokens;     // [B, T] int64
  torch::Tensor loss_mask;  // [B, T] float, 1 where tokens[:, t] is a prediction target
};

// Renders every image at data.resolution and lays the documents out as
// padded sequences (right-padded with <pad>; no loss on <bos>, placeholders,
// padding or non-target text).
// With `render_images` false, `images` is left empty ([0, 3, H, W]): for
// callers that encode the documents' images themselves (eval/visual_cache.h).
Batch collate(const std::vector<Document>& documents, const DataOptions& data,
              int num_visual_tokens, bool render_images = true);

// The three kinds of training documents, in data.mix order.
inline constexpr std::array<const char*, 3> kDocumentKinds = {"captions", "interleaved", "text"};

// Kind index drawn from data.mix (fractions of training sequences).
int sample_document_kind(const DataOptions& data, Rng& rng);

// A training document of `kind`; `next_scene` draws a fresh training scene
// each call. Interleaved documents hold 2..data.max_images images, each
// followed by its block, then a comparison of the first two.
Document make_document(int kind, const DataOptions& data, Rng& rng,
                       const std::function<Scene()>& next_scene);

Document caption_document(const Scene& scene, const DataOptions& data, Rng& rng);
// One image's text block in an interleaved document: a caption, or one or two
// questions with their answers (VQA or spatial).
std::string interleaved_block(const Scene& scene, const DataOptions& data, Rng& rng);
// 3..6 sentences of sample_text_sentence(rng, scene_questions).
Document text_document(Rng& rng, double scene_questions);

// Longest training document of this data config, in tokens: computed from the
// generators. Text lengths depend on the template and the number of objects
// only (every name is one token), so the longest caption, question and
// sentence are found on scenes of data.max_objects objects; tests check the
// bound against random documents.
int64_t longest_training_document(const DataOptions& data, int num_visual_tokens);

// Text of a training caption, with its prompt: "caption : <caption>".
std::string caption_words(const std::string& caption);
// "question : <question> answer :", where an answer starts.
std::string question_prompt(const std::string& question);
// "question : <question> answer : <answer> ." Answers end with a period as
// captions and sentences do, so generation stops there (eval/decode.h).
inline constexpr const char* kEndOfAnswer = ".";
std::string qa_words(const std::string& question, const std::string& answer);

}  // namespace ablate
