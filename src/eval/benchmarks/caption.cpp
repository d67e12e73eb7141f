// `caption` models COCO / NoCaps captioning: describe the whole image. The
// references are the world's five caption templates (objects left to right
// with size, colour and shape); scored with corpus CIDEr-D and BLEU-4.
#include "data/language.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark caption_benchmark() {
  return {"COCO / NoCaps captioning", Scoring::kCaption,
          [](uint64_t seed, const DataOptions& data, EvalItem& item) {
            item.images = {generate_shape_scene(seed, data)};
            item.prompt = kCaptionPrompt;
            item.references = caption_references(item.images[0], data.shape_first_captions);
            return true;
          }};
}

}  // namespace ablate
