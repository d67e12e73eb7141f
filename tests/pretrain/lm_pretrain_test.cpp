// Text-only LM pre-training (lm.pretrain): the stream, the loss falling, the
// cache key and reuse, a trial starting from the cached LM; and paired seeds:
// configs of one seed share initialisation (where shapes allow) and data order.
#include "pretrain/lm_pretrain.h"

#include <gtest/gtest.h>

#include "core/io.h"
#include "data/dataset.h"
#include "data/tokenizer.h"
#include "eval/benchmark.h"
#include "model/vlm.h"
#include "model/weights.h"
#include "pretrain/cache.h"
#include "sweep/trial.h"
#include "test_util.h"

namespace ablate {
namespace {

ExperimentConfig tiny_lm_pretrain() {
  ExperimentConfig c = testing::tiny_config();
  c.lm.pretrain.steps = 30;
  c.lm.pretrain.batch_size = 8;
  c.lm.pretrain.warmup_steps = 2;
  c.lm.pretrain.lr = 1e-2;
  return c;
}

TEST(LmPretrainStream, TextOnlyDeterministicAndMixedByCaptionShare) {
  ExperimentConfig c = tiny_lm_pretrain();
  c.lm.pretrain.caption_text = 0.3;
  const std::unordered_set<std::string> none;
  const LmPretrainStream stream(c, none);
  int captions = 0;
  constexpr int kDocs = 2000;
  for (int i = 0; i < kDocs; ++i) {
    bool is_caption = false;
    const Document d = stream.example(i, &is_caption);
    ASSERT_EQ(d.num_images(), 0) << d.text();
    captions += is_caption;
    if (is_caption) {
      EXPECT_EQ(d.text().rfind("caption :", 0), 0u) << d.text();
    }
  }
  // Binomial(2000, 0.3): std 20.5; 4 sigma.
  EXPECT_NEAR(captions, 0.3 * kDocs, 4 * 20.5);
  EXPECT_EQ(stream.example(17).text(), LmPretrainStream(c, none).example(17).text());
  ExperimentConfig vlm_side = c;  // the VLM stage's options do not change it
  vlm_side.seed = 5;
  vlm_side.connector.type = "attn_pool";
  EXPECT_EQ(stream.example(3).text(), LmPretrainStream(vlm_side, none).example(3).text());
  const Batch b = stream.batch(0);
  EXPECT_EQ(b.images.size(0), 0);
  EXPECT_EQ(b.tokens.size(0), c.lm.pretrain.batch_size);
}

TEST(LmPretrain, LossFallsAndHeldOutTextImproves) {
  const ExperimentConfig c = tiny_lm_pretrain();
  const PretrainedWeights out = pretrain_lm(c, "");
  EXPECT_LT(out.info["final_loss"].get<double>(), 0.7 * out.info["first_loss"].get<double>())
      << out.info.dump();
  EXPECT_LT(out.info["held_out_text"]["perplexity"].get<double>(),
            out.info["held_out_text_at_init"]["perplexity"].get<double>())
      << out.info.dump();
  EXPECT_GT(out.info["held_out_text"]["next_word"].get<double>(),
            out.info["held_out_text_at_init"]["next_word"].get<double>());
  LanguageModel lm(c.lm, Tokenizer::world().vocab_size());
  EXPECT_EQ(out.weights.size(), lm->named_parameters().size()) << "parameters only, no buffers";
}

TEST(LmCache, KeyCoversTheLmAndItsPretrainingOnly) {
  const ExperimentConfig c = tiny_lm_pretrain();
  const std::string key = cache_key(Stage::kLm, c);
  ASSERT_EQ(key.rfind("lm-", 0), 0u) << key;
  EXPECT_EQ(cache_key(Stage::kLm, testing::tiny_config()), "") << "steps 0: from scratch";
  ExperimentConfig other = c;
  other.seed = 9;
  other.connector.type = "attn_pool";
  other.encoder.width = 32;
  other.data.resolution = 32;
  other.data.mix.text = 0.9;
  other.lm.max_seq_len = 2048;
  other.train.lr = 1e-4;
  other.lm.pretrain.shrink = 0.5;  // applied when a trial loads the LM
  EXPECT_EQ(cache_key(Stage::kLm, other), key) << "VLM-stage options share the LM";
  for (auto change : std::vector<std::function<void(ExperimentConfig&)>>{
           [](ExperimentConfig& x) { x.lm.width = 32; },
           [](ExperimentConfig& x) { x.lm.moe.num_experts = 4; },
           [](ExperimentConfig& x) { x.lm.pretrain.steps = 31; },
           [](ExperimentConfig& x) { x.lm.pretrain.caption_text = 0.1; },
           [](ExperimentConfig& x) { x.lm.pretrain.seed = 1; },
           [](ExperimentConfig& x) { x.data.text_scenes = 0.0; },
           [](ExperimentConfig& x) { x.eval.seed = 3; }}) {
    other = c;
    change(other);
    EXPECT_NE(cache_key(Stage::kLm, other), key) << to_yaml(cache_config(Stage::kLm, other));
  }
}

TEST(LmCache, TrialStartsFromTheCachedLmAndReusesIt) {
  testing::ScratchDir dir;
  ExperimentConfig c = tiny_lm_pretrain();
  c.lm.pretrain.steps = 3;
  const auto first = cached_weights(Stage::kLm, c, dir.file("cache"));
  EXPECT_FALSE(first.hit);
  EXPECT_TRUE(is_cached(Stage::kLm, c, dir.file("cache")));
  const auto second = cached_weights(Stage::kLm, c, dir.file("cache"));
  EXPECT_TRUE(second.hit);
  for (const auto& [name, w] : first.stage.weights) {
    EXPECT_TRUE(torch::equal(w, second.stage.weights.at(name))) << name;
  }

  Vlm model(c);
  model->init_weights(0);
  EXPECT_TRUE(model->lm()->load_weights(first.stage.weights).empty());
  for (const auto& [name, w] : model->lm()->weights()) {
    EXPECT_TRUE(torch::equal(w, first.stage.weights.at(name))) << name;
  }

  c.train.freeze = {"lm"};
  prepare_run_folder(dir.file("run"), c, nlohmann::json());
  ASSERT_EQ(run_trial(dir.file("run"), false, dir.file("cache")), TrialResult::done);
  const auto scores = read_json(dir.file("run/scores.json"));
  EXPECT_EQ(scores["lm"]["key"], first.key);
  EXPECT_TRUE(scores["lm"]["cache_hit"].get<bool>());
  EXPECT_TRUE(scores["lm"]["pretrain"].contains("held_out_text"));
}

TEST(LmCache, ShrinkBlendsThePretrainedLmWithTheTrialsFreshInitialisation) {
  testing::ScratchDir dir;
  ExperimentConfig c = tiny_lm_pretrain();
  c.lm.pretrain.steps = 3;
  const auto pretrained = cached_weights(Stage::kLm, c, dir.file("cache")).stage.weights;
  Vlm fresh_model(c);
  fresh_model->init_weights(4);
  const NamedWeights fresh = fresh_model->lm()->weights();
  for (const double shrink : {1.0, 0.25, 0.0}) {
    c.lm.pretrain.shrink = shrink;
    Vlm model(c);
    model->init_weights(4);
    const auto records = load_pretrained_stages(model, c, dir.file("cache"), {});
    EXPECT_TRUE(records["lm"]["cache_hit"].get<bool>());
    EXPECT_EQ(records["lm"]["shrink"].get<double>(), shrink);
    for (const auto& [name, w] : model->lm()->weights()) {
      const auto& p = pretrained.at(name);
      const auto& f = fresh.at(name);
      ASSERT_FALSE(torch::allclose(p, f)) << name << ": pre-training changed every weight";
      EXPECT_TRUE(torch::allclose(w, shrink * p + (1 - shrink) * f, 1e-5, 1e-6))
          << name << " at shrink " << shrink;
    }
  }
}

TEST(PairedSeeds, SharedStagesStartEqualAcrossConfigsOfOneSeed) {
  ExperimentConfig a = testing::tiny_config();
  ExperimentConfig b = a;
  b.connector.type = "attn_pool";  // other connector parameters, other draws
  Vlm ma(a), mb(b);
  ma->init_weights(3);
  mb->init_weights(3);
  for (const auto& [name, w] : ma->lm()->weights()) {
    EXPECT_TRUE(torch::equal(w, mb->lm()->weights().at(name))) << name;
  }
  for (const auto& [name, w] : ma->encoder()->weights()) {
    EXPECT_TRUE(torch::equal(w, mb->encoder()->weights().at(name))) << name;
  }
  Vlm other_seed(a);
  other_seed->init_weights(4);
  EXPECT_FALSE(torch::equal(ma->lm()->weights().at("embed.weight"),
                            other_seed->lm()->weights().at("embed.weight")));
}

TEST(PairedSeeds, DataOrderIsTheSameAcrossConfigsOfOneSeed) {
  ExperimentConfig a = testing::tiny_config();
  ExperimentConfig b = a;
  b.connector.type = "attn_pool";
  b.data.resolution = 32;
  b.encoder.patch_size = 8;
  b.lm.width = 32;
  b.train.lr = 1e-3;
  ExperimentConfig other_seed = a;
  other_seed.seed = 1;
  const std::unordered_set<std::string> none;
  const TrainStream sa(a, none), sb(b, none), so(other_seed, none);
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const Document da = sa.example(i), db = sb.example(i);
    EXPECT_EQ(da.text(), db.text()) << i;
    const auto scenes_a = da.scenes(), scenes_b = db.scenes();
    ASSERT_EQ(scenes_a.size(), scenes_b.size());
    for (size_t k = 0; k < scenes_a.size(); ++k) {
      EXPECT_EQ(scene_signature(scenes_a[k]), scene_signature(scenes_b[k])) << i;
    }
    differ += da.text() != so.example(i).text();
  }
  EXPECT_GT(differ, 150) << "another seed, another data order";
}

}  // namespace
}  // namespace ablate
