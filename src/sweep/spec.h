// Ablation specs (ablations/*.yaml) and their expansion into trials.
//
//   name: smoke                          # sweep folder name
//   description: connector choice ...    # optional, shown in reports
//   base: ../experiments/smoke.yaml      # relative to this file
//   seeds: [0, 1]
//   axes:                                # full grid (product), in this order
//     connector.type: [avg_pool, attn_pool]
//
// Each trial is base < axis values < command-line overrides < seed, checked
// in full (model shapes included) before anything trains.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace ablate {

struct SweepAxis {
  std::string key;                 // dotted config key
  std::vector<YAML::Node> values;  // kept as nodes so errors point at their line
};

struct SweepSpec {
  std::string path;
  std::string name;
  std::string description;
  std::string base;  // resolved path of the base experiment
  std::vector<int> seeds;
  std::vector<SweepAxis> axes;
};

struct Trial {
  std::string id;     // hash of the resolved config
  std::string label;  // axis values, e.g. "connector.type=avg_pool"
  int seed = 0;
  ExperimentConfig config;
  int num_visual_tokens = 0;
};

SweepSpec load_spec(const std::string& path);

// Every trial of the spec, checked; ConfigError names the spec file, line and
// key of the first problem.
std::vector<Trial> expand_trials(const SweepSpec& spec, const std::vector<std::string>& overrides);

}  // namespace ablate
