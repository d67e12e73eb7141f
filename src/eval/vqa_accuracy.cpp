#include "eval/vqa_accuracy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace ablate {
namespace {

const char* const kPunctuation[] = {";",  "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+",
                                    "\\", "_", "-", ">", "<",  "@", "`", ",", "?", "!"};

const std::unordered_map<std::string, std::string>& manual_map() {
  static const std::unordered_map<std::string, std::string> m = {
      {"none", "0"}, {"zero", "0"}, {"one", "1"},   {"two", "2"},   {"three", "3"}, {"four", "4"},
      {"five", "5"}, {"six", "6"},  {"seven", "7"}, {"eight", "8"}, {"nine", "9"},  {"ten", "10"}};
  return m;
}

// The official table, keys without apostrophes mapped to their spelling with.
const std::unordered_map<std::string, std::string>& contractions() {
  static const std::unordered_map<std::string, std::string> m = {
      {"aint", "ain't"},
      {"arent", "aren't"},
      {"cant", "can't"},
      {"couldve", "could've"},
      {"couldnt", "couldn't"},
      {"couldn'tve", "couldn't've"},
      {"couldnt've", "couldn't've"},
      {"didnt", "didn't"},
      {"doesnt", "doesn't"},
      {"dont", "don't"},
      {"hadnt", "hadn't"},
      {"hadnt've", "hadn't've"},
      {"hadn'tve", "hadn't've"},
      {"hasnt", "hasn't"},
      {"havent", "haven't"},
      {"hed", "he'd"},
      {"hed've", "he'd've"},
      {"he'dve", "he'd've"},
      {"hes", "he's"},
      {"howd", "how'd"},
      {"howll", "how'll"},
      {"hows", "how's"},
      {"Id've", "I'd've"},
      {"I'dve", "I'd've"},
      {"Im", "I'm"},
      {"Ive", "I've"},
      {"isnt", "isn't"},
      {"itd", "it'd"},
      {"itd've", "it'd've"},
      {"it'dve", "it'd've"},
      {"itll", "it'll"},
      {"let's", "let's"},
      {"maam", "ma'am"},
      {"mightnt", "mightn't"},
      {"mightnt've", "mightn't've"},
      {"mightn'tve", "mightn't've"},
      {"mightve", "might've"},
      {"mustnt", "mustn't"},
      {"mustve", "must've"},
      {"neednt", "needn't"},
      {"notve", "not've"},
      {"oclock", "o'clock"},
      {"oughtnt", "oughtn't"},
      {"ow's'at", "'ow's'at"},
      {"'ows'at", "'ow's'at"},
      {"'ow'sat", "'ow's'at"},
      {"shant", "shan't"},
      {"shed've", "she'd've"},
      {"she'dve", "she'd've"},
      {"she's", "she's"},
      {"shouldve", "should've"},
      {"shouldnt", "shouldn't"},
      {"shouldnt've", "shouldn't've"},
      {"shouldn'tve", "shouldn't've"},
      {"somebody'd", "somebodyd"},
      {"somebodyd've", "somebody'd've"},
      {"somebody'dve", "somebody'd've"},
      {"somebodyll", "somebody'll"},
      {"somebodys", "somebody's"},
      {"someoned", "someone'd"},
      {"someoned've", "someone'd've"},
      {"someone'dve", "someone'd've"},
      {"someonell", "someone'll"},
      {"someones", "someone's"},
      {"somethingd", "something'd"},
      {"somethingd've", "something'd've"},
      {"something'dve", "something'd've"},
      {"somethingll", "something'll"},
      {"thats", "that's"},
      {"thered", "there'd"},
      {"thered've", "there'd've"},
      {"there'dve", "there'd've"},
      {"therere", "there're"},
      {"theres", "there's"},
      {"theyd", "they'd"},
      {"theyd've", "they'd've"},
      {"they'dve", "they'd've"},
      {"theyll", "they'll"},
      {"theyre", "they're"},
      {"theyve", "they've"},
      {"twas", "'twas"},
      {"wasnt", "wasn't"},
      {"wed've", "we'd've"},
      {"we'dve", "we'd've"},
      {"weve", "we've"},
      {"werent", "weren't"},
      {"whatll", "what'll"},
      {"whatre", "what're"},
      {"whats", "what's"},
      {"whatve", "what've"},
      {"whens", "when's"},
      {"whered", "where'd"},
      {"wheres", "where's"},
      {"whereve", "where've"},
      {"whod", "who'd"},
      {"whod've", "who'd've"},
      {"who'dve", "who'd've"},
      {"wholl", "who'll"},
      {"whos", "who's"},
      {"whove", "who've"},
      {"whyll", "why'll"},
      {"whyre", "why're"},
      {"whys", "why's"},
      {"wont", "won't"},
      {"wouldve", "would've"},
      {"wouldnt", "wouldn't"},
      {"wouldnt've", "wouldn't've"},
      {"wouldn'tve", "wouldn't've"},
      {"yall", "y'all"},
      {"yall'll", "y'all'll"},
      {"y'allll", "y'all'll"},
      {"yall'd've", "y'all'd've"},
      {"y'alld've", "y'all'd've"},
      {"y'all'dve", "y'all'd've"},
      {"youd", "you'd"},
      {"youd've", "you'd've"},
      {"you'dve", "you'd've"},
      {"youll", "you'll"},
      {"youre", "you're"},
      {"youve", "you've"}};
  return m;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// re.search(r"(\d)(\,)(\d)", text)
bool has_digit_comma_digit(const std::string& s) {
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == ',' && std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      return true;
    }
  }
  return false;
}

