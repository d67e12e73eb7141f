// The assembled VLM: derived shapes, loss definition, learning on a fixed batch.
#include "model/flops.h"
#include "data/tokenizer.h"
#include "eval/decode.h"
#include "model/vlm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "data/dataset.h"
#include "data/tokenizer.h"
#include "test_util.h"

namespace ablate {
namespace {

TEST(Vlm, ShapesDerivedFromConfig) {
  auto c = testing::tiny_config();
  const VlmShapes s = check_config(c, "tiny");
  EXPECT_EQ(s.grid_size, 4);
  EXPECT_EQ(s.num_patches, 16);
  EXPECT_EQ(s.num_visual_tokens, 4);
  Vlm model(c);
  EXPECT_EQ(model->parameter_counts()["total"], count_parameters(*model));
  EXPECT_EQ(model->encode_images(torch::randn({2, 3, 16, 16})).sizes(),
            (std::vector<int64_t>{2, 4, 16}));
}

TEST(Vlm, PerExampleLossWeightsExamplesEqually) {
  // Vocabulary of 2, uniform logits: every target token costs log 2. Example 0
  // has 1 target, example 1 has 3: both average to log 2 per example.
  const auto logits = torch::zeros({2, 4, 2});
  const auto tokens = torch::tensor({{0, 1, 0, 0}, {0, 1, 1, 1}}, torch::kInt64);
  const auto mask = torch::tensor({{0.f, 1.f, 0.f, 0.f}, {0.f, 1.f, 1.f, 1.f}});
  const auto loss = per_example_loss(logits, tokens, mask);
  EXPECT_NEAR(loss[0].item<double>(), std::log(2.0), 1e-6);
  EXPECT_NEAR(loss[1].item<double>(), std::log(2.0), 1e-6);
  // A confident right prediction at one of example 1's targets lowers only example 1.
  auto better = logits.clone();
  better[1][2][1] = 20.0;  // position 2 predicts token 3, which is 1
  const auto l2 = per_example_loss(better, tokens, mask);
  EXPECT_NEAR(l2[0].item<double>(), std::log(2.0), 1e-6);
  EXPECT_NEAR(l2[1].item<double>(), 2.0 * std::log(2.0) / 3.0, 1e-6);
}

TEST(Vlm, InitialLossNearUniformAndFixedBatchIsLearned) {
  auto c = testing::tiny_config();
  Vlm model(c);
  model->init_weights(0);
  const std::unordered_set<std::string> none;
  const Batch batch = TrainStream(c, none).batch(0, model->shapes().num_visual_tokens);
  const double initial = model->loss(batch).total.item<double>();
  EXPECT_NEAR(initial, std::log(double(Tokenizer::world().vocab_size())), 0.5)
      << "small init starts near the uniform loss (PROXY-NOTES, point 6)";
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-2));
  double last = initial;
  for (int i = 0; i < 40; ++i) {
    opt.zero_grad();
    auto loss = model->loss(batch).total;
    loss.backward();
    opt.step();
    last = loss.item<double>();
  }
  EXPECT_LT(last, initial * 0.5);
}

TEST(Vlm, ForwardFlopsCoverTheLanguageModelsMatrixProducts) {
  auto c = testing::tiny_config();
  Vlm model(c);
  model->init_weights(0);
  const int64_t flops = forward_flops_per_example(model, c);
  EXPECT_EQ(flops, forward_flops_per_example(model, c));
  // Lower bound from the LM alone: per token 2 x (q, k, v, out, gate, up, down)
  // weights, plus attention scores and mixing (2 x 2 x T x D per token), plus
  // the tied output head (2 x D x V), over the padded length of the fixed
  // batch of 32 documents the count is taken on.
  const VlmShapes s = model->shapes();
  auto fixed = c;
  fixed.train.batch_size = 32;
  const std::unordered_set<std::string> none;
  const int64_t t = TrainStream(fixed, none).batch(0, s.num_visual_tokens).tokens.size(1);
  const int64_t d = c.lm.width, hidden = static_cast<int64_t>(d * c.lm.mlp_ratio);
  const int64_t per_token = c.lm.depth * (2 * (4 * d * d + 3 * d * hidden) + 4 * t * d) +
                            2 * d * s.vocab_size;
  EXPECT_GE(flops, per_token * t);
  EXPECT_LT(flops, 20 * per_token * t) << "the encoder of the tiny config is small";
  // More visual tokens cost more.
  auto more = c;
  more.connector.type = "attn_pool";
  more.connector.num_tokens = 16;
  Vlm bigger(more);
  bigger->init_weights(0);
  EXPECT_GT(forward_flops_per_example(bigger, more), flops);
}

