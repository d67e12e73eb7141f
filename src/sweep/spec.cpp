#include "sweep/spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/io.h"
#include "model/flops.h"
#include "model/vlm.h"

namespace ablate {
namespace fs = std::filesystem;

namespace {

std::string at(const std::string& path, const YAML::Node& node) {
  return node.Mark().line >= 0 ? fmt::format("{}:{}", path, node.Mark().line + 1) : path;
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  }
  return true;
}

std::string show(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << value;
  return out.c_str();
}

// An axis: `key: [v1, v2]`, or named values `name: {label: {key: value, ...}}`.
SweepAxis read_axis(const std::string& path, const YAML::Node& key, const YAML::Node& values) {
  SweepAxis axis;
  axis.name = key.as<std::string>();
  axis.node = key;
  if (axis.name == "seed") {
    throw ConfigError(
        fmt::format("{}: axis 'seed': list seeds under the key 'seeds'", at(path, key)));
  }
  const std::string expected =
      "expected a non-empty list of values, or a map from labels to {config.key: value} maps";
  if (values.IsSequence() && values.size() > 0) {
    for (const auto& v : values) axis.values.push_back({show(v), {{axis.name, v}}, v});
  } else if (values.IsMap() && values.size() > 0) {
    for (const auto& named : values) {
      AxisValue value{named.first.as<std::string>(), {}, named.first};
      if (!named.second.IsMap() || named.second.size() == 0) {
        throw ConfigError(
            fmt::format("{}: axis '{}', value '{}': expected a map of config keys "
                        "to values, e.g. {{data.resolution: 32}}",
                        at(path, named.first), axis.name, value.label));
      }
      for (const auto& kv : named.second)
        value.settings.emplace_back(kv.first.as<std::string>(), kv.second);
      axis.values.push_back(std::move(value));
    }
  } else {
    throw ConfigError(fmt::format("{}: axis '{}': {}", at(path, key), axis.name, expected));
  }
  std::set<std::string> labels;
  for (const auto& v : axis.values) {
    if (!labels.insert(v.label).second) {
      throw ConfigError(fmt::format("{}: axis '{}': value '{}' listed twice", at(path, v.node),
                                    axis.name, v.label));
    }
  }
  return axis;
}

Budget read_budget(const std::string& path, const YAML::Node& node) {
  const std::string expected =
      "expected one of {steps: N}, {examples: N} or {flops: F} (training FLOPs per trial)";
  if (!node.IsMap() || node.size() != 1)
    throw ConfigError(fmt::format("{}: key 'budget': {}", at(path, node), expected));
  Budget budget;
  budget.kind = node.begin()->first.as<std::string>();
  budget.node = node.begin()->second;
  if (budget.kind != "steps" && budget.kind != "examples" && budget.kind != "flops") {
    throw ConfigError(fmt::format("{}: key 'budget': unknown budget '{}'; {}", at(path, node),
                                  budget.kind, expected));
  }
  try {
    budget.amount = budget.node.as<double>();
  } catch (const YAML::Exception&) {
    budget.amount = -1;
  }
  if (!(budget.amount >= 1) || !std::isfinite(budget.amount)) {
    throw ConfigError(fmt::format("{}: key 'budget.{}': expected a number >= 1, got '{}'",
                                  at(path, budget.node), budget.kind, show(budget.node)));
  }
  return budget;
}

SlurmSettings read_slurm(const std::string& path, const YAML::Node& node) {
  if (!node.IsMap()) {
    throw ConfigError(fmt::format(
        "{}: key 'slurm': expected a map of partition, time, cpus, mem, gpus", at(path, node)));
  }
  SlurmSettings s;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    auto text = [&] {
      if (!v.IsScalar() || v.Scalar().empty() ||
          v.Scalar().find_first_of(" \t\n'\"\\") != std::string::npos) {
        throw ConfigError(
            fmt::format("{}: key 'slurm.{}': expected one word without spaces or quotes, got '{}'",
                        at(path, v), key, show(v)));
      }
      return v.Scalar();
    };
    auto count = [&](int least) {
      int n = -1;
      try {
        n = v.as<int>();
      } catch (const YAML::Exception&) {
      }
      if (n < least) {
        throw ConfigError(fmt::format("{}: key 'slurm.{}': expected an integer >= {}, got '{}'",
                                      at(path, v), key, least, show(v)));
      }
      return n;
    };
    if (key == "partition") {
      s.partition = text();
    } else if (key == "time") {
      s.time = text();
    } else if (key == "mem") {
      s.mem = text();
    } else if (key == "cpus") {
      s.cpus = count(1);
    } else if (key == "gpus") {
      s.gpus = count(0);
    } else {
      throw ConfigError(fmt::format(
          "{}: key 'slurm': unknown option '{}'; expected partition, time, cpus, mem or gpus",
          at(path, kv.first), key));
    }
  }
  return s;
}

