// `ablate show-data`: PNG contact sheets of what a model sees, so a person can
// check the world by eye: training documents at the configured resolution
// with their text, and a sample of each benchmark with its prompt and answer.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "data/scene.h"

namespace ablate {

struct SheetRow {
  std::vector<Scene> images;  // drawn at data.resolution, enlarged without smoothing
  std::string text;           // wrapped beside the images
};

// One PNG, a row per entry.
void write_contact_sheet(const std::string& path, const std::string& title,
                         const std::vector<SheetRow>& rows, const DataOptions& data);

// training.png (the first `num_documents` training documents of seed
// config.seed) and <benchmark>.png for each of eval.benchmarks (the first
// items with their answers, and one few-shot prompt at the largest shot
// count) under `out_dir`. Returns the files written.
std::vector<std::string> show_data(const ExperimentConfig& config, const std::string& out_dir,
                                   int num_documents = 12);

}  // namespace ablate
