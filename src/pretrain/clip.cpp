#include "pretrain/clip.h"

#include <cmath>

namespace ablate {

LmOptions clip_text_options(const EncoderPretrainOptions& options) {
  LmOptions text;
  text.width = options.text_width;
  text.depth = options.text_depth;
  text.num_heads = 2;
  text.max_seq_len = 96;  // the longest dense caption of 6 objects is ~70 tokens
  return text;
}

ClipObjectiveImpl::ClipObjectiveImpl(const EncoderOptions& options, int64_t encoder_dim,
                                     int vocab_size) {
  const auto& p = options.pretrain;
  text_ = register_module("text", LanguageModel(clip_text_options(p), vocab_size));
  image_proj_ = register_module(
      "image_proj",
      torch::nn::Linear(torch::nn::LinearOptions(encoder_dim, p.embed_dim).bias(false)));
  text_proj_ = register_module(
      "text_proj",
      torch::nn::Linear(torch::nn::LinearOptions(p.text_width, p.embed_dim).bias(false)));
  log_scale_ = register_parameter("log_scale", torch::zeros({}));
}

void ClipObjectiveImpl::init_weights() {
  text_->init_weights();
  torch::NoGradGuard no_grad;
  for (auto* proj : {&image_proj_, &text_proj_}) {
    (*proj)->weight.normal_(0.0, 1.0 / std::sqrt(double((*proj)->weight.size(1))));
  }
  log_scale_.fill_(std::log(1.0 / 0.07));
}

torch::Tensor ClipObjectiveImpl::embed_images(EncoderImpl& encoder, const torch::Tensor& images) {
  const auto pooled = encoder.forward(images).mean(/*dim=*/1);  // [B, D_enc]
  return torch::nn::functional::normalize(image_proj_(pooled),
                                          torch::nn::functional::NormalizeFuncOptions().dim(-1));
}

torch::Tensor ClipObjectiveImpl::embed_texts(const torch::Tensor& texts, const torch::Tensor& eos) {
  TORCH_CHECK(texts.dim() == 2 && eos.dim() == 1 && eos.size(0) == texts.size(0),
              "clip: expected texts [B, L] and eos [B], got ", texts.sizes(), " and ", eos.sizes());
  const auto hidden = text_->hidden(text_->embed(texts));  // [B, L, D_text]
  const auto rows = torch::arange(texts.size(0), eos.options());
  // Causal tower: the <eos> state has read the whole caption and no padding.
  const auto last = hidden.index({rows, eos});  // [B, D_text]
  return torch::nn::functional::normalize(text_proj_(last),
                                          torch::nn::functional::NormalizeFuncOptions().dim(-1));
}

torch::Tensor ClipObjectiveImpl::loss(EncoderImpl& encoder, const PretrainBatch& batch) {
  const auto img = embed_images(encoder, batch.images);
  const auto txt = embed_texts(batch.texts, batch.eos);
  const auto scale = log_scale_.clamp_max(std::log(100.0)).exp();
  const auto logits = scale * torch::matmul(img, txt.t());  // [B, B], matches on the diagonal
  const auto target = torch::arange(logits.size(0), batch.texts.options());
  namespace F = torch::nn::functional;
  return 0.5 * (F::cross_entropy(logits, target) + F::cross_entropy(logits.t(), target));
}

}  // namespace ablate
