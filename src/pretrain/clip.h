// CLIP (Radford et al. 2021), the contrastive objective of MM1's default
// encoder: mean-pooled patch features and a causal text tower's <eos> state
// are projected into one space; the symmetric InfoNCE loss over in-batch
// negatives with a learnable temperature (initialised at 0.07, the scale
// clamped at 100) pulls each image towards its own caption.
#pragma once

#include "lm/lm.h"
#include "pretrain/objective.h"

namespace ablate {

class ClipObjectiveImpl : public ObjectiveImpl {
 public:
  ClipObjectiveImpl(const EncoderOptions& options, int64_t encoder_dim, int vocab_size);
  torch::Tensor loss(EncoderImpl& encoder, const PretrainBatch& batch) override;
  void init_weights() override;

  // L2-normalised embeddings [B, E].
  torch::Tensor embed_images(EncoderImpl& encoder, const torch::Tensor& images);
  torch::Tensor embed_texts(const torch::Tensor& texts, const torch::Tensor& eos);

 private:
  LanguageModel text_{nullptr};
  torch::nn::Linear image_proj_{nullptr}, text_proj_{nullptr};
  torch::Tensor log_scale_;  // scalar: log of the logit scale (1 / temperature)
};
TORCH_MODULE(ClipObjective);

// Text tower options for clip pre-training.
LmOptions clip_text_options(const EncoderPretrainOptions& options);

}  // namespace ablate
