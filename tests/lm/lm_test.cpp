// Decoder LM: causality, splicing of visual tokens, shape checks.
#include "lm/lm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lm/moe.h"
#include "lm/splice.h"

namespace ablate {
namespace {

LmOptions tiny_lm() {
  LmOptions o;
  o.width = 16;
  o.depth = 2;
  o.num_heads = 2;
  o.max_seq_len = 32;
  return o;
}

// Every LM variant: dense tied / untied, mixture of experts with top-1 and top-2.
struct LmCase {
  std::string name;
  bool tie;
  int experts, top_k;
};

void PrintTo(const LmCase& c, std::ostream* os) { *os << c.name; }

class LmSuite : public ::testing::TestWithParam<LmCase> {
 protected:
  LanguageModel make() const {
    auto o = tiny_lm();
    o.tie_embeddings = GetParam().tie;
    o.moe.num_experts = GetParam().experts;
    o.moe.top_k = GetParam().top_k;
    torch::manual_seed(0);
    LanguageModel lm(o, 11);
    lm->init_weights();
    return lm;
  }
};

TEST_P(LmSuite, LogitsShapeAndCausality) {
  auto lm = make();
  lm->eval();
  torch::InferenceMode guard;
  auto tokens = torch::randint(0, 11, {2, 9}, torch::kInt64);
  const auto logits = lm(lm->embed(tokens)).logits;
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 9, 11}));
  // Changing the last token cannot change earlier positions.
  auto changed = tokens.clone();
  changed.index_put_({torch::indexing::Slice(), 8}, (tokens.select(1, 8) + 1) % 11);
  const auto logits2 = lm(lm->embed(changed)).logits;
  EXPECT_TRUE(torch::allclose(logits.slice(1, 0, 8), logits2.slice(1, 0, 8)));
  EXPECT_FALSE(torch::allclose(logits.select(1, 8), logits2.select(1, 8)));
  EXPECT_THROW(lm(torch::randn({1, 33, 16})), c10::Error) << "longer than max_seq_len";
}

TEST_P(LmSuite, KeyValueCacheGivesTheLogitsOfTheFullSequence) {
  auto lm = make();
  lm->eval();
  torch::InferenceMode guard;
  const auto tokens = torch::randint(0, 11, {3, 10}, torch::kInt64);
  const auto full = lm(lm->embed(tokens)).logits;  // [3, 10, 11]
  // A 6-token prefix at once, then one token at a time.
  std::vector<KvCache> cache;
  std::vector<torch::Tensor> parts = {lm->forward(lm->embed(tokens.slice(1, 0, 6)), &cache).logits};
  for (int t = 6; t < 10; ++t) {
    parts.push_back(lm->forward(lm->embed(tokens.slice(1, t, t + 1)), &cache).logits);
  }
  EXPECT_EQ(cache.front().length(), 10);
  EXPECT_TRUE(torch::allclose(torch::cat(parts, 1), full, /*rtol=*/1e-5, /*atol=*/1e-5));
  EXPECT_THROW(
      for (int t = 10; t < 40; ++t) lm->forward(lm->embed(tokens.slice(1, 0, 1)), &cache),
      c10::Error)
      << "the cache counts toward max_seq_len";
}

