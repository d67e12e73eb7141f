// Strict YAML <-> option structs, driven by each struct's `visit`.
#include "core/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/io.h"

namespace ablate {
namespace {

std::string scalar_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

// Reads the fields of one map node; remembers which keys it consumed so that
// `finish` can reject the rest.
class YamlReader {
 public:
  YamlReader(const YAML::Node& node, const std::string& source, bool has_lines, std::string prefix)
      : node_(node), source_(source), has_lines_(has_lines), prefix_(std::move(prefix)) {}

  template <class T>
  void field(const char* key, T& value, const char*, const Check<T>& check = {}) {
    allowed_.push_back(key);
    const YAML::Node child = node_[key];
    if (!child) return;
    T parsed{};
    if (!parse(child, parsed)) {
      fail(child, key, type_name<T>(), fmt::format("'{}'", scalar_text(child)));
    }
    if (check.ok && !check.ok(parsed)) {
      fail(child, key, check.expected, fmt::format("'{}'", scalar_text(child)));
    }
    value = parsed;
  }

  void preset(const char* key, std::string& value, const char* help,
              const std::vector<SizePreset>& presets, int& width, int& depth, int& num_heads) {
    std::vector<std::string> names = {"custom"};
    for (const auto& p : presets) names.push_back(p.name);
    field(key, value, help, one_of(names));
    if (!node_[key]) return;
    for (const auto& p : presets) {
      if (value == p.name) {
        width = p.width;
        depth = p.depth;
        num_heads = p.num_heads;
      }
    }
  }

  template <class S>
  void section(const char* key, S& sub) {
    allowed_.push_back(key);
    const YAML::Node child = node_[key];
    if (!child) return;
    if (!child.IsMap()) fail(child, key, "a map of options", scalar_text(child));
    YamlReader reader(child, source_, has_lines_, dotted(key) + ".");
    sub.visit(reader);
    reader.finish();
  }

  void finish() const {
    std::set<std::string> allowed(allowed_.begin(), allowed_.end());
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        throw ConfigError(fmt::format("{}: unknown key '{}'; expected one of: {}", where(kv.first),
                                      dotted(key), fmt::join(allowed_, ", ")));
      }
    }
  }

 private:
  // int, double, bool: yaml-cpp's conversion, which rejects "1.5" as an int.
  template <class T>
  static bool parse(const YAML::Node& n, T& out) {
    if (!n.IsScalar()) return false;
    try {
      out = n.as<T>();
      return true;
    } catch (const YAML::Exception&) {
      return false;
    }
  }
  static bool parse(const YAML::Node& n, std::string& out) {
    if (!n.IsScalar()) return false;
    out = n.Scalar();
    return true;
  }
  template <class T>
  static bool parse(const YAML::Node& n, std::vector<T>& out) {
    if (!n.IsSequence()) return false;
    out.clear();
    for (const auto& item : n) {
      T value{};
      if (!parse(item, value)) return false;
      out.push_back(value);
    }
    return true;
  }

  std::string dotted(const std::string& key) const { return prefix_ + key; }

  std::string where(const YAML::Node& n) const {
    if (has_lines_ && n.Mark().line >= 0) return fmt::format("{}:{}", source_, n.Mark().line + 1);
    return source_;
  }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& expected,
                         const std::string& got) const {
    throw ConfigError(
        fmt::format("{}: key '{}': expected {}, got {}", where(n), dotted(key), expected, got));
  }

  const YAML::Node& node_;
  const std::string& source_;
  bool has_lines_;
  std::string prefix_;
  std::vector<std::string> allowed_;
};

// YAML text of one value; doubles as the shortest text that reads back the same.
void emit(YAML::Emitter& out, int v) { out << v; }
void emit(YAML::Emitter& out, bool v) { out << (v ? "true" : "false"); }
void emit(YAML::Emitter& out, const std::string& v) { out << v; }
template <class T>
void emit(YAML::Emitter& out, const std::vector<T>& v) {
  out << YAML::Flow << v;
}
void emit(YAML::Emitter& out, double v) {
  std::string text = fmt::format("{}", v);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  out << text;
}

class YamlWriter {
 public:
  explicit YamlWriter(YAML::Emitter& out) : out_(out) {}

  template <class T, class C = Check<T>>
  void field(const char* key, const T& value, const char*, const C& = {}) {
    out_ << YAML::Key << key << YAML::Value;
    emit(out_, value);
  }

  void preset(const char* key, const std::string& value, const char*,
              const std::vector<SizePreset>&, int, int, int) {
    field(key, value, "");
  }

  template <class S>
  void section(const char* key, S& sub) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    sub.visit(*this);
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
};

// Every field as "dotted.key: value", in declaration order.
class FlatWriter {
 public:
  explicit FlatWriter(std::vector<std::string>& out, std::string prefix = "")
      : out_(out), prefix_(std::move(prefix)) {}

  template <class T, class C = Check<T>>
  void field(const char* key, const T& value, const char*, const C& = {}) {
    YAML::Emitter text;
    emit(text, value);
    out_.push_back(fmt::format("{}{}: {}", prefix_, key, text.c_str()));
  }

  void preset(const char* key, const std::string& value, const char*,
              const std::vector<SizePreset>&, int, int, int) {
    field(key, value, "");
  }

  template <class S>
  void section(const char* key, S& sub) {
    FlatWriter inner(out_, prefix_ + key + ".");
    sub.visit(inner);
  }

