#include "sweep/runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "core/io.h"
#include "model/flops.h"
#include "model/vlm.h"
#include "pretrain/cache.h"
#include "sweep/trial.h"

extern char** environ;

namespace ablate {
namespace fs = std::filesystem;

namespace {

int num_cores() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string human_count(int64_t n) {
  if (n >= 1000000) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1000) return fmt::format("{:.1f}k", n / 1e3);
  return std::to_string(n);
}

struct Running {
  size_t trial;
  std::chrono::steady_clock::time_point start;
};

// Starts `binary args...` with its output in `log_path` and the thread
// environment of trial_environment(threads).
pid_t spawn_child(const std::string& binary, const std::vector<std::string>& args_in,
                  const std::string& log_path, int threads) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> env_strings = trial_environment(threads);
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& own : env_strings) replaced |= own.rfind(key + "=", 0) == 0;
    if (!replaced) env_strings.push_back(entry);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {binary};
  args.insert(args.end(), args_in.begin(), args_in.end());
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error(fmt::format("cannot start {}: {}", binary, std::strerror(rc)));
  return pid;
}

// Waits for any child process; retries when a signal interrupts the wait.
pid_t wait_any_child(int& wstatus) {
  while (true) {
    const pid_t pid = ::waitpid(-1, &wstatus, 0);
    if (pid >= 0) return pid;
    if (errno != EINTR) throw std::runtime_error(fmt::format("waitpid: {}", std::strerror(errno)));
  }
}

}  // namespace

std::vector<std::string> trial_environment(int threads) {
  const std::string t = std::to_string(threads);
  // OpenMP's spinning waits cost 2.2x at 2 threads; only honoured when set
  // before the process starts.
  return {"OMP_WAIT_POLICY=PASSIVE", "OMP_NUM_THREADS=" + t, "OPENBLAS_NUM_THREADS=" + t,
          "MKL_NUM_THREADS=" + t};
}

namespace {

// Trains every distinct pre-trained encoder that the trials to run need and
// the cache lacks, `jobs` at a time, before any trial starts (each trial then
// loads its encoder; the cache's lock would also make concurrent trials wait
// for one another, but with slots held idle).
void pretrain_encoders(const std::vector<Trial>& trials, const std::vector<bool>& skip,
                       const fs::path& runs, const SweepOptions& options, int jobs) {
  std::map<std::string, size_t> first_trial;  // key -> a trial that needs it
  for (size_t i = 0; i < trials.size(); ++i) {
    if (skip[i] || encoder_cache_key(trials[i].config).empty()) continue;
    if (encoder_cached(trials[i].config, options.cache_root)) continue;
    first_trial.emplace(encoder_cache_key(trials[i].config), i);
  }
  if (first_trial.empty()) return;
  const int parallel = std::min<int>(jobs, first_trial.size());
  const int threads = std::max(1, num_cores() / parallel);
  const fs::path logs = fs::path(options.cache_root) / "encoders";
  fs::create_directories(logs);
  fmt::print("pre-training {} encoder(s), {} at a time, {} thread(s) each; logs in {}/<key>.log\n",
             first_trial.size(), parallel, threads, logs.string());
  std::fflush(stdout);
  std::map<pid_t, std::pair<std::string, std::chrono::steady_clock::time_point>> running;
  auto next = first_trial.begin();
  int finished = 0;
  while (next != first_trial.end() || !running.empty()) {
    while (static_cast<int>(running.size()) < parallel && next != first_trial.end()) {
      const auto& [key, i] = *next++;
      const std::string config = (runs / trials[i].id / "config.yaml").string();
      prepare_run_folder((runs / trials[i].id).string(), trials[i].config, nlohmann::json());
      const pid_t pid =
          spawn_child(options.ablate_binary,
                      {"pretrain", config, "--cache", fs::absolute(options.cache_root).string()},
                      (logs / (key + ".log")).string(), threads);
      running[pid] = {key, std::chrono::steady_clock::now()};
    }
    int wstatus = 0;
    auto it = running.find(wait_any_child(wstatus));
    if (it == running.end()) continue;
    const auto [key, start] = it->second;
    running.erase(it);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A failure is not fatal here: the trials that need the encoder try again
    // and record the reason as their own.
    const bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
    fmt::print("[encoder {}/{}] {}  {}  ({:.0f} s)\n", ++finished, first_trial.size(), key,
               ok ? "done" : "FAILED (see its log)", secs);
    std::fflush(stdout);
  }
}

}  // namespace

