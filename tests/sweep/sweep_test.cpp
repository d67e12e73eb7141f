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
#include "sweep/trial.h"

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

std::vector<std::string> labels(const std::vector<Trial>& trials) {
  std::vector<std::string> out;
  for (const auto& t : trials) out.push_back(t.label);
  return out;
}

TEST(Spec, ZipMovesValuesTogether) {
  ScratchDir dir;
  const auto trials = expand_trials(
      load_spec(write_spec(dir,
                           "name: t\nbase: base.yaml\nseeds: [0]\ncombine: zip\naxes:\n"
                           "  data.resolution: [16, 32]\n  encoder.patch_size: [4, 8]\n")),
      {});
  EXPECT_EQ(labels(trials), (std::vector<std::string>{"data.resolution=16, encoder.patch_size=4",
                                                      "data.resolution=32, encoder.patch_size=8"}));
  EXPECT_EQ(trials[1].num_visual_tokens, trials[0].num_visual_tokens);
  EXPECT_EQ(trials[1].config.encoder.patch_size, 8);
}

TEST(Spec, OneAtATimeVariesEachAxisAloneAroundTheBase) {
  ScratchDir dir;
  // avg_pool is the base's connector: that value is the base trial itself.
  const auto trials = expand_trials(
      load_spec(write_spec(dir,
                           "name: t\nbase: base.yaml\nseeds: [0, 1]\ncombine: one_at_a_time\n"
                           "axes:\n  connector.type: [avg_pool, attn_pool]\n"
                           "  lm.width: [32]\n")),
      {});
  EXPECT_EQ(labels(trials),
            (std::vector<std::string>{"base", "base", "connector.type=attn_pool",
                                      "connector.type=attn_pool", "lm.width=32", "lm.width=32"}));
  EXPECT_EQ(trials[4].config.connector.type, "avg_pool");
  EXPECT_EQ(trials[4].config.lm.width, 32);
}

TEST(Spec, NamedValuesSetSeveralKeysAndExcludeRemovesCombinations) {
  ScratchDir dir;
  const auto trials = expand_trials(
      load_spec(write_spec(dir,
                           "name: t\nbase: base.yaml\nseeds: [0]\naxes:\n"
                           "  connector.type: [avg_pool, attn_pool]\n"
                           "  image:\n"
                           "    low: {data.resolution: 16, encoder.patch_size: 4}\n"
                           "    high: {data.resolution: 32, encoder.patch_size: 4}\n"
                           "exclude:\n  - {connector.type: attn_pool, image: low}\n")),
      {});
  EXPECT_EQ(labels(trials), (std::vector<std::string>{"connector.type=avg_pool, image=low",
                                                      "connector.type=avg_pool, image=high",
                                                      "connector.type=attn_pool, image=high"}));
  EXPECT_EQ(trials[1].config.data.resolution, 32);
  EXPECT_EQ(trials[1].config.encoder.patch_size, 4);
}

