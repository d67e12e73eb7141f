// Named tensors in one file, as torch::pickle_save writes a dict (Python's
// torch.load(path) gives the dict): pre-trained encoders and trial
// checkpoints. Written atomically.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace ablate {

void save_named_tensors(const std::string& path, const std::map<std::string, torch::Tensor>& t);

// A missing, truncated or foreign file is a RunFolderError naming it.
std::map<std::string, torch::Tensor> load_named_tensors(const std::string& path);

}  // namespace ablate