TEST_P(LmSuite, GradientsReachEveryParameterAndAuxLossIsReported) {
  auto lm = make();
  const auto out = lm(lm->embed(torch::randint(0, 11, {4, 12}, torch::kInt64)));
  (out.logits.pow(2).sum() + out.aux_loss).backward();
  int experts_with_grad = 0;
  for (const auto& p : lm->named_parameters()) {
    // An expert that no token chose gets no gradient, by design.
    if (p.key().find(".experts.") != std::string::npos) {
      experts_with_grad += p.value().grad().defined();
      continue;
    }
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
  }
  if (GetParam().experts > 0) {
    EXPECT_GT(experts_with_grad, 0);
  }
  if (GetParam().experts == 0) {
    EXPECT_EQ(out.aux_loss.item<double>(), 0.0);
    EXPECT_FALSE(out.load.defined());
  } else {
    // Per layer E * sum_e f_e p_e >= ... and == 1 when perfectly balanced.
    EXPECT_GT(out.aux_loss.item<double>(), 0.0);
    EXPECT_NEAR(out.load.sum().item<double>(), 1.0, 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, LmSuite,
                         ::testing::Values(LmCase{"dense_tied", true, 0, 2},
                                           LmCase{"dense_untied", false, 0, 2},
                                           LmCase{"moe4_top2", true, 4, 2},
                                           LmCase{"moe4_top1", true, 4, 1}),
                         [](const auto& info) { return info.param.name; });

TEST(Moe, OneExpertIsThatExpert) {
  torch::manual_seed(0);
  MoeFeedForward moe(8, 16, /*num_experts=*/1, /*top_k=*/1);
  const auto x = torch::randn({2, 3, 8});
  const auto out = moe(x);
  const auto expert = moe->named_children()[1].value()->children()[0];
  const auto direct = expert->as<SwiGlu>()->forward(x);
  EXPECT_TRUE(torch::allclose(out.out, direct, 1e-5, 1e-6));
  EXPECT_NEAR(out.aux_loss.item<double>(), 1.0, 1e-6) << "E * f * p = 1 * 1 * 1";
}

TEST(Moe, RoutingUsesSeveralExpertsAndAuxLossIsDifferentiable) {
  torch::manual_seed(0);
  MoeFeedForward moe(8, 16, /*num_experts=*/4, /*top_k=*/2);
  const auto out = moe(torch::randn({4, 16, 8}));
  EXPECT_GE(out.load.gt(0).sum().item<int64_t>(), 2) << "tokens reach more than one expert";
  EXPECT_TRUE(std::isfinite(out.aux_loss.item<double>()));
  out.aux_loss.backward();
  const auto& router = moe->named_children()[0].value()->as<torch::nn::Linear>()->weight;
  ASSERT_TRUE(router.grad().defined());
  EXPECT_GT(router.grad().abs().sum().item<double>(), 0.0) << "aux loss trains the router";
}

TEST(Moe, TokensGoToTheirTopExperts) {
  // Router weights zero except expert 2, which every token then prefers: with
  // top-1 all load is on expert 2.
  torch::manual_seed(0);
  MoeFeedForward moe(4, 8, /*num_experts=*/3, /*top_k=*/1);
  {
    torch::NoGradGuard g;
    auto& router = moe->named_children()[0].value()->as<torch::nn::Linear>()->weight;
    router.zero_();
    router[2].fill_(1.0);
  }
  const auto x = torch::rand({1, 5, 4}) + 0.1;  // positive: expert 2 scores highest
  const auto out = moe(x);
  EXPECT_TRUE(torch::allclose(out.load, torch::tensor({0.0f, 0.0f, 1.0f})));
  EXPECT_EQ(out.dropped, 0.0);
}

TEST(Moe, CapacityDropsLateTokensInTrainingOnly) {
  // All 6 tokens want expert 1 of 2 (top-1). Capacity factor 1: ceil(1 * 6 / 2)
  // = 3 slots, so tokens 3..5 skip the feed-forward (output 0) in training; in
  // eval nothing is dropped.
  torch::manual_seed(0);
  MoeFeedForward moe(4, 8, /*num_experts=*/2, /*top_k=*/1, /*capacity_factor=*/1.0);
  MoeFeedForward unlimited(4, 8, 2, 1);
  {
    torch::NoGradGuard g;
    auto& router = moe->named_children()[0].value()->as<torch::nn::Linear>()->weight;
    router.zero_();
    router[1].fill_(1.0);
    for (auto& p : unlimited->named_parameters()) p.value().copy_(moe->named_parameters()[p.key()]);
  }
  const auto x = torch::rand({1, 6, 4}) + 0.1;
  const auto out = moe(x);
  const auto full = unlimited(x);
  EXPECT_DOUBLE_EQ(out.dropped, 0.5);
  EXPECT_TRUE(torch::allclose(out.out.slice(1, 0, 3), full.out.slice(1, 0, 3)));
  EXPECT_TRUE(out.out.slice(1, 3).eq(0).all().item<bool>());
  EXPECT_TRUE(torch::allclose(out.load, full.load)) << "load counts what the router chose";

  moe->eval();
  const auto eval_out = moe(x);
  EXPECT_EQ(eval_out.dropped, 0.0);
  EXPECT_TRUE(torch::allclose(eval_out.out, full.out));
}

TEST(Splice, VisualTokensReplacePlaceholdersInOrder) {
  const int64_t kImage = 3;
  auto tokens = torch::tensor({{1, 3, 3, 7}, {1, 3, 3, 8}}, torch::kInt64);
  auto embeds = torch::zeros({2, 4, 2});
  auto visual = torch::arange(8, torch::kFloat32).view({2, 2, 2});  // [B=2, N=2, D=2]
  const auto out = splice_visual_tokens(embeds, tokens, visual, kImage);
  EXPECT_TRUE(torch::equal(out.select(0, 0).slice(0, 1, 3), visual[0]));
  EXPECT_TRUE(torch::equal(out.select(0, 1).slice(0, 1, 3), visual[1]));
  EXPECT_EQ(out.select(1, 0).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(out.select(1, 3).abs().sum().item<float>(), 0.0f);
  EXPECT_THROW(splice_visual_tokens(embeds, tokens, torch::zeros({2, 3, 2}), kImage), c10::Error)
      << "placeholder count must match the visual tokens";
}

}  // namespace
}  // namespace ablate
