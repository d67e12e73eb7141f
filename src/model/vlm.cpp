#include "model/vlm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "data/tokenizer.h"
#include "lm/splice.h"
#include "pretrain/pretrain.h"

namespace ablate {
namespace {

// Longest text after an image: a caption of max_objects objects with every
// template, or a question with its answer; computed from the generator so it
// cannot drift from it.
int max_text_tokens(const DataOptions& data) {
  Scene scene;
  for (int i = 0; i < data.max_objects; ++i) {
    Object o;
    o.size = 0;
    o.colour = 5;  // "orange": takes the article "an", same length as "a"
    scene.objects.push_back(o);
  }
  size_t longest = 0;
  for (const auto& ref : caption_references(scene))
    longest = std::max(longest, caption_text(ref).size());
  // Questions: "what shape is the <colour> object ?" + answer is the longest form.
  VqaItem q{"shape", "what shape is the orange object ?", {"triangle"}};
  longest = std::max(longest, vqa_text(q).size());
  return static_cast<int>(longest);
}

}  // namespace

VlmShapes check_config(const ExperimentConfig& c, const std::string& source) {
  auto fail = [&](const std::string& what) {
    throw ConfigError(fmt::format("{}: {}", source, what));
  };
  try {
    if (c.data.min_objects > c.data.max_objects) {
      fail(fmt::format("data.min_objects={} is larger than data.max_objects={}", c.data.min_objects,
                       c.data.max_objects));
    }
    if (c.data.render_resolution % c.data.resolution != 0) {
      fail(fmt::format(
          "data.render_resolution={} is not a multiple of data.resolution={}; scenes are "
          "area-downsampled by an integer factor",
          c.data.render_resolution, c.data.resolution));
    }
    if (c.device == "cuda" && !torch::cuda::is_available()) {
      fail("device=cuda, but this build of LibTorch has no CUDA device available; use device=cpu");
    }
    if (c.lm.width % c.lm.num_heads != 0 || (c.lm.width / c.lm.num_heads) % 2 != 0) {
      fail(fmt::format("lm.width={} must split into lm.num_heads={} heads of even size (rotary)",
                       c.lm.width, c.lm.num_heads));
    }
    if (c.lm.moe.num_experts > 0 && c.lm.moe.top_k > c.lm.moe.num_experts) {
      fail(fmt::format("lm.moe.top_k={} exceeds lm.moe.num_experts={}", c.lm.moe.top_k,
                       c.lm.moe.num_experts));
    }
    if (c.train.freeze.size() == 3) {
      fail("train.freeze lists every stage (encoder, connector, lm): nothing would train");
    }
    check_pretrain_config(c);
    VlmShapes s;
    const auto& enc = encoder_registry().get(c.encoder.type);
    s.grid_size = enc.grid_size(c.encoder, c.data.resolution);
    s.num_patches = s.grid_size * s.grid_size;
    s.encoder_dim = enc.dim(c.encoder);
    s.lm_dim = c.lm.width;
    s.vocab_size = Tokenizer::world().vocab_size();
    const ConnectorShapes cs{s.num_patches, s.encoder_dim, s.lm_dim};
    s.num_visual_tokens =
        connector_registry().get(c.connector.type).num_output_tokens(c.connector, cs);
    s.max_text_tokens = max_text_tokens(c.data);
    const int seq = 1 + s.num_visual_tokens + s.max_text_tokens;
    if (seq > c.lm.max_seq_len) {
      fail(fmt::format("sequences need {} tokens (1 + {} visual + {} text) but lm.max_seq_len={}",
                       seq, s.num_visual_tokens, s.max_text_tokens, c.lm.max_seq_len));
    }
    return s;
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    if (msg.rfind(source, 0) == 0) throw;
    throw ConfigError(fmt::format("{}: {}", source, msg));
  }
}

ExperimentConfig load_checked_experiment(const std::string& path,
                                         const std::vector<std::string>& overrides) {
  ExperimentConfig config = load_experiment(path, overrides);
  std::string source = path;
  if (!overrides.empty()) source += fmt::format(" with {}", fmt::join(overrides, " "));
  check_config(config, source);
  return config;
}

VlmImpl::VlmImpl(const ExperimentConfig& config)
    : shapes_(check_config(config, config.name)), aux_loss_weight_(config.lm.moe.aux_loss_weight) {
  encoder_ = register_module(
      "encoder",
      encoder_registry().get(config.encoder.type).make(config.encoder, config.data.resolution));
  connector_ = register_module(
      "connector",
      connector_registry()
          .get(config.connector.type)
          .make(config.connector, {shapes_.num_patches, shapes_.encoder_dim, shapes_.lm_dim}));
  lm_ = register_module("lm", LanguageModel(config.lm, shapes_.vocab_size));
}

void VlmImpl::init_weights(uint64_t seed) {
  torch::manual_seed(seed);
  encoder_->init_weights();
  connector_->init_weights();
  lm_->init_weights();
}

torch::Tensor VlmImpl::encode_images(const torch::Tensor& images) {
  return connector_(encoder_(images));
}

LmOutput VlmImpl::run_lm(const torch::Tensor& tokens, const torch::Tensor& visual) {
  return lm_(splice_visual_tokens(lm_->embed(tokens), tokens, visual, Tokenizer::kImage));
}

torch::Tensor VlmImpl::logits(const torch::Tensor& tokens, const torch::Tensor& visual) {
  return run_lm(tokens, visual).logits;
}

torch::Tensor per_example_loss(const torch::Tensor& logits, const torch::Tensor& tokens,
                               const torch::Tensor& mask) {
  TORCH_CHECK(logits.dim() == 3 && tokens.sizes() == logits.sizes().slice(0, 2) &&
                  mask.sizes() == tokens.sizes(),
              "loss: expected logits [B, T, V], tokens and mask [B, T], got ", logits.sizes(), ", ",
              tokens.sizes(), ", ", mask.sizes());
  // Position t predicts token t + 1.
  const auto pred = logits.slice(1, 0, -1).to(torch::kFloat32);  // [B, T-1, V]
  const auto target = tokens.slice(1, 1);                        // [B, T-1]
  const auto m = mask.slice(1, 1);
  const auto nll = torch::nn::functional::cross_entropy(
                       pred.reshape({-1, pred.size(2)}), target.reshape({-1}),
                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                       .view_as(target);
  // Per example, not per token, or long captions dominate (PROXY-NOTES, point 6).
  return (nll * m).sum(1) / m.sum(1).clamp_min(1.0);
}

VlmImpl::Loss VlmImpl::loss(const Batch& batch) {
  LmOutput out = run_lm(batch.tokens, encode_images(batch.images));
  Loss l;
  l.lm = per_example_loss(out.logits, batch.tokens, batch.loss_mask).mean();
  l.aux = out.aux_loss;
  l.load = out.load;
  l.dropped = out.dropped;
  l.total = l.lm + aux_loss_weight_ * l.aux;
  return l;
}

std::map<std::string, std::vector<torch::Tensor>> VlmImpl::parameters_by_stage() const {
  return {{"encoder", encoder_->parameters()},
          {"connector", connector_->parameters()},
          {"lm", lm_->parameters()}};
}

std::map<std::string, int64_t> VlmImpl::parameter_counts() const {
  std::map<std::string, int64_t> counts = {{"encoder", count_parameters(*encoder_)},
                                           {"connector", count_parameters(*connector_)},
                                           {"lm", count_parameters(*lm_)}};
  counts["total"] = counts["encoder"] + counts["connector"] + counts["lm"];
  return counts;
}

}  // namespace ablate
