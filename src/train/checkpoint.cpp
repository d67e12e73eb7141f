#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <map>

#include "core/error.h"
#include "core/tensor_file.h"

namespace ablate {
namespace {

using Tensors = std::map<std::string, torch::Tensor>;

std::string state_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}

std::string optim_name(size_t group, size_t index, const char* field) {
  return fmt::format("optim.{}.{}.{}", group, index, field);
}

// The 16 hex digits of a config hash as the bits of one int64.
int64_t hash_bits(const std::string& config_hash) {
  return static_cast<int64_t>(std::stoull(config_hash, nullptr, 16));
}

torch::Tensor doubles(const std::vector<double>& v) {
  return torch::tensor(v.empty() ? std::vector<double>{} : v, torch::kFloat64);
}

torch::Tensor& checkpoint_entry(Tensors& t, const std::string& path, const std::string& name) {
  auto it = t.find(name);
  if (it == t.end()) throw RunFolderError(fmt::format("{}: checkpoint lacks '{}'", path, name));
  return it->second;
}

// Checks the config hash and copies the model's parameters and buffers.
void restore_model(Tensors& t, const std::string& path, Vlm& model,
                   const std::string& config_hash) {
  if (checkpoint_entry(t, path, "loop.config_hash").item<int64_t>() != hash_bits(config_hash)) {
    throw RunFolderError(fmt::format(
        "{}: checkpoint of another config (config.yaml changed since it was written)", path));
  }
  torch::NoGradGuard no_grad;
  auto restore = [&](const std::string& name, torch::Tensor& dest) {
    const torch::Tensor& src = checkpoint_entry(t, path, "model." + name);
    if (src.sizes() != dest.sizes()) {
      throw RunFolderError(fmt::format("{}: 'model.{}' has shape {}, the model {}", path, name,
                                       src.sizes(), dest.sizes()));
    }
    dest.copy_(src);
  };
  for (auto& p : model->named_parameters()) restore(p.key(), p.value());
  for (auto& b : model->named_buffers()) restore(b.key(), b.value());
}

}  // namespace

void save_checkpoint(const std::string& path, Vlm& model, const torch::optim::AdamW& optimizer,
                     const LoopState& loop, const std::string& config_hash) {
  Tensors t;
  for (const auto& p : model->named_parameters()) t["model." + p.key()] = p.value();
  for (const auto& b : model->named_buffers()) t["model." + b.key()] = b.value();
  const auto& groups = optimizer.param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& params = groups[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      auto it = optimizer.state().find(state_key(params[i]));
      if (it == optimizer.state().end()) continue;  // no step taken yet
      const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
      t[optim_name(g, i, "step")] = torch::tensor(s.step(), torch::kInt64);
      t[optim_name(g, i, "exp_avg")] = s.exp_avg();
      t[optim_name(g, i, "exp_avg_sq")] = s.exp_avg_sq();
    }
  }
  t["loop.step"] = torch::tensor(static_cast<int64_t>(loop.step), torch::kInt64);
  t["loop.seconds"] = torch::tensor(loop.seconds, torch::kFloat64);
  t["loop.step_seconds"] = doubles(loop.step_seconds);
  t["loop.window"] = doubles({loop.window_loss, loop.window_aux, loop.window_dropped,
                              static_cast<double>(loop.window_steps)});
  t["loop.config_hash"] = torch::tensor(hash_bits(config_hash), torch::kInt64);
  t["rng.cpu"] = at::detail::getDefaultCPUGenerator().get_state();
  save_named_tensors(path, t);
}

int load_checkpoint_model(const std::string& path, Vlm& model, const std::string& config_hash) {
  Tensors t = load_named_tensors(path);
  restore_model(t, path, model, config_hash);
  return static_cast<int>(checkpoint_entry(t, path, "loop.step").item<int64_t>());
}

void load_checkpoint(const std::string& path, Vlm& model, torch::optim::AdamW& optimizer,
                     LoopState& loop, const std::string& config_hash) {
  Tensors t = load_named_tensors(path);
  auto get = [&](const std::string& name) -> torch::Tensor& {
    return checkpoint_entry(t, path, name);
  };
  restore_model(t, path, model, config_hash);
  auto& groups = optimizer.param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& params = groups[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      auto step = t.find(optim_name(g, i, "step"));
      if (step == t.end()) continue;
      auto state = std::make_unique<torch::optim::AdamWParamState>();
      state->step(step->second.item<int64_t>());
      state->exp_avg(get(optim_name(g, i, "exp_avg")).to(params[i].device()));
      state->exp_avg_sq(get(optim_name(g, i, "exp_avg_sq")).to(params[i].device()));
      if (state->exp_avg().sizes() != params[i].sizes()) {
        throw RunFolderError(fmt::format("{}: optimizer state {}.{} does not fit the model", path,
                                         g, i));
      }
      optimizer.state()[state_key(params[i])] = std::move(state);
    }
  }
  loop.step = static_cast<int>(get("loop.step").item<int64_t>());
  loop.seconds = get("loop.seconds").item<double>();
  const torch::Tensor times = get("loop.step_seconds").contiguous();
  loop.step_seconds.assign(times.data_ptr<double>(), times.data_ptr<double>() + times.numel());
  const torch::Tensor w = get("loop.window").contiguous();
  if (w.numel() != 4) throw RunFolderError(fmt::format("{}: malformed 'loop.window'", path));
  loop.window_loss = w[0].item<double>();
  loop.window_aux = w[1].item<double>();
  loop.window_dropped = w[2].item<double>();
  loop.window_steps = static_cast<int>(w[3].item<double>());
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(get("rng.cpu"));
}

}  // namespace ablate
