// Schedule values, metrics lines, non-finite loss handling, trial records.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/error.h"
#include "core/io.h"
#include "core/tensor_file.h"
#include "data/tokenizer.h"
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

std::vector<double> logged_losses(const std::string& path) {
  std::vector<double> losses;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) losses.push_back(nlohmann::json::parse(line)["loss"]);
  return losses;
}

// Interrupted after step 6 (last checkpoint at 3, so a logging window is open
// and the lines for steps 4 and 6 are already written), then resumed: every
// weight, optimizer moment and logged loss equals the uninterrupted run's.
TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  testing::ScratchDir dir;
  auto c = testing::tiny_config();
  c.train.steps = 8;
  c.train.log_every = 2;
  c.train.checkpoint_every = 3;
  const std::unordered_set<std::string> none;
  const TrainStream stream(c, none);

  Vlm straight(c);
  straight->init_weights(c.seed);
  train_model(straight, c, stream, dir.file("straight.jsonl"), {}, dir.file("straight.pt"));

  Vlm first(c);
  first->init_weights(c.seed);
  struct Interrupt {};
  EXPECT_THROW(train_model(first, c, stream, dir.file("resumed.jsonl"),
                           [](int step, double) {
                             if (step == 6) throw Interrupt{};
                           },
                           dir.file("resumed.pt")),
               Interrupt);
  EXPECT_EQ(logged_losses(dir.file("resumed.jsonl")).size(), 3u);
  Vlm second(c);
  second->init_weights(c.seed + 1);  // whatever it starts from is overwritten
  const auto summary =
      train_model(second, c, stream, dir.file("resumed.jsonl"), {}, dir.file("resumed.pt"));
  EXPECT_EQ(summary.resumed_from_step, 3);
  EXPECT_EQ(summary.steps, 8);

  EXPECT_EQ(logged_losses(dir.file("resumed.jsonl")), logged_losses(dir.file("straight.jsonl")));
  const auto a = straight->named_parameters();
  const auto b = second->named_parameters();
  for (const auto& p : a) EXPECT_TRUE(torch::equal(p.value(), b[p.key()])) << p.key();
  // The final checkpoints hold the same optimizer moments too.
  const auto ca = load_named_tensors(dir.file("straight.pt"));
  const auto cb = load_named_tensors(dir.file("resumed.pt"));
  ASSERT_EQ(ca.size(), cb.size());
  for (const auto& [name, t] : ca) {
    if (name == "loop.seconds" || name == "loop.step_seconds") continue;
    EXPECT_TRUE(torch::equal(t, cb.at(name))) << name;
  }
  EXPECT_EQ(cb.at("loop.step").item<int64_t>(), 8);
  EXPECT_GT(cb.count("optim.0.0.exp_avg"), 0u);
}

