// Built-in connectors, one line each. Adding a connector: one new file with
// its Impl, plus one line here; tests/connectors covers it automatically.
#include "connectors/attn_pool.h"
#include "connectors/avg_pool.h"
#include "connectors/connector.h"

namespace ablate {

namespace {
template <class Impl>
ConnectorEntry entry(std::string description) {
  return {std::move(description), &Impl::output_tokens,
          [](const ConnectorOptions& o, const ConnectorShapes& s) {
            return Connector(std::shared_ptr<ConnectorImpl>(std::make_shared<Impl>(o, s)));
          }};
}
}  // namespace

void register_builtin_connectors(Registry<ConnectorEntry>& registry) {
  registry.add("avg_pool", entry<AvgPoolImpl>("average-pool the patch grid to N tokens + MLP (MM1)"));
  registry.add("attn_pool", entry<AttnPoolImpl>("N learned queries cross-attend to patches + MLP (MM1)"));
}

}  // namespace ablate
