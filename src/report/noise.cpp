#include "report/noise.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/io.h"
#include "report/stats.h"

namespace ablate {
namespace {

// "<bench>.<k>shot[.<detail>]" -> bench, detail ("" for the primary score);
// false for names of another form (averages, text_core).
bool split_metric(const std::string& metric, std::string& bench, std::string& detail) {
  const auto dot = metric.find('.');
  if (dot == std::string::npos) return false;
  const auto second = metric.find('.', dot + 1);
  const std::string shot =
      metric.substr(dot + 1, second == std::string::npos ? second : second - dot - 1);
  if (shot.size() < 5 || shot.compare(shot.size() - 4, 4, "shot") != 0) return false;
  bench = metric.substr(0, dot);
  detail = second == std::string::npos ? "" : metric.substr(second + 1);
  return true;
}

}  // namespace

bool metric_baseline(const nlohmann::json& baselines, const std::string& metric, double& out) {
  std::string bench, detail;
  std::string key = metric;  // text_core
  if (split_metric(metric, bench, detail)) key = detail.empty() ? bench : bench + "." + detail;
  if (!baselines.contains(key) || !baselines[key].is_number()) return false;
  out = baselines[key].get<double>();
  return true;
}

NoiseReport analyse_noise(const std::vector<TrialRecord>& trials, int sweep_seeds,
                          const std::string& spec) {
  NoiseReport report;
  report.spec = spec;
  report.sweep_seeds = sweep_seeds;
  std::vector<const TrialRecord*> done;
  for (const auto& t : trials) {
    if (t.state == "done") done.push_back(&t);
  }
  report.num_seeds = static_cast<int>(done.size());
  if (done.empty()) return report;
  const nlohmann::json& baselines =
      done.front()->scores.value("baselines", nlohmann::json::object());
  for (const auto& name : metric_order(done.front()->scores["metrics"])) {
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".stderr") == 0) continue;
    NoiseMetric m;
    m.name = name;
    std::vector<double> values;
    for (const auto* t : done) {
      const auto& metrics = t->scores["metrics"];
      if (metrics.contains(name) && metrics[name].is_number()) {
        values.push_back(metrics[name].get<double>());
      }
    }
    m.mean = mean_of(values);
    m.std = sample_std(values);
    m.has_baseline = metric_baseline(baselines, name, m.baseline);
    std::string bench, detail;
    m.is_accuracy = m.has_baseline && split_metric(name, bench, detail) &&
                    baselines.contains(bench + ".majority");
    if (m.is_accuracy) {
      int solved = 0;
      for (double v : values) solved += v >= (m.baseline + 100.0) / 2;
      m.solved_share = values.empty() ? 0.0 : double(solved) / values.size();
    }
    m.mde = min_detectable_effect(m.std, sweep_seeds);
    m.mde_5 = min_detectable_effect(m.std, 5);
    report.metrics.push_back(m);
  }
  return report;
}

nlohmann::json noise_to_json(const NoiseReport& r) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& m : r.metrics) {
    nlohmann::json j = {{"mean", m.mean}, {"std", m.std}, {"mde", m.mde}, {"mde_5", m.mde_5}};
    if (m.has_baseline) j["baseline"] = m.baseline;
    if (m.is_accuracy) j["solved_share"] = m.solved_share;
    metrics[m.name] = j;
  }
  return {{"spec", r.spec},
          {"num_seeds", r.num_seeds},
          {"sweep_seeds", r.sweep_seeds},
          {"alpha", 0.05},
          {"power", 0.8},
          {"metrics", metrics},
          {"order", [&] {
             nlohmann::json names = nlohmann::json::array();
             for (const auto& m : r.metrics) names.push_back(m.name);
             return names;
           }()}};
}

NoiseReport noise_from_json(const nlohmann::json& j) {
  NoiseReport r;
  r.spec = j.at("spec").get<std::string>();
  r.num_seeds = j.at("num_seeds").get<int>();
  r.sweep_seeds = j.at("sweep_seeds").get<int>();
  for (const auto& name : j.at("order")) {
    const auto& m = j.at("metrics").at(name.get<std::string>());
    NoiseMetric x;
    x.name = name.get<std::string>();
    x.mean = m.at("mean").get<double>();
    x.std = m.at("std").get<double>();
    x.mde = m.at("mde").get<double>();
    x.mde_5 = m.at("mde_5").get<double>();
    x.has_baseline = m.contains("baseline");
    if (x.has_baseline) x.baseline = m["baseline"].get<double>();
    x.is_accuracy = m.contains("solved_share");
    if (x.is_accuracy) x.solved_share = m["solved_share"].get<double>();
    r.metrics.push_back(x);
  }
  return r;
}

std::string noise_markdown(const NoiseReport& r) {
  std::string out = fmt::format(
      "Seed noise of the base config of {} over {} seeds. MDE: the smallest difference between "
      "two configs that a sweep with k seeds per config detects (two-sided t test, alpha 0.05, "
      "power 0.8). solved: share of seeds scoring at least halfway from the shortcut baseline "
      "to 100.\n\n",
      r.spec, r.num_seeds);
  // The k=5 column (issue 7's yardstick) only when the spec has another seed count.
  const bool extra_k5 = r.sweep_seeds != 5;
  out += fmt::format("| metric | mean ± std | shortcut | solved | MDE k={} |{}\n", r.sweep_seeds,
                     extra_k5 ? " MDE k=5 |" : "");
  out += std::string("|---|---:|---:|---:|---:|") + (extra_k5 ? "---:|" : "") + "\n";
  for (const auto& m : r.metrics) {
    // Headline metrics, per-question-type accuracies and log-likelihoods at 0 shots.
    const bool zero_shot_detail =
        m.name.find(".0shot.") != std::string::npos && m.name.find("bleu") == std::string::npos;
    if (!is_headline_metric(m.name) && !zero_shot_detail) continue;
    // One seed per config allows no test: no MDE rather than a 0 that reads as "any".
    out += fmt::format("| {} | {:.2f} ± {:.2f} | {} | {} | {} |{}\n", m.name, m.mean, m.std,
                       m.has_baseline ? fmt::format("{:.1f}", m.baseline) : "",
                       m.is_accuracy ? fmt::format("{:.0f}%", 100 * m.solved_share) : "",
                       r.sweep_seeds < 2 ? "n/a" : fmt::format("{:.2f}", m.mde),
                       extra_k5 ? fmt::format(" {:.2f} |", m.mde_5) : "");
  }
  return out;
}

std::string write_noise_report(const std::string& dir, const NoiseReport& report) {
  const std::string md = noise_markdown(report);
  write_json_atomic((std::filesystem::path(dir) / "noise.json").string(), noise_to_json(report));
  write_file_atomic((std::filesystem::path(dir) / "noise.md").string(), md);
  return md;
}

}  // namespace ablate
