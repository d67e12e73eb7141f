// Trial locks: one owner at a time; stale locks (dead owner, reused pid,
// silent owner on another host, unreadable and old) are taken over.
#include "sweep/lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "core/io.h"
#include "test_util.h"

namespace ablate {
namespace {

using testing::ScratchDir;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The pid of a process that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(TrialLock, HeldLockIsBusyAndReleasedOnDestruction) {
  ScratchDir dir;
  {
    TrialLock first;
    ASSERT_TRUE(first.acquire(dir.path().string()));
    const auto owner = live_lock_owner(dir.path().string());
    ASSERT_TRUE(owner.has_value());
    EXPECT_EQ((*owner)["pid"].get<int>(), ::getpid());
    EXPECT_EQ((*owner)["host"].get<std::string>(), hostname());
    TrialLock second;
    EXPECT_FALSE(second.acquire(dir.path().string()));
    EXPECT_TRUE(std::filesystem::exists(lock_path(dir.path().string()))) << "loser removes nothing";
  }
  EXPECT_FALSE(std::filesystem::exists(lock_path(dir.path().string())));
  EXPECT_FALSE(live_lock_owner(dir.path().string()).has_value());
}

struct StaleCase {
  const char* name;
  std::function<nlohmann::json()> owner;
  bool stale;
};

class LockOwners : public ::testing::TestWithParam<StaleCase> {};

TEST_P(LockOwners, StaleLocksAreTakenOverLiveOnesAreNot) {
  ScratchDir dir;
  const std::string run_dir = dir.path().string();
  std::ofstream(lock_path(run_dir)) << GetParam().owner().dump();
  EXPECT_EQ(live_lock_owner(run_dir).has_value(), !GetParam().stale);
  TrialLock lock;
  EXPECT_EQ(lock.acquire(run_dir), GetParam().stale);
  if (GetParam().stale) {
    EXPECT_EQ(read_json(lock_path(run_dir))["pid"].get<int>(), ::getpid());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(run_dir), {}), 1)
        << "only the new lock remains";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sweep, LockOwners,
    ::testing::Values(
        StaleCase{"DeadProcessOfThisHost",
                  [] {
                    return nlohmann::json{{"host", hostname()}, {"pid", dead_pid()},
                                          {"pid_start", "1"}, {"heartbeat", unix_now()}};
                  },
                  true},
        StaleCase{"ReusedPid",  // a live pid that started at another time
                  [] {
                    return nlohmann::json{{"host", hostname()}, {"pid", ::getppid()},
                                          {"pid_start", "0"}, {"heartbeat", unix_now()}};
                  },
                  true},
        StaleCase{"SilentOwnerOnAnotherHost",
                  [] {
                    return nlohmann::json{{"host", "elsewhere.invalid"}, {"pid", 1},
                                          {"heartbeat", unix_now() - 2 * kLockStaleSeconds}};
                  },
                  true},
        StaleCase{"BeatingOwnerOnAnotherHost",
                  [] {
                    return nlohmann::json{{"host", "elsewhere.invalid"}, {"pid", 1},
                                          {"heartbeat", unix_now() - 5}};
                  },
                  false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TrialLock, LockOfAnExitedUnreapedOwnerIsStale) {
  // A zombie still has its pid and /proc entry: orphaned trials stay zombies
  // in containers whose first process does not reap them.
  ScratchDir dir;
  const std::string run_dir = dir.path().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto* lock = new TrialLock;  // never destroyed: the lock file stays
    ::_exit(lock->acquire(run_dir) ? 0 : 1);
  }
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);  // exited, not reaped
  ASSERT_EQ(info.si_status, 0);
  EXPECT_EQ(read_json(lock_path(run_dir))["pid"].get<int>(), pid);
  EXPECT_FALSE(live_lock_owner(run_dir).has_value());
  TrialLock lock;
  EXPECT_TRUE(lock.acquire(run_dir));
  ::waitpid(pid, nullptr, 0);
}

TEST(TrialLock, UnreadableLockIsJudgedByItsAge) {
  ScratchDir dir;
  const std::string run_dir = dir.path().string();
  std::ofstream(lock_path(run_dir)) << "{\"host\": \"trunc";
  EXPECT_TRUE(live_lock_owner(run_dir).has_value()) << "fresh: perhaps being written";
  TrialLock busy;
  EXPECT_FALSE(busy.acquire(run_dir));
  std::filesystem::last_write_time(
      lock_path(run_dir), std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  EXPECT_FALSE(live_lock_owner(run_dir).has_value());
  TrialLock lock;
  EXPECT_TRUE(lock.acquire(run_dir));
}

}  // namespace
}  // namespace ablate
