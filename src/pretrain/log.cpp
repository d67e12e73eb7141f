#include "pretrain/log.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/io.h"

namespace ablate {

PretrainLog::PretrainLog(int steps, std::string metrics_path, PretrainProgressFn progress)
    : steps_(steps),
      log_every_(std::max(1, std::min(50, steps / 10))),
      metrics_path_(std::move(metrics_path)),
      progress_(std::move(progress)),
      start_(std::chrono::steady_clock::now()) {}

double PretrainLog::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void PretrainLog::add(int step, double loss, double lr) {
  if (step == 0) first_loss_ = loss;
  window_ += loss;
  ++window_steps_;
  if ((step + 1) % log_every_ != 0 && step + 1 != steps_) return;
  final_loss_ = window_ / window_steps_;
  if (!metrics_path_.empty()) {
    append_line(
        metrics_path_,
        nlohmann::json(
            {{"step", step + 1}, {"loss", final_loss_}, {"lr", lr}, {"elapsed_seconds", seconds()}})
            .dump());
  }
  if (progress_) progress_(step + 1, final_loss_);
  window_ = 0;
  window_steps_ = 0;
}

}  // namespace ablate
