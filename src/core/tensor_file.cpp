#include "core/tensor_file.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/io.h"

namespace ablate {

void save_named_tensors(const std::string& path, const std::map<std::string, torch::Tensor>& t) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [name, tensor] : t) dict.insert(name, tensor.detach().cpu().contiguous());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

std::map<std::string, torch::Tensor> load_named_tensors(const std::string& path) {
  const std::string bytes = read_file(path);
  std::map<std::string, torch::Tensor> out;
  try {
    const auto value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    for (const auto& item : value.toGenericDict()) {
      out[item.key().toStringRef()] = item.value().toTensor();
    }
  } catch (const c10::Error& e) {
    throw RunFolderError(
        fmt::format("{}: not a dict of named tensors ({})", path, e.what_without_backtrace()));
  }
  return out;
}

}  // namespace ablate
