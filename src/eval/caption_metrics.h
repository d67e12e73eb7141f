// Caption metrics as coco-caption computes them (github.com/tylin/coco-caption):
// CIDEr-D (Vedantam et al. 2015, with coco-caption's clipping and length
// penalty) and corpus-level BLEU-1..4 (Papineni et al. 2002, "closest"
// reference length). Both score a whole corpus at once: CIDEr-D's IDF comes
// from the document frequency of n-grams over the references of the scored
// corpus.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace ablate {

// coco-caption runs Stanford's PTBTokenizer, lowercases and drops punctuation
// tokens. This tokenizer lowercases, splits punctuation off words and drops
// it; contractions are not split (the proxy world has none).
std::vector<std::string> caption_tokens(const std::string& text);

struct CiderResult {
  double score = 0;              // corpus CIDEr-D, coco-caption scale (x10 included)
  std::vector<double> per_item;  // one per candidate
};

// candidates[i] is scored against references[i] (one or more strings).
CiderResult cider_d(const std::vector<std::string>& candidates,
                    const std::vector<std::vector<std::string>>& references);

// Corpus BLEU-1..4 (values in [0, 1]).
std::array<double, 4> bleu(const std::vector<std::string>& candidates,
                           const std::vector<std::vector<std::string>>& references);

}  // namespace ablate
