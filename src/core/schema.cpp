// Reusable value checks for option fields.
#include "core/schema.h"

#include <fmt/format.h>

#include <algorithm>

namespace ablate {

Check<int> at_least(int lo) {
  return {[lo](const int& v) { return v >= lo; }, fmt::format("an integer >= {}", lo)};
}

Check<int> in_range(int lo, int hi) {
  return {[lo, hi](const int& v) { return v >= lo && v <= hi; },
          fmt::format("an integer in [{}, {}]", lo, hi)};
}

Check<double> at_least(double lo) {
  return {[lo](const double& v) { return v >= lo; }, fmt::format("a number >= {}", lo)};
}

Check<double> in_range(double lo, double hi) {
  return {[lo, hi](const double& v) { return v >= lo && v <= hi; },
          fmt::format("a number in [{}, {}]", lo, hi)};
}

Check<std::string> one_of(std::vector<std::string> values) {
  std::string expected = fmt::format("one of: {}", fmt::join(values, ", "));
  return {[values = std::move(values)](const std::string& v) {
            return std::find(values.begin(), values.end(), v) != values.end();
          },
          expected};
}

Check<std::vector<std::string>> each_one_of(std::vector<std::string> values) {
  std::string expected = fmt::format("a list of distinct values from: {}", fmt::join(values, ", "));
  return {[values = std::move(values)](const std::vector<std::string>& v) {
            for (size_t i = 0; i < v.size(); ++i) {
              if (std::find(values.begin(), values.end(), v[i]) == values.end()) return false;
              if (std::find(v.begin(), v.begin() + i, v[i]) != v.begin() + i) return false;
            }
            return true;
          },
          expected};
}

Check<std::vector<int>> each_in_range(int lo, int hi) {
  return {[lo, hi](const std::vector<int>& v) {
            for (size_t i = 0; i < v.size(); ++i) {
              if (v[i] < lo || v[i] > hi) return false;
              if (std::find(v.begin(), v.begin() + i, v[i]) != v.begin() + i) return false;
            }
            return !v.empty();
          },
          fmt::format("a non-empty list of distinct integers in [{}, {}]", lo, hi)};
}

Check<std::string> non_empty() {
  return {[](const std::string& v) { return !v.empty(); }, "a non-empty string"};
}

}  // namespace ablate
