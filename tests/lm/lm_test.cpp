// Decoder LM: causality, splicing of visual tokens, shape checks.
#include "lm/lm.h"

#include <gtest/gtest.h>

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

TEST(LanguageModel, LogitsShapeAndCausality) {
  torch::manual_seed(0);
  LanguageModel lm(tiny_lm(), 11);
  lm->init_weights();
  lm->eval();
  torch::InferenceMode guard;
  auto tokens = torch::randint(0, 11, {2, 9}, torch::kInt64);
  const auto logits = lm(lm->embed(tokens));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 9, 11}));
  // Changing the last token cannot change earlier positions.
  auto changed = tokens.clone();
  changed.index_put_({torch::indexing::Slice(), 8}, (tokens.select(1, 8) + 1) % 11);
  const auto logits2 = lm(lm->embed(changed));
  EXPECT_TRUE(torch::allclose(logits.slice(1, 0, 8), logits2.slice(1, 0, 8)));
  EXPECT_FALSE(torch::allclose(logits.select(1, 8), logits2.select(1, 8)));
  EXPECT_THROW(lm(torch::randn({1, 33, 16})), c10::Error) << "longer than max_seq_len";
}

TEST(LanguageModel, UntiedHeadAndGradients) {
  auto o = tiny_lm();
  o.tie_embeddings = false;
  LanguageModel lm(o, 11);
  lm->init_weights();
  lm(lm->embed(torch::randint(0, 11, {2, 5}, torch::kInt64))).pow(2).sum().backward();
  for (const auto& p : lm->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
  }
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
