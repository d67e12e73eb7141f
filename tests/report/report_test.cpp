// Ranking and statistics of a sweep's records.
#include "report/report.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "core/io.h"
#include "test_util.h"

namespace ablate {
namespace {

TrialRecord done(const std::string& label, int seed, double average, double vqa) {
  TrialRecord r;
  r.id = label + std::to_string(seed);
  r.label = label;
  r.seed = seed;
  r.state = "done";
  r.scores = {{"metrics", {{"vqa.0shot", vqa}, {"average", average}, {"vqa.0shot.colour", 1.0}}}};
  return r;
}

TEST(Report, SampleStd) {
  EXPECT_DOUBLE_EQ(sample_std({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(sample_std({3}), 0.0);
  EXPECT_DOUBLE_EQ(mean_of({1, 2, 3}), 2.0);
}

TEST(Report, RanksGroupsByMeanAverageWithStd) {
  std::vector<TrialRecord> trials = {done("a", 0, 10, 1), done("a", 1, 20, 3), done("b", 0, 30, 5),
                                     done("b", 1, 32, 7)};
  TrialRecord failed = done("c", 0, 99, 99);
  failed.state = "failed";
  trials.push_back(failed);
  const auto rows = rank_trials(trials);
  ASSERT_EQ(rows.size(), 2u) << "failed trials are not ranked";
  EXPECT_EQ(rows[0].label, "b");
  EXPECT_EQ(rows[0].metric_names[0], "average") << "average is the first column";
  EXPECT_DOUBLE_EQ(rows[0].mean[0], 31.0);
  EXPECT_DOUBLE_EQ(rows[0].std[0], std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(rows[1].mean[1], 2.0);
  const std::string md = markdown_table(rows, {trials, {}});
  EXPECT_NE(md.find("| 1 | b | 2 | 31.0 ± 1.4 | 6.0 ± 1.4 |\n"), std::string::npos)
      << "headline columns only: " << md;
  EXPECT_EQ(md.find("colour"), std::string::npos) << "per-type scores are in the CSV: " << md;
  EXPECT_NE(md.find("failed: c seed 0"), std::string::npos) << md;
  EXPECT_NE(csv_table(rows).find("1,\"b\",2,31,1.41421,6,1.41421,1,0"), std::string::npos)
      << csv_table(rows);
}

TEST(Report, ShortcutBaselinesPerConfigOnlyWhenTheyDiffer) {
  auto with_baselines = [](TrialRecord r, double caption) {
    r.scores["baselines"] = {{"caption", caption}, {"caption.majority", 1.0}, {"note", "why"}};
    return r;
  };
  std::vector<TrialRecord> trials = {with_baselines(done("a", 0, 10, 1), 22.4),
                                     with_baselines(done("a", 1, 20, 3), 22.4),
                                     with_baselines(done("b", 0, 30, 5), 22.4)};
  std::string md = markdown_table(rank_trials(trials), {trials, {}});
  EXPECT_NE(md.find("\nShortcut baselines (the same at every shot count): caption: 22.4\n(why)\n"),
            std::string::npos)
      << md;

  trials.push_back(with_baselines(done("b", 1, 32, 7), 15.0));
  trials.push_back(with_baselines(done("c", 0, 1, 1), 22.4));
  md = markdown_table(rank_trials(trials), {trials, {}});
  EXPECT_NE(md.find("Shortcut baselines of a, b, c (the same at every shot count): caption: 22.4\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Shortcut baselines of b (the same at every shot count): caption: 15.0\n"),
            std::string::npos)
      << md;
}

TEST(Report, CorruptRunFolderIsNamedAndOthersStillCount) {
  testing::ScratchDir dir;
  const auto runs = dir.path() / "runs";
  for (const char* id : {"good", "broken"}) {
    std::filesystem::create_directories(runs / id);
    write_json_atomic((runs / id / "trial.json").string(), {{"label", "x"}, {"seed", 0}});
    write_json_atomic((runs / id / "status.json").string(), {{"state", "done"}});
  }
  write_json_atomic((runs / "good" / "scores.json").string(), {{"metrics", {{"average", 1.0}}}});
  std::ofstream((runs / "broken" / "scores.json").string()) << "{";
  const auto records = load_sweep(dir.path().string());
  ASSERT_EQ(records.trials.size(), 1u);
  ASSERT_EQ(records.problems.size(), 1u);
  EXPECT_NE(records.problems[0].find("broken/scores.json"), std::string::npos)
      << records.problems[0];
  EXPECT_THROW(load_sweep((dir.path() / "nothing").string()), RunFolderError);
}

}  // namespace
}  // namespace ablate
