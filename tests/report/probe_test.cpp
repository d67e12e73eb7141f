// Probes of a trained trial: the frozen encoder's mean probes equal its
// pre-trained record, the texture and sign (word and digit) probes exist
// exactly when the world has textures and signs, every probe has its
// attentive twin, the VQA column is the score card's, bad folders are
// named.
#include "report/probe.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/io.h"
#include "sweep/trial.h"
#include "test_util.h"

namespace ablate {
namespace {

// The frozen-clip tiny trial, in a world with textures and signs (share 0.5
// each) or with neither.
class ProbeOfTrainedTrial : public ::testing::TestWithParam<double> {};

TEST_P(ProbeOfTrainedTrial, FrozenEncoderKeepsItsRecordAndTheTableShowsEveryColumn) {
  const bool textured = GetParam() > 0;
  ExperimentConfig config = testing::tiny_pretrain("clip");
  config.train.freeze = {"encoder"};
  config.data.textured_objects = GetParam();
  config.data.text_scenes = GetParam();
  if (textured) config.eval.num_items = 40;  // enough vqa items to ask about a pattern

  testing::ScratchDir dir;
  const std::string run = dir.file("run");
  prepare_run_folder(run, config, nlohmann::json());
  ASSERT_EQ(run_trial(run, false, dir.file("cache")), TrialResult::done);

  const nlohmann::json probe = probe_trial(run);
  EXPECT_EQ(read_json(run + "/probe.json"), probe);
  EXPECT_EQ(probe["step"], 4);
  EXPECT_EQ(probe["steps"], 4);
  ASSERT_TRUE(probe["pretrained"].is_object());
  std::vector<std::string> tasks = {"colour", "shape",    "size",   "count",
                                    "item",   "position", "binding"};
  if (textured) tasks.push_back("texture");
  if (textured) {
    for (const char* task : {"sign", "sign_tens", "sign_units"}) tasks.push_back(task);
  }
  for (const std::string& task : tasks) {
    ASSERT_TRUE(probe["encoder"].contains(task)) << task;
    ASSERT_TRUE(probe["visual_tokens"].contains(task)) << task;
    // Same weights (frozen), same held-out scenes, same probe; the attentive
    // probe is the trial's own.
    EXPECT_EQ(probe["encoder"][task]["accuracy"], probe["pretrained"][task]["accuracy"]) << task;
    EXPECT_EQ(probe["encoder"][task]["chance"], probe["pretrained"][task]["chance"]) << task;
    EXPECT_FALSE(probe["pretrained"][task].contains("attentive")) << task;
    for (const char* features : {"encoder", "visual_tokens"}) {
      for (const char* kind : {"accuracy", "attentive"}) {
        const double acc = probe[features][task][kind].get<double>();
        EXPECT_GE(acc, 0.0) << features << " " << kind;
        EXPECT_LE(acc, 100.0) << features << " " << kind;
      }
    }
  }
  EXPECT_EQ(probe["encoder"].size(), tasks.size()) << probe["encoder"].dump();
  EXPECT_EQ(probe["pretrained"].contains("texture"), textured);
  EXPECT_EQ(probe["pretrained"].contains("sign"), textured);
  EXPECT_EQ(probe["pretrained"].contains("sign_units"), textured);

  const auto metrics = read_json(run + "/scores.json")["metrics"];
  ASSERT_TRUE(metrics.contains("vqa.0shot.colour"));
  EXPECT_EQ(probe["answered"]["colour"], metrics["vqa.0shot.colour"]);
  ASSERT_EQ(metrics.contains("vqa.0shot.texture"), textured);
  if (textured) {
    EXPECT_EQ(probe["answered"]["texture"], metrics["vqa.0shot.texture"]);
  }
  EXPECT_EQ(probe["answered"]["position"], metrics["spatial_vqa.0shot.relation"]);
  EXPECT_EQ(probe["answered"].contains("sign"), textured);
  if (textured) {
    EXPECT_EQ(probe["answered"]["sign"], metrics["text_vqa.0shot.word"]);
    EXPECT_EQ(probe["answered"]["sign_tens"], metrics["text_vqa.0shot.digits"]);
  }
  for (const auto& [task, value] : probe["answered"].items()) {
    EXPECT_TRUE(probe["encoder"].contains(task)) << task;
  }

  const std::string table = probe_table(probe);
  EXPECT_NE(table.find("| task | chance | pre-trained encoder: mean |"), std::string::npos)
      << table;
  EXPECT_NE(table.find("| shape |"), std::string::npos) << table;
  EXPECT_EQ(table.find("| texture |") != std::string::npos, textured) << table;
  EXPECT_EQ(table.find("| sign |") != std::string::npos, textured) << table;
  EXPECT_EQ(table.find("| sign_tens |") != std::string::npos, textured) << table;
  // Each probe column shows the mean probe and the attentive one.
  const std::string shape_row = table.substr(table.find("| shape |"));
  EXPECT_EQ(std::count(shape_row.begin(), shape_row.begin() + shape_row.find('\n'), '/'), 2)
      << shape_row;
  EXPECT_NE(table.find("step 4 of 4"), std::string::npos) << table;
  // The binding probe's chance shows its bag-of-colours shortcut beside it.
  EXPECT_NE(table.find(fmt::format("| binding | {:.1f} (50) |",
                                   probe["encoder"]["binding"]["chance"].get<double>())),
            std::string::npos)
      << table;
}

INSTANTIATE_TEST_SUITE_P(DetailShare, ProbeOfTrainedTrial, ::testing::Values(0.0, 0.5));

TEST(Probe, FoldersWithoutATrainedModelAreNamed) {
  testing::ScratchDir dir;
  try {
    probe_trial(dir.file("nothing"));
    FAIL() << "no config.yaml";
  } catch (const RunFolderError& e) {
    EXPECT_NE(std::string(e.what()).find("nothing: no config.yaml"), std::string::npos) << e.what();
  }
  prepare_run_folder(dir.file("fresh"), testing::tiny_config(), nlohmann::json());
  try {
    probe_trial(dir.file("fresh"));
    FAIL() << "no checkpoint";
  } catch (const RunFolderError& e) {
    EXPECT_NE(std::string(e.what()).find("no checkpoint.pt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ablate