TEST(Vlm, CachedGreedyDecodingMatchesRecomputingTheWholeSequence) {
  auto c = testing::tiny_config();
  Vlm model(c);
  model->init_weights(3);
  model->eval();
  torch::InferenceMode guard;
  const std::unordered_set<std::string> none;
  // Two-image prompts (an interleaved document's first 2 images and text).
  std::vector<Document> prompts;
  for (int64_t i = 0; prompts.size() < 3; ++i) {
    int kind = 0;
    Document d = TrainStream(c, none).example(i, &kind);
    if (kind != 1) continue;
    d.segments.resize(4);  // image, text, image, text
    prompts.push_back(d);
  }
  for (auto& p : prompts) p.segments[3].text.resize(2);  // equal lengths
  prompts[1].segments[1].text = prompts[0].segments[1].text;
  prompts[2].segments[1].text = prompts[0].segments[1].text;
  const Batch b = collate(prompts, c.data, model->shapes().num_visual_tokens);
  const auto visual = model->encode_images(b.images);
  const auto cached = greedy_decode(model, b.tokens, visual, 5, {Tokenizer::kEos});
  // Reference: the whole sequence again at every step, no <eos> stop.
  auto tokens = b.tokens;
  for (int step = 0; step < 5; ++step) {
    const auto next = model->logits(tokens, visual).select(1, -1).argmax(-1);
    tokens = torch::cat({tokens, next.unsqueeze(1)}, 1);
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<int> expected;
    for (int64_t t = b.tokens.size(1); t < tokens.size(1); ++t) {
      const int id = static_cast<int>(tokens[i][t].item<int64_t>());
      if (id == Tokenizer::kEos) break;
      expected.push_back(id);
    }
    EXPECT_EQ(cached.ids[i], expected) << i;
  }

  // With references scored in the same prefill: the same generations, and
  // each reference's log-likelihood as a full pass over prompt + reference
  // gives it (references of different lengths, right-padded).
  const std::vector<std::vector<int>> refs = {{5, 6, 7}, {8}, {9, 10}};
  const auto scored = greedy_decode(model, b.tokens, visual, 5, {Tokenizer::kEos}, refs);
  ASSERT_EQ(scored.loglik.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(scored.ids[i], cached.ids[i]) << i;
    const auto ref = torch::tensor(std::vector<int64_t>(refs[i].begin(), refs[i].end()));
    const auto seq = torch::cat({b.tokens[i], ref}).unsqueeze(0);
    const auto logp = torch::log_softmax(model->logits(seq, visual.slice(0, 2 * i, 2 * i + 2)), -1);
    double expected = 0;
    const int64_t t0 = b.tokens.size(1);
    for (size_t j = 0; j < refs[i].size(); ++j) {
      expected += logp[0][t0 - 1 + j][refs[i][j]].item<double>();
    }
    EXPECT_NEAR(scored.loglik[i], expected / refs[i].size(), 1e-4) << i;
  }
}

TEST(Vlm, SameSeedSameWeights) {
  auto c = testing::tiny_config();
  Vlm a(c), b(c);
  a->init_weights(5);
  b->init_weights(5);
  const auto pa = a->parameters(), pb = b->parameters();
  for (size_t i = 0; i < pa.size(); ++i) ASSERT_TRUE(torch::equal(pa[i], pb[i]));
}

}  // namespace
}  // namespace ablate
