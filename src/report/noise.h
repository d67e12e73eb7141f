// Seed noise of a sweep's base config (`ablate noise SPEC`): the base trial
// over many seeds, and per metric the seed standard deviation, for VQA scores
// the share of seeds that solve the skill (solved-or-not skills jump from the
// shortcut baseline to near 100 in some seeds only; ../shared/PROXY-NOTES.md,
// point 3), and the minimum effect a sweep with k seeds per config can detect
// (report/stats.h). Written as noise.json and noise.md; the report of the
// spec's own sweep reads noise.json to say which of its differences are real.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/report.h"

namespace ablate {

struct NoiseMetric {
  std::string name;
  double mean = 0, std = 0;
  bool has_baseline = false;
  double baseline = 0;       // the best shortcut on the same items
  bool is_accuracy = false;  // a VQA-style 0..100 score: "solved" is defined
  double solved_share = 0;   // seeds with score >= (baseline + 100) / 2
  double mde = 0;            // with the sweep's seeds per config
  double mde_5 = 0;          // with 5 seeds per config
};

struct NoiseReport {
  std::string spec;
  int num_seeds = 0;                 // seeds of the noise run
  int sweep_seeds = 0;               // seeds per config of the spec's sweep
  std::vector<NoiseMetric> metrics;  // headline metrics first, as the report orders them
};

// The baseline a metric is compared with: "<bench>.<k>shot" -> baselines[bench],
// "<bench>.<k>shot.<type>" -> baselines["<bench>.<type>"]; false when none.
bool metric_baseline(const nlohmann::json& baselines, const std::string& metric, double& out);

// `trials`: the base config's trials (one label) over seeds.
NoiseReport analyse_noise(const std::vector<TrialRecord>& trials, int sweep_seeds,
                          const std::string& spec);

nlohmann::json noise_to_json(const NoiseReport& report);
NoiseReport noise_from_json(const nlohmann::json& j);  // throws nlohmann::json::exception
std::string noise_markdown(const NoiseReport& report);

// Writes noise.json and noise.md into `dir`; returns the Markdown.
std::string write_noise_report(const std::string& dir, const NoiseReport& report);

}  // namespace ablate
