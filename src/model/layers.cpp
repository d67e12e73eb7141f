#include "model/layers.h"

#include <cmath>

namespace ablate {

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight_ = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  const auto xf = x.to(torch::kFloat32);
  const auto normed = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps_);
  return (normed * weight_).to(x.scalar_type());
}

RotaryImpl::RotaryImpl(int64_t head_dim, int64_t max_len, double base) {
  TORCH_CHECK(head_dim % 2 == 0, "rotary: head dim must be even, got ", head_dim);
  const auto inv_freq =
      torch::pow(base, -torch::arange(0, head_dim, 2, torch::kFloat64) / double(head_dim));
  const auto angles = torch::outer(torch::arange(max_len, torch::kFloat64), inv_freq);
  const auto full = torch::cat({angles, angles}, /*dim=*/-1);  // [max_len, Dh]
  cos_ = register_buffer("cos", full.cos().to(torch::kFloat32));
  sin_ = register_buffer("sin", full.sin().to(torch::kFloat32));
}

torch::Tensor RotaryImpl::forward(const torch::Tensor& x, int64_t offset) {
  TORCH_CHECK(x.dim() == 4, "rotary: expected [B, H, T, Dh], got ", x.sizes());
  const int64_t t = x.size(2), half = x.size(3) / 2;
  TORCH_CHECK(offset + t <= cos_.size(0), "rotary: sequence of ", offset + t,
              " tokens exceeds max_seq_len ", cos_.size(0));
  const auto cos = cos_.slice(0, offset, offset + t).to(x.scalar_type());
  const auto sin = sin_.slice(0, offset, offset + t).to(x.scalar_type());
  const auto rotated = torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, /*dim=*/-1);
  return x * cos + rotated * sin;
}

AttentionImpl::AttentionImpl(int64_t dim, int64_t num_heads, int64_t context_dim)
    : num_heads_(num_heads), head_dim_(dim / num_heads) {
  TORCH_CHECK(dim % num_heads == 0, "attention: width ", dim, " not divisible by ", num_heads,
              " heads");
  const int64_t ctx = context_dim < 0 ? dim : context_dim;
  q_ = register_module("q", torch::nn::Linear(dim, dim));
  k_ = register_module("k", torch::nn::Linear(ctx, dim));
  v_ = register_module("v", torch::nn::Linear(ctx, dim));
  out_ = register_module("out", torch::nn::Linear(dim, dim));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                     bool causal, Rotary rotary, const torch::Tensor& blocked) {
  const auto& ctx = context.defined() ? context : x;
  TORCH_CHECK(x.dim() == 3 && ctx.dim() == 3 && x.size(0) == ctx.size(0),
              "attention: expected x [B, T, D] and context [B, S, D_ctx], got ", x.sizes(), " and ",
              ctx.sizes());
  const int64_t b = x.size(0), t = x.size(1), s = ctx.size(1);
  auto q = q_(x).view({b, t, num_heads_, head_dim_}).transpose(1, 2);  // [B, H, T, Dh]
  auto k = k_(ctx).view({b, s, num_heads_, head_dim_}).transpose(1, 2);
  auto v = v_(ctx).view({b, s, num_heads_, head_dim_}).transpose(1, 2);
  if (rotary) {
    q = rotary(q);
    k = rotary(k);
  }
  auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(head_dim_));
  if (causal) {
    TORCH_CHECK(t == s, "attention: causal mask needs T == S");
    const auto future =
        torch::ones({t, t}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
  }
  if (blocked.defined()) {
    TORCH_CHECK(blocked.dim() == 2 && blocked.size(0) == t && blocked.size(1) == s,
                "attention: expected mask [", t, ", ", s, "], got ", blocked.sizes());
    scores = scores.masked_fill(blocked, -std::numeric_limits<float>::infinity());
  }
  const auto weights = torch::softmax(scores, /*dim=*/-1).to(v.scalar_type());
  const auto out =
      torch::matmul(weights, v).transpose(1, 2).reshape({b, t, num_heads_ * head_dim_});
  return out_(out);
}

torch::Tensor AttentionImpl::forward_cached(const torch::Tensor& x, Rotary rotary,
                                            KvCache& cache) {
  TORCH_CHECK(x.dim() == 3, "attention: expected x [B, T, D], got ", x.sizes());
  const int64_t b = x.size(0), t = x.size(1), past = cache.length();
  auto q = q_(x).view({b, t, num_heads_, head_dim_}).transpose(1, 2);  // [B, H, T, Dh]
  auto k = k_(x).view({b, t, num_heads_, head_dim_}).transpose(1, 2);
  auto v = v_(x).view({b, t, num_heads_, head_dim_}).transpose(1, 2);
  q = rotary(q, past);
  k = rotary(k, past);
  if (past > 0) {
    k = torch::cat({cache.k, k}, /*dim=*/2);  // [B, H, past + T, Dh]
    v = torch::cat({cache.v, v}, /*dim=*/2);
  }
  cache.k = k;
  cache.v = v;
  auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(head_dim_));
  if (t > 1) {  // query i (position past + i) sees keys 0 .. past + i
    const auto future =
        torch::ones({t, past + t}, torch::TensorOptions().dtype(torch::kBool).device(x.device()))
            .triu(past + 1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
  }
  const auto weights = torch::softmax(scores, /*dim=*/-1).to(v.scalar_type());
  return out_(torch::matmul(weights, v).transpose(1, 2).reshape({b, t, num_heads_ * head_dim_}));
}

MlpImpl::MlpImpl(int64_t in_dim, int64_t hidden_dim, int64_t out_dim) {
  fc1_ = register_module("fc1", torch::nn::Linear(in_dim, hidden_dim));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden_dim, out_dim));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) { return fc2_(torch::gelu(fc1_(x))); }

SwiGluImpl::SwiGluImpl(int64_t dim, int64_t hidden_dim) {
  gate_ = register_module("gate",
                          torch::nn::Linear(torch::nn::LinearOptions(dim, hidden_dim).bias(false)));
  up_ = register_module("up",
                        torch::nn::Linear(torch::nn::LinearOptions(dim, hidden_dim).bias(false)));
  down_ = register_module("down",
                          torch::nn::Linear(torch::nn::LinearOptions(hidden_dim, dim).bias(false)));
}

torch::Tensor SwiGluImpl::forward(const torch::Tensor& x) {
  return down_(torch::silu(gate_(x)) * up_(x));
}

VitBlockImpl::VitBlockImpl(int64_t dim, int64_t num_heads, double mlp_ratio) {
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  attn_ = register_module("attn", Attention(dim, num_heads));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  mlp_ = register_module("mlp", Mlp(dim, static_cast<int64_t>(dim * mlp_ratio), dim));
}

torch::Tensor VitBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& blocked) {
  auto h = x + attn_(norm1_(x), /*context=*/torch::Tensor(), /*causal=*/false, nullptr, blocked);
  return h + mlp_(norm2_(h));
}

void init_transformer_weights(torch::nn::Module& module, double std) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/true)) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0.0, std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* emb = m->as<torch::nn::Embedding>()) {
      emb->weight.normal_(0.0, std);
    } else if (auto* conv = m->as<torch::nn::Conv2d>()) {
      conv->reset_parameters();  // PyTorch's default (Kaiming-uniform), from the seeded generator
    }
  }
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace ablate