SweepOutcome run_sweep(const std::string& spec_path, const SweepOptions& options) {
  const SweepSpec spec = load_spec(spec_path);
  const std::vector<Trial> trials = expand_trials(spec, options.overrides);
  SweepOutcome outcome;
  outcome.sweep_dir = (fs::path(options.out_dir) / spec.name).string();
  outcome.num_trials = static_cast<int>(trials.size());
  const fs::path runs = fs::path(outcome.sweep_dir) / "runs";

  // The trial table, before anything trains.
  fmt::print("sweep {} ({}): {} trials from {} x {} seeds, base {}\n", spec.name, spec_path,
             trials.size(), trials.size() / spec.seeds.size(), spec.seeds.size(), spec.base);
  fmt::print("{:<12}  {:<44}  {:>4}  {:>8}  {:>6}  {:>9}  {}\n", "id", "config", "seed", "params",
             "tokens", "MFLOP/ex", "state");
  std::vector<bool> skip(trials.size(), false);
  for (size_t i = 0; i < trials.size(); ++i) {
    const auto& t = trials[i];
    skip[i] = trial_done((runs / t.id).string());
    Vlm model(t.config);
    const int64_t params = model->parameter_counts()["total"];
    const double mflops = forward_flops_per_example(model, t.config) / 1e6;
    fmt::print("{:<12}  {:<44}  {:>4}  {:>8}  {:>6}  {:>9.1f}  {}\n", t.id, t.label, t.seed,
               human_count(params), t.num_visual_tokens, mflops,
               skip[i] ? "done (skipped)" : "to run");
    outcome.skipped += skip[i];
  }
  std::fflush(stdout);
  if (options.dry_run) return outcome;

  fs::create_directories(runs);
  write_file_atomic((fs::path(outcome.sweep_dir) / "spec.yaml").string(), read_file(spec_path));
  const int jobs = options.jobs > 0 ? options.jobs : num_cores();
  const int threads = std::max(1, num_cores() / jobs);
  pretrain_encoders(trials, skip, runs, options, jobs);
  fmt::print("running {} trials, {} at a time, {} thread(s) each; logs in {}/<id>/log.txt\n",
             trials.size() - outcome.skipped, jobs, threads, runs.string());
  std::fflush(stdout);

  std::map<pid_t, Running> running;
  size_t next = 0;
  int finished = outcome.skipped;
  const auto sweep_start = std::chrono::steady_clock::now();
  while (true) {
    while (static_cast<int>(running.size()) < jobs && next < trials.size()) {
      const size_t i = next++;
      if (skip[i]) continue;
      const auto& t = trials[i];
      const std::string dir = (runs / t.id).string();
      prepare_run_folder(
          dir, t.config,
          {{"sweep", spec.name}, {"id", t.id}, {"label", t.label}, {"seed", t.seed}});
      write_status(dir, kTrialStateRunning, "queued");
      running[spawn_child(options.ablate_binary,
                          {"run-trial", dir, "--cache", fs::absolute(options.cache_root).string()},
                          (fs::path(dir) / "log.txt").string(), threads)] = {
          i, std::chrono::steady_clock::now()};
    }
    if (running.empty()) break;
    int wstatus = 0;
    auto it = running.find(wait_any_child(wstatus));
    if (it == running.end()) continue;
    const Trial& t = trials[it->second.trial];
    const std::string dir = (runs / t.id).string();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.start).count();
    running.erase(it);
    ++finished;
    std::string result;
    if (trial_done(dir)) {
      ++outcome.done;
      const auto scores = read_json((fs::path(dir) / "scores.json").string());
      result = fmt::format("done    average {:.1f}", scores["metrics"].value("average", 0.0));
    } else {
      ++outcome.failed;
      std::string reason;
      if (WIFSIGNALED(wstatus)) {
        reason = fmt::format("killed by signal {} ({})", WTERMSIG(wstatus),
                             strsignal(WTERMSIG(wstatus)));
      } else {
        reason = fmt::format("process exited with code {}", WEXITSTATUS(wstatus));
      }
      try {
        const auto status = read_json((fs::path(dir) / "status.json").string());
        if (status.value("state", "") == kTrialStateFailed) reason = status.value("reason", reason);
      } catch (const std::exception&) {
      }
      write_status(dir, kTrialStateFailed, reason);
      result = "FAILED  " + reason;
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - sweep_start).count();
    fmt::print("[{}/{}] {}  {} seed {}  {}  ({:.0f} s; sweep {:.0f} s)\n", finished, trials.size(),
               t.id, t.label, t.seed, result, secs, total);
    std::fflush(stdout);
  }
  return outcome;
}

}  // namespace ablate
