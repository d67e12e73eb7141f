// Encoder pre-training objectives (encoder.pretrain.objective). Each owns the
// modules it needs besides the encoder (a text tower, a pixel head) and turns
// a batch into a loss that trains the encoder with them.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>

#include "core/config.h"
#include "core/registry.h"
#include "encoders/encoder.h"

namespace ablate {

struct PretrainBatch {
  torch::Tensor images;  // [B, 3, H, W]
  torch::Tensor texts;   // [B, L] int64 caption ids ending in <eos>, right-padded
  torch::Tensor eos;     // [B] int64 position of each caption's <eos>
};

class ObjectiveImpl : public torch::nn::Module {
 public:
  // Scalar loss of `encoder` (trained together with this objective's modules).
  virtual torch::Tensor loss(EncoderImpl& encoder, const PretrainBatch& batch) = 0;
  // Draws initial weights from torch's global generator (seeded by the caller).
  virtual void init_weights() = 0;
};
TORCH_MODULE(Objective);

struct ObjectiveEntry {
  std::string description;
  // Throws ConfigError when the objective cannot train this encoder.
  std::function<void(const EncoderOptions&)> check;
  std::function<Objective(const EncoderOptions&, const EncoderImpl&, int vocab_size)> make;
};

void register_builtin_objectives(Registry<ObjectiveEntry>& registry);
const Registry<ObjectiveEntry>& objective_registry();

}  // namespace ablate
