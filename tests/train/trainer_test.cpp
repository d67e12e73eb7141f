// Schedule values, metrics lines, non-finite loss handling, trial records.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/io.h"
#include "sweep/trial.h"
#include "test_util.h"
#include "train/schedule.h"

namespace ablate {
namespace {

TEST(Schedule, WarmupThenCosineToFloor) {
  TrainOptions o;
  o.steps = 101;
  o.warmup_steps = 10;
  o.lr = 1.0;
  o.min_lr_ratio = 0.1;
  EXPECT_NEAR(learning_rate(o, 0), 0.1, 1e-12);
  EXPECT_NEAR(learning_rate(o, 9), 1.0, 1e-12);
  EXPECT_NEAR(learning_rate(o, 10), 1.0, 1e-12);
  EXPECT_NEAR(learning_rate(o, 55), 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 45.0 / 90.0)), 1e-12);
  EXPECT_NEAR(learning_rate(o, 100), 0.1, 1e-12);
}

TEST(Trainer, WritesMetricsAndIsBitIdenticalForASeed) {
  testing::ScratchDir dir;
  auto c = testing::tiny_config();
  const std::unordered_set<std::string> none;
  const TrainStream stream(c, none);
  std::vector<double> finals;
  for (int run = 0; run < 2; ++run) {
    Vlm model(c);
    model->init_weights(c.seed);
    const auto path = dir.file("metrics" + std::to_string(run) + ".jsonl");
    const auto summary = train_model(model, c, stream, path);
    finals.push_back(summary.final_loss);
    std::ifstream in(path);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      EXPECT_EQ(j["step"].get<int>(), (lines + 1) * c.train.log_every);
      EXPECT_TRUE(j.contains("loss") && j.contains("lr") && j.contains("grad_norm"));
      ++lines;
    }
    EXPECT_EQ(lines, c.train.steps / c.train.log_every);
  }
  EXPECT_EQ(finals[0], finals[1]);
}

TEST(Trainer, NonFiniteLossStopsTraining) {
  testing::ScratchDir dir;
  auto c = testing::tiny_config();
  Vlm model(c);
  model->init_weights(0);
  {
    torch::NoGradGuard no_grad;
    model->parameters().front().fill_(std::numeric_limits<float>::quiet_NaN());
  }
  const std::unordered_set<std::string> none;
  try {
    train_model(model, c, TrainStream(c, none), dir.file("m.jsonl"));
    FAIL() << "NaN weights trained without complaint";
  } catch (const NonFiniteLoss& e) {
    EXPECT_NE(std::string(e.what()).find("non-finite loss"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("step 0"), std::string::npos);
  }
}

TEST(Trainer, FrozenStagesStayPutAndLrScalesApply) {
  testing::ScratchDir dir;
  auto c = testing::tiny_config();
  c.train.freeze = {"encoder"};
  c.train.connector_lr_scale = 10.0;
  c.train.lm_lr_scale = 0.5;
  Vlm model(c);
  model->init_weights(0);
  std::map<std::string, std::vector<torch::Tensor>> before;
  for (const auto& [stage, params] : model->parameters_by_stage()) {
    for (const auto& p : params) before[stage].push_back(p.detach().clone());
  }
  const std::unordered_set<std::string> none;
  train_model(model, c, TrainStream(c, none), dir.file("m.jsonl"));
  for (const auto& [stage, params] : model->parameters_by_stage()) {
    bool changed = false;
    for (size_t i = 0; i < params.size(); ++i)
      changed |= !torch::equal(params[i], before[stage][i]);
    EXPECT_EQ(changed, stage != "encoder") << stage;
  }
  std::vector<double> scales;
  auto opt = make_optimizer(model, c.train, scales);
  EXPECT_EQ(scales, (std::vector<double>{10.0, 10.0, 0.5, 0.5})) << "connector then lm groups";
  EXPECT_DOUBLE_EQ(static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[0].options()).lr(),
                   c.train.lr * 10.0);
}

TEST(Trial, RecordsScoresOrTheReasonForFailure) {
  testing::ScratchDir dir;
  const std::string ok = dir.file("ok");
  auto config = testing::tiny_config();
  config.eval.num_items = 40;  // every question type occurs
  prepare_run_folder(ok, config, nlohmann::json());
  ASSERT_TRUE(run_trial(ok, false, dir.file("cache")));
  EXPECT_TRUE(trial_done(ok));
  const auto scores = read_json(ok + "/scores.json");
  for (const char* key :
       {"average", "caption.cider_d", "caption.bleu_4", "vqa.accuracy", "vqa.colour"}) {
    EXPECT_TRUE(scores["metrics"].contains(key)) << key;
  }
  EXPECT_TRUE(scores["baselines"].contains("vqa.accuracy"));
  EXPECT_EQ(read_json(ok + "/status.json")["state"], "done");

  const std::string bad = dir.file("bad");
  std::filesystem::create_directories(bad);
  std::ofstream(bad + "/config.yaml") << "train:\n  stepz: 3\n";
  EXPECT_FALSE(run_trial(bad, false, dir.file("cache")));
  const auto status = read_json(bad + "/status.json");
  EXPECT_EQ(status["state"], "failed");
  EXPECT_NE(status["reason"].get<std::string>().find("unknown key 'train.stepz'"),
            std::string::npos);
  EXPECT_FALSE(trial_done(bad));
}

}  // namespace
}  // namespace ablate
