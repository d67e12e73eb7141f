#include "report/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/io.h"
#include "report/noise.h"
#include "report/stats.h"
#include "sweep/trial.h"

namespace ablate {
namespace fs = std::filesystem;

// Headline columns (eval/evaluate.h): MM1's aggregates, then each
// benchmark's 0-shot score and text_core. The CSV holds every metric.
bool is_headline_metric(const std::string& name) {
  if (name == "average" || name == "text_core" || name.rfind("average.", 0) == 0) return true;
  const auto dot = name.find('.');
  return dot != std::string::npos && name.substr(dot) == ".0shot";
}

std::vector<std::string> metric_order(const nlohmann::json& metrics) {
  std::vector<std::string> names;
  for (const auto& [name, _] : metrics.items()) {
    if (name.rfind("average", 0) == 0) names.push_back(name);
  }
  for (const auto& [name, _] : metrics.items()) {
    if (is_headline_metric(name) && name.rfind("average", 0) != 0) names.push_back(name);
  }
  for (const auto& [name, _] : metrics.items()) {
    if (!is_headline_metric(name)) names.push_back(name);
  }
  return names;
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += x;
  return s / v.size();
}

double sample_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / (v.size() - 1));
}

SweepRecords load_sweep(const std::string& sweep_dir) {
  SweepRecords out;
  const std::vector<fs::path> dirs = run_folders(sweep_dir);
  for (const auto& dir : dirs) {
    TrialRecord r;
    r.id = dir.filename().string();
    try {
      const auto info = read_json((dir / "trial.json").string());
      r.label = info.at("label").get<std::string>();
      r.seed = info.at("seed").get<int>();
      // No status.json yet: prepared (by pre-training or a launch) but not started.
      const fs::path status_path = dir / "status.json";
      const auto status = fs::exists(status_path) ? read_json(status_path.string())
                                                  : nlohmann::json{{"state", "pending"}};
      r.state = status.at("state").get<std::string>();
      r.reason = status.value("reason", "");
      if (r.state == "done") {
        r.scores = read_json((dir / "scores.json").string());
        if (!r.scores.contains("metrics") || !r.scores["metrics"].is_object()) {
          throw RunFolderError(
              fmt::format("{}: no 'metrics' object", (dir / "scores.json").string()));
        }
      }
    } catch (const RunFolderError& e) {
      out.problems.push_back(e.what());
      continue;
    } catch (const nlohmann::json::exception& e) {
      out.problems.push_back(fmt::format("{}: malformed record ({})", dir.string(), e.what()));
      continue;
    }
    out.trials.push_back(std::move(r));
  }
  return out;
}

std::vector<RankedRow> rank_trials(const std::vector<TrialRecord>& trials) {
  std::map<std::string, std::vector<const TrialRecord*>> groups;
  for (const auto& t : trials) {
    if (t.state == "done") groups[t.label].push_back(&t);
  }
  std::vector<RankedRow> rows;
  for (const auto& [label, members] : groups) {
    RankedRow row;
    row.label = label;
    row.num_seeds = static_cast<int>(members.size());
    row.metric_names = metric_order(members.front()->scores["metrics"]);
    for (const auto& name : row.metric_names) {
      std::vector<double> values;
      for (const auto* m : members) {
        const auto& metrics = m->scores["metrics"];
        if (metrics.contains(name) && metrics[name].is_number())
          values.push_back(metrics[name].get<double>());
      }
      row.mean.push_back(mean_of(values));
      row.std.push_back(sample_std(values));
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const RankedRow& a, const RankedRow& b) {
    return a.mean.front() > b.mean.front();
  });
  return rows;
}

std::string markdown_table(const std::vector<RankedRow>& rows, const SweepRecords& records) {
  std::string out;
  if (rows.empty()) {
    out += "No finished trials yet.\n";
  } else {
    const auto& names = rows.front().metric_names;
    std::vector<size_t> columns;
    for (size_t i = 0; i < names.size(); ++i) {
      if (is_headline_metric(names[i])) columns.push_back(i);
    }
    out += "| rank | config | seeds |";
    for (size_t i : columns) out += fmt::format(" {} |", names[i]);
    out += "\n|---:|---|---:|";
    for (size_t i = 0; i < columns.size(); ++i) out += "---:|";
    out += "\n";
    for (size_t r = 0; r < rows.size(); ++r) {
      out += fmt::format("| {} | {} | {} |", r + 1, rows[r].label, rows[r].num_seeds);
      for (size_t i : columns) {
        out += rows[r].num_seeds > 1
                   ? fmt::format(" {:.1f} ± {:.1f} |", rows[r].mean[i], rows[r].std[i])
                   : fmt::format(" {:.1f} |", rows[r].mean[i]);
      }
      out += "\n";
    }
  }
  // Shortcut baselines of the evaluation items: the same for every trial unless
  // a config changes the items or their references (data.textured_objects,
  // data.shape_first_captions), then one line per distinct set with its configs.
  std::vector<std::pair<std::string, std::vector<std::string>>> baselines;  // line, configs
  std::string note;
  for (const auto& t : records.trials) {
    if (t.state != "done" || !t.scores.contains("baselines")) continue;
    std::string line;
    for (const auto& [name, value] : t.scores["baselines"].items()) {
      // One per benchmark; its parts (per question type, per strategy) are in scores.json.
      if (value.is_number() && name.find('.') == std::string::npos) {
        line += fmt::format(" {}: {:.1f}", name, value.get<double>());
      }
    }
    note = t.scores["baselines"].value("note", note);
    auto same = std::find_if(baselines.begin(), baselines.end(),
                             [&](const auto& b) { return b.first == line; });
    if (same == baselines.end()) same = baselines.insert(baselines.end(), {line, {}});
    auto& configs = same->second;
    if (std::find(configs.begin(), configs.end(), t.label) == configs.end()) {
      configs.push_back(t.label);
    }
  }
  for (const auto& [line, configs] : baselines) {
    out += baselines.size() == 1
               ? "\nShortcut baselines (the same at every shot count):"
               : fmt::format("\nShortcut baselines of {} (the same at every shot count):",
                             fmt::join(configs, ", "));
    out += line + "\n";
  }
  if (!note.empty()) out += fmt::format("({})\n", note);
  int failed = 0, unfinished = 0;
  for (const auto& t : records.trials) {
    if (t.state == "failed") {
      ++failed;
      out += fmt::format("\nfailed: {} seed {} ({}): {}", t.label, t.seed, t.id, t.reason);
    } else if (t.state != "done") {
      ++unfinished;
    }
  }
  if (failed) out += "\n";
  if (unfinished) out += fmt::format("\n{} trial(s) not finished.\n", unfinished);
  for (const auto& p : records.problems) out += fmt::format("\nunreadable run folder: {}\n", p);
  return out;
}

