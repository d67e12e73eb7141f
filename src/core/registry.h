// Name -> component registry. Components register explicitly, one line each,
// in a `register_builtin_*` function (static self-registration silently drops
// objects linked from a static library). Names are snake_case strings used
// verbatim in YAML, run names and result tables.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"

namespace ablate {

template <class Entry>
class Registry {
 public:
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}
  // A registry filled by its `register_builtin_*` function.
  Registry(std::string kind, void (*register_builtins)(Registry&)) : kind_(std::move(kind)) {
    register_builtins(*this);
  }

  void add(const std::string& name, Entry entry) {
    if (!entries_.emplace(name, std::move(entry)).second) {
      throw std::logic_error(fmt::format("{} '{}' registered twice", kind_, name));
    }
  }

  // Unknown names list the known ones: "unknown connector 'cabs'; available: ...".
  const Entry& get(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      throw ConfigError(
          fmt::format("unknown {} '{}'; available: {}", kind_, name, fmt::join(names(), ", ")));
    }
    return it->second;
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }

  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ablate
