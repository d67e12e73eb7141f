#include "sweep/status.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/io.h"
#include "sweep/lock.h"
#include "sweep/slurm.h"
#include "sweep/trial.h"

namespace ablate {
namespace fs = std::filesystem;

int SweepStatus::count(const std::string& state) const {
  return static_cast<int>(std::count_if(trials.begin(), trials.end(),
                                        [&](const TrialStatus& t) { return t.state == state; }));
}

std::string SweepStatus::table() const {
  std::string out = fmt::format("{:<12}  {:<44}  {:>4}  {:<11}  {}\n", "id", "config", "seed",
                                "state", "detail");
  for (const auto& t : trials) {
    out += fmt::format("{:<12}  {:<44}  {:>4}  {:<11}  {}\n", t.id, t.label, t.seed, t.state,
                       t.detail);
  }
  out += fmt::format("{} trials: {} done, {} failed, {} running, {} pending, {} interrupted, {} "
                     "not started\n",
                     trials.size(), count("done"), count("failed"), count("running"),
                     count("pending"), count("interrupted"), count("not started"));
  return out;
}

SweepStatus read_sweep_status(const std::string& sweep_dir) {
  const std::vector<fs::path> dirs = run_folders(sweep_dir);
  const auto in_slurm = slurm_tasks(sweep_dir);
  SweepStatus status;
  for (const auto& path : dirs) {
    const std::string dir = path.string();
    TrialStatus t;
    t.id = path.filename().string();
    try {
      const auto info = read_json((path / "trial.json").string());
      t.label = info.value("label", "");
      t.seed = info.value("seed", 0);
    } catch (const RunFolderError& e) {
      t.label = "?";
    }
    const auto slurm = in_slurm.find(t.id);
    const bool queued = slurm != in_slurm.end() && slurm->second.active;
    const std::string state = trial_state(dir);
    if (trial_done(dir)) {
      t.state = "done";
      try {
        const auto scores = read_json((path / "scores.json").string());
        t.detail = fmt::format("average {:.1f}", scores["metrics"].value("average", 0.0));
      } catch (const RunFolderError&) {
      }
    } else if (const auto owner = live_lock_owner(dir)) {
      t.state = "running";
      t.detail = fmt::format("{} pid {}", owner->value("host", "?"), owner->value("pid", 0));
      if (queued) t.detail += fmt::format(", Slurm task {}", slurm->second.job);
    } else if (queued) {
      t.state = slurm->second.state == "PENDING" ? "pending" : "running";
      t.detail = fmt::format("Slurm task {} {} ({})", slurm->second.job, slurm->second.state,
                             slurm->second.reason);
    } else if (state == kTrialStateFailed) {
      t.state = "failed";
      try {
        t.detail = read_json((path / "status.json").string()).value("reason", "");
      } catch (const RunFolderError&) {
      }
    } else if (!state.empty() || fs::exists(checkpoint_path(dir))) {
      t.state = "interrupted";
      t.detail = "resumes from its checkpoint when the sweep runs again";
    } else {
      t.state = "not started";
    }
    status.trials.push_back(std::move(t));
  }
  return status;
}

}  // namespace ablate
