// One suite over every registered image encoder.
#include "encoders/encoder.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"
#include "train/trainer.h"

namespace ablate {
namespace {

class EncoderSuite : public ::testing::TestWithParam<std::string> {
 protected:
  EncoderOptions options() const {
    EncoderOptions o;
    o.type = GetParam();
    o.patch_size = 4;
    o.width = 16;
    o.depth = 1;
    o.num_heads = 2;
    return o;
  }
  Encoder make(int resolution = 16) const {
    torch::manual_seed(0);
    auto e = encoder_registry().get(GetParam()).make(options(), resolution);
    e->init_weights();
    return e;
  }
};

TEST_P(EncoderSuite, PatchFeaturesShape) {
  auto e = make();
  const int grid = encoder_registry().get(GetParam()).grid_size(options(), 16);
  EXPECT_EQ(e->num_patches(), grid * grid);
  EXPECT_EQ(e(torch::randn({2, 3, 16, 16})).sizes(), (std::vector<int64_t>{2, grid * grid, 16}));
  EXPECT_THROW(e(torch::randn({2, 3, 20, 20})), c10::Error) << "wrong resolution is rejected";
}

TEST_P(EncoderSuite, GradientsReachEveryParameter) {
  auto e = make();
  e(torch::randn({2, 3, 16, 16})).pow(2).sum().backward();
  testing::expect_gradients_everywhere(*e);
}

TEST_P(EncoderSuite, TrainsUnderBf16Autocast) {
  // train.precision: bf16 runs the forward pass under CPU autocast; every layer
  // must accept the bfloat16 activations it then receives.
  auto e = make();
  torch::Tensor out;
  {
    AutocastGuard autocast(true);
    out = e(torch::randn({2, 3, 16, 16}));
  }
  EXPECT_EQ(out.size(0), 2);
  out.to(torch::kFloat).pow(2).sum().backward();
  testing::expect_gradients_everywhere(*e);
}

TEST_P(EncoderSuite, EvalIsDeterministic) {
  auto e = make();
  e->eval();
  torch::InferenceMode guard;
  const auto x = torch::randn({2, 3, 16, 16});
  EXPECT_TRUE(torch::equal(e(x), e(x)));
}

TEST_P(EncoderSuite, ResolutionThatDoesNotDivideIsRejected) {
  EncoderOptions o = options();
  o.patch_size = 5;
  EXPECT_THROW(encoder_registry().get(GetParam()).grid_size(o, 16), ConfigError);
}

TEST_P(EncoderSuite, WeightsRoundTripByName) {
  auto source = make();
  torch::manual_seed(1);
  auto target = encoder_registry().get(GetParam()).make(options(), 16);
  target->init_weights();
  const auto x = torch::randn({2, 3, 16, 16});
  EXPECT_FALSE(torch::equal(source(x), target(x)));
  EXPECT_TRUE(target->load_weights(source->weights()).empty()) << "nothing skipped";
  EXPECT_TRUE(torch::equal(source(x), target(x)));

  auto incomplete = source->weights();
  incomplete.erase(incomplete.begin());
  EXPECT_THROW(target->load_weights(incomplete), std::runtime_error);
}

INSTANTIATE_TEST_SUITE_P(Registry, EncoderSuite, ::testing::ValuesIn(encoder_registry().names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ablate
