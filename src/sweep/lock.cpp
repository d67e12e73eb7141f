#include "sweep/lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/io.h"

namespace ablate {
namespace fs = std::filesystem;

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Field 22 of /proc/<pid>/stat (clock ticks since boot): with the pid it
// names one process, even after the pid is reused. Empty when there is none
// or it has exited and not been reaped (a zombie: in containers whose first
// process does not reap orphans, killed trials stay zombies).
std::string process_start(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return "";
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string state, field;
  fields >> state;  // field 3
  if (state == "Z" || state == "X") return "";
  for (int i = 4; i <= 22 && fields >> field; ++i) {
  }
  return field;
}

nlohmann::json owner_record(const std::string& acquired) {
  return {{"host", hostname()},
          {"pid", ::getpid()},
          {"pid_start", process_start(::getpid())},
          {"acquired", acquired},
          {"heartbeat", unix_now()}};
}

bool owner_alive(const nlohmann::json& owner, double stale_after) {
  if (owner.value("host", "") == hostname()) {
    const pid_t pid = owner.value("pid", 0);
    if (pid <= 0) return false;
    const std::string start = process_start(pid);
    return !start.empty() && start == owner.value("pid_start", "");
  }
  return unix_now() - owner.value("heartbeat", 0.0) < stale_after;
}

// Creates `path` holding `content` only if it does not exist.
bool create_exclusive(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw std::runtime_error(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  }
  const bool ok = ::write(fd, content.data(), content.size()) == ssize_t(content.size());
  ::close(fd);
  if (!ok) throw std::runtime_error(fmt::format("{}: write failed", path));
  return true;
}

std::optional<nlohmann::json> read_owner(const std::string& path) {
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const std::exception&) {
    return std::nullopt;  // gone, or caught between create and write
  }
}

}  // namespace

std::string lock_path(const std::string& run_dir) { return (fs::path(run_dir) / "lock").string(); }

std::optional<nlohmann::json> live_lock_owner(const std::string& run_dir, double stale_after) {
  const std::string path = lock_path(run_dir);
  if (!fs::exists(path)) return std::nullopt;
  const auto owner = read_owner(path);
  if (!owner) {
    // Unreadable: judged by its age, as a heartbeat.
    std::error_code ec;
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(path, ec);
    if (ec || std::chrono::duration<double>(age).count() >= stale_after) return std::nullopt;
    return nlohmann::json{{"host", "?"}, {"pid", 0}};
  }
  if (!owner_alive(*owner, stale_after)) return std::nullopt;
  return owner;
}

bool TrialLock::acquire(const std::string& run_dir, double stale_after) {
  path_ = lock_path(run_dir);
  acquired_ = now_iso8601();
  const std::string mine = owner_record(acquired_).dump();
  if (!create_exclusive(path_, mine)) {
    std::string judged;
    try {
      judged = read_file(path_);
    } catch (const std::exception&) {
    }
    if (live_lock_owner(run_dir, stale_after)) return false;
    // Stale: move it aside under a name of our own (rename is atomic, so of
    // two processes taking over only one moves it). If what was moved is not
    // the stale record judged (another process took over in between), put it
    // back (link fails rather than replace a newer lock) and give way.
    const std::string aside = fmt::format("{}.stale.{}.{}", path_, hostname(), ::getpid());
    std::error_code ec;
    fs::rename(path_, aside, ec);
    if (ec) return false;
    std::string moved;
    try {
      moved = read_file(aside);
    } catch (const std::exception&) {
    }
    if (moved != judged) {
      ::link(aside.c_str(), path_.c_str());
      fs::remove(aside, ec);
      return false;
    }
    fs::remove(aside, ec);
    if (!create_exclusive(path_, mine)) return false;
  }
  heartbeat_ = std::thread([this] {
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (std::chrono::steady_clock::now() < next) continue;
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(kLockHeartbeatSeconds));
      try {
        write_file_atomic(path_, owner_record(acquired_).dump());
      } catch (const std::exception&) {
        // A full disk or a vanished folder: the next beat tries again.
      }
    }
  });
  return true;
}

TrialLock::~TrialLock() {
  if (path_.empty() || !heartbeat_.joinable()) return;
  stop_ = true;
  heartbeat_.join();
  std::error_code ec;
  fs::remove(path_, ec);
}

}  // namespace ablate
