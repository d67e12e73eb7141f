// Decoder-only language model: token embedding -> pre-norm blocks (RMSNorm,
// causal self-attention with rotary positions, SwiGLU or mixture-of-experts
// feed-forward) -> RMSNorm -> logits, as LLaMA; tied or untied output head.
// MM1's LLMs are of this family, dense and MoE.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "core/config.h"
#include "lm/moe.h"
#include "model/layers.h"

namespace ablate {

struct LmOutput {
  torch::Tensor logits;    // [B, T, V]
  torch::Tensor aux_loss;  // scalar: summed MoE load-balancing loss (0 when dense)
  torch::Tensor load;      // [E] mean expert load over MoE layers (undefined when dense)
  double dropped = 0;      // mean share of routing slots over capacity, over MoE layers
};

class DecoderBlockImpl : public torch::nn::Module {
 public:
  explicit DecoderBlockImpl(const LmOptions& options);
  // x [B, T, D] -> [B, T, D]; adds this block's MoE outputs to `aux`/`load`.
  // With `cache`, x continues the cached positions (incremental decoding).
  torch::Tensor forward(const torch::Tensor& x, Rotary rotary, LmOutput& extras,
                        KvCache* cache = nullptr);

 private:
  RMSNorm norm1_{nullptr}, norm2_{nullptr};
  Attention attn_{nullptr};
  SwiGlu ffn_{nullptr};          // dense feed-forward, or
  MoeFeedForward moe_{nullptr};  // mixture of experts (lm.moe.num_experts > 0)
};
TORCH_MODULE(DecoderBlock);

class LanguageModelImpl : public torch::nn::Module {
 public:
  LanguageModelImpl(const LmOptions& options, int vocab_size);
  void init_weights();

  torch::Tensor embed(const torch::Tensor& tokens);  // [B, T] -> [B, T, D]
  // [B, T, D] -> logits [B, T, V]. With `cache` (one KvCache per block,
  // sized on first use), embeds continue the cached positions.
  LmOutput forward(const torch::Tensor& embeds, std::vector<KvCache>* cache = nullptr);
  // [B, T, D] -> final normed hidden states [B, T, D] (a causal text tower).
  torch::Tensor hidden(const torch::Tensor& embeds);
  int64_t dim() const { return options_.width; }
  // Parameters by name (rotary tables are recomputed, not stored), as the
  // pre-training cache holds them; load_weights throws on a missing or
  // misshapen one and returns the names it did not use.
  std::map<std::string, torch::Tensor> weights() const;
  std::vector<std::string> load_weights(const std::map<std::string, torch::Tensor>& weights);
  int64_t vocab_size() const { return vocab_size_; }

 private:
  LmOptions options_;
  int64_t vocab_size_;
  torch::Tensor run_blocks(const torch::Tensor& embeds, LmOutput& out,
                           std::vector<KvCache>* cache = nullptr);
  torch::nn::Embedding embed_{nullptr};
  torch::nn::ModuleList blocks_;
  RMSNorm norm_{nullptr};
  torch::nn::Linear head_{nullptr};  // only when embeddings are untied
  Rotary rotary_{nullptr};
};
TORCH_MODULE(LanguageModel);

}  // namespace ablate
