// One suite over every registered connector: adding a connector to the
// registry adds it here.
#include <gtest/gtest.h>

#include "connectors/connector.h"
#include "core/error.h"

namespace ablate {
namespace {

class ConnectorSuite : public ::testing::TestWithParam<std::string> {
 protected:
  ConnectorOptions options() const {
    ConnectorOptions o;
    o.type = GetParam();
    o.num_tokens = 4;
    o.num_heads = 2;
    return o;
  }
  const ConnectorShapes shapes_{/*num_patches=*/16, /*in_dim=*/12, /*out_dim=*/20};

  Connector make() const {
    torch::manual_seed(0);
    auto c = connector_registry().get(GetParam()).make(options(), shapes_);
    c->init_weights();
    return c;
  }
};

TEST_P(ConnectorSuite, OutputShapeMatchesDerivedTokenCount) {
  auto c = make();
  const int n = connector_registry().get(GetParam()).num_output_tokens(options(), shapes_);
  EXPECT_EQ(c->num_output_tokens(), n);
  const auto out = c(torch::randn({3, 16, 12}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, n, 20}));
  EXPECT_THROW(c(torch::randn({3, 15, 12})), c10::Error) << "wrong patch count is rejected";
  EXPECT_THROW(c(torch::randn({3, 16, 11})), c10::Error) << "wrong width is rejected";
}

TEST_P(ConnectorSuite, GradientsReachEveryParameter) {
  auto c = make();
  c(torch::randn({2, 16, 12})).pow(2).sum().backward();
  for (const auto& p : c->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST_P(ConnectorSuite, EvalIsDeterministicAndInputUntouched) {
  auto c = make();
  c->eval();
  const auto x = torch::randn({2, 16, 12});
  const auto copy = x.clone();
  torch::InferenceMode guard;
  EXPECT_TRUE(torch::equal(c(x), c(x)));
  EXPECT_TRUE(torch::equal(x, copy));
}

TEST_P(ConnectorSuite, ImpossibleConfigRejectedWithReason) {
  ConnectorOptions o = options();
  o.num_tokens = 7;   // not a square grid
  o.num_heads = 5;    // does not divide 12
  try {
    connector_registry().get(GetParam()).num_output_tokens(o, shapes_);
    FAIL() << "accepted an impossible config";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("connector."), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, ConnectorSuite, ::testing::ValuesIn(connector_registry().names()),
                         [](const auto& info) { return info.param; });

TEST(ConnectorRegistry, UnknownNameListsAvailableAndDuplicatesThrow) {
  try {
    connector_registry().get("cabs");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "unknown connector 'cabs'; available: attn_pool, avg_pool");
  }
  Registry<ConnectorEntry> r("connector");
  register_builtin_connectors(r);
  EXPECT_THROW(register_builtin_connectors(r), std::logic_error);
}

TEST(AvgPool, PoolsNeighbouringPatches) {
  ConnectorOptions o;
  o.type = "avg_pool";
  o.num_tokens = 1;
  EXPECT_EQ(connector_registry().get("avg_pool").num_output_tokens(o, {16, 4, 4}), 1);
  o.num_tokens = 16;
  EXPECT_EQ(connector_registry().get("avg_pool").num_output_tokens(o, {16, 4, 4}), 16);
  o.num_tokens = 9;
  EXPECT_THROW(connector_registry().get("avg_pool").num_output_tokens(o, {16, 4, 4}), ConfigError);
}

}  // namespace
}  // namespace ablate
