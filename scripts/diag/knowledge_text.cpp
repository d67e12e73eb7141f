// Diagnostic (not part of ablate): does a trained trial do knowledge_vqa's
// two-hop in text? knowledge_vqa asks "what has the same color as the star ?"
// about an image; here the image is replaced by its description in words, as in
// data.text_scene_questions' sentences: "a small purple star and a large blue
// circle . question : what has the same color as the star ? answer :", no image.
// Prints greedy VQA accuracy on such colour questions for the grounded facts
// (fire, grass, sea, sun) and the held-out ones (plum, carrot, snow, coal), and
// the share of held-out items answered with a grounded thing. Used in
// results/proxy/proxy64.md. Build and run:
//   cmake --build build --target knowledge_text && build/knowledge_text RUN_DIR [ITEMS]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/config.h"
#include "data/document.h"
#include "data/knowledge.h"
#include "data/tokenizer.h"
#include "eval/decode.h"
#include "model/vlm.h"
#include "sweep/trial.h"
#include "train/checkpoint.h"
using namespace ablate;
int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: knowledge_text RUN_DIR [ITEMS]\n");
    return 2;
  }
  const std::filesystem::path run(argv[1]);
  const int items = argc > 2 ? std::stoi(argv[2]) : 1000;
  const ExperimentConfig config = load_checked_experiment((run / "config.yaml").string());
  Vlm model(config);
  const int step = load_checkpoint_model(checkpoint_path(run.string()), model, config_hash(config));
  model->eval();
  torch::NoGradGuard no_grad;
  const auto& tok = Tokenizer::world();
  const std::vector<int> stop = world_stop_ids();
  const int n = model->shapes().num_visual_tokens;
  const auto no_images = torch::zeros({0, n, config.lm.width});
  auto grounded = [](const std::string& thing) {
    const auto it = std::find(kColourThings.begin(), kColourThings.end(), thing);
    return it != kColourThings.end() &&
           colour_fact_in(Facts::kGrounded, it - kColourThings.begin());
  };
  int asked[2] = {0, 0}, right[2] = {0, 0}, held_out_as_grounded = 0;
  Rng rng(/*seed=*/0x6b74);  // not a training stream's seed
  while (asked[0] + asked[1] < items) {
    const SceneQuestion q = sample_scene_question(rng);
    if (q.question.type != "colour_thing") continue;
    const std::string prompt = q.description + " . " + question_prompt(q.question.question);
    const std::string& answer = q.question.answers[0];
    Document doc;
    doc.add_text(prompt);
    const Batch b = collate({doc}, config.data, n, /*render_images=*/false);
    const std::string said = tok.decode(greedy_decode(model, b.tokens, no_images, 3, stop).ids[0]);
    const int half = grounded(answer) ? 0 : 1;
    ++asked[half];
    right[half] += said == answer;
    held_out_as_grounded += half == 1 && grounded(said);
    if (asked[0] + asked[1] <= 6) std::printf("  %s -> %s\n", prompt.c_str(), said.c_str());
  }
  std::printf("%s (step %d): colour questions about described objects, no image\n",
              run.string().c_str(), step);
  std::printf(
      "  grounded facts: %.1f%% of %d; held-out facts: %.1f%% of %d (%.1f%% answered "
      "with a grounded thing)\n",
      100.0 * right[0] / std::max(asked[0], 1), asked[0], 100.0 * right[1] / std::max(asked[1], 1),
      asked[1], 100.0 * held_out_as_grounded / std::max(asked[1], 1));
}