TEST(Spec, SetReachesEveryTrialBeforeTheAxesAndTheNoiseRunKeepsIt) {
  ScratchDir dir;
  const SweepSpec spec = load_spec(write_spec(dir,
                                              "name: t\nbase: base.yaml\nseeds: [0]\n"
                                              "set: {data.textured_objects: 0.5, lm.width: 16}\n"
                                              "axes:\n  lm.width: [16, 32]\n"));
  EXPECT_EQ(set_summary(spec), "data.textured_objects=0.5, lm.width=16");
  const auto trials = expand_trials(spec, {});
  ASSERT_EQ(trials.size(), 2u);
  for (const auto& t : trials) EXPECT_EQ(t.config.data.textured_objects, 0.5) << t.label;
  EXPECT_EQ(trials[0].config.lm.width, 16);
  EXPECT_EQ(trials[1].config.lm.width, 32) << "an axis value wins over set";
  EXPECT_EQ(trials[1].label, "lm.width=32") << "set is not part of the label";

  // Without `set` the same axis value is another trial.
  const auto plain = expand_trials(
      load_spec(write_spec(dir, "name: t\nbase: base.yaml\nseeds: [0]\naxes:\n  lm.width: [16]\n")),
      {});
  EXPECT_EQ(plain[0].config.data.textured_objects, 0.0);
  EXPECT_NE(plain[0].id, trials[0].id);

  // `ablate noise` runs the sweep's base: the experiment with `set` applied.
  const std::string noise = dir.file("noise.yaml");
  write_file_atomic(noise, noise_spec_yaml(spec, 2));
  const auto seeds = expand_trials(load_spec(noise), {});
  ASSERT_EQ(seeds.size(), 2u);
  EXPECT_EQ(seeds[0].config.data.textured_objects, 0.5);
  EXPECT_EQ(seeds[0].config.lm.width, 16);
  EXPECT_EQ(seeds[0].id, trials[0].id) << "seed 0 of the noise run is the sweep's base trial";
}

TEST(Spec, BudgetSetsStepsForEqualStepsExamplesOrFlops) {
  ScratchDir dir;
  const std::string axes =
      "name: t\nbase: base.yaml\nseeds: [0]\naxes:\n  train.batch_size: [4, 8]\n"
      "  lm.width: [16, 32]\n";
  auto steps = [](const std::vector<Trial>& trials) {
    std::vector<int> out;
    for (const auto& t : trials) out.push_back(t.config.train.steps);
    return out;
  };
  auto trials = expand_trials(load_spec(write_spec(dir, axes + "budget: {steps: 50}\n")), {});
  EXPECT_EQ(steps(trials), (std::vector<int>{50, 50, 50, 50}));
  trials = expand_trials(load_spec(write_spec(dir, axes + "budget: {examples: 400}\n")), {});
  EXPECT_EQ(steps(trials), (std::vector<int>{100, 100, 50, 50}));
  trials = expand_trials(load_spec(write_spec(dir, axes + "budget: {flops: 5.0e10}\n")), {});
  for (const auto& t : trials) {
    EXPECT_NEAR(training_flops(t), 5.0e10, 0.5 * 3.0 * t.forward_flops * t.config.train.batch_size)
        << t.label;
  }
  EXPECT_GT(trials[0].config.train.steps, trials[1].config.train.steps) << "wider LM, fewer steps";
  // A command-line train.steps wins (for quick checks of a spec).
  trials = expand_trials(load_spec(write_spec(dir, axes + "budget: {flops: 5.0e10}\n")),
                         {"train.steps=3"});
  EXPECT_EQ(steps(trials), (std::vector<int>{3, 3, 3, 3}));
}

struct BadSpec {
  const char* name;
  const char* body;      // after "name: t\nbase: base.yaml\n", unless it starts with "name:"
  const char* expected;  // in the error message
};

class BadSpecs : public ::testing::TestWithParam<BadSpec> {};

