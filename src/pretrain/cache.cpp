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

std::string entry_dir(const std::string& root, const std::string& key) {
  return (fs::path(root) / "encoders" / key).string();
}

bool complete(const std::string& dir) { return fs::exists(fs::path(dir) / "info.json"); }

PretrainedEncoder read_entry(const std::string& dir) {
  PretrainedEncoder e;
  e.info = read_json((fs::path(dir) / "info.json").string());
  e.weights = load_named_tensors((fs::path(dir) / "encoder.pt").string());
  return e;
}

}  // namespace

ExperimentConfig encoder_cache_config(const ExperimentConfig& config) {
  ExperimentConfig key;
  key.name = "encoder";
  key.encoder = pretrain_encoder_options(config);
  key.encoder.size = EncoderOptions{}.size;  // the preset's numbers are in width/depth/heads
  key.encoder.pretrain.resolution = pretrain_resolution(config);
  key.data.render_resolution = config.data.render_resolution;
  key.data.min_objects = config.data.min_objects;
  key.data.max_objects = config.data.max_objects;
  key.data.text_scenes = config.data.text_scenes;  // pre-training scenes carry signs too
  key.eval.seed = config.eval.seed;  // the evaluation scenes kept out of pre-training
  key.eval.num_items = config.eval.num_items;
  key.eval.benchmarks = config.eval.benchmarks;
  key.eval.shot_pool = config.eval.shot_pool;
  return key;
}

std::string encoder_cache_key(const ExperimentConfig& config) {
  if (config.encoder.pretrain.objective == "none") return "";
  return "enc-" + config_hash(encoder_cache_config(config));
}

std::string default_cache_root() {
  const char* env = std::getenv("ABLATE_CACHE");
  return env && *env ? env : "cache";
}

bool encoder_cached(const ExperimentConfig& config, const std::string& root) {
  const std::string key = encoder_cache_key(config);
  return !key.empty() && complete(entry_dir(root, key));
}

CachedEncoder cached_encoder(const ExperimentConfig& config, const std::string& root,
                             const LogFn& log, const PretrainProgressFn& progress) {
  CachedEncoder out;
  out.key = encoder_cache_key(config);
  if (out.key.empty()) throw std::logic_error("cached_encoder: encoder.pretrain.objective is none");
  out.dir = entry_dir(root, out.key);
  fs::create_directories(fs::path(out.dir).parent_path());

  auto try_read = [&]() -> bool {
    if (!complete(out.dir)) return false;
    try {
      out.encoder = read_entry(out.dir);
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

  if (log)
    log(fmt::format("pre-training encoder {} ({}, {} steps)", out.key,
                    config.encoder.pretrain.objective, config.encoder.pretrain.steps));
  const std::string tmp = fmt::format("{}.tmp-{}", out.dir, ::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  write_file_atomic((fs::path(tmp) / "config.yaml").string(),
                    to_yaml(encoder_cache_config(config)));
  out.encoder = pretrain_encoder(config, (fs::path(tmp) / "metrics.jsonl").string(), progress);
  out.encoder.info["key"] = out.key;
  out.encoder.info["host"] = hostname();
  out.encoder.info["time"] = now_iso8601();
  save_named_tensors((fs::path(tmp) / "encoder.pt").string(), out.encoder.weights);
  write_json_atomic((fs::path(tmp) / "info.json").string(), out.encoder.info);
  fs::rename(tmp, out.dir);
  return out;
}

}  // namespace ablate
