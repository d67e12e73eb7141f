#include "sweep/spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/io.h"
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
  static const std::set<std::string> kKeys = {"name", "description", "base", "seeds", "axes"};
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
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

  const YAML::Node axes = root["axes"];
  if (axes) {
    if (!axes.IsMap()) {
      throw ConfigError(fmt::format(
          "{}: key 'axes': expected a map from config key to a list of values", at(path, axes)));
    }
    for (const auto& kv : axes) {
      SweepAxis axis;
      axis.key = kv.first.as<std::string>();
      if (axis.key == "seed") {
        throw ConfigError(
            fmt::format("{}: axis 'seed': list seeds under the key 'seeds'", at(path, kv.first)));
      }
      if (!kv.second.IsSequence() || kv.second.size() == 0) {
        throw ConfigError(fmt::format("{}: axis '{}': expected a non-empty list of values",
                                      at(path, kv.first), axis.key));
      }
      for (const auto& v : kv.second) axis.values.push_back(v);
      spec.axes.push_back(std::move(axis));
    }
  }
  return spec;
}

std::vector<Trial> expand_trials(const SweepSpec& spec, const std::vector<std::string>& overrides) {
  const ExperimentConfig base = load_experiment(spec.base);
  // Odometer over the axes: the last axis varies fastest.
  std::vector<size_t> index(spec.axes.size(), 0);
  std::vector<Trial> trials;
  std::set<std::string> ids;
  while (true) {
    ExperimentConfig config = base;
    std::vector<std::string> parts;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const auto& axis = spec.axes[a];
      const YAML::Node& value = axis.values[index[a]];
      apply_value(config, axis.key, value, fmt::format("{} axis '{}'", spec.path, axis.key), false);
      parts.push_back(fmt::format("{}={}", axis.key, show(value)));
    }
    for (const auto& o : overrides) apply_override(config, o, "command line");
    const std::string label = parts.empty() ? "base" : fmt::format("{}", fmt::join(parts, ", "));
    for (int seed : spec.seeds) {
      Trial t;
      t.config = config;
      t.config.seed = seed;
      t.config.name = spec.name;
      t.label = label;
      t.seed = seed;
      const std::string source = fmt::format("{} (trial {}, seed {})", spec.path, label, seed);
      t.num_visual_tokens = check_config(t.config, source).num_visual_tokens;
      t.id = config_hash(t.config).substr(0, 12);
      if (!ids.insert(t.id).second) {
        throw ConfigError(fmt::format("{}: trial {} seed {} duplicates another trial's config",
                                      spec.path, label, seed));
      }
      trials.push_back(std::move(t));
    }
    // Next combination.
    size_t a = spec.axes.size();
    while (a > 0) {
      --a;
      if (++index[a] < spec.axes[a].values.size()) break;
      index[a] = 0;
      if (a == 0) return trials;
    }
    if (spec.axes.empty()) return trials;
  }
}

}  // namespace ablate