TEST_P(BadSpecs, AreRejectedWithFileLineAndKey) {
  ScratchDir dir;
  const std::string body = GetParam().body;
  const auto path =
      write_spec(dir, body.rfind("name:", 0) == 0 ? body : "name: t\nbase: base.yaml\n" + body);
  const std::string msg = config_error([&] { expand_trials(load_spec(path), {}); });
  EXPECT_NE(msg.find(GetParam().expected), std::string::npos) << msg;
  EXPECT_NE(msg.find("spec.yaml"), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Sweep, BadSpecs,
    ::testing::Values(
        BadSpec{"UnknownKey", "seeds: [0]\nbogus: 1\n", "spec.yaml:4: unknown key 'bogus'"},
        BadSpec{"NegativeSeed", "seeds: [0, -1]\n", "spec.yaml:3: key 'seeds'"},
        BadSpec{"RepeatedSeed", "seeds: [1, 1]\n", "seed 1 listed twice"},
        BadSpec{"UnknownComponent", "seeds: [0]\naxes:\n  connector.type: [avg_pool, cabs]\n",
                "unknown connector 'cabs'"},
        BadSpec{"UnknownAxisKey", "seeds: [0]\naxes:\n  train.stepz: [1]\n",
                "spec.yaml:5: axis 'train.stepz', value '1': unknown key 'train.stepz'"},
        BadSpec{"BadValueType", "seeds: [0]\naxes:\n  train.steps: [ten]\n",
                "spec.yaml:5: axis 'train.steps'"},
        BadSpec{"EmptyAxis", "seeds: [0]\naxes:\n  connector.type: []\n",
                "spec.yaml:5: axis 'connector.type': expected a non-empty list"},
        BadSpec{"RepeatedAxis", "seeds: [0]\naxes:\n  lm.width: [16]\n  lm.width: [32]\n",
                "spec.yaml:6: axis 'lm.width' given twice (first on line 5)"},
        BadSpec{"RepeatedValue", "seeds: [0]\naxes:\n  lm.width: [16, 16]\n",
                "spec.yaml:5: axis 'lm.width': value '16' listed twice"},
        BadSpec{"NamedValueNotAMap", "seeds: [0]\naxes:\n  image:\n    low: 16\n",
                "spec.yaml:6: axis 'image', value 'low': expected a map"},
        BadSpec{"NamedValueUnknownKey",
                "seeds: [0]\naxes:\n  image:\n    low: {data.resolutio: 16}\n",
                "spec.yaml:6: axis 'image', value 'low': unknown key 'data.resolutio'"},
        BadSpec{"SetNotAMap", "seeds: [0]\nset: [1]\n", "spec.yaml:4: key 'set': expected a map"},
        BadSpec{"SetUnknownKey", "seeds: [0]\nset: {data.texture: 1}\n",
                "spec.yaml:4: key 'set': unknown key 'data.texture'"},
        BadSpec{"SetStepsWithBudget", "seeds: [0]\nset: {train.steps: 5}\nbudget: {steps: 9}\n",
                "spec.yaml:4: key 'set' sets train.steps, which the budget (steps) decides"},
        BadSpec{"UnknownCombine", "seeds: [0]\ncombine: grid\n",
                "spec.yaml:4: key 'combine': expected product, zip or one_at_a_time"},
        BadSpec{"ZipOfUnequalAxes",
                "seeds: [0]\ncombine: zip\naxes:\n  lm.width: [16, 32]\n  lm.depth: [1]\n",
                "spec.yaml:7: combine: zip needs axes of equal length"},
        BadSpec{"ExcludeUnknownAxis",
                "seeds: [0]\naxes:\n  lm.width: [16, 32]\nexclude:\n  - {lm.depth: 1}\n",
                "spec.yaml:7: key 'exclude': 'lm.depth' is not an axis"},
        BadSpec{"ExcludeUnknownValue",
                "seeds: [0]\naxes:\n  lm.width: [16, 32]\nexclude:\n  - {lm.width: 64}\n",
                "spec.yaml:7: key 'exclude': axis 'lm.width' has no value '64'; it has: 16, 32"},
        BadSpec{"ExcludeEverything",
                "seeds: [0]\naxes:\n  lm.width: [16]\nexclude:\n  - {lm.width: 16}\n",
                "every combination is excluded"},
        BadSpec{"UnknownBudget", "seeds: [0]\nbudget: {hours: 2}\n",
                "spec.yaml:4: key 'budget': unknown budget 'hours'"},
        BadSpec{"NegativeBudget", "seeds: [0]\nbudget: {flops: -5}\n",
                "spec.yaml:4: key 'budget.flops': expected a number >= 1"},
        BadSpec{"BudgetTooSmall", "seeds: [0]\nbudget: {flops: 10}\n",
                "spec.yaml:4: base: budget flops 10 gives 0 training steps"},
        BadSpec{"BudgetAndStepsAxis", "seeds: [0]\naxes:\n  train.steps: [5]\nbudget: {steps: 9}\n",
                "spec.yaml:5: axis 'train.steps' sets train.steps, which the budget"},
        BadSpec{"ImpossibleShape", "seeds: [0]\naxes:\n  connector.num_tokens: [9]\n",
                "connector.num_tokens=9 is impossible"},
        BadSpec{"MissingBase", "name: t\nbase: nope.yaml\nseeds: [0]\n",
                "spec.yaml:2: key 'base': experiment file 'nope.yaml'"},
        BadSpec{"RepeatedKey", "seeds: [0]\nbase: other.yaml\n",
                "spec.yaml:4: key 'base' given twice (first on line 2)"},
        BadSpec{"InvalidYaml", "seeds: [0\n", "spec.yaml:4: invalid YAML"}),
    [](const auto& info) { return std::string(info.param.name); });

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
  EXPECT_NE(r.output.find("Shortcut baselines (the same at every shot count): caption:"),
            std::string::npos)
      << r.output;
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

  // The same trials under other labels: nothing trains, the report uses the new labels.
  write_spec(dir,
             "name: tiny\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  pooling:\n"
             "    mean: {connector.type: avg_pool}\n    learned: {connector.type: attn_pool}\n");
  r = run(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("running 0 trials"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| pooling=learned | 2 |"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("| connector.type=attn_pool |"), std::string::npos) << r.output;

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
  EXPECT_NE(r.output.find("est.train"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("estimated training time of the trials to run"), std::string::npos)
      << r.output;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(sweep_dir + "/runs"), {}), 4);
}

TEST(SweepEndToEnd, PretrainsEachEncoderAndLmOnceBeforeTheTrials) {
  // Two connectors x two seeds share one clip encoder; aim gets its own; all
  // eight trials share one pre-trained LM.
  ScratchDir dir;
  const auto spec =
      write_spec(dir,
                 "name: pre\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  connector.type: [avg_pool, "
                 "attn_pool]\n  encoder.pretrain.objective: [clip, aim]\n");
  const std::string cache = dir.file("cache");
  const auto r = run(fmt::format(
      "{} sweep {} --out {} --cache {} --jobs 2 encoder.pretrain.steps=2 "
      "encoder.pretrain.batch_size=4 encoder.pretrain.text_width=16 encoder.pretrain.text_depth=1 "
      "lm.pretrain.steps=2 lm.pretrain.batch_size=4",
      ABLATE_BINARY, spec, dir.file("sweeps"), cache));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pre-training 3 stage(s)"), std::string::npos) << r.output;
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache + "/encoders")) {
    entries += e.is_directory();
  }
  EXPECT_EQ(entries, 2);
  std::set<std::string> keys;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("sweeps/pre/runs"))) {
    const auto scores = read_json(e.path().string() + "/scores.json");
    EXPECT_TRUE(scores["encoder"]["cache_hit"].get<bool>()) << "trained before the trial";
    EXPECT_TRUE(scores["lm"]["cache_hit"].get<bool>()) << "trained before the trial";
    keys.insert(scores["encoder"]["key"].get<std::string>());
    keys.insert(scores["lm"]["key"].get<std::string>());
  }
  EXPECT_EQ(keys.size(), 3u);
}

