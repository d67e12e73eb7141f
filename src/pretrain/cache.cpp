#include "pretrain/cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/io.h"
#include "core/tensor_file.h"
#include "model/vlm.h"
#include "model/weights.h"
#include "pretrain/lm_pretrain.h"
#include "pretrain/pretrain.h"

namespace ablate {
namespace fs = std::filesystem;

namespace {

// Exclusive flock held for the object's lifetime.
class FileLock {
 public:
  FileLock(const std::string& path, const LogFn& log) {
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw std::runtime_error(
          fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (log) log(fmt::format("waiting for {} (held by another process)", path));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        throw std::runtime_error(fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
      }
    }
  }
  ~FileLock() { ::close(fd_); }  // closing releases the flock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

struct StageFiles {
  const char* folder;   // under the cache root
  const char* weights;  // file of the named tensors
  const char* prefix;   // of the key
};

StageFiles files_of(Stage stage) {
  return stage == Stage::kEncoder ? StageFiles{"encoders", "encoder.pt", "enc-"}
                                  : StageFiles{"lms", "lm.pt", "lm-"};
}

// Start of the name of every folder an entry is trained in (pretraining_dir).
std::string tmp_prefix(const std::string& entry) { return entry + ".tmp-"; }

bool complete(const std::string& dir) { return fs::exists(fs::path(dir) / "info.json"); }

PretrainedWeights read_entry(Stage stage, const std::string& dir) {
  PretrainedWeights e;
  e.info = read_json((fs::path(dir) / "info.json").string());
  e.weights = load_named_tensors((fs::path(dir) / files_of(stage).weights).string());
  return e;
}

bool pretrains(Stage stage, const ExperimentConfig& config) {
  return stage == Stage::kEncoder ? config.encoder.pretrain.objective != "none"
                                  : config.lm.pretrain.steps > 0;
}

}  // namespace

std::string entry_dir(Stage stage, const std::string& root, const std::string& key) {
  return (fs::path(root) / files_of(stage).folder / key).string();
}

std::string pretraining_dir(Stage stage, const std::string& root, const std::string& key,
                            long pid) {
  return tmp_prefix(entry_dir(stage, root, key)) + std::to_string(pid);
}

const char* stage_name(Stage stage) { return stage == Stage::kEncoder ? "encoder" : "lm"; }

ExperimentConfig cache_config(Stage stage, const ExperimentConfig& config) {
  ExperimentConfig key;
  key.name = stage_name(stage);
  if (stage == Stage::kEncoder) {
    key.encoder = pretrain_encoder_options(config);
    key.encoder.size = EncoderOptions{}.size;  // the preset's numbers are in width/depth/heads
    key.encoder.pretrain.resolution = pretrain_resolution(config);
    key.data.render_resolution = config.data.render_resolution;
  } else {
    key.lm = config.lm;
    key.lm.size = LmOptions{}.size;
    // Rotary tables are buffers, not weights: any sequence length loads them.
    key.lm.max_seq_len = LmOptions{}.max_seq_len;
    key.lm.pretrain.shrink = LmPretrainOptions{}.shrink;  // applied by the trial that loads it
    key.data.synthetic_captions = config.data.synthetic_captions;      // caption text
    key.data.shape_first_captions = config.data.shape_first_captions;  // its word order
    key.data.text_scene_questions = config.data.text_scene_questions;  // and text documents
  }
  key.data.min_objects = config.data.min_objects;
  key.data.max_objects = config.data.max_objects;
  key.data.text_scenes = config.data.text_scenes;  // scenes carry signs, captions name them
  key.data.textured_objects = config.data.textured_objects;  // and textures
  key.eval.seed = config.eval.seed;  // the evaluation scenes kept out of pre-training
  key.eval.num_items = config.eval.num_items;
  key.eval.benchmarks = config.eval.benchmarks;
  key.eval.shot_pool = config.eval.shot_pool;
  return key;
}

std::string cache_key(Stage stage, const ExperimentConfig& config) {
  if (!pretrains(stage, config)) return "";
  return files_of(stage).prefix + config_hash(cache_config(stage, config));
}

std::string default_cache_root() {
  const char* env = std::getenv("ABLATE_CACHE");
  return env && *env ? env : "cache";
}

bool is_cached(Stage stage, const ExperimentConfig& config, const std::string& root) {
  const std::string key = cache_key(stage, config);
  return !key.empty() && complete(entry_dir(stage, root, key));
}

CachedWeights cached_weights(Stage stage, const ExperimentConfig& config, const std::string& root,
                             const LogFn& log, const PretrainProgressFn& progress) {
  CachedWeights out;
  out.key = cache_key(stage, config);
  if (out.key.empty()) {
    throw std::logic_error(
        fmt::format("cached_weights: the config does not pre-train its {}", stage_name(stage)));
  }
  out.dir = entry_dir(stage, root, out.key);
  fs::create_directories(fs::path(out.dir).parent_path());

  auto try_read = [&]() -> bool {
    if (!complete(out.dir)) return false;
    try {
      out.stage = read_entry(stage, out.dir);
      return true;
    } catch (const std::exception& e) {
      const std::string aside = fmt::format("{}.corrupt-{}", out.dir, ::time(nullptr));
      if (log) log(fmt::format("{}; moved to {} and pre-training again", e.what(), aside));
      fs::rename(out.dir, aside);
      return false;
    }
  };
  // Held while reading too: the only writer of a missing entry holds it.
  FileLock lock(out.dir + ".lock", log);
  out.hit = try_read();
  if (out.hit) return out;

  if (log) {
    log(stage == Stage::kEncoder
            ? fmt::format("pre-training encoder {} ({}, {} steps)", out.key,
                          config.encoder.pretrain.objective, config.encoder.pretrain.steps)
            : fmt::format("pre-training lm {} (text only, {} steps)", out.key,
                          config.lm.pretrain.steps));
  }
  // Under the lock, any other tmp folder of this entry is a killed writer's.
  const std::string stale = tmp_prefix(out.dir);
  for (const auto& e : fs::directory_iterator(fs::path(out.dir).parent_path())) {
    if (e.path().string().rfind(stale, 0) == 0) fs::remove_all(e.path());
  }
  const std::string tmp = pretraining_dir(stage, root, out.key, ::getpid());
  fs::create_directories(tmp);
  write_file_atomic((fs::path(tmp) / "config.yaml").string(), to_yaml(cache_config(stage, config)));
  const std::string metrics = (fs::path(tmp) / "metrics.jsonl").string();
  out.stage = stage == Stage::kEncoder ? pretrain_encoder(config, metrics, progress)
                                       : pretrain_lm(config, metrics, progress);
  out.stage.info["key"] = out.key;
  out.stage.info["host"] = hostname();
  out.stage.info["time"] = now_iso8601();
  save_named_tensors((fs::path(tmp) / files_of(stage).weights).string(), out.stage.weights);
  write_json_atomic((fs::path(tmp) / "info.json").string(), out.stage.info);
  fs::rename(tmp, out.dir);
  return out;
}

nlohmann::json cache_record(const CachedWeights& cached) {
  return {{"key", cached.key},
          {"cache", cached.dir},
          {"cache_hit", cached.hit},
          {"pretrain", cached.stage.info}};
}

nlohmann::json load_pretrained_stages(Vlm& model, const ExperimentConfig& config,
                                      const std::string& root, const LogFn& log) {
  nlohmann::json records = {{"encoder", {{"objective", config.encoder.pretrain.objective}}},
                            {"lm", {{"pretrain_steps", config.lm.pretrain.steps}}}};
  for (const Stage stage : {Stage::kEncoder, Stage::kLm}) {
    if (cache_key(stage, config).empty()) continue;
    const CachedWeights cached = cached_weights(stage, config, root, log);
    nlohmann::json& record = records[stage_name(stage)];
    if (stage == Stage::kEncoder) {
      record["unused_weights"] = model->encoder()->load_weights(cached.stage.weights);
    } else {
      const double shrink = config.lm.pretrain.shrink;
      NamedWeights fresh;  // the trial's own initialisation, kept only to blend with
      if (shrink < 1.0) {
        for (const auto& [name, w] : model->lm()->weights()) fresh[name] = w.clone();
      }
      record["unused_weights"] = model->lm()->load_weights(cached.stage.weights);
      if (shrink < 1.0) blend_weights(*model->lm(), fresh, shrink);
      record["shrink"] = shrink;
    }
    record.update(cache_record(cached));
    if (log) {
      log(fmt::format("{} {} {} ({})", stage_name(stage), cached.key,
                      cached.hit ? "loaded from" : "trained into", cached.dir));
    }
  }
  return records;
}

}  // namespace ablate
