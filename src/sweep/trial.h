// One trial = one run folder, the ground truth of a result:
//   config.yaml    resolved config (every key)
//   trial.json     sweep, label (axis values), seed, id
//   metrics.jsonl  training curve
//   scores.json    score card (eval/evaluate.h) plus train summary and sizes
//   status.json    state (running / done / failed), reason, timings, host,
//                  ablate version and git commit
//   checkpoint.pt  the last training checkpoint (train/checkpoint.h); a rerun
//                  of an interrupted trial continues from it
// Every file but metrics.jsonl is written atomically.
#pragma once

#include <nlohmann/json.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.h"

namespace ablate {

inline constexpr const char* kTrialStateRunning = "running";
inline constexpr const char* kTrialStateDone = "done";
inline constexpr const char* kTrialStateFailed = "failed";

// Writes config.yaml (and trial.json when `trial_info` is an object) into
// `run_dir`, creating it.
void prepare_run_folder(const std::string& run_dir, const ExperimentConfig& config,
                        const nlohmann::json& trial_info);

// already_done: finished by another process before this one took the lock.
enum class TrialResult { done, failed, busy, already_done };

// Exit codes of `ablate run-trial` (read by the executors) and `ablate train`.
inline constexpr int kExitTrialBusy = 3;
inline constexpr int kExitTrialAlreadyDone = 4;
int exit_code(TrialResult r);

// Trains and evaluates the trial in `run_dir` (config.yaml must exist), its
// pre-trained encoder taken from (or first trained into) the cache at
// `cache_root`, holding the folder's lock (sweep/lock.h) throughout; `busy`,
// with nothing touched, when another live process holds it. Continues from
// checkpoint.pt when there is one. Never throws for a failing trial: the
// failure is recorded in status.json.
TrialResult run_trial(const std::string& run_dir, bool verbose, const std::string& cache_root);

// Evaluates a finished trial again from its last checkpoint with this
// binary's benchmarks and metrics (after a fix to a scoring), holding the
// folder's lock. The score card's evaluation (metrics, baselines, prompts,
// samples) is replaced and the rest (train summary, sizes, pre-trained stage
// records) kept; the card records the rescoring. The previous scores.json is
// kept beside it; its name is returned. A RunFolderError, with nothing
// touched, when the trial is not done, its checkpoint is not at the last step
// or another process holds the folder.
std::string rescore_trial(const std::string& run_dir);

std::string checkpoint_path(const std::string& run_dir);

// The run folders of a sweep folder (<sweep>/runs/*), sorted; a RunFolderError
// when there is no runs/ folder.
std::vector<std::filesystem::path> run_folders(const std::string& sweep_dir);

// True when status.json says done and scores.json parses.
bool trial_done(const std::string& run_dir);
// The state in status.json ("" when absent or unreadable).
std::string trial_state(const std::string& run_dir);

void write_status(const std::string& run_dir, const std::string& state, const std::string& reason,
                  const nlohmann::json& extra = nlohmann::json::object());

}  // namespace ablate
