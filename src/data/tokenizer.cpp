#include "data/tokenizer.h"

#include <sstream>

#include "data/knowledge.h"
#include "data/language.h"

namespace ablate {

Tokenizer::Tokenizer(const std::vector<std::string>& words)
    : vocab_{"<pad>", "<bos>", "<eos>", "<image>", "<unk>"} {
  for (const auto& w : words) {
    if (ids_.count(w) == 0) vocab_.push_back(w);
    ids_.emplace(w, static_cast<int>(vocab_.size()) - 1);
  }
}

const Tokenizer& Tokenizer::world() {
  static const Tokenizer tokenizer = [] {
    auto words = language_words();
    for (const auto& w : knowledge_words()) words.push_back(w);
    return Tokenizer(words);
  }();
  return tokenizer;
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::istringstream in(text);
  std::vector<int> ids;
  std::string w;
  while (in >> w) {
    auto it = ids_.find(w);
    ids.push_back(it == ids_.end() ? kUnk : it->second);
  }
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  std::string out;
  for (int id : ids) {
    if (id == kEos) break;
    if (id < 0 || id >= vocab_size() || id == kPad || id == kBos || id == kImage) continue;
    if (!out.empty()) out += ' ';
    out += vocab_[id];
  }
  return out;
}

}  // namespace ablate
