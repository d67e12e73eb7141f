// Transformer building blocks shared by the encoders, connectors and the LM.
#pragma once

#include <torch/torch.h>

namespace ablate {

// Root-mean-square norm (Zhang & Sennrich 2019), as in LLaMA.
class RMSNormImpl : public torch::nn::Module {
 public:
  explicit RMSNormImpl(int64_t dim, double eps = 1e-6);
  torch::Tensor forward(const torch::Tensor& x);  // [..., D] -> [..., D]

 private:
  torch::Tensor weight_;
  double eps_;
};
TORCH_MODULE(RMSNorm);

// Rotary position embedding (Su et al. 2021), rotate-half form; cos/sin tables
// for positions [0, max_len).
class RotaryImpl : public torch::nn::Module {
 public:
  RotaryImpl(int64_t head_dim, int64_t max_len, double base = 10000.0);
  // [B, H, T, Dh] at positions offset .. offset + T - 1 -> [B, H, T, Dh]
  torch::Tensor forward(const torch::Tensor& x, int64_t offset = 0);

 private:
  torch::Tensor cos_, sin_;  // [max_len, Dh]
};
TORCH_MODULE(Rotary);

// Keys and values of the positions decoded so far, of one attention layer:
// [B, H, S, Dh] each, undefined before the first call (incremental decoding).
struct KvCache {
  torch::Tensor k, v;
  int64_t length() const { return k.defined() ? k.size(2) : 0; }
};

// Multi-head attention; self-attention when `context` is undefined,
// cross-attention otherwise. `causal` masks future positions (T == S).
class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(int64_t dim, int64_t num_heads, int64_t context_dim = -1);
  // x [B, T, D], context [B, S, D_ctx] -> [B, T, D]; `blocked` [T, S] bool,
  // true where a query may not attend (e.g. AIM's prefix-causal mask).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {},
                        bool causal = false, Rotary rotary = nullptr,
                        const torch::Tensor& blocked = {});
  // Causal self-attention of x [B, T, D] (positions cache.length() onwards)
  // over the cached positions and itself; appends x's keys and values.
  torch::Tensor forward_cached(const torch::Tensor& x, Rotary rotary, KvCache& cache);

 private:
  int64_t num_heads_, head_dim_;
  torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, out_{nullptr};
};
TORCH_MODULE(Attention);

// Linear -> GELU -> Linear.
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t in_dim, int64_t hidden_dim, int64_t out_dim);
  torch::Tensor forward(const torch::Tensor& x);  // [..., in] -> [..., out]

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(Mlp);

// SwiGLU feed-forward (Shazeer 2020): down(silu(gate(x)) * up(x)).
class SwiGluImpl : public torch::nn::Module {
 public:
  SwiGluImpl(int64_t dim, int64_t hidden_dim);
  torch::Tensor forward(const torch::Tensor& x);  // [..., D] -> [..., D]

 private:
  torch::nn::Linear gate_{nullptr}, up_{nullptr}, down_{nullptr};
};
TORCH_MODULE(SwiGlu);

// Pre-norm ViT block: x + attn(LN(x)), then x + MLP(LN(x)).
class VitBlockImpl : public torch::nn::Module {
 public:
  VitBlockImpl(int64_t dim, int64_t num_heads, double mlp_ratio);
  // [B, P, D] -> [B, P, D]; `blocked` as in Attention.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& blocked = {});

 private:
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  Attention attn_{nullptr};
  Mlp mlp_{nullptr};
};
TORCH_MODULE(VitBlock);

// N(0, std) weights and zero biases for every Linear / Embedding below
// `module`, PyTorch's default init for convolutions; LayerNorm and RMSNorm
// keep their unit scale.
void init_transformer_weights(torch::nn::Module& module, double std = 0.02);

int64_t count_parameters(const torch::nn::Module& module);

}  // namespace ablate