// Combinations as one value index per axis; -1 leaves the axis at the base.
std::vector<std::vector<int>> combinations(const SweepSpec& spec) {
  const size_t n = spec.axes.size();
  std::vector<std::vector<int>> out;
  switch (spec.combine) {
    case Combine::product: {
      std::vector<int> index(n, 0);
      while (true) {
        out.push_back(index);
        size_t a = n;
        while (a > 0 && ++index[a - 1] == int(spec.axes[a - 1].values.size())) index[--a] = 0;
        if (a == 0) return out;  // the last axis varies fastest
      }
    }
    case Combine::zip: {
      const size_t len = n == 0 ? 1 : spec.axes[0].values.size();
      for (size_t i = 0; i < len; ++i) out.emplace_back(n, int(i));
      return out;
    }
    case Combine::one_at_a_time:
      out.emplace_back(n, -1);
      for (size_t a = 0; a < n; ++a) {
        for (size_t v = 0; v < spec.axes[a].values.size(); ++v) {
          out.emplace_back(n, -1);
          out.back()[a] = int(v);
        }
      }
      return out;
  }
  return out;
}

bool excluded(const SweepSpec& spec, const std::vector<int>& index) {
  for (const auto& rule : spec.exclude) {
    bool all = true;
    for (const auto& [axis, label] : rule) {
      all &= index[axis] >= 0 && spec.axes[axis].values[index[axis]].label == label;
    }
    if (all) return true;
  }
  return false;
}

// Sets train.steps from the budget.
void apply_budget(const SweepSpec& spec, ExperimentConfig& config, int64_t forward_flops,
                  const std::string& source) {
  const Budget& b = spec.budget;
  double steps = b.amount;
  if (b.kind == "examples") steps = b.amount / config.train.batch_size;
  if (b.kind == "flops") steps = b.amount / (3.0 * forward_flops * config.train.batch_size);
  steps = std::round(steps);
  if (steps < 1 || steps > 1e7) {
    throw ConfigError(fmt::format(
        "{}: budget {} {} gives {} training steps at batch {} ({} forward FLOPs per example); "
        "expected 1 to 10,000,000",
        source, b.kind, show(b.node), steps, config.train.batch_size, forward_flops));
  }
  config.train.steps = static_cast<int>(steps);
}

}  // namespace

