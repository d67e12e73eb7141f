// One suite over every registered connector, each without and with the base
// class's attention blocks: adding a connector to the registry adds it here.
#include "connectors/connector.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"
#include "train/trainer.h"

namespace ablate {
namespace {

class ConnectorSuite : public ::testing::TestWithParam<std::tuple<std::string, int>> {
 protected:
  const std::string& name() const { return std::get<0>(GetParam()); }
  ConnectorOptions options() const {
    ConnectorOptions o;
    o.type = name();
    o.num_tokens = 4;
    o.num_heads = 2;
    o.attention_layers = std::get<1>(GetParam());
    return o;
  }
  const ConnectorShapes shapes_{/*num_patches=*/16, /*in_dim=*/12, /*out_dim=*/20};

  Connector make() const {
    torch::manual_seed(0);
    auto c = connector_registry().get(name()).make(options(), shapes_);
    c->init_weights();
    return c;
  }
};

TEST_P(ConnectorSuite, OutputShapeMatchesDerivedTokenCount) {
  auto c = make();
  const int n = connector_registry().get(name()).num_output_tokens(options(), shapes_);
  EXPECT_EQ(c->num_output_tokens(), n);
  const auto out = c(torch::randn({3, 16, 12}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, n, 20}));
  EXPECT_THROW(c(torch::randn({3, 15, 12})), c10::Error) << "wrong patch count is rejected";
  EXPECT_THROW(c(torch::randn({3, 16, 11})), c10::Error) << "wrong width is rejected";
}

TEST_P(ConnectorSuite, GradientsReachEveryParameter) {
  auto c = make();
  c(torch::randn({2, 16, 12})).pow(2).sum().backward();
  testing::expect_gradients_everywhere(*c);
}

TEST_P(ConnectorSuite, TrainsUnderBf16Autocast) {
  auto c = make();
  torch::Tensor out;
  {
    AutocastGuard autocast(true);
    out = c(torch::randn({2, 16, 12}));
  }
  EXPECT_EQ(out.size(0), 2);
  out.to(torch::kFloat).pow(2).sum().backward();
  testing::expect_gradients_everywhere(*c);
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

TEST_P(ConnectorSuite, ImpossibleShapesRejectedWithReason) {
  // Every connector works on a square patch grid; 15 patches are not one.
  try {
    connector_registry().get(name()).num_output_tokens(options(), {15, 12, 20});
    FAIL() << "accepted 15 patches";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("15 patches do not form a square grid"), std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, ConnectorSuite,
                         ::testing::Combine(::testing::ValuesIn(connector_registry().names()),
                                            ::testing::Values(0, 1)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_attention" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST(ConnectorRegistry, UnknownNameListsAvailableAndDuplicatesThrow) {
  try {
    connector_registry().get("cabs");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "unknown connector 'cabs'; available: attn_pool, avg_pool, c_abstractor, linear, mlp, "
        "perceiver_resampler, pixel_shuffle");
  }
  Registry<ConnectorEntry> r("connector");
  register_builtin_connectors(r);
  EXPECT_THROW(register_builtin_connectors(r), std::logic_error);
}

// Connector-specific token counts and the reasons for rejecting a config.
struct TokenCase {
  std::string type;
  int num_tokens, shuffle_factor, num_heads, depth;
  int expected;             // N, or -1 when the config must be rejected
  std::string reason_part;  // part of the rejection message
};

void PrintTo(const TokenCase& c, std::ostream* os) {
  *os << c.type << " num_tokens=" << c.num_tokens;
}

class TokenCountCase : public ::testing::TestWithParam<TokenCase> {};

TEST_P(TokenCountCase, DerivedOrRejected) {
  const auto& c = GetParam();
  ConnectorOptions o;
  o.type = c.type;
  o.num_tokens = c.num_tokens;
  o.shuffle_factor = c.shuffle_factor;
  o.num_heads = c.num_heads;
  o.depth = c.depth;
  const ConnectorShapes shapes{/*num_patches=*/64, /*in_dim=*/16, /*out_dim=*/8};
  const auto& entry = connector_registry().get(c.type);
  if (c.expected >= 0) {
    EXPECT_EQ(entry.num_output_tokens(o, shapes), c.expected);
    torch::manual_seed(0);
    auto m = entry.make(o, shapes);
    m->init_weights();
    EXPECT_EQ(m(torch::randn({1, 64, 16})).size(1), c.expected);
  } else {
    try {
      entry.num_output_tokens(o, shapes);
      FAIL() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(c.reason_part), std::string::npos) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Connectors, TokenCountCase,
    ::testing::Values(TokenCase{"linear", 4, 2, 4, 3, 64, ""}, TokenCase{"mlp", 4, 2, 4, 3, 64, ""},
                      TokenCase{"avg_pool", 16, 2, 4, 3, 16, ""},
                      TokenCase{"avg_pool", 9, 2, 4, 3, -1, "valid values: 1, 4, 16, 64"},
                      TokenCase{"attn_pool", 7, 2, 4, 3, 7, ""},
                      TokenCase{"attn_pool", 7, 2, 5, 3, -1, "connector.num_heads=5"},
                      TokenCase{"c_abstractor", 9, 2, 4, 3, 9, ""},
                      TokenCase{"c_abstractor", 9, 2, 4, 0, 9, ""},
                      TokenCase{"c_abstractor", 81, 2, 4, 3, -1, "no larger than the patch grid"},
                      TokenCase{"c_abstractor", 8, 2, 4, 3, -1, "connector.num_tokens=8"},
                      TokenCase{"perceiver_resampler", 5, 2, 4, 2, 5, ""},
                      TokenCase{"perceiver_resampler", 5, 2, 4, 0, -1, "at least one layer"},
                      TokenCase{"pixel_shuffle", 1, 2, 4, 3, 16, ""},
                      TokenCase{"pixel_shuffle", 1, 4, 4, 3, 4, ""},
                      TokenCase{"pixel_shuffle", 1, 3, 4, 3, -1, "valid values: 1, 2, 4, 8"}),
    [](const auto& info) { return info.param.type + "_" + std::to_string(info.index); });

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

TEST(ConnectorFraming, AttentionLayersLetEveryTokenSeeTheWholeImage) {
  // avg_pool to 4 tokens on a 4 x 4 grid: token 0 pools the top-left 2 x 2
  // patches. Without attention blocks the bottom-right patch cannot move it;
  // with one it does.
  ConnectorOptions o;
  o.type = "avg_pool";
  o.num_tokens = 4;
  o.num_heads = 2;
  const ConnectorShapes shapes{16, 12, 20};
  for (int layers : {0, 1}) {
    o.attention_layers = layers;
    torch::manual_seed(0);
    auto c = connector_registry().get("avg_pool").make(o, shapes);
    c->init_weights();
    c->eval();
    const auto x = torch::randn({1, 16, 12});
    auto far = x.clone();
    far.select(1, 15).add_(torch::randn({12}));  // not a constant: the norm removes that
    torch::NoGradGuard no_grad;
    const auto moved = (c(far) - c(x)).abs().amax(-1).squeeze(0);  // per token
    EXPECT_GT(moved[3].item<float>(), 1e-4) << layers << " layer(s): its own pooling window";
    if (layers == 0) {
      EXPECT_EQ(moved[0].item<float>(), 0.0f) << "a conv token knows its window only";
    } else {
      // Small at N(0, 0.02) weights, but far above rounding (0 exactly without).
      EXPECT_GT(moved[0].item<float>(), 1e-3f * moved[3].item<float>())
          << "attention reaches across the image";
    }
  }
}

TEST(ConnectorFraming, AttentionHeadsMustDivideTheEncoderWidth) {
  ConnectorOptions o;
  o.type = "avg_pool";
  o.num_tokens = 4;
  o.num_heads = 5;
  EXPECT_EQ(connector_registry().get("avg_pool").num_output_tokens(o, {16, 12, 20}), 4)
      << "heads are unused without attention blocks";
  o.attention_layers = 2;
  try {
    connector_registry().get("avg_pool").num_output_tokens(o, {16, 12, 20});
    FAIL() << "accepted 5 heads at width 12";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "connector.num_heads=5 does not divide the encoder width 12 "
              "(connector.attention_layers=2 attends at the encoder width)");
  }
  // The same check names the attention connectors, which need it without blocks.
  o.type = "attn_pool";
  o.attention_layers = 0;
  try {
    connector_registry().get("attn_pool").num_output_tokens(o, {16, 12, 20});
    FAIL() << "attn_pool accepted 5 heads at width 12";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "connector.num_heads=5 does not divide the encoder width 12 (attn_pool attends at "
              "the encoder width)");
  }
}

}  // namespace
}  // namespace ablate
