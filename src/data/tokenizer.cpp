#include "data/tokenizer.h"

#include <algorithm>
#include <cctype>
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

bool is_numeral(const std::string& word) {
  return !word.empty() && std::all_of(word.begin(), word.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool Tokenizer::is_digit(int id) const {
  const std::string& w = vocab_[id];
  return w.size() == 1 && is_numeral(w);
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::istringstream in(text);
  std::vector<int> ids;
  std::string w;
  auto id_of = [&](const std::string& word) {
    auto it = ids_.find(word);
    return it == ids_.end() ? kUnk : it->second;
  };
  while (in >> w) {
    if (!is_numeral(w)) {
      ids.push_back(id_of(w));
      continue;
    }
    for (char digit : w) ids.push_back(id_of(std::string(1, digit)));
  }
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  std::string out;
  bool after_digit = false;
  for (int id : ids) {
    if (id == kEos) break;
    if (id < 0 || id >= vocab_size() || id == kPad || id == kBos || id == kImage) {
      after_digit = false;
      continue;
    }
    const bool digit = is_digit(id);
    if (!out.empty() && !(digit && after_digit)) out += ' ';
    out += vocab_[id];
    after_digit = digit;
  }
  return out;
}

}  // namespace ablate