std::string clean_whitespace(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(' ');
  return s.substr(first, last - first + 1);
}

}  // namespace

std::string vqa_process_punctuation(const std::string& text) {
  std::string out = text;
  const bool comma_digits = has_digit_comma_digit(text);
  for (const char* p : kPunctuation) {
    const std::string punct = p;
    // Decided on the original text, applied to the running output, as in vqaEval.py.
    if (text.find(punct + " ") != std::string::npos ||
        text.find(" " + punct) != std::string::npos || comma_digits) {
      replace_all(out, punct, "");
    } else {
      replace_all(out, punct, " ");
    }
  }
  // periodStrip = r"(?!<=\d)(\.)(?!\d)": its first group is a (buggy) lookahead
  // that always holds, so every '.' not followed by a digit is removed.
  std::string stripped;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '.' &&
        !(i + 1 < out.size() && std::isdigit(static_cast<unsigned char>(out[i + 1])))) {
      continue;
    }
    stripped += out[i];
  }
  return stripped;
}

std::string vqa_process_digit_article(const std::string& text) {
  std::string lower = text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::istringstream words(lower);
  std::vector<std::string> out;
  std::string word;
  static const std::set<std::string> kArticles = {"a", "an", "the"};
  while (words >> word) {
    auto it = manual_map().find(word);
    if (it != manual_map().end()) word = it->second;
    if (!kArticles.count(word)) out.push_back(word);
  }
  for (auto& w : out) {
    auto it = contractions().find(w);
    if (it != contractions().end()) w = it->second;
  }
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) joined += (i ? " " : "") + out[i];
  return joined;
}

std::vector<std::string> vqa_annotation_form(const std::vector<std::string>& references) {
  std::vector<std::string> out;
  for (const auto& r : references) {
    out.push_back(vqa_process_digit_article(vqa_process_punctuation(clean_whitespace(r))));
  }
  return out;
}

double vqa_accuracy(const std::string& answer, const std::vector<std::string>& references) {
  if (references.empty()) throw std::invalid_argument("VQA item has no reference answers");
  const std::string res =
      vqa_process_digit_article(vqa_process_punctuation(clean_whitespace(answer)));
  std::vector<std::string> gts;
  for (const auto& r : references) gts.push_back(clean_whitespace(r));
  if (std::set<std::string>(gts.begin(), gts.end()).size() > 1) {
    for (auto& g : gts) g = vqa_process_punctuation(g);
  }
  double total = 0;
  for (size_t left_out = 0; left_out < gts.size(); ++left_out) {
    int matches = 0;
    for (size_t j = 0; j < gts.size(); ++j) {
      if (j != left_out && gts[j] == res) ++matches;
    }
    total += std::min(1.0, matches / 3.0);
  }
  return total / static_cast<double>(gts.size());
}

double vqa_accuracy(const std::vector<std::string>& answers,
                    const std::vector<std::vector<std::string>>& references) {
  if (answers.size() != references.size()) {
    throw std::invalid_argument(
        fmt::format("{} answers but {} reference sets", answers.size(), references.size()));
  }
  if (answers.empty()) return 0;
  double total = 0;
  for (size_t i = 0; i < answers.size(); ++i) total += vqa_accuracy(answers[i], references[i]);
  return total / static_cast<double>(answers.size());
}

}  // namespace ablate
