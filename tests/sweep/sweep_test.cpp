// Spec loading and expansion, and a tiny sweep end to end through the real
// `ablate` binary: run folders, ranked report, skipping done trials, and
// re-running a trial whose files were corrupted.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "core/error.h"
#include "core/io.h"
#include "sweep/spec.h"
#include "sweep/sweep_util.h"

namespace ablate {
namespace {

using testing::CommandResult;
using testing::ScratchDir;
using testing::write_spec;

std::string config_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Spec, ExpandsProductOfAxesTimesSeeds) {
  ScratchDir dir;
  const auto path =
      write_spec(dir,
                 "name: t\nbase: base.yaml\nseeds: [0, 1, 2]\naxes:\n"
                 "  connector.type: [avg_pool, attn_pool]\n  data.resolution: [16, 32]\n");
  const auto trials = expand_trials(load_spec(path), {});
  ASSERT_EQ(trials.size(), 12u);
  EXPECT_EQ(trials[0].label, "connector.type=avg_pool, data.resolution=16");
  EXPECT_EQ(trials[3].label, "connector.type=avg_pool, data.resolution=32");
  EXPECT_EQ(trials[11].label, "connector.type=attn_pool, data.resolution=32");
  EXPECT_EQ(trials[11].seed, 2);
  EXPECT_EQ(trials[11].config.data.resolution, 32);
  std::set<std::string> ids;
  for (const auto& t : trials) ids.insert(t.id);
  EXPECT_EQ(ids.size(), trials.size());
  EXPECT_EQ(expand_trials(load_spec(path), {})[5].id, trials[5].id) << "ids are stable";
  // Command-line overrides reach every trial and change their identity.
  const auto overridden = expand_trials(load_spec(path), {"train.steps=7"});
  EXPECT_EQ(overridden[0].config.train.steps, 7);
  EXPECT_NE(overridden[0].id, trials[0].id);
}

TEST(Spec, ErrorsNameFileLineAndKey) {
  ScratchDir dir;
  auto msg = config_error(
      [&] { load_spec(write_spec(dir, "name: t\nbase: base.yaml\nseeds: [0]\nbogus: 1\n")); });
  EXPECT_NE(msg.find("spec.yaml:4: unknown key 'bogus'"), std::string::npos) << msg;
  msg = config_error([&] { load_spec(write_spec(dir, "name: t\nbase: nope.yaml\nseeds: [0]\n")); });
  EXPECT_NE(msg.find("spec.yaml:2: key 'base'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  msg = config_error(
      [&] { load_spec(write_spec(dir, "name: t\nbase: base.yaml\nseeds: [0, -1]\n")); });
  EXPECT_NE(msg.find("spec.yaml:3: key 'seeds'"), std::string::npos) << msg;
  msg = config_error([&] {
    expand_trials(
        load_spec(write_spec(
            dir,
            "name: t\nbase: base.yaml\nseeds: [0]\naxes:\n  connector.type: [avg_pool, cabs]\n")),
        {});
  });
  EXPECT_NE(msg.find("unknown connector 'cabs'"), std::string::npos) << msg;
  msg = config_error([&] {
    expand_trials(load_spec(write_spec(
                      dir, "name: t\nbase: base.yaml\nseeds: [0]\naxes:\n  train.stepz: [1]\n")),
                  {});
  });
  EXPECT_NE(msg.find("axis 'train.stepz'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'train.stepz'"), std::string::npos) << msg;
}

CommandResult run(const std::string& command) { return testing::run_command(command); }

TEST(SweepEndToEnd, RunsReportsSkipsAndRecoversCorruptTrials) {
  ScratchDir dir;
  const auto spec = write_spec(dir,
                               "name: tiny\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  "
                               "connector.type: [avg_pool, attn_pool]\n");
  const std::string out = dir.file("sweeps");
  const std::string cmd = fmt::format("{} sweep {} --out {} --jobs 2", ABLATE_BINARY, spec, out);

  auto r = run(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 trials"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| rank | config | seeds | average |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("connector.type=attn_pool"), std::string::npos);
  EXPECT_NE(r.output.find("Shortcut baseline vqa.accuracy"), std::string::npos) << r.output;
  const std::string sweep_dir = out + "/tiny";
  EXPECT_TRUE(std::filesystem::exists(sweep_dir + "/report.md"));
  EXPECT_TRUE(std::filesystem::exists(sweep_dir + "/report.csv"));
  std::vector<std::string> runs;
  for (const auto& e : std::filesystem::directory_iterator(sweep_dir + "/runs"))
    runs.push_back(e.path().string());
  ASSERT_EQ(runs.size(), 4u);
  for (const auto& d : runs) {
    for (const char* f :
         {"config.yaml", "trial.json", "metrics.jsonl", "scores.json", "status.json"}) {
      EXPECT_TRUE(std::filesystem::exists(d + "/" + f)) << d << "/" << f;
    }
  }

  // Same command again: nothing trains.
  r = run(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("running 0 trials"), std::string::npos) << r.output;

  // A truncated score card: only that trial runs again; the others keep their files.
  const std::string victim = runs[0];
  const std::string other_scores = read_file(runs[1] + "/scores.json");
  std::ofstream(victim + "/scores.json") << "{\"metrics\": {\"aver";
  const auto report_before = run(fmt::format("{} report {}", ABLATE_BINARY, sweep_dir));
  EXPECT_NE(report_before.output.find("scores.json: not valid JSON"), std::string::npos)
      << report_before.output;
  r = run(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("running 1 trials"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(runs[1] + "/scores.json"), other_scores);
  EXPECT_TRUE(read_json(victim + "/scores.json").contains("metrics"));

  // Dry run prints the table and trains nothing.
  r = run(cmd + " --dry-run train.steps=2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("to run"), std::string::npos) << r.output;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(sweep_dir + "/runs"), {}), 4);
}

TEST(SweepEndToEnd, PretrainsEachEncoderOnceBeforeTheTrials) {
  // Two connectors x two seeds share one clip encoder; aim gets its own.
  ScratchDir dir;
  const auto spec =
      write_spec(dir,
                 "name: pre\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  connector.type: [avg_pool, "
                 "attn_pool]\n  encoder.pretrain.objective: [clip, aim]\n");
  const std::string cache = dir.file("cache");
  const auto r = run(fmt::format(
      "{} sweep {} --out {} --cache {} --jobs 2 encoder.pretrain.steps=2 "
      "encoder.pretrain.batch_size=4 encoder.pretrain.text_width=16 encoder.pretrain.text_depth=1",
      ABLATE_BINARY, spec, dir.file("sweeps"), cache));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pre-training 2 encoder(s)"), std::string::npos) << r.output;
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache + "/encoders")) {
    entries += e.is_directory();
  }
  EXPECT_EQ(entries, 2);
  std::set<std::string> keys;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("sweeps/pre/runs"))) {
    const auto scores = read_json(e.path().string() + "/scores.json");
    EXPECT_TRUE(scores["encoder"]["cache_hit"].get<bool>()) << "trained before the trial";
    keys.insert(scores["encoder"]["key"].get<std::string>());
  }
  EXPECT_EQ(keys.size(), 2u);
}

TEST(Cli, BadInputFailsBeforeTrainingWithAClearMessage) {
  ScratchDir dir;
  const auto spec = write_spec(dir, "name: tiny\nbase: base.yaml\nseeds: [0]\n");
  auto r =
      run(fmt::format("{} sweep {} --out {} train.stepz=3", ABLATE_BINARY, spec, dir.file("s")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("error: command line 'train.stepz=3': unknown key 'train.stepz'"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("s")));

  r = run(fmt::format("{} train {} connector.num_tokens=9", ABLATE_BINARY, dir.file("base.yaml")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("connector.num_tokens=9 is impossible"), std::string::npos) << r.output;
}

TEST(Cli, ScoreJsonPrintsExactlyOneObject) {
  ScratchDir dir;
  std::ofstream(dir.file("p.json"))
      << R"({"vqa": {"candidates": {"1": "yes"}, "references": {"1": ["yes","yes","yes","yes","yes","yes","yes","yes","yes","no"]}}})";
  const auto r = run(fmt::format("{} score {} --json", ABLATE_BINARY, dir.file("p.json")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j.size(), 1u);
  EXPECT_DOUBLE_EQ(j["vqa_accuracy"].get<double>(), 1.0);
}

}  // namespace
}  // namespace ablate
