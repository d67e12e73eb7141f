// Weights of a module by name, as the pre-training cache stores them and the
// VLM loads them (an encoder's or an LM's), with the checks that make a wrong
// file fail loudly instead of loading half a model.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ablate {

using NamedWeights = std::map<std::string, torch::Tensor>;

// Parameters (and buffers when `with_buffers`), detached.
NamedWeights named_weights(const torch::nn::Module& module, bool with_buffers);

// Changes a stored weight to the shape the module needs (e.g. position
// embeddings of another grid), or returns it as it is.
using AdaptFn = std::function<torch::Tensor(const std::string& name, const torch::Tensor& w)>;

// Copies `weights` into `module`'s parameters (and buffers when
// `with_buffers`); throws naming `what` when one is missing or of another
// shape. Returns the names in `weights` that the module does not have.
std::vector<std::string> load_named_weights(torch::nn::Module& module, const NamedWeights& weights,
                                            bool with_buffers, const std::string& what,
                                            const AdaptFn& adapt = {});

// Sets each parameter of `module` to keep x itself + (1 - keep) x its tensor
// in `other` (same names and shapes, e.g. a fresh initialisation).
void blend_weights(torch::nn::Module& module, const NamedWeights& other, double keep);

}  // namespace ablate
