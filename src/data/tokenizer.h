// Word-level tokenizer over the proxy world's closed vocabulary. Text is
// space-separated words and punctuation; specials mark sequence boundaries and
// the positions where visual tokens are spliced in. Numerals are split into
// one token per digit, as LLM tokenizers do (LLaMA, Touvron et al. 2023; PaLM):
// reading the sign "62" is reading two of ten digits, each met in every number,
// instead of one of 90 number tokens met a few dozen times in a proxy's training
// (results/proxy/reading.md). The world never writes two numerals side by side,
// so decoding joins consecutive digits back into one word.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace ablate {

// True for a word of digits only ("62", "3"): a numeral, spelled digit by digit.
bool is_numeral(const std::string& word);

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

  // A numeral ("62") becomes its digits' ids; any other word not in the
  // vocabulary becomes <unk>.
  std::vector<int> encode(const std::string& text) const;
  // Words up to the first <eos>, specials skipped, joined by spaces, except
  // that consecutive digits join into one numeral.
  std::string decode(const std::vector<int>& ids) const;
  int vocab_size() const { return static_cast<int>(vocab_.size()); }
  const std::string& word(int id) const { return vocab_.at(id); }

 private:
  bool is_digit(int id) const;

  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int> ids_;
};

}  // namespace ablate
