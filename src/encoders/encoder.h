// Image encoder interface: images [B, 3, H, W] -> patch features [B, P, D_enc]
// on a square grid of P = grid x grid patches.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/registry.h"

namespace ablate {

class EncoderImpl : public torch::nn::Module {
 public:
  // images [B, 3, H, W] -> patch features [B, P, D_enc]; checks shapes.
  torch::Tensor forward(const torch::Tensor& images);

  int64_t dim() const { return dim_; }
  int64_t resolution() const { return resolution_; }
  int64_t grid_size() const { return grid_size_; }
  int64_t num_patches() const { return grid_size_ * grid_size_; }

  // Draws initial weights from torch's global generator; called once by the
  // model builder after seeding, never by constructors.
  virtual void init_weights() = 0;

  // Parameters and buffers by name, e.g. to save a pre-trained encoder.
  std::map<std::string, torch::Tensor> weights() const;
  // Copies `weights` in by name, adapting shapes where the encoder knows how
  // (ViT position embeddings at another resolution). Every parameter and buffer
  // must be present; entries the encoder does not have (blocks past its output
  // layer, the final norm) are skipped and returned. Throws std::runtime_error
  // naming the first missing or mismatched entry.
  std::vector<std::string> load_weights(const std::map<std::string, torch::Tensor>& weights);

 protected:
  EncoderImpl(int64_t dim, int64_t resolution, int64_t grid_size)
      : dim_(dim), resolution_(resolution), grid_size_(grid_size) {}
  virtual torch::Tensor forward_impl(const torch::Tensor& images) = 0;
  // A stored weight made to fit this encoder's parameter `name`; identity by default.
  virtual torch::Tensor adapt_weight(const std::string& name, const torch::Tensor& weight) const {
    (void)name;
    return weight;
  }

 private:
  int64_t dim_, resolution_, grid_size_;
};
TORCH_MODULE(Encoder);

struct EncoderEntry {
  std::string description;
  // Side of the patch grid at `resolution`; throws ConfigError when the
  // combination is impossible, naming valid alternatives.
  std::function<int(const EncoderOptions&, int resolution)> grid_size;
  // Feature width D_enc.
  std::function<int(const EncoderOptions&)> dim;
  std::function<Encoder(const EncoderOptions&, int resolution)> make;
};

void register_builtin_encoders(Registry<EncoderEntry>& registry);
const Registry<EncoderEntry>& encoder_registry();

}  // namespace ablate
