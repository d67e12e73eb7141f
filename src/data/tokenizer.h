// Word-level tokenizer over the proxy world's closed vocabulary. Text is
// space-separated words and punctuation; specials mark sequence boundaries and
// the positions where visual tokens are spliced in.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace ablate {

class Tokenizer {
 public:
  static constexpr int kPad = 0;
  static constexpr int kBos = 1;
  static constexpr int kEos = 2;
  static constexpr int kImage = 3;  // one per visual token
  static constexpr int kUnk = 4;

  explicit Tokenizer(const std::vector<std::string>& words);
  // The tokenizer of the proxy world (data/language.h).
  static const Tokenizer& world();

  std::vector<int> encode(const std::string& text) const;
  // Words up to the first <eos>, specials skipped, joined by spaces.
  std::string decode(const std::vector<int>& ids) const;
  int vocab_size() const { return static_cast<int>(vocab_.size()); }
  const std::string& word(int id) const { return vocab_.at(id); }

 private:
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int> ids_;
};

}  // namespace ablate
