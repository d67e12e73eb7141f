// Built-in image encoders, one line each.
#include "encoders/convnet.h"
#include "encoders/encoder.h"
#include "encoders/vit.h"

namespace ablate {

void register_builtin_encoders(Registry<EncoderEntry>& registry) {
  registry.add("convnet", {"ResNet-style CNN whose final feature map is the patch grid",
                           convnet_grid_size, [](const EncoderOptions& o) { return o.width; },
                           [](const EncoderOptions& o, int resolution) {
                             return Encoder(std::shared_ptr<EncoderImpl>(
                                 std::make_shared<ConvNetImpl>(o, resolution)));
                           }});
  registry.add("vit", {"Vision Transformer over patch_size x patch_size patches", vit_grid_size,
                       [](const EncoderOptions& o) { return o.width; },
                       [](const EncoderOptions& o, int resolution) {
                         return Encoder(std::shared_ptr<EncoderImpl>(
                             std::make_shared<VitImpl>(o, resolution)));
                       }});
}

}  // namespace ablate
