#include "train/trainer.h"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/io.h"
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

torch::Device device_of(const ExperimentConfig& config) {
  return config.device == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

TrainSummary train_model(Vlm& model, const ExperimentConfig& config, const TrainStream& stream,
                         const std::string& metrics_path, const ProgressFn& progress) {
  const TrainOptions& o = config.train;
  const torch::Device device = device_of(config);

  // Decoupled weight decay on matrices only; norms, biases and the 1-D
  // parameters keep their scale.
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& p : model->parameters()) {
    if (!p.requires_grad()) continue;
    (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(
      decay, std::make_unique<torch::optim::AdamWOptions>(
                 torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(o.weight_decay)));
  groups.emplace_back(no_decay,
                      std::make_unique<torch::optim::AdamWOptions>(
                          torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(0.0)));
  torch::optim::AdamW optimizer(std::move(groups));

  model->train();
  TrainSummary summary;
  std::vector<double> step_seconds;
  double window_loss = 0;
  int window_steps = 0;
  const auto start = Clock::now();
  for (int step = 0; step < o.steps; ++step) {
    const auto step_start = Clock::now();
    const double lr = learning_rate(o, step);
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    }
    const Batch batch = to_device(stream.batch(step, model->shapes().num_visual_tokens), device);
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      AutocastGuard autocast(o.precision == "bf16");
      loss = model->loss(batch);
    }
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      throw NonFiniteLoss(fmt::format("non-finite loss ({}) at step {}", loss_value, step));
    }
    loss.backward();
    // Pre-clipping global norm, logged either way; grad_clip = 0 never clips.
    const double max_norm = o.grad_clip > 0 ? o.grad_clip : std::numeric_limits<double>::infinity();
    const double grad_norm = torch::nn::utils::clip_grad_norm_(model->parameters(), max_norm);
    optimizer.step();
    step_seconds.push_back(seconds_since(step_start));
    window_loss += loss_value;
    ++window_steps;

    const bool last = step + 1 == o.steps;
    if ((step + 1) % o.log_every == 0 || last) {
      const double elapsed = seconds_since(start);
      summary.final_loss = window_loss / window_steps;
      nlohmann::json line = {{"step", step + 1},
                             {"loss", summary.final_loss},
                             {"lr", lr},
                             {"grad_norm", grad_norm},
                             {"examples_per_second", (step + 1) * double(o.batch_size) / elapsed},
                             {"elapsed_seconds", elapsed}};
      append_line(metrics_path, line.dump());
      if (progress) progress(step + 1, summary.final_loss);
      window_loss = 0;
      window_steps = 0;
    }
  }
  summary.steps = o.steps;
  summary.seconds = seconds_since(start);
  std::nth_element(step_seconds.begin(), step_seconds.begin() + step_seconds.size() / 2,
                   step_seconds.end());
  summary.median_step_seconds = step_seconds[step_seconds.size() / 2];
  return summary;
}

}  // namespace ablate
