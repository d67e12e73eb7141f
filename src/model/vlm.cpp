#include "model/vlm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/rng.h"
#include "data/fashion.h"
#include "data/tokenizer.h"
#include "eval/benchmark.h"
#include "lm/splice.h"
#include "pretrain/pretrain.h"

namespace ablate {

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
    if (c.train.length_buckets > c.train.batch_size) {
      fail(fmt::format("train.length_buckets={} exceeds train.batch_size={}",
                       c.train.length_buckets, c.train.batch_size));
    }
    if (c.train.freeze.size() == 3) {
      fail("train.freeze lists every stage (encoder, connector, lm): nothing would train");
    }
    const double mix_total = c.data.mix.captions + c.data.mix.interleaved + c.data.mix.text;
    if (!(mix_total > 0)) {
      fail("data.mix: captions, interleaved and text are all 0; at least one must be positive");
    }
    if (c.eval.benchmarks.empty()) {
      fail(
          fmt::format("eval.benchmarks is empty; available: {}", fmt::join(kBenchmarkNames, ", ")));
    }
    for (int k : c.eval.shots) {
      if (k > c.eval.shot_pool) {
        fail(fmt::format("eval.shots has {} but eval.shot_pool={} holds fewer examples", k,
                         c.eval.shot_pool));
      }
    }
    const bool fashion_vqa = std::find(c.eval.benchmarks.begin(), c.eval.benchmarks.end(),
                                       "fashion_vqa") != c.eval.benchmarks.end();
    if (c.data.fashion_scenes > 0 || fashion_vqa) {
      try {
        check_fashion_mnist();
      } catch (const std::runtime_error& e) {
        fail(fmt::format("{} needs Fashion-MNIST's photos: {}",
                         c.data.fashion_scenes > 0 ? "data.fashion_scenes > 0"
                                                   : "eval.benchmarks: fashion_vqa",
                         e.what()));
      }
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
    s.longest_document = longest_training_document(c.data, s.num_visual_tokens);
    if (s.longest_document > c.lm.max_seq_len) {
      fail(fmt::format(
          "training documents need up to {} tokens ({} visual per image, up to data.max_images={} "
          "images) but lm.max_seq_len={}",
          s.longest_document, s.num_visual_tokens, c.data.max_images, c.lm.max_seq_len));
    }
    s.longest_prompt =
        longest_eval_sequence(make_eval_set(c.data, c.eval), c.eval, s.num_visual_tokens);
    if (s.longest_prompt > c.lm.max_seq_len) {
      fail(fmt::format(
          "evaluation prompts need up to {} tokens ({} visual per image, up to {} shots in "
          "eval.shots) but lm.max_seq_len={}",
          s.longest_prompt, s.num_visual_tokens,
          *std::max_element(c.eval.shots.begin(), c.eval.shots.end()), c.lm.max_seq_len));
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
  constexpr uint64_t kEncoderInit = 0x656e63, kConnectorInit = 0x636f6e, kLmInit = 0x6c6d;
  torch::manual_seed(derive_seed({seed, kEncoderInit}));
  encoder_->init_weights();
  torch::manual_seed(derive_seed({seed, kConnectorInit}));
  connector_->init_weights();
  torch::manual_seed(derive_seed({seed, kLmInit}));
  lm_->init_weights();
}

torch::Tensor VlmImpl::encode_images(const torch::Tensor& images) {
  if (images.size(0) == 0) {  // a batch of text-only documents
    return torch::zeros({0, shapes_.num_visual_tokens, shapes_.lm_dim},
                        images.options().dtype(torch::kFloat32));
  }
  return connector_(encoder_(images));
}

LmOutput VlmImpl::run_lm(const torch::Tensor& tokens, const torch::Tensor& visual,
                         std::vector<KvCache>* cache) {
  return lm_->forward(splice_visual_tokens(lm_->embed(tokens), tokens, visual, Tokenizer::kImage),
                      cache);
}

torch::Tensor VlmImpl::logits(const torch::Tensor& tokens, const torch::Tensor& visual,
                              std::vector<KvCache>* cache) {
  return run_lm(tokens, visual, cache).logits;
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
