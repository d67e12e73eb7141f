// Image encoder interface: images [B, 3, H, W] -> patch features [B, P, D_enc]
// on a square grid of P = grid x grid patches.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>

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

 protected:
  EncoderImpl(int64_t dim, int64_t resolution, int64_t grid_size)
      : dim_(dim), resolution_(resolution), grid_size_(grid_size) {}
  virtual torch::Tensor forward_impl(const torch::Tensor& images) = 0;

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
