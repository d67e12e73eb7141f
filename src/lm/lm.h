// Decoder-only language model: token embedding -> pre-norm blocks (RMSNorm,
// causal self-attention with rotary positions, SwiGLU) -> RMSNorm -> logits,
// as LLaMA; tied or untied output head. MM1's LLMs are of this family.
#pragma once

#include <torch/torch.h>

#include "core/config.h"
#include "model/layers.h"

namespace ablate {

class DecoderBlockImpl : public torch::nn::Module {
 public:
  DecoderBlockImpl(const LmOptions& options);
  torch::Tensor forward(const torch::Tensor& x, Rotary rotary);  // [B, T, D] -> [B, T, D]

 private:
  RMSNorm norm1_{nullptr}, norm2_{nullptr};
  Attention attn_{nullptr};
  SwiGlu ffn_{nullptr};
};
TORCH_MODULE(DecoderBlock);

class LanguageModelImpl : public torch::nn::Module {
 public:
  LanguageModelImpl(const LmOptions& options, int vocab_size);
  void init_weights();

  torch::Tensor embed(const torch::Tensor& tokens);    // [B, T] -> [B, T, D]
  torch::Tensor forward(const torch::Tensor& embeds);  // [B, T, D] -> logits [B, T, V]
  int64_t dim() const { return options_.width; }
  int64_t vocab_size() const { return vocab_size_; }

 private:
  LmOptions options_;
  int64_t vocab_size_;
  torch::nn::Embedding embed_{nullptr};
  torch::nn::ModuleList blocks_;
  RMSNorm norm_{nullptr};
  torch::nn::Linear head_{nullptr};  // only when embeddings are untied
  Rotary rotary_{nullptr};
};
TORCH_MODULE(LanguageModel);

}  // namespace ablate
