// Cache of pre-trained encoders, shared by every trial and every process
// (local children or Slurm tasks on a shared file system):
//   <root>/encoders/<key>/encoder.pt     weights: a dict of named tensors written
//                                        with torch::pickle_save (Python:
//                                        torch.load(path) gives the dict)
//                                        at pre-training resolution, full depth
//   <root>/encoders/<key>/config.yaml    what the key hashes (human-readable)
//   <root>/encoders/<key>/info.json      cost, losses, probe and retrieval quality
//   <root>/encoders/<key>/metrics.jsonl  pre-training curve
// The key hashes everything that determines the encoder: architecture,
// pre-training options, the world's data options and the evaluation scenes
// kept out of pre-training. An entry is built in a temporary folder and
// renamed into place, so it is either complete or absent. One process trains
// a missing entry while holding an exclusive flock on <key>.lock; the others
// block on the lock, then load what it wrote. The kernel drops the lock of a
// process that dies, so a crash never leaves a stale lock behind.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/config.h"
#include "pretrain/pretrain.h"

namespace ablate {

// "enc-" + 16 hex digits; empty when encoder.pretrain.objective is none.
std::string encoder_cache_key(const ExperimentConfig& config);
// The config the key hashes: the encoder, its pre-training and the data it depends on.
ExperimentConfig encoder_cache_config(const ExperimentConfig& config);

// $ABLATE_CACHE, or "cache" under the working directory.
std::string default_cache_root();

struct CachedEncoder {
  std::string key;
  std::string dir;
  bool hit = false;  // true when an earlier run (or another process) had trained it
  PretrainedEncoder encoder;
};

using LogFn = std::function<void(const std::string&)>;

// The pre-trained encoder of `config`, trained first when absent. An entry
// whose files cannot be read is moved aside to <key>.corrupt-<time> (nothing is
// deleted) and trained again.
CachedEncoder cached_encoder(const ExperimentConfig& config, const std::string& root,
                             const LogFn& log = {}, const PretrainProgressFn& progress = {});

// True when the entry of `config` exists and is complete.
bool encoder_cached(const ExperimentConfig& config, const std::string& root);

}  // namespace ablate
