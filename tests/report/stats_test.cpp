// Student's t and the minimum detectable effect against published values; the
// noise analysis and the report's marking of real differences on hand-made
// records.
#include "report/stats.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "report/noise.h"
#include "report/report.h"

namespace ablate {
namespace {

TEST(Stats, StudentTMatchesTables) {
  // Two-sided 95% critical values (any statistics table).
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.7764, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 8), 2.3060, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0423, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.80, 8), 0.8889, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.5, 3), 0.0, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.025, 8), -2.3060, 1e-4) << "symmetric";
  EXPECT_NEAR(student_t_cdf(0.0, 5), 0.5, 1e-12);
  EXPECT_NEAR(student_t_cdf(2.5706, 5), 0.975, 1e-4);
  EXPECT_NEAR(incomplete_beta(2, 3, 0.4), 0.5248, 1e-4);  // 1 - sum_{j<2} C(4,j) .4^j .6^(4-j)
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
}

TEST(Stats, MinimumDetectableEffectOnAKnownCase) {
  // k = 5 seeds per config, sigma 1: df 8, (2.3060 + 0.8889) * sqrt(2 / 5).
  EXPECT_NEAR(min_detectable_effect(1.0, 5), (2.30600 + 0.88889) * std::sqrt(0.4), 1e-3);
  EXPECT_NEAR(min_detectable_effect(1.0, 5), 2.0206, 1e-3);
  EXPECT_NEAR(min_detectable_effect(3.0, 5), 3 * min_detectable_effect(1.0, 5), 1e-9)
      << "linear in sigma";
  EXPECT_LT(min_detectable_effect(1.0, 10), min_detectable_effect(1.0, 5)) << "more seeds, less";
  EXPECT_EQ(min_detectable_effect(1.0, 1), 0.0) << "one seed: no test";
}

TrialRecord trial(const std::string& label, int seed, double average, double vqa) {
  TrialRecord r;
  r.id = label + std::to_string(seed);
  r.label = label;
  r.seed = seed;
  r.state = "done";
  r.scores = {{"metrics", {{"average", average}, {"vqa.0shot", vqa}, {"vqa.0shot.stderr", 1.0}}},
              {"baselines", {{"vqa", 40.0}, {"vqa.majority", 35.0}}}};
  return r;
}

TEST(Noise, SpreadSolvedShareAndDetectableEffect) {
  // vqa over 4 seeds: 50, 80, 90, 60 -> solved at >= (40 + 100) / 2 = 70: 2 of 4.
  const std::vector<TrialRecord> trials = {trial("base", 0, 10, 50), trial("base", 1, 12, 80),
                                           trial("base", 2, 14, 90), trial("base", 3, 16, 60)};
  const NoiseReport r = analyse_noise(trials, /*sweep_seeds=*/3, "spec.yaml");
  EXPECT_EQ(r.num_seeds, 4);
  ASSERT_EQ(r.metrics.size(), 2u) << "standard errors are not seed noise";
  const NoiseMetric& average = r.metrics[0];
  const NoiseMetric& vqa = r.metrics[1];
  EXPECT_EQ(average.name, "average");
  EXPECT_FALSE(average.is_accuracy);
  EXPECT_DOUBLE_EQ(vqa.mean, 70.0);
  EXPECT_DOUBLE_EQ(vqa.std, sample_std({50, 80, 90, 60}));
  EXPECT_TRUE(vqa.is_accuracy);
  EXPECT_DOUBLE_EQ(vqa.baseline, 40.0);
  EXPECT_DOUBLE_EQ(vqa.solved_share, 0.5);
  EXPECT_DOUBLE_EQ(vqa.mde, min_detectable_effect(vqa.std, 3));
  const NoiseReport back = noise_from_json(noise_to_json(r));
  ASSERT_EQ(back.metrics.size(), 2u);
  EXPECT_DOUBLE_EQ(back.metrics[1].solved_share, 0.5);
  EXPECT_DOUBLE_EQ(back.metrics[1].mde, vqa.mde);
  EXPECT_NE(noise_markdown(r).find(fmt::format("| vqa.0shot | 70.00 ± 18.26 | 40.0 | 50% | {:.2f} | "
                                               "{:.2f} |\n",
                                               vqa.mde, vqa.mde_5)),
            std::string::npos)
      << noise_markdown(r);
  // A 5-seed spec: one MDE column, not the same one twice.
  const std::string five = noise_markdown(analyse_noise(trials, /*sweep_seeds=*/5, "spec.yaml"));
  EXPECT_NE(five.find("| solved | MDE k=5 |\n"), std::string::npos) << five;
  EXPECT_NE(five.find(fmt::format("| 40.0 | 50% | {:.2f} |\n", min_detectable_effect(vqa.std, 5))),
            std::string::npos)
      << five;
  // A 1-seed spec allows no test: its column says so instead of an MDE of 0.
  const std::string one = noise_markdown(analyse_noise(trials, /*sweep_seeds=*/1, "spec.yaml"));
  EXPECT_NE(one.find(fmt::format("| 40.0 | 50% | n/a | {:.2f} |\n", vqa.mde_5)), std::string::npos)
      << one;
}

TEST(Noise, ReportMarksOnlyDifferencesAboveTheDetectableEffect) {
  // Seed std 1 on average: with 3 seeds each the MDE is (2.776 + 0.941) * sqrt(2/3) = 3.04.
  const std::vector<TrialRecord> trials = {
      trial("a", 0, 50, 0), trial("a", 1, 51, 0), trial("a", 2, 52, 0),   // mean 51
      trial("b", 0, 49, 0), trial("b", 1, 50, 0), trial("b", 2, 51, 0),   // mean 50: -1
      trial("c", 0, 40, 0), trial("c", 1, 41, 0), trial("c", 2, 42, 0)};  // mean 41: -10
  const auto rows = rank_trials(trials);
  SeedNoise noise;
  noise.std = {{"average", 1.0}, {"vqa.0shot", 0.0}};
  noise.source = "test";
  const std::string md = differences_markdown(rows, noise);
  EXPECT_NE(md.find("| b | 3 | -1.0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| c | 3 | -10.0 * |"), std::string::npos) << md;
  EXPECT_NE(md.find("| minimum detectable effect | 3 | 3.0 |"), std::string::npos) << md;

  // A config with one seed: no test for it, and the weakest comparison says n/a, not 0.
  std::vector<TrialRecord> with_one = trials;
  with_one.push_back(trial("d", 0, 20, 0));
  const std::string one = differences_markdown(rank_trials(with_one), noise);
  EXPECT_NE(one.find("| d | 1 | -31.0 |"), std::string::npos) << one;
  EXPECT_NE(one.find("| minimum detectable effect | 1 | n/a |"), std::string::npos) << one;

  // Without a noise run, the sweep's own pooled within-config spread (std 1).
  const SeedNoise own = seed_noise("/nonexistent/sweep", rows);
  EXPECT_NEAR(own.std.at("average"), 1.0, 1e-12);
  EXPECT_NE(own.source.find("this sweep's own seeds"), std::string::npos);
}

}  // namespace
}  // namespace ablate
