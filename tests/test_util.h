// Shared helpers for the test suite: tiny configs (seconds to train) and
// scratch folders.
#pragma once

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "core/config.h"

namespace ablate::testing {

// A model small enough that a training step takes milliseconds.
inline ExperimentConfig tiny_config() {
  ExperimentConfig c;
  c.name = "tiny";
  c.data.resolution = 16;
  c.data.render_resolution = 64;
  c.encoder.patch_size = 4;
  c.encoder.width = 16;
  c.encoder.depth = 1;
  c.encoder.num_heads = 2;
  c.connector.num_tokens = 4;
  c.connector.num_heads = 2;
  c.lm.width = 16;
  c.lm.depth = 1;
  c.lm.num_heads = 2;
  c.train.steps = 4;
  c.train.batch_size = 4;
  c.train.warmup_steps = 1;
  c.train.log_every = 2;
  c.eval.num_items = 8;
  c.eval.batch_size = 8;
  c.eval.max_caption_tokens = 6;
  c.eval.shots = {0, 2};
  c.eval.shot_pool = 16;
  return c;
}

// tiny_config with an encoder pre-trained by `objective` for a few steps.
inline ExperimentConfig tiny_pretrain(const std::string& objective) {
  ExperimentConfig c = tiny_config();
  c.encoder.pretrain.objective = objective;
  c.encoder.pretrain.steps = 3;
  c.encoder.pretrain.batch_size = 8;
  c.encoder.pretrain.warmup_steps = 1;
  c.encoder.pretrain.text_width = 16;
  c.encoder.pretrain.text_depth = 1;
  c.encoder.pretrain.embed_dim = 8;
  return c;
}

// A fresh empty folder under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("ablate-") + info->test_suite_name() + "-" + info->name();
    for (auto& c : name) {
      if (c == '/') c = '_';
    }
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Every parameter of `module` got a non-zero gradient from the last backward.
inline void expect_gradients_everywhere(const torch::nn::Module& module) {
  for (const auto& p : module.named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

inline std::string source_path(const std::string& relative) {
  return std::string(ABLATE_SOURCE_DIR) + "/" + relative;
}

}  // namespace ablate::testing
