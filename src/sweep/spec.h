// Ablation specs (ablations/*.yaml) and their expansion into trials.
//
//   name: smoke                          # sweep folder name
//   description: connector choice ...    # optional, shown in reports
//   base: ../experiments/smoke.yaml      # relative to this file
//   seeds: [0, 1]
//   set: {data.textured_objects: 0.5}    # optional: every trial, before axes
//   combine: product                     # product (default), zip, one_at_a_time
//   axes:
//     connector.type: [avg_pool, attn_pool]     # a config key and its values
//     image:                                    # named values: a label per
//       low: {data.resolution: 32, encoder.patch_size: 8}    # choice that
//       high: {data.resolution: 64, encoder.patch_size: 8}   # sets several keys
//   exclude:                             # combinations left out
//     - {connector.type: attn_pool, image: low}
//   budget: {flops: 2.0e13}              # or {steps: N}, {examples: N}
//   slurm: {partition: cpu, time: "2:00:00", cpus: 1, mem: 4G, gpus: 0}
//                                        # #SBATCH options (--executor slurm);
//                                        # command-line options win
//
// combine: product is the full grid; zip takes the i-th value of every axis
// together (axes of equal length); one_at_a_time is the base experiment plus
// each axis varied alone around it (MM1's style; a value equal to the base's
// is the base trial). budget sets train.steps per trial so that choices are
// compared at equal steps, equal examples (steps x batch) or equal training
// FLOPs (steps x batch x 3 x forward FLOPs per example: backward costs about
// twice the forward).
//
// Each trial is base < set < axis values < command-line overrides < budget < seed
// (a command-line train.steps wins over the budget), checked in full (model
// shapes included) before anything trains.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace ablate {

struct AxisValue {
  std::string label;  // the value itself, or its name for named values
  std::vector<std::pair<std::string, YAML::Node>> settings;  // dotted key -> value
  YAML::Node node;  // for error lines
};

struct SweepAxis {
  std::string name;  // a config key, or any name for an axis of named values
  std::vector<AxisValue> values;
  YAML::Node node;
};

enum class Combine { product, zip, one_at_a_time };

struct Budget {
  std::string kind;  // "" (none), steps, examples, flops
  double amount = 0;
  YAML::Node node;
};

// Options of the Slurm executor's job array; empty: Slurm's default.
struct SlurmSettings {
  std::string partition, time, mem;
  int cpus = 0;  // per trial; 0: 1
  int gpus = 0;
};

struct SweepSpec {
  std::string path;
  std::string name;
  std::string description;
  std::string base;  // resolved path of the base experiment
  std::vector<int> seeds;
  // `set`: dotted key -> value, applied to every trial before the axis values
  // (the sweep's own base: what `ablate noise` runs too).
  std::vector<std::pair<std::string, YAML::Node>> set;
  Combine combine = Combine::product;
  std::vector<SweepAxis> axes;
  // Each rule: (axis index, value label) pairs that together exclude a trial.
  std::vector<std::vector<std::pair<size_t, std::string>>> exclude;
  Budget budget;
  SlurmSettings slurm;
};

struct Trial {
  std::string id;     // hash of the resolved config
  std::string label;  // axis values, e.g. "connector.type=avg_pool"
  int seed = 0;
  ExperimentConfig config;
  int num_visual_tokens = 0;
  int64_t parameters = 0;
  int64_t forward_flops = 0;  // per example
};

// Reads and checks the spec file; ConfigError names file:line and key.
SweepSpec load_spec(const std::string& path);

// Every trial of the spec, each model built and checked; ConfigError names
// the spec file, line and key of the first problem.
std::vector<Trial> expand_trials(const SweepSpec& spec, const std::vector<std::string>& overrides);

// The spec `ablate noise` runs: the base experiment with the spec's `set`
// (no axes), seeds 0..num_seeds-1, with the spec's budget, named "<name>-noise".
std::string noise_spec_yaml(const SweepSpec& spec, int num_seeds);

// The spec's `set` as "key=value, ..." ("" without one), for the plan's first line.
std::string set_summary(const SweepSpec& spec);

// Training FLOPs of a trial: steps x batch x 3 x forward FLOPs per example.
double training_flops(const Trial& trial);

}  // namespace ablate
