// ViT specifics: output layer choice and position embeddings at another resolution.
#include "encoders/vit.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace ablate {
namespace {

EncoderOptions vit_options(int depth, int output_layer = -1) {
  EncoderOptions o;
  o.patch_size = 4;
  o.width = 16;
  o.depth = depth;
  o.num_heads = 2;
  o.output_layer = output_layer;
  return o;
}

Vit make_vit(const EncoderOptions& o, int resolution, uint64_t seed = 0) {
  torch::manual_seed(seed);
  Vit vit(o, resolution);
  vit->init_weights();
  return vit;
}

TEST(Vit, SecondToLastLayerIsThatBlockWithoutTheFinalNorm) {
  auto full = make_vit(vit_options(2), 16);
  auto penultimate = make_vit(vit_options(2, -2), 16, /*seed=*/1);
  const auto skipped = penultimate->load_weights(full->weights());
  EXPECT_NE(std::find(skipped.begin(), skipped.end(), "norm.weight"), skipped.end());
  EXPECT_NE(std::find(skipped.begin(), skipped.end(), "blocks.1.norm1.weight"), skipped.end());
  EXPECT_EQ(std::count_if(skipped.begin(), skipped.end(),
                          [](const std::string& n) { return n.rfind("blocks.0.", 0) == 0; }),
            0);

  // By hand: patch embedding + position embedding, then block 0 of the full encoder.
  const auto images = torch::randn({2, 3, 16, 16});
  const auto children = full->named_children();
  auto x =
      children["patch_embed"]->as<torch::nn::Conv2d>()->forward(images).flatten(2).transpose(1, 2);
  x = x + full->named_parameters()["pos_embed"];
  x = children["blocks"]->as<torch::nn::ModuleList>()->ptr(0)->as<VitBlock>()->forward(x);
  EXPECT_TRUE(torch::allclose(penultimate(images), x, 1e-5, 1e-6));
  EXPECT_LT(penultimate->parameters().size(), full->parameters().size())
      << "unused block not built";
}

TEST(Vit, OutputLayerDeeperThanTheEncoderIsRejected) {
  EXPECT_EQ(vit_grid_size(vit_options(2, -2), 16), 4);
  EXPECT_THROW(vit_grid_size(vit_options(2, -3), 16), ConfigError);
}

TEST(Vit, PositionEmbeddingResize) {
  // Same grid: unchanged. A constant embedding stays constant (bicubic weights
  // sum to one); a ramp along x stays ordered along x at every row.
  const auto pos = torch::randn({1, 16, 3});
  EXPECT_TRUE(torch::equal(resize_pos_embed(pos, 4), pos));
  EXPECT_TRUE(torch::allclose(resize_pos_embed(torch::full({1, 16, 2}, 0.7), 6),
                              torch::full({1, 36, 2}, 0.7), 1e-5, 1e-6));
  const auto ramp = torch::arange(4, torch::kFloat32).repeat({4}).reshape({1, 16, 1});
  const auto resized = resize_pos_embed(ramp, 6).reshape({6, 6});
  EXPECT_TRUE((resized.slice(1, 1) - resized.slice(1, 0, -1)).gt(0).all().item<bool>());
  EXPECT_TRUE(torch::allclose(resized.select(1, 0), resized[0][0].expand({6}))) << "rows alike";
  EXPECT_THROW(resize_pos_embed(torch::zeros({1, 15, 2}), 4), c10::Error) << "not a square grid";
}

TEST(Vit, PretrainedWeightsLoadAtAnotherResolution) {
  auto pretrained = make_vit(vit_options(1), 16);
  auto same = make_vit(vit_options(1), 16, /*seed=*/1);
  auto larger = make_vit(vit_options(1), 24, /*seed=*/1);
  same->load_weights(pretrained->weights());
  larger->load_weights(pretrained->weights());
  pretrained->eval();
  same->eval();
  larger->eval();
  torch::InferenceMode guard;
  const auto images = torch::rand({2, 3, 16, 16});
  EXPECT_TRUE(torch::equal(same(images), pretrained(images))) << "original resolution: identical";
  const auto big = larger(
      torch::nn::functional::interpolate(images, torch::nn::functional::InterpolateFuncOptions()
                                                     .size(std::vector<int64_t>{24, 24})
                                                     .mode(torch::kBilinear)
                                                     .align_corners(false)));
  EXPECT_EQ(big.sizes(), (std::vector<int64_t>{2, 36, 16}));
  EXPECT_TRUE(torch::isfinite(big).all().item<bool>());
  // The resized embedding is that of the pre-trained grid, not a fresh one.
  EXPECT_TRUE(torch::allclose(larger->named_parameters()["pos_embed"],
                              resize_pos_embed(pretrained->named_parameters()["pos_embed"], 6)));
}

}  // namespace
}  // namespace ablate
