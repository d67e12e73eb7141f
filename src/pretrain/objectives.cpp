// Built-in pre-training objectives, one line each.
#include <fmt/format.h>

#include "core/error.h"
#include "pretrain/aim.h"
#include "pretrain/clip.h"

namespace ablate {

namespace {
void any_encoder(const EncoderOptions&) {}

void vit_only(const EncoderOptions& options) {
  if (options.type != "vit") {
    throw ConfigError(fmt::format(
        "encoder.pretrain.objective=aim needs encoder.type=vit (a prefix-causal mask over "
        "patches), got '{}'",
        options.type));
  }
}
}  // namespace

void register_builtin_objectives(Registry<ObjectiveEntry>& registry) {
  registry.add("aim", {"next-patch pixel prediction under a prefix-causal mask (AIM)", vit_only,
                       [](const EncoderOptions& o, const EncoderImpl& e, int) {
                         return Objective(std::shared_ptr<ObjectiveImpl>(
                             std::make_shared<AimObjectiveImpl>(o, e.dim())));
                       }});
  registry.add("clip", {"contrastive image-caption InfoNCE with a text tower (CLIP)", any_encoder,
                        [](const EncoderOptions& o, const EncoderImpl& e, int vocab) {
                          return Objective(std::shared_ptr<ObjectiveImpl>(
                              std::make_shared<ClipObjectiveImpl>(o, e.dim(), vocab)));
                        }});
}

const Registry<ObjectiveEntry>& objective_registry() {
  static const Registry<ObjectiveEntry> registry("pre-training objective",
                                                 register_builtin_objectives);
  return registry;
}

}  // namespace ablate