SweepSpec load_spec(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(read_file(path));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", path, e.mark.line + 1, e.msg));
  } catch (const RunFolderError& e) {
    throw ConfigError(e.what());
  }
  if (!root.IsMap())
    throw ConfigError(fmt::format("{}: expected a map with name, base, seeds, axes", path));
  static const std::set<std::string> kKeys = {"name",    "description", "base",   "seeds", "set",
                                              "combine", "axes",        "exclude", "budget", "slurm"};
  std::map<std::string, int> seen;  // key -> line
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (seen.count(key)) {
      throw ConfigError(fmt::format("{}: key '{}' given twice (first on line {})",
                                    at(path, kv.first), key, seen[key]));
    }
    seen[key] = kv.first.Mark().line + 1;
    if (!kKeys.count(key)) {
      throw ConfigError(fmt::format("{}: unknown key '{}'; expected one of: {}", at(path, kv.first),
                                    key, fmt::join(kKeys, ", ")));
    }
  }
  SweepSpec spec;
  spec.path = path;
  auto scalar = [&](const char* key, bool required) -> std::string {
    const YAML::Node n = root[key];
    if (!n) {
      if (required) throw ConfigError(fmt::format("{}: missing key '{}'", path, key));
      return "";
    }
    if (!n.IsScalar())
      throw ConfigError(fmt::format("{}: key '{}': expected a string", at(path, n), key));
    return n.Scalar();
  };
  spec.name = scalar("name", true);
  if (!valid_name(spec.name)) {
    throw ConfigError(
        fmt::format("{}: key 'name': expected letters, digits, '_', '-' or '.', got '{}'",
                    at(path, root["name"]), spec.name));
  }
  spec.description = scalar("description", false);
  const std::string base = scalar("base", true);
  spec.base = (fs::path(path).parent_path() / base).lexically_normal().string();
  if (!fs::exists(spec.base)) {
    throw ConfigError(
        fmt::format("{}: key 'base': experiment file '{}' (resolved to {}) does not exist; "
                    "base is relative to the spec file",
                    at(path, root["base"]), base, spec.base));
  }

  const YAML::Node seeds = root["seeds"];
  if (!seeds || !seeds.IsSequence() || seeds.size() == 0) {
    throw ConfigError(fmt::format("{}: key 'seeds': expected a non-empty list of integers >= 0",
                                  at(path, seeds ? seeds : root)));
  }
  for (const auto& s : seeds) {
    int seed = -1;
    try {
      seed = s.as<int>();
    } catch (const YAML::Exception&) {
    }
    if (seed < 0) {
      throw ConfigError(
          fmt::format("{}: key 'seeds': expected integers >= 0, got '{}'", at(path, s), show(s)));
    }
    if (std::find(spec.seeds.begin(), spec.seeds.end(), seed) != spec.seeds.end()) {
      throw ConfigError(fmt::format("{}: key 'seeds': seed {} listed twice", at(path, s), seed));
    }
    spec.seeds.push_back(seed);
  }

  if (const YAML::Node set = root["set"]) {
    if (!set.IsMap() || set.size() == 0) {
      throw ConfigError(fmt::format(
          "{}: key 'set': expected a map of config keys to values for every trial, e.g. "
          "{{data.textured_objects: 0.5}}",
          at(path, set)));
    }
    for (const auto& kv : set) spec.set.emplace_back(kv.first.as<std::string>(), kv.second);
  }

  const std::string combine = scalar("combine", false);
  if (combine == "zip") {
    spec.combine = Combine::zip;
  } else if (combine == "one_at_a_time") {
    spec.combine = Combine::one_at_a_time;
  } else if (!combine.empty() && combine != "product") {
    throw ConfigError(
        fmt::format("{}: key 'combine': expected product, zip or one_at_a_time, got '{}'",
                    at(path, root["combine"]), combine));
  }

  const YAML::Node axes = root["axes"];
  if (axes) {
    if (!axes.IsMap()) {
      throw ConfigError(fmt::format(
          "{}: key 'axes': expected a map from config key to a list of values", at(path, axes)));
    }
    for (const auto& kv : axes) {
      SweepAxis axis = read_axis(path, kv.first, kv.second);
      for (const auto& other : spec.axes) {
        if (other.name == axis.name) {
          throw ConfigError(fmt::format("{}: axis '{}' given twice (first on line {})",
                                        at(path, kv.first), axis.name, other.node.Mark().line + 1));
        }
      }
      spec.axes.push_back(std::move(axis));
    }
  }
  if (spec.combine == Combine::zip) {
    for (const auto& axis : spec.axes) {
      if (axis.values.size() != spec.axes[0].values.size()) {
        throw ConfigError(fmt::format(
            "{}: combine: zip needs axes of equal length; axis '{}' has {} values, axis '{}' {}",
            at(path, axis.node), axis.name, axis.values.size(), spec.axes[0].name,
            spec.axes[0].values.size()));
      }
    }
  }

  if (const YAML::Node exclude = root["exclude"]) {
    const std::string expected = "expected a list of {axis: value, ...} maps";
    if (!exclude.IsSequence())
      throw ConfigError(fmt::format("{}: key 'exclude': {}", at(path, exclude), expected));
    for (const auto& rule_node : exclude) {
      if (!rule_node.IsMap() || rule_node.size() == 0)
        throw ConfigError(fmt::format("{}: key 'exclude': {}", at(path, rule_node), expected));
      std::vector<std::pair<size_t, std::string>> rule;
      for (const auto& kv : rule_node) {
        const std::string name = kv.first.as<std::string>();
        const auto axis = std::find_if(spec.axes.begin(), spec.axes.end(),
                                       [&](const SweepAxis& a) { return a.name == name; });
        if (axis == spec.axes.end()) {
          throw ConfigError(fmt::format("{}: key 'exclude': '{}' is not an axis of this spec",
                                        at(path, kv.first), name));
        }
        const std::string label = show(kv.second);
        std::vector<std::string> labels;
        for (const auto& v : axis->values) labels.push_back(v.label);
        if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
          throw ConfigError(
              fmt::format("{}: key 'exclude': axis '{}' has no value '{}'; it has: {}",
                          at(path, kv.second), name, label, fmt::join(labels, ", ")));
        }
        rule.emplace_back(axis - spec.axes.begin(), label);
      }
      spec.exclude.push_back(std::move(rule));
    }
  }

  if (const YAML::Node budget = root["budget"]) {
    spec.budget = read_budget(path, budget);
    for (const auto& [key, v] : spec.set) {
      if (key == "train.steps") {
        throw ConfigError(
            fmt::format("{}: key 'set' sets train.steps, which the budget ({}) decides",
                        at(path, v), spec.budget.kind));
      }
    }
    for (const auto& axis : spec.axes) {
      for (const auto& value : axis.values) {
        for (const auto& [key, v] : value.settings) {
          if (key == "train.steps") {
            throw ConfigError(fmt::format(
                "{}: axis '{}' sets train.steps, which the budget ({}) decides; vary the budget "
                "in separate specs",
                at(path, value.node), axis.name, spec.budget.kind));
          }
        }
      }
    }
  }
  if (const YAML::Node slurm = root["slurm"]) spec.slurm = read_slurm(path, slurm);
  return spec;
}

