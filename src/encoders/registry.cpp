// Built-in image encoders, one line each.
#include "encoders/convnet.h"
#include "encoders/encoder.h"
#include "encoders/vit.h"

namespace ablate {

namespace {
// Entry for an encoder whose feature width is encoder.width.
template <class Impl>
EncoderEntry entry(std::string description, int (*grid_size)(const EncoderOptions&, int)) {
  return {std::move(description), grid_size, [](const EncoderOptions& o) { return o.width; },
          [](const EncoderOptions& o, int resolution) {
            return Encoder(std::shared_ptr<EncoderImpl>(std::make_shared<Impl>(o, resolution)));
          }};
}
}  // namespace

void register_builtin_encoders(Registry<EncoderEntry>& registry) {
  registry.add("convnet",
               entry<ConvNetImpl>("ResNet-style CNN whose final feature map is the patch grid",
                                  convnet_grid_size));
  registry.add("vit", entry<VitImpl>("Vision Transformer over patch_size x patch_size patches",
                                     vit_grid_size));
}

}  // namespace ablate
