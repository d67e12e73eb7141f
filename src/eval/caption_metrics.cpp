#include "eval/caption_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace ablate {
namespace {

constexpr int kMaxN = 4;
constexpr double kCiderSigma = 6.0;

using Ngram = std::string;  // n-gram words joined by ' ', prefixed by n
using NgramCounts = std::unordered_map<Ngram, int>;

NgramCounts count_ngrams(const std::vector<std::string>& words) {
  NgramCounts counts;
  for (int n = 1; n <= kMaxN; ++n) {
    for (size_t i = 0; i + n <= words.size(); ++i) {
      std::string key = std::to_string(n);
      for (int k = 0; k < n; ++k) key += ' ' + words[i + k];
      ++counts[key];
    }
  }
  return counts;
}

int ngram_order(const Ngram& key) { return key[0] - '0'; }

void check_sizes(const std::vector<std::string>& candidates,
                 const std::vector<std::vector<std::string>>& references) {
  if (candidates.size() != references.size()) {
    throw std::invalid_argument(
        fmt::format("{} candidates but {} reference sets", candidates.size(), references.size()));
  }
  for (size_t i = 0; i < references.size(); ++i) {
    if (references[i].empty()) {
      throw std::invalid_argument(fmt::format("item {} has no reference", i));
    }
  }
}

struct TfIdfVector {
  std::array<std::unordered_map<Ngram, double>, kMaxN> vec;
  std::array<double, kMaxN> norm{};
  int length = 0;
};

}  // namespace

std::vector<std::string> caption_tokens(const std::string& text) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(current);
    current.clear();
  };
  for (unsigned char c : text) {
    if (std::isspace(c) || (std::ispunct(c) && c != '\'')) {
      flush();
    } else {
      current += static_cast<char>(std::tolower(c));
    }
  }
  flush();
  // Stray apostrophes become tokens of their own in PTB and are dropped.
  tokens.erase(std::remove(tokens.begin(), tokens.end(), "'"), tokens.end());
  return tokens;
}

CiderResult cider_d(const std::vector<std::string>& candidates,
                    const std::vector<std::vector<std::string>>& references) {
  check_sizes(candidates, references);
  const size_t num_items = candidates.size();
  CiderResult result;
  if (num_items == 0) return result;

  std::vector<NgramCounts> cand_counts(num_items);
  std::vector<std::vector<NgramCounts>> ref_counts(num_items);
  // Document frequency: in how many items' reference sets an n-gram occurs.
  std::unordered_map<Ngram, double> df;
  for (size_t i = 0; i < num_items; ++i) {
    cand_counts[i] = count_ngrams(caption_tokens(candidates[i]));
    std::unordered_map<Ngram, bool> seen;
    for (const auto& ref : references[i]) {
      ref_counts[i].push_back(count_ngrams(caption_tokens(ref)));
      for (const auto& kv : ref_counts[i].back()) seen[kv.first] = true;
    }
    for (const auto& kv : seen) df[kv.first] += 1.0;
  }
  const double log_num_docs = std::log(static_cast<double>(num_items));

  auto to_vector = [&](const NgramCounts& counts) {
    TfIdfVector v;
    for (const auto& kv : counts) {
      const int n = ngram_order(kv.first) - 1;
      auto it = df.find(kv.first);
      const double doc_freq = it == df.end() ? 0.0 : it->second;
      const double value = kv.second * (log_num_docs - std::log(std::max(1.0, doc_freq)));
      v.vec[n][kv.first] = value;
      v.norm[n] += value * value;
      // coco-caption counts length at ngram index 1, i.e. the number of
      // bigrams; kept as is so scores match the reference implementation.
      if (n == 1) v.length += kv.second;
    }
    for (auto& x : v.norm) x = std::sqrt(x);
    return v;
  };

  result.per_item.resize(num_items);
  double total = 0;
  for (size_t i = 0; i < num_items; ++i) {
    const TfIdfVector cand = to_vector(cand_counts[i]);
    std::array<double, kMaxN> sum{};
    for (const auto& rc : ref_counts[i]) {
      const TfIdfVector ref = to_vector(rc);
      const double delta = static_cast<double>(cand.length - ref.length);
      const double penalty = std::exp(-(delta * delta) / (2 * kCiderSigma * kCiderSigma));
      for (int n = 0; n < kMaxN; ++n) {
        double val = 0;
        for (const auto& kv : cand.vec[n]) {
          auto it = ref.vec[n].find(kv.first);
          if (it == ref.vec[n].end()) continue;
          val += std::min(kv.second, it->second) * it->second;  // clipped numerator
        }
        if (cand.norm[n] != 0 && ref.norm[n] != 0) val /= cand.norm[n] * ref.norm[n];
        sum[n] += val * penalty;
      }
    }
    double mean = 0;
    for (double s : sum) mean += s;
    mean /= kMaxN;
    const double score = mean / static_cast<double>(ref_counts[i].size()) * 10.0;
    result.per_item[i] = score;
    total += score;
  }
  result.score = total / static_cast<double>(num_items);
  return result;
}

std::array<double, 4> bleu(const std::vector<std::string>& candidates,
                           const std::vector<std::vector<std::string>>& references) {
  check_sizes(candidates, references);
  constexpr double kTiny = 1e-15;
  constexpr double kSmall = 1e-9;
  double test_len = 0, ref_len = 0;
  std::array<double, kMaxN> guess{}, correct{};
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto words = caption_tokens(candidates[i]);
    const int len = static_cast<int>(words.size());
    // Max count of each n-gram over the references (clipping), and the
    // reference length closest to the candidate's (ties: the shorter one).
    std::map<Ngram, int> max_counts;
    int closest = -1;
    for (const auto& ref : references[i]) {
      const auto ref_words = caption_tokens(ref);
      const int rl = static_cast<int>(ref_words.size());
      if (closest < 0 || std::abs(rl - len) < std::abs(closest - len) ||
          (std::abs(rl - len) == std::abs(closest - len) && rl < closest)) {
        closest = rl;
      }
      for (const auto& kv : count_ngrams(ref_words)) {
        max_counts[kv.first] = std::max(max_counts[kv.first], kv.second);
      }
    }
    test_len += len;
    ref_len += closest;
    for (int k = 0; k < kMaxN; ++k) guess[k] += std::max(len - k, 0);
    for (const auto& kv : count_ngrams(words)) {
      auto it = max_counts.find(kv.first);
      if (it != max_counts.end())
        correct[ngram_order(kv.first) - 1] += std::min(kv.second, it->second);
    }
  }
  std::array<double, 4> scores{};
  double product = 1.0;
  for (int k = 0; k < kMaxN; ++k) {
    product *= (correct[k] + kTiny) / (guess[k] + kSmall);
    scores[k] = std::pow(product, 1.0 / (k + 1));
  }
  const double ratio = (test_len + kTiny) / (ref_len + kSmall);
  if (ratio < 1) {
    for (auto& s : scores) s *= std::exp(1 - 1 / ratio);
  }
  return scores;
}

}  // namespace ablate
