// Ranking a sweep: reads every run folder under <sweep>/runs, groups trials by
// their label (axis values), and ranks the groups by the mean of `average`
// over seeds, with mean +- sample std of every metric. Written as Markdown
// (report.md) and CSV (report.csv) in the sweep folder.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ablate {

struct TrialRecord {
  std::string id, label, state, reason;
  int seed = 0;
  nlohmann::json scores;  // empty unless done
};

struct SweepRecords {
  std::vector<TrialRecord> trials;
  std::vector<std::string> problems;  // unreadable or corrupt files, by name
};

SweepRecords load_sweep(const std::string& sweep_dir);

// Headline metrics (the printed table's columns): MM1's aggregates, each
// benchmark's 0-shot score, text_core.
bool is_headline_metric(const std::string& name);
// Headline metrics first (averages, then benchmarks), the rest alphabetically.
std::vector<std::string> metric_order(const nlohmann::json& metrics);

struct RankedRow {
  std::string label;
  int num_seeds = 0;
  std::vector<std::string> metric_names;
  std::vector<double> mean, std;
};

// Groups done trials by label and ranks by mean "average", best first.
std::vector<RankedRow> rank_trials(const std::vector<TrialRecord>& trials);

double mean_of(const std::vector<double>& v);
double sample_std(const std::vector<double>& v);  // n - 1 denominator; 0 for n < 2

std::string markdown_table(const std::vector<RankedRow>& rows, const SweepRecords& records);
std::string csv_table(const std::vector<RankedRow>& rows);

// Seed standard deviation per metric, and where it was measured.
struct SeedNoise {
  std::map<std::string, double> std;
  std::string source;
};
// The noise run of the sweep (`ablate noise`: <sweep_dir>-noise/noise.json)
// when there is one, else the sweep's own spread (within-config variances
// pooled over configs with 2+ seeds); empty `std` when neither exists.
SeedNoise seed_noise(const std::string& sweep_dir, const std::vector<RankedRow>& rows);

// Each config's difference from the best one per headline metric, marked *
// where it is at least the minimum detectable effect (report/stats.h) for the
// seeds the two configs have.
std::string differences_markdown(const std::vector<RankedRow>& rows, const SeedNoise& noise);

// Loads, ranks, writes report.md and report.csv; returns the Markdown.
std::string write_report(const std::string& sweep_dir);

}  // namespace ablate
