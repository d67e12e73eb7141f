// Every committed experiment and sweep spec loads, expands and builds its
// models, so a change of a default, a key or a base file that breaks one of
// them fails here rather than at the start of someone's sweep. A spec's name is
// its file's stem: the sweep folder is <out>/<name>, so two specs sharing a name
// would mix their run folders.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "model/vlm.h"
#include "sweep/spec.h"
#include "test_util.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> yaml_files(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(testing::source_path(folder))) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string file_stem(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

class ShippedExperiment : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedExperiment, LoadsAndIsNamedAfterItsFile) {
  const auto config =
      load_checked_experiment(testing::source_path("experiments/" + GetParam() + ".yaml"));
  EXPECT_EQ(config.name, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedExperiment,
                         ::testing::ValuesIn(yaml_files("experiments")), file_stem);

class ShippedSpec : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedSpec, ExpandsToDistinctTrialsAndIsNamedAfterItsFile) {
  const auto spec = load_spec(testing::source_path("ablations/" + GetParam() + ".yaml"));
  EXPECT_EQ(spec.name, GetParam());
  const auto trials = expand_trials(spec, {});
  ASSERT_FALSE(trials.empty());
  std::set<std::string> ids;
  for (const auto& trial : trials) {
    EXPECT_GT(trial.parameters, 0) << trial.label;
    EXPECT_TRUE(ids.insert(trial.id).second) << "two trials share id " << trial.id;
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedSpec, ::testing::ValuesIn(yaml_files("ablations")),
                         file_stem);

}  // namespace
}  // namespace ablate
