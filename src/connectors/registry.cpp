// Built-in connectors, one line each. Adding a connector: one new file with
// its Impl, plus one line here; tests/connectors covers it automatically.
#include "connectors/attn_pool.h"
#include "connectors/avg_pool.h"
#include "connectors/c_abstractor.h"
#include "connectors/connector.h"
#include "connectors/linear.h"
#include "connectors/mlp.h"
#include "connectors/perceiver_resampler.h"
#include "connectors/pixel_shuffle.h"

namespace ablate {

namespace {
template <class Impl>
ConnectorEntry entry(std::string description) {
  auto tokens = [](const ConnectorOptions& o, const ConnectorShapes& s) {
    check_framing(o, s);
    return Impl::output_tokens(o, s);
  };
  return {std::move(description), tokens,
          [](const ConnectorOptions& o, const ConnectorShapes& s) {
            return Connector(std::shared_ptr<ConnectorImpl>(std::make_shared<Impl>(o, s)));
          }};
}
}  // namespace

void register_builtin_connectors(Registry<ConnectorEntry>& registry) {
  registry.add("linear",
               entry<LinearProjectionImpl>("one token per patch, linear projection (LLaVA)"));
  registry.add("mlp",
               entry<MlpProjectionImpl>("one token per patch, 2-layer GELU MLP (LLaVA-1.5)"));
  registry.add("avg_pool",
               entry<AvgPoolImpl>("average-pool the patch grid to N tokens + MLP (MM1)"));
  registry.add("attn_pool",
               entry<AttnPoolImpl>("N learned queries cross-attend to patches + MLP (MM1)"));
  registry.add("c_abstractor", entry<CAbstractorImpl>(
                                   "RegNet stages around adaptive pooling + MLP (Honeybee, MM1)"));
  registry.add("perceiver_resampler", entry<PerceiverResamplerImpl>(
                                          "latents with depth cross-attention layers (Flamingo)"));
  registry.add("pixel_shuffle",
               entry<PixelShuffleImpl>("r x r space-to-depth + projection (Idefics3, nanoVLM)"));
}

}  // namespace ablate
