// The proxy VLM: image encoder -> connector -> decoder LM, with the visual
// tokens spliced in where the image appears (as MM1). Also the load-time check
// of a whole config: every derived shape (patch grid, visual token count,
// sequence length) is computed here, and impossible combinations fail with a
// sentence saying why before anything trains.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

#include "connectors/connector.h"
#include "core/config.h"
#include "data/document.h"
#include "encoders/encoder.h"
#include "lm/lm.h"

namespace ablate {

struct VlmShapes {
  int grid_size = 0;          // patch grid side
  int num_patches = 0;        // P
  int num_visual_tokens = 0;  // N, from the connector
  int encoder_dim = 0;
  int lm_dim = 0;
  int vocab_size = 0;
  int64_t longest_document = 0;  // longest training document, tokens
  int64_t longest_prompt = 0;    // longest evaluation prompt plus its decoding limit
};

// Cross-field and registry checks; ConfigError names `source` (the config's
// origin, e.g. a file plus overrides) and the keys involved.
VlmShapes check_config(const ExperimentConfig& config, const std::string& source);

// load_experiment + check_config.
ExperimentConfig load_checked_experiment(const std::string& path,
                                         const std::vector<std::string>& overrides = {});

class VlmImpl : public torch::nn::Module {
 public:
  explicit VlmImpl(const ExperimentConfig& config);
  // Draws all initial weights, each stage from its own generator seeded by
  // (seed, stage): a stage's initialisation does not depend on the other
  // stages' shapes, so trials of one seed that differ only in, say, the
  // connector start from the same encoder and LM (paired comparisons).
  void init_weights(uint64_t seed);

  // images [M, 3, H, W] -> visual tokens [M, N, D_lm] (M may be 0)
  torch::Tensor encode_images(const torch::Tensor& images);
  // tokens [B, T] with N placeholders per image, visual [M, N, D_lm] for the
  // M images of the batch in reading order -> logits [B, T, V]
  // With `cache`, tokens continue the cached positions (incremental decoding;
  // visual holds the images of the new tokens only, [0, N, D_lm] for none).
  torch::Tensor logits(const torch::Tensor& tokens, const torch::Tensor& visual,
                       std::vector<KvCache>* cache = nullptr);

  struct Loss {
    torch::Tensor total;  // what is optimised: lm + aux_loss_weight * aux
    torch::Tensor lm;     // next-token loss on text, per example, then batch mean
    torch::Tensor aux;    // MoE load-balancing loss (0 when dense)
    torch::Tensor load;   // [E] expert load, undefined when dense
    double dropped = 0;   // share of MoE routing slots over capacity
  };
  Loss loss(const Batch& batch);

  const VlmShapes& shapes() const { return shapes_; }
  Encoder& encoder() { return encoder_; }
  LanguageModel& lm() { return lm_; }
  // Parameters per stage: encoder, connector, lm, total.
  std::map<std::string, int64_t> parameter_counts() const;
  // The stages that train.freeze and train.*_lr_scale name.
  std::map<std::string, std::vector<torch::Tensor>> parameters_by_stage() const;

 private:
  // Splices `visual` into the placeholders of `tokens` and runs the LM.
  LmOutput run_lm(const torch::Tensor& tokens, const torch::Tensor& visual,
                  std::vector<KvCache>* cache = nullptr);

  VlmShapes shapes_;
  double aux_loss_weight_;
  Encoder encoder_{nullptr};
  Connector connector_{nullptr};
  LanguageModel lm_{nullptr};
};
TORCH_MODULE(Vlm);

// Per-example next-token loss. logits [B, T, V], tokens [B, T], mask [B, T]
// (1 where tokens[:, t] is a target) -> [B].
torch::Tensor per_example_loss(const torch::Tensor& logits, const torch::Tensor& tokens,
                               const torch::Tensor& mask);

}  // namespace ablate