TEST(Trainer, CheckpointOfAnotherConfigIsRefusedByName) {
  testing::ScratchDir dir;
  auto c = testing::tiny_config();
  const std::unordered_set<std::string> none;
  Vlm model(c);
  model->init_weights(0);
  train_model(model, c, TrainStream(c, none), dir.file("m.jsonl"), {}, dir.file("c.pt"));
  auto other = c;
  other.train.lr *= 2;
  try {
    train_model(model, other, TrainStream(other, none), dir.file("m.jsonl"), {}, dir.file("c.pt"));
    FAIL() << "a checkpoint of another config was resumed";
  } catch (const RunFolderError& e) {
    EXPECT_NE(std::string(e.what()).find("c.pt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("another config"), std::string::npos) << e.what();
  }
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

// The unpadded token rows of a batch.
std::vector<std::vector<int64_t>> rows_of(const Batch& b) {
  std::vector<std::vector<int64_t>> rows;
  for (int64_t i = 0; i < b.tokens.size(0); ++i) {
    const auto row = b.tokens[i];
    std::vector<int64_t> ids(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.size(0));
    while (!ids.empty() && ids.back() == Tokenizer::kPad) ids.pop_back();
    rows.push_back(ids);
  }
  return rows;
}

// train.length_buckets: the step's documents, shortest first, in micro-batches
// that pad less; the step's gradient and the model trained on them equal the
// one-batch ones up to rounding.
TEST(Trainer, LengthBucketsHoldTheSameDocumentsWithLessPaddingAndTrainTheSameModel) {
  testing::ScratchDir dir;
  auto one = testing::tiny_config();
  one.train.batch_size = 12;
  one.train.steps = 3;
  auto three = one;
  three.train.length_buckets = 3;
  const std::unordered_set<std::string> none;
  const TrainStream stream_one(one, none), stream_three(three, none);
  const int n = Vlm(one)->shapes().num_visual_tokens;
  for (int64_t step = 0; step < 3; ++step) {
    const Batch batch = stream_one.batch(step, n);
    const auto buckets = stream_three.length_buckets(step, n);
    ASSERT_EQ(buckets.size(), 3u);
    const auto whole = stream_one.length_buckets(step, n);
    ASSERT_EQ(whole.size(), 1u);
    EXPECT_TRUE(torch::equal(whole[0].tokens, batch.tokens));
    auto all = rows_of(batch), bucketed = decltype(all){};
    int64_t padded = 0, images = 0;
    size_t longest_before = 0;
    for (const auto& b : buckets) {
      EXPECT_EQ(b.tokens.size(0), 4);
      padded += b.tokens.numel();
      images += b.images.size(0);
      const auto rows = rows_of(b);
      for (const auto& r : rows) EXPECT_GE(r.size(), longest_before) << "shortest first";
      for (const auto& r : rows) longest_before = std::max(longest_before, r.size());
      bucketed.insert(bucketed.end(), rows.begin(), rows.end());
    }
    std::sort(all.begin(), all.end());
    std::sort(bucketed.begin(), bucketed.end());
    EXPECT_EQ(bucketed, all) << "the same documents";
    EXPECT_EQ(images, batch.images.size(0));
    EXPECT_LT(padded, batch.tokens.numel()) << "step " << step;
  }

  // The step's gradient itself (AdamW's update would hide a wrong scale).
  Vlm model(one);
  model->init_weights(0);
  std::vector<std::vector<torch::Tensor>> grads;
  std::vector<double> step_losses;
  for (const auto* c : {&one, &three}) {
    model->zero_grad();
    const TrainStream stream(*c, none);
    step_losses.push_back(
        accumulate_gradients(model, stream.length_buckets(1, n), c->train, torch::kCPU, 1).lm);
    grads.emplace_back();
    for (const auto& p : model->parameters()) {
      grads.back().push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    }
  }
  EXPECT_NEAR(step_losses[0], step_losses[1], 1e-5);
  for (size_t i = 0; i < grads[0].size(); ++i) {
    EXPECT_TRUE(torch::allclose(grads[0][i], grads[1][i], 1e-4, 1e-6)) << "gradient " << i;
  }

  std::vector<std::vector<torch::Tensor>> weights;
  std::vector<double> losses;
  for (const auto* c : {&one, &three}) {
    Vlm model(*c);
    model->init_weights(0);
    train_model(model, *c, TrainStream(*c, none), dir.file("m.jsonl"));
    losses.push_back(logged_losses(dir.file("m.jsonl")).back());
    weights.emplace_back();
    for (const auto& p : model->parameters()) weights.back().push_back(p.detach().clone());
  }
  EXPECT_NEAR(losses[0], losses[1], 1e-4);
  for (size_t i = 0; i < weights[0].size(); ++i) {
    EXPECT_TRUE(torch::allclose(weights[0][i], weights[1][i], 1e-4, 1e-5)) << "parameter " << i;
  }
}

TEST(Trial, RecordsScoresOrTheReasonForFailure) {
  testing::ScratchDir dir;
  const std::string ok = dir.file("ok");
  auto config = testing::tiny_config();
  config.eval.num_items = 40;  // every question type occurs
  prepare_run_folder(ok, config, nlohmann::json());
  ASSERT_EQ(run_trial(ok, false, dir.file("cache")), TrialResult::done);
  EXPECT_TRUE(trial_done(ok));
  const auto scores = read_json(ok + "/scores.json");
  // Every benchmark at every shot count of the tiny config (0 and 2).
  for (const char* key :
       {"average", "average.0shot", "average.2shot", "caption.0shot", "caption.2shot.bleu_4",
        "vqa.0shot", "vqa.2shot.colour", "spatial_vqa.2shot", "knowledge_vqa.0shot", "text_core",
        "text_core.next_word", "text_core.qa", "text_core.perplexity"}) {
    EXPECT_TRUE(scores["metrics"].contains(key)) << key;
  }
  for (const auto& name : kBenchmarkNames) EXPECT_TRUE(scores["baselines"].contains(name)) << name;
  EXPECT_EQ(scores["prompts"]["vqa.2shot"].get<std::string>().rfind("<image> question :", 0), 0u)
      << scores["prompts"]["vqa.2shot"];
  EXPECT_EQ(read_json(ok + "/status.json")["state"], "done");

  const std::string bad = dir.file("bad");
  std::filesystem::create_directories(bad);
  std::ofstream(bad + "/config.yaml") << "train:\n  stepz: 3\n";
  EXPECT_EQ(run_trial(bad, false, dir.file("cache")), TrialResult::failed);
  const auto status = read_json(bad + "/status.json");
  EXPECT_EQ(status["state"], "failed");
  EXPECT_NE(status["reason"].get<std::string>().find("unknown key 'train.stepz'"),
            std::string::npos);
  EXPECT_FALSE(trial_done(bad));
}

TEST(Trial, RescoringReproducesTheCardFromTheCheckpointAndKeepsThePreviousOne) {
  testing::ScratchDir dir;
  const std::string run = dir.file("run");
  auto config = testing::tiny_config();
  config.eval.num_items = 40;
  prepare_run_folder(run, config, nlohmann::json());
  ASSERT_EQ(run_trial(run, false, dir.file("cache")), TrialResult::done);
  const auto before = read_json(run + "/scores.json");

  EXPECT_EQ(rescore_trial(run), "scores.previous.json");
  const auto after = read_json(run + "/scores.json");
  EXPECT_EQ(after["metrics"], before["metrics"]) << "same binary, same checkpoint, same scores";
  EXPECT_EQ(after["baselines"], before["baselines"]);
  EXPECT_EQ(after["train"], before["train"]) << "the training record is kept";
  EXPECT_EQ(after["rescored"]["previous"], "scores.previous.json");
  EXPECT_EQ(read_json(run + "/scores.previous.json"), before);
  EXPECT_EQ(rescore_trial(run), "scores.previous2.json") << "nothing is overwritten";
  EXPECT_EQ(read_json(run + "/scores.previous.json"), before);

  // A trial that never finished is refused by name, its folder untouched.
  const std::string unfinished = dir.file("unfinished");
  prepare_run_folder(unfinished, config, nlohmann::json());
  try {
    rescore_trial(unfinished);
    ADD_FAILURE() << "rescored an unfinished trial";
  } catch (const RunFolderError& e) {
    EXPECT_NE(std::string(e.what()).find(unfinished + ": not a finished trial"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(unfinished + "/scores.json"));
}

}  // namespace
}  // namespace ablate