 private:
  std::vector<std::string>& out_;
  std::string prefix_;
};

class FieldDescriber {
 public:
  explicit FieldDescriber(std::vector<std::pair<std::string, std::string>>& out,
                          std::string prefix = "")
      : out_(out), prefix_(std::move(prefix)) {}

  template <class T>
  void field(const char* key, const T& value, const char* help, const Check<T>& check = {}) {
    std::string expected = check.expected.empty() ? type_name<T>() : check.expected;
    out_.emplace_back(prefix_ + key,
                      fmt::format("{} (default {}; {})", help, show(value), expected));
  }

  void preset(const char* key, const std::string& value, const char* help,
              const std::vector<SizePreset>& presets, int, int, int) {
    std::string sizes;
    for (const auto& p : presets) {
      sizes +=
          fmt::format("; {} = width {}, depth {}, heads {}", p.name, p.width, p.depth, p.num_heads);
    }
    out_.emplace_back(prefix_ + key, fmt::format("{} (default {}{})", help, value, sizes));
  }

  template <class S>
  void section(const char* key, S& sub) {
    FieldDescriber inner(out_, prefix_ + key + ".");
    sub.visit(inner);
  }

 private:
  static std::string show(const std::string& v) { return v; }
  static std::string show(bool v) { return v ? "true" : "false"; }
  template <class T>
  static std::string show(const std::vector<T>& v) {
    return fmt::format("[{}]", fmt::join(v, ", "));
  }
  template <class T>
  static std::string show(const T& v) {
    return fmt::format("{}", v);
  }

  std::vector<std::pair<std::string, std::string>>& out_;
  std::string prefix_;
};

}  // namespace

void apply_yaml(ExperimentConfig& config, const YAML::Node& node, const std::string& source,
                bool has_lines) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) {
    throw ConfigError(fmt::format("{}: expected a map of options at the top level", source));
  }
  YamlReader reader(node, source, has_lines, "");
  config.visit(reader);
  reader.finish();
}

void apply_value(ExperimentConfig& config, const std::string& dotted_key, const YAML::Node& value,
                 const std::string& source, bool has_lines) {
  std::vector<std::string> path;
  std::stringstream parts(dotted_key);
  std::string part;
  while (std::getline(parts, part, '.')) path.push_back(part);
  if (path.empty() ||
      std::any_of(path.begin(), path.end(), [](const auto& p) { return p.empty(); })) {
    throw ConfigError(
        fmt::format("{}: '{}' is not a dotted key like train.steps", source, dotted_key));
  }
  // Build {a: {b: value}} from "a.b".
  YAML::Node root(YAML::NodeType::Map);
  YAML::Node cursor = root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    cursor[path[i]] = YAML::Node(YAML::NodeType::Map);
    cursor.reset(cursor[path[i]]);
  }
  cursor[path.back()] = value;
  apply_yaml(config, root, source, has_lines);
}

void apply_override(ExperimentConfig& config, const std::string& assignment,
                    const std::string& source) {
  const auto eq = assignment.find('=');
  const std::string where = fmt::format("{} '{}'", source, assignment);
  if (eq == std::string::npos || eq == 0 || eq + 1 == assignment.size()) {
    throw ConfigError(fmt::format("{}: expected key=value, e.g. train.steps=200", where));
  }
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: value is not valid YAML: {}", where, e.msg));
  }
  apply_value(config, assignment.substr(0, eq), value, where, false);
}

ExperimentConfig load_experiment(const std::string& path,
                                 const std::vector<std::string>& overrides) {
  YAML::Node node;
  try {
    node = YAML::Load(read_file(path));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", path, e.mark.line + 1, e.msg));
  }
  ExperimentConfig config;
  apply_yaml(config, node, path, true);
  for (const auto& o : overrides) apply_override(config, o, "command line");
  return config;
}

std::string to_yaml(const ExperimentConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  YamlWriter writer(out);
  ExperimentConfig copy = config;  // visit is shared with the reader, so not const
  copy.visit(writer);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

namespace {
std::vector<std::string> flatten(ExperimentConfig config) {
  std::vector<std::string> lines;
  FlatWriter writer(lines);
  config.visit(writer);
  return lines;
}
}  // namespace

std::string config_hash(const ExperimentConfig& config) {
  // Only values that differ from the defaults, so that adding an option whose
  // default keeps the old behaviour leaves every existing trial id valid; and
  // never the options that cannot change a result.
  // The name too: configs that differ only in it (a sweep's base trial and
  // the same config in its noise run) are one trial.
  static const char* kNotInId[] = {"name: ", "train.checkpoint_every: "};
  const auto defaults = flatten(ExperimentConfig{});
  const auto lines = flatten(config);
  std::string text = fmt::format("config schema {}\n", kConfigSchemaVersion);
  for (size_t i = 0; i < lines.size(); ++i) {
    bool result_neutral = false;
    for (const char* key : kNotInId) result_neutral |= lines[i].rfind(key, 0) == 0;
    if (lines[i] != defaults[i] && !result_neutral) text += lines[i] + "\n";
  }
  return fnv1a_hex(text);
}

std::vector<std::pair<std::string, std::string>> describe_fields() {
  std::vector<std::pair<std::string, std::string>> out;
  ExperimentConfig defaults;
  FieldDescriber describer(out);
  defaults.visit(describer);
  return out;
}

}  // namespace ablate
