// `text_caption` models TextCaps: captions of scenes that hold a sign, whose
// references all name what the sign says ("a large red circle and a sign that
// says taxi ."). CIDEr-D's idf weighs the rare sign word heavily, so a caption
// that gets the objects right but cannot read scores low.
#include "data/language.h"
#include "eval/benchmark.h"

namespace ablate {

Benchmark text_caption_benchmark() {
  return {"TextCaps", Scoring::kCaption, [](uint64_t seed, const DataOptions& data, EvalItem& item) {
            DataOptions with_sign = data;
            with_sign.text_scenes = 1.0;
            item.images = {generate_shape_scene(seed, with_sign)};
            if (item.images[0].sign.text.empty()) return false;  // no room for it
            item.prompt = kCaptionPrompt;
            item.references = caption_references(item.images[0], data.shape_first_captions);
            return true;
          }};
}

}  // namespace ablate
