#include "lm/lm.h"

#include "model/weights.h"

namespace ablate {

DecoderBlockImpl::DecoderBlockImpl(const LmOptions& o) {
  norm1_ = register_module("norm1", RMSNorm(o.width));
  attn_ = register_module("attn", Attention(o.width, o.num_heads));
  norm2_ = register_module("norm2", RMSNorm(o.width));
  const auto hidden = static_cast<int64_t>(o.width * o.mlp_ratio);
  if (o.moe.num_experts > 0) {
    moe_ = register_module("moe", MoeFeedForward(o.width, hidden, o.moe.num_experts, o.moe.top_k,
                                                 o.moe.capacity_factor));
  } else {
    ffn_ = register_module("ffn", SwiGlu(o.width, hidden));
  }
}

torch::Tensor DecoderBlockImpl::forward(const torch::Tensor& x, Rotary rotary, LmOutput& extras,
                                        KvCache* cache) {
  auto h = x + (cache ? attn_->forward_cached(norm1_(x), rotary, *cache)
                      : attn_(norm1_(x), /*context=*/torch::Tensor(), /*causal=*/true, rotary));
  if (!moe_) return h + ffn_(norm2_(h));
  MoeOutput m = moe_(norm2_(h));
  extras.aux_loss = extras.aux_loss + m.aux_loss;
  extras.load = extras.load.defined() ? extras.load + m.load : m.load;
  extras.dropped += m.dropped;
  return h + m.out;
}

LanguageModelImpl::LanguageModelImpl(const LmOptions& options, int vocab_size)
    : options_(options), vocab_size_(vocab_size) {
  TORCH_CHECK(
      options.width % options.num_heads == 0 && (options.width / options.num_heads) % 2 == 0,
      "lm: width ", options.width, " must split into ", options.num_heads, " heads of even size");
  embed_ = register_module("embed", torch::nn::Embedding(vocab_size, options.width));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < options.depth; ++i) blocks_->push_back(DecoderBlock(options));
  norm_ = register_module("norm", RMSNorm(options.width));
  if (!options.tie_embeddings) {
    head_ = register_module(
        "head", torch::nn::Linear(torch::nn::LinearOptions(options.width, vocab_size).bias(false)));
  }
  rotary_ =
      register_module("rotary", Rotary(options.width / options.num_heads, options.max_seq_len));
}

std::map<std::string, torch::Tensor> LanguageModelImpl::weights() const {
  return named_weights(*this, /*with_buffers=*/false);
}

std::vector<std::string> LanguageModelImpl::load_weights(
    const std::map<std::string, torch::Tensor>& weights) {
  return load_named_weights(*this, weights, /*with_buffers=*/false, "lm");
}

void LanguageModelImpl::init_weights() {
  // N(0, 0.02) everywhere: tied embeddings at N(0, 1) start the loss above 30
  // (../shared/PROXY-NOTES.md, point 6).
  init_transformer_weights(*this, 0.02);
}

torch::Tensor LanguageModelImpl::embed(const torch::Tensor& tokens) {
  TORCH_CHECK(tokens.dim() == 2, "lm: expected tokens [B, T], got ", tokens.sizes());
  return embed_(tokens);
}

torch::Tensor LanguageModelImpl::run_blocks(const torch::Tensor& embeds, LmOutput& out,
                                            std::vector<KvCache>* cache) {
  TORCH_CHECK(embeds.dim() == 3 && embeds.size(2) == options_.width,
              "lm: expected embeddings [B, T, ", options_.width, "], got ", embeds.sizes());
  if (cache) cache->resize(blocks_->size());
  const int64_t past = cache ? cache->front().length() : 0;
  TORCH_CHECK(past + embeds.size(1) <= options_.max_seq_len, "lm: sequence of ",
              past + embeds.size(1), " tokens exceeds lm.max_seq_len=", options_.max_seq_len);
  out.aux_loss = torch::zeros({}, embeds.options().dtype(torch::kFloat32));
  auto x = embeds;
  for (size_t i = 0; i < blocks_->size(); ++i) {
    x = (*blocks_)[i]->as<DecoderBlock>()->forward(x, rotary_, out, cache ? &(*cache)[i] : nullptr);
  }
  if (out.load.defined()) {
    out.load = out.load / options_.depth;
    out.dropped /= options_.depth;
  }
  return norm_(x);
}

torch::Tensor LanguageModelImpl::hidden(const torch::Tensor& embeds) {
  LmOutput unused;
  return run_blocks(embeds, unused);
}

LmOutput LanguageModelImpl::forward(const torch::Tensor& embeds, std::vector<KvCache>* cache) {
  LmOutput out;
  const auto x = run_blocks(embeds, out, cache);
  out.logits = head_ ? head_(x) : torch::matmul(x, embed_->weight.to(x.scalar_type()).t());
  return out;
}

}  // namespace ablate
