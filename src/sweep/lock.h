// Trial locks: a run folder is trained by one process at a time, whichever
// runner (local, a second local one, a Slurm task on another node) started it.
//   <run_dir>/lock   JSON: host, pid, the pid's start time, acquired, heartbeat
// Created with O_EXCL (atomic on local and NFS file systems), refreshed by a
// heartbeat while the owner lives, removed when it ends. A lock is stale, and
// taken over, when its owner is a dead process of this host (or a live pid that
// started at another time: a reused pid), or when its heartbeat is older than
// `stale_after` seconds (an owner on another host that died).
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

namespace ablate {

inline constexpr double kLockHeartbeatSeconds = 20;
inline constexpr double kLockStaleSeconds = 180;

std::string lock_path(const std::string& run_dir);

// The owner record of a lock that is held and not stale, or nothing.
std::optional<nlohmann::json> live_lock_owner(const std::string& run_dir,
                                              double stale_after = kLockStaleSeconds);

// Holds the lock of a run folder for its lifetime, with a heartbeat thread.
class TrialLock {
 public:
  // Takes the lock (over a stale one); false when a live owner holds it.
  bool acquire(const std::string& run_dir, double stale_after = kLockStaleSeconds);
  ~TrialLock();
  TrialLock() = default;
  TrialLock(const TrialLock&) = delete;
  TrialLock& operator=(const TrialLock&) = delete;

 private:
  std::string path_;
  std::string acquired_;
  std::atomic<bool> stop_{false};
  std::thread heartbeat_;
};

}  // namespace ablate
