// Diagnostic (not part of ablate): can an image encoder of the proxy learn
// shape at all when told it directly? Trains the encoder plus a linear head on
// the shape of single-object scenes (batch 64, AdamW 2e-3, mean-pooled patch
// features) and prints held-out accuracy for small and large objects every 250
// steps. Used in results/proxy/vlm_budget.md. Build and run:
//   cmake --build build --target shape_learnability && OMP_NUM_THREADS=1 \
//     OPENBLAS_NUM_THREADS=1 build/shape_learnability RES PATCH STEPS vit|convnet
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>

#include "core/config.h"
#include "core/rng.h"
#include "data/render.h"
#include "data/scene.h"
#include "encoders/encoder.h"
using namespace ablate;
int main(int argc, char** argv) {
  const int res = argc > 1 ? atoi(argv[1]) : 32;
  const int patch = argc > 2 ? atoi(argv[2]) : 4;
  const int steps = argc > 3 ? atoi(argv[3]) : 1500;
  const std::string type = argc > 4 ? argv[4] : "vit";
  torch::manual_seed(0);
  EncoderOptions eo;
  eo.type = type;
  eo.patch_size = patch;
  DataOptions data;
  data.resolution = res;
  data.min_objects = data.max_objects = 1;
  data.text_scenes = 0;
  auto enc = encoder_registry().get(type).make(eo, res);
  enc->init_weights();
  torch::nn::Linear head(enc->dim(), 5);
  std::vector<torch::Tensor> params = enc->parameters();
  for (auto& p : head->parameters()) params.push_back(p);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(2e-3).weight_decay(0.05));
  auto batch = [&](uint64_t base, int n, torch::Tensor& x, torch::Tensor& y,
                   std::vector<int>* sizes) {
    std::vector<torch::Tensor> xs;
    std::vector<int64_t> ys;
    for (int i = 0; i < n; ++i) {
      Scene s = generate_shape_scene(base + i, data);
      xs.push_back(scene_image(s, data.render_resolution, res));
      ys.push_back(s.objects[0].shape);
      if (sizes) sizes->push_back(s.objects[0].size);
    }
    x = torch::stack(xs);
    y = torch::tensor(ys);
  };
  torch::Tensor tx, ty;
  std::vector<int> tsize;
  batch(1u << 30, 1000, tx, ty, &tsize);
  for (int step = 1; step <= steps; ++step) {
    torch::Tensor x, y;
    batch(uint64_t(step) * 64, 64, x, y, nullptr);
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(head(enc->forward(x).mean(1)), y);
    loss.backward();
    opt.step();
    if (step % 250 == 0 || step == steps) {
      torch::NoGradGuard ng;
      auto pred = head(enc->forward(tx).mean(1)).argmax(1);
      double acc[2] = {0, 0};
      int n[2] = {0, 0};
      for (int i = 0; i < 1000; ++i) {
        n[tsize[i]]++;
        acc[tsize[i]] += pred[i].item<int64_t>() == ty[i].item<int64_t>();
      }
      printf("%s res %d patch %d step %d loss %.3f acc small %.1f large %.1f\n", type.c_str(), res,
             patch, step, loss.item<float>(), 100 * acc[0] / n[0], 100 * acc[1] / n[1]);
      fflush(stdout);
    }
  }
}