std::string csv_table(const std::vector<RankedRow>& rows) {
  std::string out = "rank,config,seeds";
  if (!rows.empty()) {
    for (const auto& n : rows.front().metric_names) out += fmt::format(",{}_mean,{}_std", n, n);
  }
  out += "\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    out += fmt::format("{},\"{}\",{}", r + 1, rows[r].label, rows[r].num_seeds);
    for (size_t i = 0; i < rows[r].mean.size(); ++i)
      out += fmt::format(",{:.6g},{:.6g}", rows[r].mean[i], rows[r].std[i]);
    out += "\n";
  }
  return out;
}

SeedNoise seed_noise(const std::string& sweep_dir, const std::vector<RankedRow>& rows) {
  SeedNoise noise;
  std::string dir = sweep_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string path = dir + "-noise/noise.json";
  if (fs::exists(path)) {
    try {
      const NoiseReport r = noise_from_json(read_json(path));
      for (const auto& m : r.metrics) noise.std[m.name] = m.std;
      noise.source = fmt::format("{} ({} seeds of the base config)", path, r.num_seeds);
      return noise;
    } catch (const std::exception& e) {
      noise.source = fmt::format("unreadable {} ({}); ", path, e.what());
    }
  }
  std::map<std::string, std::pair<double, int>> pooled;  // name -> (sum of (n-1) var, sum of n-1)
  for (const auto& row : rows) {
    if (row.num_seeds < 2) continue;
    for (size_t i = 0; i < row.metric_names.size(); ++i) {
      auto& p = pooled[row.metric_names[i]];
      p.first += (row.num_seeds - 1) * row.std[i] * row.std[i];
      p.second += row.num_seeds - 1;
    }
  }
  for (const auto& [name, p] : pooled) noise.std[name] = std::sqrt(p.first / p.second);
  if (!pooled.empty()) {
    noise.source +=
        "this sweep's own seeds (within-config spread pooled over configs; `ablate "
        "noise SPEC` measures it on more seeds)";
  }
  return noise;
}

std::string differences_markdown(const std::vector<RankedRow>& rows, const SeedNoise& noise) {
  if (rows.size() < 2 || noise.std.empty()) return "";
  const auto& names = rows.front().metric_names;
  std::vector<size_t> columns;
  for (size_t i = 0; i < names.size(); ++i) {
    if (is_headline_metric(names[i]) && noise.std.count(names[i])) columns.push_back(i);
  }
  std::string out = fmt::format(
      "\nDifferences from rank 1 ({}); * marks a difference at least the minimum detectable "
      "effect for the two configs' seeds (two-sided t test, alpha 0.05, power 0.8; seed noise "
      "from {}).\n\n| config | seeds |",
      rows.front().label, noise.source);
  for (size_t i : columns) out += fmt::format(" {} |", names[i]);
  out += "\n|---|---:|";
  for (size_t i = 0; i < columns.size(); ++i) out += "---:|";
  out += "\n";
  for (size_t r = 1; r < rows.size(); ++r) {
    const int k = std::min(rows[0].num_seeds, rows[r].num_seeds);
    out += fmt::format("| {} | {} |", rows[r].label, rows[r].num_seeds);
    for (size_t i : columns) {
      const double delta = rows[r].mean[i] - rows[0].mean[i];
      const double mde = min_detectable_effect(noise.std.at(names[i]), k);
      out += fmt::format(" {:+.1f}{} |", delta, mde > 0 && std::fabs(delta) >= mde ? " *" : "");
    }
    out += "\n";
  }
  // At the fewest seeds a config has: the weakest comparison of the table.
  const int k = std::min_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
                  return a.num_seeds < b.num_seeds;
                })->num_seeds;
  // One seed allows no test: n/a, not an effect of 0.
  out += fmt::format("| minimum detectable effect | {} |", k);
  for (size_t i : columns) {
    out += k < 2 ? " n/a |"
                 : fmt::format(" {:.1f} |", min_detectable_effect(noise.std.at(names[i]), k));
  }
  out += "\n";
  return out;
}

std::string write_report(const std::string& sweep_dir) {
  const SweepRecords records = load_sweep(sweep_dir);
  const auto rows = rank_trials(records.trials);
  const std::string md =
      markdown_table(rows, records) + differences_markdown(rows, seed_noise(sweep_dir, rows));
  write_file_atomic((fs::path(sweep_dir) / "report.md").string(), md);
  write_file_atomic((fs::path(sweep_dir) / "report.csv").string(), csv_table(rows));
  return md;
}

}  // namespace ablate