TEST(SweepEndToEnd, NoiseRunReusesDoneBaseTrialsAndTheReportUsesIt) {
  ScratchDir dir;
  const auto spec =
      write_spec(dir,
                 "name: tiny\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  connector.type: [avg_pool, "
                 "attn_pool]\n");
  const std::string common =
      fmt::format("--out {} --cache {} --jobs 2", dir.file("sweeps"), dir.file("cache"));
  auto r = run(fmt::format("{} sweep {} {}", ABLATE_BINARY, spec, common));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("this sweep's own seeds"), std::string::npos)
      << "without a noise run, the sweep's own spread: " << r.output;

  // The base config (avg_pool) over 3 seeds: seeds 0 and 1 are the sweep's own trials.
  r = run(fmt::format("{} noise {} --seeds 3 {}", ABLATE_BINARY, spec, common));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("done (copied from " + dir.file("sweeps/tiny/runs/")), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("running 1 trials"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| average |"), std::string::npos) << r.output;
  const auto noise = read_json(dir.file("sweeps/tiny-noise/noise.json"));
  EXPECT_EQ(noise["num_seeds"].get<int>(), 3);
  EXPECT_EQ(noise["sweep_seeds"].get<int>(), 2);
  EXPECT_TRUE(noise["metrics"].contains("vqa.0shot"));

  r = run(fmt::format("{} report {}", ABLATE_BINARY, dir.file("sweeps/tiny")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Differences from rank 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("tiny-noise/noise.json (3 seeds of the base config)"), std::string::npos)
      << r.output;
}

TEST(SweepEndToEnd, ReuseCopiesTheDoneTrialsOfAnotherSweep) {
  ScratchDir dir;
  const std::string common =
      fmt::format("--out {} --cache {} --jobs 2", dir.file("sweeps"), dir.file("cache"));
  auto spec = write_spec(dir,
                         "name: first\nbase: base.yaml\nseeds: [0]\naxes:\n  connector.type: "
                         "[avg_pool, attn_pool]\n");
  auto r = run(fmt::format("{} sweep {} {}", ABLATE_BINARY, spec, common));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // A second sweep with one more arm: the two trials the first one ran are copied.
  spec = write_spec(dir,
                    "name: second\nbase: base.yaml\nseeds: [0]\naxes:\n  connector.type: "
                    "[avg_pool, attn_pool, mlp]\n");
  const std::string first = dir.file("sweeps/first");
  const std::string reuse =
      fmt::format("{} sweep {} {} --reuse {}", ABLATE_BINARY, spec, common, first);
  // Each --reuse takes one folder: the override after it stays an override.
  r = run(reuse + " --dry-run train.checkpoint_every=7");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("to copy from " + first + "/runs/"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("sweeps/second/runs")))
      << "a dry run copies nothing";

  r = run(reuse);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("running 1 trials"), std::string::npos) << r.output;
  int copies = 0;
  for (const auto& run_dir : run_folders(dir.file("sweeps/second"))) {
    const auto trial = read_json((run_dir / "trial.json").string());
    EXPECT_EQ(trial["sweep"], "second");
    if (!trial.contains("copied_from")) continue;
    ++copies;
    const std::string from = trial["copied_from"];
    EXPECT_EQ(from, first + "/runs/" + run_dir.filename().string());
    EXPECT_EQ(read_file((run_dir / "scores.json").string()), read_file(from + "/scores.json"));
    EXPECT_FALSE(std::filesystem::exists(run_dir / "lock"));
  }
  EXPECT_EQ(copies, 2);

  // Run again without --reuse: nothing trains, and the copies still say where they came from.
  r = run(fmt::format("{} sweep {} {}", ABLATE_BINARY, spec, common));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("running 0 trials"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("done (copied from " + first), std::string::npos) << r.output;

  // A copy made corrupt is trained here again, not announced as a copy.
  for (const auto& run_dir : run_folders(dir.file("sweeps/second"))) {
    if (read_json((run_dir / "trial.json").string()).contains("copied_from")) {
      std::ofstream((run_dir / "scores.json").string()) << "{\"metrics\": {\"aver";
      break;
    }
  }
  r = run(fmt::format("{} sweep {} {} --dry-run", ABLATE_BINARY, spec, common));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("to resume"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("to copy from"), std::string::npos) << r.output;

  r = run(fmt::format("{} sweep {} {} --reuse {}", ABLATE_BINARY, spec, common, dir.file("nope")));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--reuse " + dir.file("nope") + ": no runs/ folder"), std::string::npos)
      << r.output;
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