std::vector<Trial> expand_trials(const SweepSpec& spec, const std::vector<std::string>& overrides) {
  const ExperimentConfig base = load_experiment(spec.base);
  const bool steps_on_command_line =
      std::any_of(overrides.begin(), overrides.end(),
                  [](const std::string& o) { return o.rfind("train.steps=", 0) == 0; });
  std::vector<Trial> trials;
  std::set<std::string> ids;
  for (const auto& index : combinations(spec)) {
    if (excluded(spec, index)) continue;
    ExperimentConfig config = base;
    for (const auto& [key, v] : spec.set) {
      apply_value(config, key, v, fmt::format("{}: key 'set'", at(spec.path, v)), false);
    }
    std::vector<std::string> parts;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      if (index[a] < 0) continue;
      const auto& axis = spec.axes[a];
      const AxisValue& value = axis.values[index[a]];
      for (const auto& [key, v] : value.settings) {
        apply_value(
            config, key, v,
            fmt::format("{}: axis '{}', value '{}'", at(spec.path, v), axis.name, value.label),
            false);
      }
      parts.push_back(fmt::format("{}={}", axis.name, value.label));
    }
    for (const auto& o : overrides) apply_override(config, o, "command line");
    const std::string label = parts.empty() ? "base" : fmt::format("{}", fmt::join(parts, ", "));
    const std::string source = fmt::format("{} (trial {})", spec.path, label);
    config.name = spec.name;
    const VlmShapes shapes = check_config(config, source);
    Vlm model(config);
    const int64_t flops = forward_flops_per_example(model, config);
    if (!spec.budget.kind.empty() && !steps_on_command_line) {
      apply_budget(spec, config, flops,
                   fmt::format("{}: {}", at(spec.path, spec.budget.node), label));
    }
    for (int seed : spec.seeds) {
      Trial t;
      t.config = config;
      t.config.seed = seed;
      t.label = label;
      t.seed = seed;
      t.num_visual_tokens = shapes.num_visual_tokens;
      t.parameters = model->parameter_counts()["total"];
      t.forward_flops = flops;
      t.id = config_hash(t.config).substr(0, 12);
      if (!ids.insert(t.id).second) {
        // one_at_a_time: a value equal to the base's is the base trial.
        if (spec.combine == Combine::one_at_a_time) continue;
        throw ConfigError(fmt::format("{}: trial {} seed {} duplicates another trial's config",
                                      spec.path, label, seed));
      }
      trials.push_back(std::move(t));
    }
  }
  if (trials.empty()) {
    throw ConfigError(fmt::format("{}: every combination is excluded: no trial to run", spec.path));
  }
  return trials;
}

std::string noise_spec_yaml(const SweepSpec& spec, int num_seeds) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.name + "-noise";
  out << YAML::Key << "description" << YAML::Value
      << fmt::format("seed noise of the base experiment of {} (ablate noise)", spec.path);
  out << YAML::Key << "base" << YAML::Value << std::filesystem::absolute(spec.base).string();
  std::vector<int> seeds(num_seeds);
  for (int i = 0; i < num_seeds; ++i) seeds[i] = i;
  out << YAML::Key << "seeds" << YAML::Value << YAML::Flow << seeds;
  if (!spec.set.empty()) {
    out << YAML::Key << "set" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, v] : spec.set) out << YAML::Key << key << YAML::Value << v;
    out << YAML::EndMap;
  }
  if (!spec.budget.kind.empty()) {
    out << YAML::Key << "budget" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << spec.budget.kind << YAML::Value << spec.budget.amount << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string set_summary(const SweepSpec& spec) {
  std::vector<std::string> parts;
  for (const auto& [key, v] : spec.set) parts.push_back(fmt::format("{}={}", key, show(v)));
  return fmt::format("{}", fmt::join(parts, ", "));
}

double training_flops(const Trial& trial) {
  return 3.0 * trial.forward_flops * trial.config.train.batch_size * trial.config.train.steps;
}

}  // namespace ablate
