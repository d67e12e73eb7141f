#include "train/trainer.h"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cpu.h"
#include "core/io.h"
#include "train/checkpoint.h"
#include "train/schedule.h"

namespace ablate {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Batch to_device(const Batch& b, const torch::Device& device) {
  if (device.is_cpu()) return b;
  return {b.images.to(device), b.tokens.to(device), b.loss_mask.to(device)};
}

// Drops the lines of metrics.jsonl past `step` (written after the checkpoint
// that a resumed run starts from).
void keep_metrics_up_to(const std::string& path, int step) {
  if (!std::filesystem::exists(path)) return;
  std::istringstream in(read_file(path));
  std::string line, kept;
  while (std::getline(in, line)) {
    try {
      if (nlohmann::json::parse(line).value("step", 0) > step) break;
    } catch (const nlohmann::json::parse_error&) {
      break;  // a line cut short by the interruption
    }
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

double last_logged_loss(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  double loss = 0;
  while (std::getline(in, line)) loss = nlohmann::json::parse(line).value("loss", 0.0);
  return loss;
}

}  // namespace

AutocastGuard::AutocastGuard(bool enabled) : enabled_(enabled) {
  if (enabled_) {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
}

AutocastGuard::~AutocastGuard() {
  if (enabled_) {
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
}

bool cpu_has_native_bf16() { return cpu_has_flag("avx512_bf16") || cpu_has_flag("amx_bf16"); }

torch::Device device_of(const ExperimentConfig& config) {
  return config.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

torch::optim::AdamW make_optimizer(Vlm& model, const TrainOptions& o,
                                   std::vector<double>& group_scales) {
  const std::map<std::string, double> scales = {
      {"encoder", o.encoder_lr_scale}, {"connector", o.connector_lr_scale}, {"lm", o.lm_lr_scale}};
  std::vector<torch::optim::OptimizerParamGroup> groups;
  group_scales.clear();
  for (auto& [stage, params] : model->parameters_by_stage()) {
    const bool frozen = std::find(o.freeze.begin(), o.freeze.end(), stage) != o.freeze.end();
    for (auto& p : params) p.set_requires_grad(!frozen);
    if (frozen) continue;
    const int added = add_adamw_groups(groups, params, o.lr * scales.at(stage), o.weight_decay);
    group_scales.insert(group_scales.end(), added, scales.at(stage));
  }
  return torch::optim::AdamW(std::move(groups));
}

int add_adamw_groups(std::vector<torch::optim::OptimizerParamGroup>& groups,
                     const std::vector<torch::Tensor>& params, double lr, double weight_decay) {
  // Decoupled weight decay on matrices only; norms, biases and other 1-D
  // parameters keep their scale.
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& p : params) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  int added = 0;
  for (auto* list : {&decay, &no_decay}) {
    if (list->empty()) continue;
    const double wd = list == &decay ? weight_decay : 0.0;
    groups.emplace_back(*list,
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(lr).betas({0.9, 0.95}).weight_decay(wd)));
    ++added;
  }
  return added;
}

StepLoss accumulate_gradients(Vlm& model, const std::vector<Batch>& micro_batches,
                              const TrainOptions& options, const torch::Device& device, int step) {
  StepLoss out;
  for (const Batch& micro : micro_batches) {
    const Batch batch = to_device(micro, device);
    const double share = double(batch.tokens.size(0)) / options.batch_size;
    VlmImpl::Loss loss;
    {
      AutocastGuard autocast(options.precision == "bf16");
      loss = model->loss(batch);
    }
    const double lm = loss.lm.item<double>();
    const double total = loss.total.item<double>();
    if (!std::isfinite(lm) || !std::isfinite(total)) {
      throw NonFiniteLoss(fmt::format("non-finite loss ({}) at step {}", total, step));
    }
    (loss.total * share).backward();
    out.lm += share * lm;
    out.aux += share * loss.aux.item<double>();
    out.dropped += share * loss.dropped;
    if (loss.load.defined()) {
      const auto part = share * loss.load.detach();
      out.load = out.load.defined() ? out.load + part : part;
    }
  }
  return out;
}

TrainSummary train_model(Vlm& model, const ExperimentConfig& config, const TrainStream& stream,
                         const std::string& metrics_path, const ProgressFn& progress,
                         const std::string& checkpoint_path) {
  const TrainOptions& o = config.train;
  const torch::Device device = device_of(config);

  std::vector<double> group_scales;
  torch::optim::AdamW optimizer = make_optimizer(model, o, group_scales);
  const std::string hash = config_hash(config);
  LoopState loop;
  TrainSummary summary;
  if (!checkpoint_path.empty() && std::filesystem::exists(checkpoint_path)) {
    load_checkpoint(checkpoint_path, model, optimizer, loop, hash);
    summary.resumed_from_step = loop.step;
    keep_metrics_up_to(metrics_path, loop.step);
  } else {
    std::filesystem::remove(metrics_path);  // a rerun starts its curve afresh
  }

  model->train();
  const auto session_start = Clock::now();
  const double seconds_before = loop.seconds;
  auto train_seconds = [&] { return seconds_before + seconds_since(session_start); };
  for (int step = loop.step; step < o.steps; ++step) {
    const auto step_start = Clock::now();
    const double lr = learning_rate(o, step);
    for (size_t g = 0; g < optimizer.param_groups().size(); ++g) {
      static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[g].options())
          .lr(lr * group_scales[g]);
    }
    optimizer.zero_grad();
    const StepLoss loss = accumulate_gradients(
        model, stream.length_buckets(step, model->shapes().num_visual_tokens), o, device, step);
    // Pre-clipping global norm, logged either way; grad_clip = 0 never clips.
    const double max_norm = o.grad_clip > 0 ? o.grad_clip : std::numeric_limits<double>::infinity();
    const double grad_norm = torch::nn::utils::clip_grad_norm_(model->parameters(), max_norm);
    optimizer.step();
    loop.step = step + 1;
    loop.step_seconds.push_back(seconds_since(step_start));
    loop.window_loss += loss.lm;
    loop.window_aux += loss.aux;
    loop.window_dropped += loss.dropped;
    ++loop.window_steps;

    const bool last = loop.step == o.steps;
    if (loop.step % o.log_every == 0 || last) {
      const double elapsed = train_seconds();
      summary.final_loss = loop.window_loss / loop.window_steps;
      nlohmann::json line = {{"step", loop.step},
                             {"loss", summary.final_loss},
                             {"lr", lr},
                             {"grad_norm", grad_norm},
                             {"examples_per_second", loop.step * double(o.batch_size) / elapsed},
                             {"elapsed_seconds", elapsed}};
      if (loss.load.defined()) {
        // Max expert share x E: 1 when balanced, E when one expert takes all.
        line["moe_aux_loss"] = loop.window_aux / loop.window_steps;
        line["moe_max_load"] = loss.load.max().item<double>() * loss.load.size(0);
        line["moe_dropped"] = loop.window_dropped / loop.window_steps;
      }
      append_line(metrics_path, line.dump());
      if (progress) progress(loop.step, summary.final_loss);
      loop.window_loss = 0;
      loop.window_aux = 0;
      loop.window_dropped = 0;
      loop.window_steps = 0;
    }
    const bool due = o.checkpoint_every > 0 && loop.step % o.checkpoint_every == 0;
    if (!checkpoint_path.empty() && (due || last)) {
      loop.seconds = train_seconds();
      save_checkpoint(checkpoint_path, model, optimizer, loop, hash);
    }
  }
  summary.steps = o.steps;
  summary.seconds = train_seconds();
  if (summary.final_loss == 0) summary.final_loss = last_logged_loss(metrics_path);
  std::vector<double> times = loop.step_seconds;
  if (!times.empty()) {
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    summary.median_step_seconds = times[times.size() / 2];
  }
  return summary;
}

}  // namespace ablate
