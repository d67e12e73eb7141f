// Cache of pre-trained stages, shared by every trial and every process (local
// children or Slurm tasks on a shared file system). Two kinds of entries:
//   <root>/encoders/<key>/encoder.pt   an image encoder (encoder.pretrain), at
//                                      pre-training resolution, full depth
//   <root>/lms/<key>/lm.pt             a text-only pre-trained LM (lm.pretrain)
// and beside the weights of each:
//   config.yaml    what the key hashes (human-readable)
//   info.json      cost, losses, quality measures
//   metrics.jsonl  pre-training curve
// Weights are a dict of named tensors written with torch::pickle_save
// (Python: torch.load(path) gives the dict). The key hashes everything that
// determines the entry: architecture, pre-training options, the world's data
// options and the evaluation scenes kept out of pre-training. An entry is
// built in a temporary folder and renamed into place, so it is either
// complete or absent. One process trains a missing entry while holding an
// exclusive flock on <key>.lock; the others block on the lock, then load what
// it wrote. The kernel drops the lock of a process that dies, so a crash never
// leaves a stale lock behind.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/config.h"
#include "pretrain/stage.h"

namespace ablate {

class Vlm;

// The two stages the cache holds.
enum class Stage { kEncoder, kLm };
const char* stage_name(Stage stage);  // "encoder", "lm"

// "enc-" / "lm-" + 16 hex digits; empty when `config` does not pre-train the
// stage (encoder.pretrain.objective none, lm.pretrain.steps 0).
std::string cache_key(Stage stage, const ExperimentConfig& config);
// The config the key hashes: the stage, its pre-training and the data it depends on.
ExperimentConfig cache_config(Stage stage, const ExperimentConfig& config);

// $ABLATE_CACHE, or "cache" under the working directory.
std::string default_cache_root();

struct CachedWeights {
  std::string key;
  std::string dir;
  bool hit = false;  // true when an earlier run (or another process) had trained it
  PretrainedWeights stage;
};

using LogFn = std::function<void(const std::string&)>;

// The pre-trained `stage` of `config`, trained first when absent. An entry
// whose files cannot be read is moved aside to <key>.corrupt-<time> (nothing is
// deleted) and trained again.
CachedWeights cached_weights(Stage stage, const ExperimentConfig& config, const std::string& root,
                             const LogFn& log = {}, const PretrainProgressFn& progress = {});

// The folder of the entry `key` in the cache at `root` (complete once it
// holds info.json); the sweep writes the stage's log beside it as <key>.log.
std::string entry_dir(Stage stage, const std::string& root, const std::string& key);

// The folder process `pid` trains the entry `key` in before renaming it to
// the entry; its metrics.jsonl grows as it trains.
std::string pretraining_dir(Stage stage, const std::string& root, const std::string& key, long pid);

// True when the entry of `stage` for `config` exists and is complete.
bool is_cached(Stage stage, const ExperimentConfig& config, const std::string& root);

// The record of a loaded stage for a trial's scores.json.
nlohmann::json cache_record(const CachedWeights& cached);

// Replaces `model`'s own initialisation of each stage that `config`
// pre-trains with the cached weights (trained into the cache at `root` first
// when missing), the LM blended back toward its fresh initialisation by
// lm.pretrain.shrink. Returns {"encoder": record, "lm": record} for the
// trial's score card.
nlohmann::json load_pretrained_stages(Vlm& model, const ExperimentConfig& config,
                                      const std::string& root, const LogFn& log);

}  // namespace ablate
