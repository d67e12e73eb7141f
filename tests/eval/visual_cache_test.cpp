// The visual-token cache of evaluation gives what encoding the collated batch
// gives, and encodes each distinct scene once.
#include "eval/visual_cache.h"

#include <gtest/gtest.h>

#include <set>

#include "data/scene.h"
#include "eval/benchmark.h"
#include "test_util.h"

namespace ablate {
namespace {

TEST(VisualCache, EqualsEncodingTheBatchAndEncodesEachSceneOnce) {
  for (const char* encoder : {"vit", "convnet"}) {
    ExperimentConfig c = testing::tiny_config();
    c.encoder.type = encoder;
    Vlm model(c);
    model->init_weights(0);
    model->eval();
    torch::InferenceMode guard;
    const EvalSet eval = make_eval_set(c.data, c.eval);
    const BenchmarkSet& set = eval.benchmarks.front();
    // Each query at 2 shots and at 0 shots: the query images repeat.
    std::vector<Document> prompts;
    std::set<std::string> distinct;
    for (int i = 0; i < 4; ++i) {
      for (int k : {2, 0}) {
        prompts.push_back(few_shot_prompt(set, c.eval, i, k));
        for (const auto& s : prompts.back().scenes()) distinct.insert(scene_signature(s));
      }
    }
    ImageCache images(c.data);
    VisualCache visual(model, images, torch::kCPU, /*batch_size=*/3);
    const auto cached = visual(prompts);
    const auto direct =
        model->encode_images(collate(prompts, c.data, model->shapes().num_visual_tokens).images);
    ASSERT_EQ(cached.sizes(), direct.sizes()) << encoder;
    EXPECT_TRUE(torch::allclose(cached, direct, 1e-5, 1e-5)) << encoder;
    EXPECT_EQ(visual.size(), distinct.size()) << encoder;
    EXPECT_LT(distinct.size(), size_t(cached.size(0))) << "the prompts share images";

    const auto again = visual({prompts[2], prompts[0]});
    EXPECT_EQ(visual.size(), distinct.size()) << "nothing new to encode";
    const int64_t per_prompt = prompts[0].num_images();
    EXPECT_TRUE(torch::equal(again.slice(0, per_prompt), cached.slice(0, 0, per_prompt)));
  }
}

}  // namespace
}  // namespace ablate
