// Ranking a sweep: reads every run folder under <sweep>/runs, groups trials by
// their label (axis values), and ranks the groups by the mean of `average`
// over seeds, with mean +- sample std of every metric. Written as Markdown
// (report.md) and CSV (report.csv) in the sweep folder.
#pragma once

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

// Loads, ranks, writes report.md and report.csv; returns the Markdown.
std::string write_report(const std::string& sweep_dir);

}  // namespace ablate
