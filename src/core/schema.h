// Option structs describe their fields once, in a `visit` member, and every
// consumer (strict YAML reader, YAML writer, `ablate list`) walks that
// description. A field is declared as
//   v.field("steps", steps, "optimizer steps", at_least(1));
// and a nested struct as
//   v.section("train", train);
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ablate {

template <class T>
struct Check {
  std::function<bool(const T&)> ok;  // empty: any value of the type is fine
  std::string expected;              // e.g. "an integer >= 1"
};

Check<int> at_least(int lo);
Check<int> in_range(int lo, int hi);
Check<double> at_least(double lo);
Check<double> in_range(double lo, double hi);
Check<std::string> one_of(std::vector<std::string> values);
Check<std::string> non_empty();
// Every element one of `values`, none twice.
Check<std::vector<std::string>> each_one_of(std::vector<std::string> values);
// A non-empty list, every element in [lo, hi], none twice.
Check<std::vector<int>> each_in_range(int lo, int hi);

// A named size: sets width, depth and num_heads together. In YAML, `size` is
// read before the fields it sets, so explicit width / depth / num_heads in the
// same or a later layer win; "custom" sets nothing.
struct SizePreset {
  const char* name;
  int width, depth, num_heads;
};

template <class T>
const char* type_name();
template <>
inline const char* type_name<int>() {
  return "an integer";
}
template <>
inline const char* type_name<double>() {
  return "a number";
}
template <>
inline const char* type_name<bool>() {
  return "true or false";
}
template <>
inline const char* type_name<std::string>() {
  return "a string";
}
template <>
inline const char* type_name<std::vector<std::string>>() {
  return "a list of strings";
}
template <>
inline const char* type_name<std::vector<int>>() {
  return "a list of integers";
}

}  // namespace ablate
