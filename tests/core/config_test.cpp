// Strict config loading: every error names the source, line and key.
#include "core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "model/vlm.h"
#include "test_util.h"

namespace ablate {
namespace {

using testing::ScratchDir;

std::string write(const ScratchDir& dir, const std::string& text) {
  const std::string path = dir.file("exp.yaml");
  std::ofstream(path) << text;
  return path;
}

// Message of the ConfigError that `fn` throws ("" when it does not throw).
template <class Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, LoadsTheSmokeExperiment) {
  const auto c = load_checked_experiment(testing::source_path("experiments/smoke.yaml"));
  EXPECT_EQ(c.name, "smoke");
  EXPECT_EQ(c.connector.type, "avg_pool");
  EXPECT_EQ(c.data.resolution, 32);
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  ScratchDir dir;
  const auto path = write(dir, "name: x\ntrain:\n  steps: 10\n  stepz: 5\n");
  const auto msg = error_of([&] { load_experiment(path); });
  EXPECT_NE(msg.find(path + ":4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'train.stepz'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("steps"), std::string::npos) << "lists the valid keys: " << msg;
}

TEST(Config, WrongTypeAndOutOfRangeNameTheExpectation) {
  ScratchDir dir;
  auto msg = error_of([&] { load_experiment(write(dir, "train:\n  steps: many\n")); });
  EXPECT_NE(msg.find(":2: key 'train.steps': expected an integer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'many'"), std::string::npos) << msg;

  msg = error_of([&] { load_experiment(write(dir, "train:\n  lr: -1\n")); });
  EXPECT_NE(msg.find("key 'train.lr': expected a number in [0, 1]"), std::string::npos) << msg;

  msg = error_of([&] { load_experiment(write(dir, "train:\n  precision: fp8\n")); });
  EXPECT_NE(msg.find("one of: fp32, bf16"), std::string::npos) << msg;

  msg = error_of([&] { load_experiment(write(dir, "data: 5\n")); });
  EXPECT_NE(msg.find("key 'data': expected a map"), std::string::npos) << msg;

  msg = error_of([&] { load_experiment(write(dir, "train: [steps: 3\n")); });
  EXPECT_NE(msg.find("invalid YAML"), std::string::npos) << msg;
}

TEST(Config, OverridesTakePrecedenceAndAreChecked) {
  ScratchDir dir;
  const auto path = write(dir, "train:\n  steps: 10\n");
  EXPECT_EQ(load_experiment(path, {"train.steps=200"}).train.steps, 200);
  EXPECT_EQ(load_experiment(path, {"train.steps=200", "train.steps=3"}).train.steps, 3);
  EXPECT_EQ(load_experiment(path, {"connector.type=attn_pool"}).connector.type, "attn_pool");

  auto msg = error_of([&] { load_experiment(path, {"train.stepz=1"}); });
  EXPECT_NE(msg.find("command line 'train.stepz=1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'train.stepz'"), std::string::npos) << msg;
  msg = error_of([&] { load_experiment(path, {"train.steps"}); });
  EXPECT_NE(msg.find("expected key=value"), std::string::npos) << msg;
  msg = error_of([&] { load_experiment(path, {"train.steps=0"}); });
  EXPECT_NE(msg.find("expected an integer in [1, 10000000], got '0'"), std::string::npos) << msg;
}

TEST(Config, ImpossibleCombinationsFailAtLoadWithValidValues) {
  ScratchDir dir;
  const auto path = write(dir, "name: x\n");
  auto msg = error_of([&] { load_checked_experiment(path, {"encoder.patch_size=5"}); });
  EXPECT_NE(msg.find("encoder.patch_size=5 does not divide data.resolution=32"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("30, 35"), std::string::npos) << msg;

  msg = error_of([&] { load_checked_experiment(path, {"connector.num_tokens=9"}); });
  EXPECT_NE(msg.find("connector.num_tokens=9 is impossible for avg_pool on a 8x8 patch grid"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("valid values: 1, 4, 16, 64"), std::string::npos) << msg;

  msg = error_of([&] { load_checked_experiment(path, {"connector.type=cabs"}); });
  EXPECT_NE(msg.find("unknown connector 'cabs'; available: attn_pool, avg_pool"), std::string::npos)
      << msg;

  msg = error_of([&] { load_checked_experiment(path, {"data.resolution=48"}); });
  EXPECT_EQ(msg, "") << "192 is a multiple of 48";
  msg = error_of([&] { load_checked_experiment(path, {"data.resolution=40"}); });
  EXPECT_NE(msg.find("data.render_resolution=192 is not a multiple of data.resolution=40"),
            std::string::npos)
      << msg;

  msg = error_of([&] {
    load_checked_experiment(
        path, {"connector.num_tokens=144", "connector.type=attn_pool", "lm.max_seq_len=64"});
  });
  EXPECT_NE(msg.find("lm.max_seq_len=64"), std::string::npos) << msg;

  msg = error_of([&] {
    load_checked_experiment(path, {"train.batch_size=4", "train.length_buckets=5"});
  });
  EXPECT_NE(msg.find("train.length_buckets=5 exceeds train.batch_size=4"), std::string::npos)
      << msg;

  // Hard negatives change only details the world has.
  const std::vector<std::string> clip = {"encoder.pretrain.objective=clip"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), clip.begin(), clip.end());
    return error_of([&] { load_checked_experiment(path, more); });
  };
  msg = with({"encoder.pretrain.twin_changes=[sign]"});
  EXPECT_NE(msg.find("encoder.pretrain.twin_changes is set but encoder.pretrain.hard_negatives is "
                     "false"),
            std::string::npos)
      << msg;
  msg = with({"encoder.pretrain.hard_negatives=true", "encoder.pretrain.twin_changes=[]"});
  EXPECT_NE(msg.find("encoder.pretrain.twin_changes is empty"), std::string::npos) << msg;
  msg = with({"encoder.pretrain.hard_negatives=true", "encoder.pretrain.twin_changes=[texture]"});
  EXPECT_NE(msg.find("names texture but data.textured_objects is 0"), std::string::npos) << msg;
  msg = with({"encoder.pretrain.hard_negatives=true", "encoder.pretrain.twin_changes=[sign]",
              "data.text_scenes=0"});
  EXPECT_NE(msg.find("names sign but data.text_scenes is 0"), std::string::npos) << msg;
  msg = with({"encoder.pretrain.hard_negatives=true", "encoder.pretrain.twin_changes=[colour]"});
  EXPECT_NE(msg.find("encoder.pretrain.twin_changes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("shape, texture, sign, binding"), std::string::npos) << msg;
  msg = with({"encoder.pretrain.hard_negatives=true", "encoder.pretrain.twin_changes=[binding]",
              "encoder.pretrain.max_objects=1"});
  EXPECT_NE(msg.find("names binding but pre-training scenes hold at most one object"),
            std::string::npos)
      << msg;
  EXPECT_EQ(with({"encoder.pretrain.hard_negatives=true", "data.textured_objects=0.5",
                  "encoder.pretrain.twin_changes=[shape, texture, sign, binding]"}),
            "");
}

TEST(Config, NamedSizesSetWidthDepthHeadsAndExplicitKeysWin) {
  ScratchDir dir;
  auto c = load_experiment(write(dir, "lm:\n  size: 7b\n"));
  EXPECT_EQ(c.lm.width, 192);
  EXPECT_EQ(c.lm.depth, 4);
  EXPECT_EQ(c.lm.num_heads, 6);
  c = load_experiment(write(dir, "lm:\n  width: 64\n  size: 7b\n"));
  EXPECT_EQ(c.lm.width, 64) << "explicit key in the same layer wins, wherever it is written";
  EXPECT_EQ(c.lm.depth, 4);
  c = load_experiment(write(dir, "lm:\n  width: 64\n"), {"lm.size=30b"});
  EXPECT_EQ(c.lm.width, 256) << "a later layer's size resets the fields";
  c = load_experiment(write(dir, "encoder:\n  size: h\n"));
  EXPECT_EQ(c.encoder.width, 128);
  EXPECT_EQ(c.encoder.num_heads, 8);
  const auto msg = error_of([&] { load_experiment(write(dir, "encoder:\n  size: xl\n")); });
  EXPECT_NE(msg.find("key 'encoder.size': expected one of: custom, tiny, b, l, h"),
            std::string::npos)
      << msg;
  // Every named size is a valid model.
  for (const auto& e : kEncoderSizes) {
    for (const auto& l : kLmSizes) {
      EXPECT_NO_THROW(load_checked_experiment(
          testing::source_path("experiments/smoke.yaml"),
          {std::string("encoder.size=") + e.name, std::string("lm.size=") + l.name}));
    }
  }
}

TEST(Config, ResolvedYamlRoundTripsAndHashIsStable) {
  ScratchDir dir;
  ExperimentConfig c = testing::tiny_config();
  c.train.lr = 3e-4;
  c.train.precision = "bf16";
  c.lm.size = "3b";
  c.lm.width = 96;  // size and an explicit width: the round trip keeps both
  c.train.freeze = {"encoder"};
  c.lm.moe.num_experts = 4;
  const std::string path = dir.file("resolved.yaml");
  std::ofstream(path) << to_yaml(c);
  const ExperimentConfig back = load_experiment(path);
  EXPECT_EQ(to_yaml(back), to_yaml(c));
  EXPECT_EQ(config_hash(back), config_hash(c));
  c.seed = 1;
  EXPECT_NE(config_hash(back), config_hash(c));
}

TEST(Config, HashCoversOnlyValuesOffTheDefaults) {
  // Pinned: a new option with a default leaves every trial id as it was, while
  // changing a default's value changes this hash and must come with a bump of
  // kConfigSchemaVersion (so that no old run folder is taken for a new trial).
  ExperimentConfig c;
  EXPECT_EQ(config_hash(c), "294280babbbecf11");  // schema 7
  c.connector.num_tokens = 36;
  const auto changed = config_hash(c);
  EXPECT_NE(changed, config_hash(ExperimentConfig{}));
  c.connector.num_tokens = ExperimentConfig{}.connector.num_tokens;
  EXPECT_EQ(config_hash(c), config_hash(ExperimentConfig{}));
  c.train.checkpoint_every = 7;  // resumed runs are bit-identical: not part of the id
  EXPECT_EQ(config_hash(c), config_hash(ExperimentConfig{}));
  c.name = "another-sweep";  // a label, not a result
  EXPECT_EQ(config_hash(c), config_hash(ExperimentConfig{}));
}

}  // namespace
}  // namespace ablate
