#include "sweep/runner.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_set>

#include "core/cpu.h"
#include "core/io.h"
#include "core/process.h"
#include "data/dataset.h"
#include "model/vlm.h"
#include "pretrain/cache.h"
#include "sweep/lock.h"
#include "sweep/slurm.h"
#include "sweep/status.h"
#include "sweep/trial.h"
#include "train/trainer.h"

namespace ablate {
namespace fs = std::filesystem;

namespace {

// trial.json: which sweep trial a run folder holds, and the run folder of
// another sweep it was copied from, if it was. Written whenever the folder is
// made (pre-training included), so that a sweep stopped at any point leaves
// folders that `ablate report` can read.
nlohmann::json trial_record(const Trial& t, const std::string& copied_from = "") {
  nlohmann::json record = {
      {"sweep", t.config.name}, {"id", t.id}, {"label", t.label}, {"seed", t.seed}};
  if (!copied_from.empty()) record["copied_from"] = copied_from;
  return record;
}

std::string human_count(int64_t n) {
  if (n >= 1000000) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1000) return fmt::format("{:.1f}k", n / 1e3);
  return std::to_string(n);
}

// Starts `binary args...` with its output in `log_path` and the thread
// environment of trial_environment(threads).
pid_t spawn_child(const std::string& binary, const std::vector<std::string>& args,
                  const std::string& log_path, int threads) {
  return spawn_process(binary, args, log_path, trial_environment(threads));
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

enum class Plan { done, failed_before, elsewhere, in_slurm, run };

struct PlannedTrial {
  Trial trial;
  std::string dir;
  Plan plan = Plan::run;
  std::string slurm_task;   // in_slurm: e.g. "12_3 PENDING"
  double work = 0;          // training FLOPs: steps x batch x 3 x forward FLOPs per example
  std::string copied_from;  // the done run folder of another sweep it is (to be) a copy of
};

// The done run folder of one of `sweeps` that ran `trial` (same id, and the
// same full config hash, so the same run), or "" when none did.
std::string done_run_of(const Trial& trial, const std::vector<std::string>& sweeps) {
  const std::string hash = config_hash(trial.config);
  for (const auto& sweep : sweeps) {
    const fs::path dir = fs::path(sweep) / "runs" / trial.id;
    if (!trial_done(dir.string())) continue;
    try {
      if (config_hash(load_experiment((dir / "config.yaml").string())) == hash) {
        return dir.string();
      }
    } catch (const ConfigError&) {
      // another version's config: not this trial
    }
  }
  return "";
}

// Where a run folder was copied from, as its trial.json says ("" when it was
// trained here or the file is unreadable).
std::string copied_from_of(const std::string& dir) {
  try {
    return read_json((fs::path(dir) / "trial.json").string()).value("copied_from", "");
  } catch (const std::exception&) {
    return "";
  }
}

// Copies the done run folder `from` to the trial's folder (through a
// temporary folder renamed at the end, so an interrupted copy leaves no half
// trial), with this sweep's config.yaml and trial.json.
void copy_done_run(const std::string& from, const PlannedTrial& t) {
  const fs::path tmp = fs::path(t.dir).parent_path() / ("." + t.trial.id + ".copy");
  fs::remove_all(tmp);
  fs::create_directories(tmp.parent_path());
  fs::copy(from, tmp, fs::copy_options::recursive);
  fs::remove(lock_path(tmp.string()));
  prepare_run_folder(tmp.string(), t.trial.config, trial_record(t.trial, from));
  std::error_code taken;  // another runner made the folder meanwhile: its folder stays
  fs::rename(tmp, t.dir, taken);
  if (taken) fs::remove_all(tmp);
}

// Trains every distinct pre-trained stage (encoder, LM) that the trials to run
// need and the cache lacks, `jobs` at a time, before any trial starts (each
// trial then loads them; the cache's lock would also make concurrent trials
// wait for one another, but with slots held idle).
struct PretrainJob {
  Stage stage;
  size_t trial;  // a trial that needs it
};

// Key -> job of every pre-trained stage that the trials to run need and the
// cache lacks.
std::map<std::string, PretrainJob> missing_stages(const std::vector<PlannedTrial>& trials,
                                                  const std::string& cache_root) {
  std::map<std::string, PretrainJob> missing;
  for (size_t i = 0; i < trials.size(); ++i) {
    const ExperimentConfig& config = trials[i].trial.config;
    if (trials[i].plan != Plan::run) continue;
    for (const Stage stage : {Stage::kEncoder, Stage::kLm}) {
      const std::string key = cache_key(stage, config);
      if (key.empty() || is_cached(stage, config, cache_root)) continue;
      missing.emplace(key, PretrainJob{stage, i});
    }
  }
  return missing;
}

std::string plan_text(const PlannedTrial& t) {
  switch (t.plan) {
    case Plan::done:
      return t.copied_from.empty() ? "done (skipped)"
                                   : fmt::format("done (copied from {})", t.copied_from);
    case Plan::failed_before:
      return "failed (skipped; --retry-failed runs it)";
    case Plan::elsewhere: {
      const auto owner = live_lock_owner(t.dir);
      return owner ? fmt::format("elsewhere ({} pid {})", owner->value("host", "?"),
                                 owner->value("pid", 0))
                   : "elsewhere";
    }
    case Plan::in_slurm:
      return fmt::format("in Slurm ({})", t.slurm_task);
    case Plan::run:
      if (!t.copied_from.empty()) return fmt::format("to copy from {}", t.copied_from);
      return fs::exists(checkpoint_path(t.dir)) ? "to resume" : "to run";
  }
  return "";
}

Plan plan_of(const std::string& dir, bool retry_failed) {
  if (trial_done(dir)) return Plan::done;
  if (live_lock_owner(dir)) return Plan::elsewhere;
  if (trial_state(dir) == kTrialStateFailed && !retry_failed) return Plan::failed_before;
  return Plan::run;
}

// Last line of metrics.jsonl: training step, loss and seconds so far.
struct Latest {
  int step = 0;
  double loss = 0, seconds = 0;
};
std::optional<Latest> latest_metrics(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "metrics.jsonl", std::ios::ate);
  if (!in) return std::nullopt;
  const auto size = static_cast<std::streamoff>(in.tellg());
  in.seekg(std::max<std::streamoff>(0, size - 4096));
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '}') last = line;
  }
  try {
    const auto j = nlohmann::json::parse(last);
    return Latest{j.value("step", 0), j.value("loss", 0.0), j.value("elapsed_seconds", 0.0)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Median seconds of a training step of `config` with `threads` threads,
// measured over a few steps in this process.
double measure_step_seconds(const ExperimentConfig& config, int threads) {
  ExperimentConfig c = config;
  c.train.steps = 4;
  c.train.warmup_steps = 1;
  c.train.log_every = 4;
  // As in a trial process: OpenMP and OpenBLAS pools of `threads` threads
  // (OpenBLAS's own call, when the BLAS in use is OpenBLAS).
  torch::set_num_threads(threads);
  using SetThreads = void (*)(int);
  if (auto set_blas =
          reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set_blas(threads);
  Vlm model(c);
  model->init_weights(0);
  model->to(device_of(c));
  const std::unordered_set<std::string> no_held_out;
  const fs::path metrics =
      fs::temp_directory_path() / fmt::format("ablate-estimate-{}.jsonl", ::getpid());
  const TrainSummary summary = train_model(model, c, TrainStream(c, no_held_out), metrics.string());
  fs::remove(metrics);
  return summary.median_step_seconds;
}

std::string duration_text(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 5400) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Runs the planned trials on this machine and the pre-training they need,
// `jobs` slots of cores/jobs threads at a time: the stages first, then, as
// soon as the stages a trial needs are cached, that trial, so that a sweep
// whose arms pre-train for different times never leaves a slot idle while
// trials could run (a stage with nothing else to run beside it takes the
// free slots' threads). Trials locked by other processes are watched and
// taken over if their owner dies.
class LocalExecutor {
 public:
  LocalExecutor(std::vector<PlannedTrial>& trials, const SweepOptions& options, int jobs,
                SweepOutcome& outcome)
      : trials_(trials), options_(options), jobs_(jobs), outcome_(outcome) {
    threads_ = std::max(1, usable_cores() / jobs);
    tty_ = ::isatty(STDOUT_FILENO);
    for (size_t i = 0; i < trials.size(); ++i) {
      if (trials[i].plan == Plan::run) queue_.push_back(i);
      if (trials[i].plan == Plan::elsewhere) elsewhere_.push_back(i);
    }
    for (const auto& [key, job] : missing_stages(trials, options.cache_root)) {
      stage_queue_.emplace_back(key, job);
      unfinished_stages_.insert(key);
    }
    for (size_t i : queue_) {
      for (const Stage stage : {Stage::kEncoder, Stage::kLm}) {
        const std::string key = cache_key(stage, trials[i].trial.config);
        if (unfinished_stages_.count(key)) needs_[i].push_back(key);
      }
    }
    stages_total_ = static_cast<int>(stage_queue_.size());
  }

  void run() {
    start_ = std::chrono::steady_clock::now();
    auto last_poll = start_, last_line = start_;
    if (stages_total_ > 0) {
      fmt::print(
          "pre-training {} stage(s) (encoders, LMs), each trial once its own are cached; logs in "
          "{}/<encoders|lms>/<key>.log\n",
          stages_total_, options_.cache_root);
      std::fflush(stdout);
    }
    while (!stage_queue_.empty() || !stages_running_.empty() || !queue_.empty() ||
           !running_.empty() || !elsewhere_.empty()) {
      start_what_fits();
      reap_children();
      if (seconds_since(last_poll) >= options_.poll_seconds) {
        poll_elsewhere();
        last_poll = std::chrono::steady_clock::now();
      }
      if (tty_ || seconds_since(last_line) >= 60) {
        show_progress();
        last_line = std::chrono::steady_clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    clear_progress();
  }

 private:
  struct Child {
    size_t trial;
    std::chrono::steady_clock::time_point start;
  };
  struct StageChild {
    std::string key;
    std::chrono::steady_clock::time_point start;
    int slots;
    std::string dir;  // pretraining_dir: where its metrics.jsonl grows
    int steps;
  };

  int free_slots() const {
    int busy = static_cast<int>(running_.size());
    for (const auto& [pid, child] : stages_running_) busy += child.slots;
    return jobs_ - busy;
  }

  bool ready(size_t i) const {
    const auto it = needs_.find(i);
    if (it == needs_.end()) return true;
    return std::none_of(it->second.begin(), it->second.end(),
                        [&](const std::string& key) { return unfinished_stages_.count(key); });
  }

  size_t ready_trials() const {
    return std::count_if(queue_.begin(), queue_.end(), [&](size_t i) { return ready(i); });
  }

  void start_what_fits() {
    while (free_slots() > 0) {
      if (!stage_queue_.empty()) {
        start_stage();
        continue;
      }
      const auto next =
          std::find_if(queue_.begin(), queue_.end(), [&](size_t i) { return ready(i); });
      if (next == queue_.end()) return;
      const size_t i = *next;
      queue_.erase(next);
      start_trial(i);
    }
  }

  void start_stage() {
    const auto [key, job] = stage_queue_.front();
    stage_queue_.pop_front();
    // The free slots nothing else can use now go to this stage's threads.
    const int others = static_cast<int>(stage_queue_.size() + ready_trials());
    const int slots = 1 + std::max(0, free_slots() - 1 - others);
    const PlannedTrial& t = trials_[job.trial];
    const std::string config = (fs::path(t.dir) / "config.yaml").string();
    const std::string cache_root = fs::absolute(options_.cache_root).string();
    prepare_run_folder(t.dir, t.trial.config, trial_record(t.trial));
    const std::string entry = entry_dir(job.stage, cache_root, key);
    fs::create_directories(fs::path(entry).parent_path());
    const pid_t pid =
        spawn_child(options_.ablate_binary,
                    {"pretrain", config, "--stage", stage_name(job.stage), "--cache", cache_root},
                    entry + ".log", slots * threads_);
    const ExperimentConfig& c = t.trial.config;
    stages_running_[pid] = {
        key, std::chrono::steady_clock::now(), slots,
        pretraining_dir(job.stage, cache_root, key, pid),
        job.stage == Stage::kEncoder ? c.encoder.pretrain.steps : c.lm.pretrain.steps};
  }

  // A failure is not fatal here: the trials that need the stage try again
  // and record the reason as their own.
  void stage_finished(const StageChild& child, int wstatus) {
    unfinished_stages_.erase(child.key);
    const bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
    clear_progress();
    fmt::print("[pretrain {}/{}] {}  {}  ({:.0f} s)\n", ++stages_finished_, stages_total_,
               child.key, ok ? "done" : "FAILED (see its log)", seconds_since(child.start));
    std::fflush(stdout);
  }

  void start_trial(size_t i) {
    const auto& t = trials_[i];
    // Another runner may have taken or finished it since it was planned.
    switch (plan_of(t.dir, options_.retry_failed)) {
      case Plan::done:
        ++outcome_.done_elsewhere;
        event(i, "done elsewhere");
        return;
      case Plan::failed_before:
        ++outcome_.failed_elsewhere;
        event(i, "FAILED elsewhere (see its status.json)");
        return;
      case Plan::elsewhere:
        elsewhere_.push_back(i);
        return;
      default:
        break;
    }
    // config.yaml and trial.json are the same for every runner: rewriting
    // them is harmless; status.json belongs to whoever holds the lock.
    prepare_run_folder(t.dir, t.trial.config, trial_record(t.trial));
    const pid_t pid =
        spawn_child(options_.ablate_binary,
                    {"run-trial", t.dir, "--cache", fs::absolute(options_.cache_root).string()},
                    (fs::path(t.dir) / "log.txt").string(), threads_);
    running_[pid] = {i, std::chrono::steady_clock::now()};
  }

  void reap_children() {
    while (!running_.empty() || !stages_running_.empty()) {
      int wstatus = 0;
      const pid_t pid = ::waitpid(-1, &wstatus, WNOHANG);
      if (pid == 0) return;
      if (pid < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(fmt::format("waitpid: {}", std::strerror(errno)));
      }
      if (const auto stage = stages_running_.find(pid); stage != stages_running_.end()) {
        const StageChild child = stage->second;
        stages_running_.erase(stage);
        stage_finished(child, wstatus);
        continue;
      }
      const auto it = running_.find(pid);
      if (it == running_.end()) continue;
      const Child child = it->second;
      running_.erase(it);
      finished(child, wstatus);
    }
  }

  void finished(const Child& child, int wstatus) {
    const auto& t = trials_[child.trial];
    const double secs = seconds_since(child.start);
    const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    if (code == kExitTrialBusy) {
      // Another process took the lock first: watch it like the others.
      elsewhere_.push_back(child.trial);
      event(child.trial, "taken by another process; waiting for it");
      return;
    }
    if (code == kExitTrialAlreadyDone) {
      ++outcome_.done_elsewhere;
      event(child.trial, "done elsewhere");
      return;
    }
    if (trial_done(t.dir)) {
      ++outcome_.done;
      measured_work_ += t.work;
      measured_seconds_ += secs;
      const auto scores = read_json((fs::path(t.dir) / "scores.json").string());
      event(child.trial, fmt::format("done    average {:.1f}  ({:.0f} s)",
                                     scores["metrics"].value("average", 0.0), secs));
      return;
    }
    ++outcome_.failed;
    std::string reason = WIFSIGNALED(wstatus)
                             ? fmt::format("killed by signal {} ({})", WTERMSIG(wstatus),
                                           strsignal(WTERMSIG(wstatus)))
                             : fmt::format("process exited with code {}", WEXITSTATUS(wstatus));
    if (trial_state(t.dir) == kTrialStateFailed) {
      // The trial recorded its own reason (non-finite loss, an exception).
      try {
        reason = read_json((fs::path(t.dir) / "status.json").string()).value("reason", reason);
      } catch (const std::exception&) {
      }
    }
    write_status(t.dir, kTrialStateFailed, reason);
    event(child.trial, fmt::format("FAILED  {}  ({:.0f} s)", reason, secs));
  }

  // A trial run elsewhere is finished when its lock is gone: done, failed,
  // or abandoned by a dead owner (then it is run here, from its checkpoint).
  void poll_elsewhere() {
    for (auto it = elsewhere_.begin(); it != elsewhere_.end();) {
      const auto& t = trials_[*it];
      if (live_lock_owner(t.dir)) {
        ++it;
        continue;
      }
      if (trial_done(t.dir)) {
        ++outcome_.done_elsewhere;
        event(*it, "done elsewhere");
      } else if (trial_state(t.dir) == kTrialStateFailed) {
        ++outcome_.failed_elsewhere;
        event(*it, "FAILED elsewhere (see its status.json)");
      } else {
        queue_.push_front(*it);
        event(*it, "abandoned by its owner; resuming it here");
      }
      it = elsewhere_.erase(it);
    }
  }

  int finished_count() const {
    return outcome_.skipped + outcome_.failed_before + outcome_.done + outcome_.failed +
           outcome_.done_elsewhere + outcome_.failed_elsewhere;
  }

  void event(size_t i, const std::string& what) {
    clear_progress();
    const auto& t = trials_[i].trial;
    const bool counted = what.rfind("done", 0) == 0 || what.rfind("FAILED", 0) == 0;
    fmt::print("[{}{}/{}] {}  {} seed {}  {}\n", counted ? "" : "-", finished_count(),
               trials_.size(), t.id, t.label, t.seed, what);
    std::fflush(stdout);
  }

  // Seconds per unit of work, measured: whole trials (spawn, training,
  // evaluation) once some are done, else the running trials' training.
  std::optional<double> seconds_per_work(
      const std::vector<std::pair<size_t, std::optional<Latest>>>& now) const {
    if (measured_work_ > 0) return measured_seconds_ / measured_work_;
    double work = 0, seconds = 0;
    for (const auto& [i, latest] : now) {
      if (!latest || latest->step == 0) continue;
      work += trials_[i].work * latest->step / trials_[i].trial.config.train.steps;
      seconds += latest->seconds;
    }
    if (work <= 0) return std::nullopt;
    return seconds / work;
  }

  void show_progress() {
    std::vector<std::pair<size_t, std::optional<Latest>>> now;
    for (const auto& [pid, child] : running_)
      now.emplace_back(child.trial, latest_metrics(trials_[child.trial].dir));
    std::string line = fmt::format(
        "{}/{} finished ({} failed), {} running, {} elsewhere", finished_count(), trials_.size(),
        outcome_.failed + outcome_.failed_elsewhere, running_.size(), elsewhere_.size());
    if (!stages_running_.empty() || !stage_queue_.empty()) {
      line += fmt::format(", pre-training {} of {} stage(s) left",
                          stages_running_.size() + stage_queue_.size(), stages_total_);
    }
    for (const auto& [pid, stage] : stages_running_) {
      const auto latest = latest_metrics(stage.dir);
      line += latest ? fmt::format(" | {} step {}/{} loss {:.3f}", stage.key, latest->step,
                                   stage.steps, latest->loss)
                     : fmt::format(" | {} starting", stage.key);
    }
    for (const auto& [i, latest] : now) {
      const auto& t = trials_[i].trial;
      line += latest ? fmt::format(" | {} step {}/{} loss {:.3f}", t.id.substr(0, 6), latest->step,
                                   t.config.train.steps, latest->loss)
                     : fmt::format(" | {} starting", t.id.substr(0, 6));
    }
    if (const auto rate = seconds_per_work(now)) {
      double remaining = 0;
      for (size_t i : queue_) remaining += trials_[i].work;
      for (const auto& [i, latest] : now) {
        const double done = latest ? double(latest->step) / trials_[i].trial.config.train.steps : 0;
        remaining += trials_[i].work * (1 - done);
      }
      line += fmt::format(" | ETA {}", duration_text(remaining * *rate / jobs_));
    }
    line += fmt::format(" | elapsed {}", duration_text(seconds_since(start_)));
    if (tty_) {
      // One line that fits the terminal, redrawn in place.
      winsize size{};
      if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 10 &&
          line.size() >= size.ws_col) {
        line = line.substr(0, size.ws_col - 4) + "...";
      }
      fmt::print("\r\033[K{}", line);
      shown_ = true;
    } else {
      fmt::print("{}\n", line);
    }
    std::fflush(stdout);
  }

  void clear_progress() {
    if (!shown_) return;
    fmt::print("\r\033[K");
    shown_ = false;
  }

  std::vector<PlannedTrial>& trials_;
  const SweepOptions& options_;
  int jobs_, threads_;
  SweepOutcome& outcome_;
  bool tty_ = false, shown_ = false;
  std::deque<size_t> queue_;
  std::list<size_t> elsewhere_;
  std::map<pid_t, Child> running_;
  std::deque<std::pair<std::string, PretrainJob>> stage_queue_;  // key, job
  std::set<std::string> unfinished_stages_;                      // queued or running
  std::map<size_t, std::vector<std::string>> needs_;             // trial -> its unfinished stages
  std::map<pid_t, StageChild> stages_running_;
  int stages_total_ = 0, stages_finished_ = 0;
  std::chrono::steady_clock::time_point start_;
  double measured_work_ = 0, measured_seconds_ = 0;
};

}  // namespace

// Submits the trials to run as one job array; with options.wait, follows
// the sweep folder until nothing is pending or running.
SweepOutcome run_on_slurm(const SweepSpec& spec, const std::string& spec_path,
                          const std::vector<PlannedTrial>& trials, const SweepOptions& options,
                          SweepOutcome& outcome) {
  SlurmSubmitOptions submit;
  submit.settings = spec.slurm;
  const SlurmSettings& cli = options.slurm;
  if (!cli.partition.empty()) submit.settings.partition = cli.partition;
  if (!cli.time.empty()) submit.settings.time = cli.time;
  if (!cli.mem.empty()) submit.settings.mem = cli.mem;
  if (cli.cpus > 0) submit.settings.cpus = cli.cpus;
  if (cli.gpus > 0) submit.settings.gpus = cli.gpus;
  submit.max_parallel = options.jobs;
  submit.ablate_binary = options.ablate_binary;
  submit.cache_root = fs::absolute(options.cache_root).string();
  std::vector<Trial> to_submit;
  for (const auto& p : trials) {
    if (p.plan == Plan::run) to_submit.push_back(p.trial);
  }
  if (options.dry_run) {
    if (!to_submit.empty()) {
      fmt::print("would submit {} trials as one job array with this batch script:\n{}",
                 to_submit.size(),
                 slurm_batch_script(outcome.sweep_dir, 0, submit, to_submit.size()));
    }
    return outcome;
  }
  require_slurm_tools();
  fs::create_directories(fs::path(outcome.sweep_dir) / "runs");
  write_file_atomic((fs::path(outcome.sweep_dir) / "spec.yaml").string(), read_file(spec_path));
  if (!to_submit.empty()) {
    for (const auto& t : to_submit) {
      prepare_run_folder((fs::path(outcome.sweep_dir) / "runs" / t.id).string(), t.config,
                         trial_record(t));
    }
    // Stages to pre-train: a job array of their own that the trials wait for
    // (afterany: a failed pre-training leaves the trials to try again and
    // record the reason as their own).
    std::vector<SlurmPretrainTask> pretrain;
    for (const auto& [key, job] : missing_stages(trials, options.cache_root)) {
      pretrain.push_back(
          {(fs::path(trials[job.trial].dir) / "config.yaml").string(), stage_name(job.stage), key});
    }
    if (!pretrain.empty()) {
      submit.dependency = submit_slurm_pretrain(outcome.sweep_dir, pretrain, submit);
      fmt::print(
          "submitted {} pre-training task(s) as Slurm job array {}; the trials wait for it\n",
          pretrain.size(), submit.dependency);
    }
    outcome.slurm_job = submit_slurm_array(outcome.sweep_dir, to_submit, submit);
    fmt::print("submitted {} trials as Slurm job array {} (script {}/slurm/array-*.sbatch)\n",
               to_submit.size(), outcome.slurm_job, outcome.sweep_dir);
  } else {
    fmt::print("nothing to submit\n");
  }
  std::fflush(stdout);
  if (!options.wait) {
    const auto status = read_sweep_status(outcome.sweep_dir);
    outcome.finished = status.count("pending") + status.count("running") == 0;
    outcome.done = status.count("done") - outcome.skipped;
    outcome.failed = status.count("failed");
    return outcome;
  }
  // Slurm's own `sbatch --wait` polls slowly; the queue and the folders are
  // read here every poll_seconds.
  std::string last;
  auto last_print = std::chrono::steady_clock::now();
  const auto start = last_print;
  while (true) {
    const auto status = read_sweep_status(outcome.sweep_dir);
    const std::string line =
        fmt::format("{} done, {} failed, {} running, {} pending", status.count("done"),
                    status.count("failed"), status.count("running"), status.count("pending"));
    if (line != last || seconds_since(last_print) >= 60) {
      fmt::print("[{}] {}\n", duration_text(seconds_since(start)), line);
      std::fflush(stdout);
      last = line;
      last_print = std::chrono::steady_clock::now();
    }
    if (status.count("pending") + status.count("running") == 0) {
      outcome.done = status.count("done") - outcome.skipped;
      outcome.failed = status.count("failed") - outcome.failed_before;
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(options.poll_seconds));
  }
}

SweepOutcome run_sweep(const std::string& spec_path, const SweepOptions& options) {
  const SweepSpec spec = load_spec(spec_path);
  SweepOutcome outcome;
  outcome.sweep_dir = (fs::path(options.out_dir) / spec.name).string();
  const fs::path runs = fs::path(outcome.sweep_dir) / "runs";
  std::vector<PlannedTrial> trials;
  for (auto& t : expand_trials(spec, options.overrides)) {
    PlannedTrial p;
    p.dir = (runs / t.id).string();
    p.trial = std::move(t);
    trials.push_back(std::move(p));
  }
  outcome.num_trials = static_cast<int>(trials.size());

  // Trials that other sweeps finished are copied, not trained (a dry run only
  // says which would be).
  for (const auto& sweep : options.reuse_from) {
    if (!fs::is_directory(fs::path(sweep) / "runs")) {
      throw RunFolderError(fmt::format(
          "--reuse {}: no runs/ folder; expected a sweep folder such as sweeps/smoke", sweep));
    }
  }
  if (!options.reuse_from.empty()) {
    for (auto& p : trials) {
      if (fs::exists(p.dir)) continue;
      p.copied_from = done_run_of(p.trial, options.reuse_from);
      if (!p.copied_from.empty() && !options.dry_run) copy_done_run(p.copied_from, p);
    }
  }

  // The trial table, before anything trains.
  const int jobs = options.jobs > 0 ? options.jobs : usable_cores();
  const int threads = std::max(1, usable_cores() / jobs);
  const std::string set = set_summary(spec);
  fmt::print("sweep {} ({}): {} trials, base {}{}\n", spec.name, spec_path, trials.size(),
             spec.base, set.empty() ? "" : ", set " + set);
  fmt::print("{:<12}  {:<44}  {:>4}  {:>7}  {:>6}  {:>7}  {:>9}  {:>9}  {}\n", "id", "config",
             "seed", "params", "tokens", "steps", "TFLOP", options.dry_run ? "est.train" : "",
             "state");
  std::map<std::string, double> step_seconds;  // per architecture and batch, dry run only
  double estimated = 0, longest = 0;  // seconds of the trials to run: all, the longest
  std::map<std::string, SlurmTask> in_slurm;
  if (options.executor == "slurm" && fs::exists(outcome.sweep_dir)) {
    in_slurm = slurm_tasks(outcome.sweep_dir);
  }
  for (auto& p : trials) {
    const Trial& t = p.trial;
    p.plan = plan_of(p.dir, options.retry_failed);
    // A done copy made by an earlier run says so; a copy that is no longer
    // done (a corrupt file) is trained here like any other trial.
    if (p.plan == Plan::done && p.copied_from.empty()) p.copied_from = copied_from_of(p.dir);
    const auto task = in_slurm.find(t.id);
    if ((p.plan == Plan::run || p.plan == Plan::failed_before) && task != in_slurm.end() &&
        task->second.active) {
      p.plan = Plan::in_slurm;
      p.slurm_task = task->second.job + " " + task->second.state;
    }
    p.work = training_flops(t);
    std::string estimate;
    if (options.dry_run) {
      ExperimentConfig shape = t.config;
      shape.seed = 0;
      shape.train.steps = 1;
      const std::string key = config_hash(shape);
      if (!step_seconds.count(key)) step_seconds[key] = measure_step_seconds(t.config, threads);
      const double secs = step_seconds[key] * t.config.train.steps;
      if (p.plan == Plan::run && p.copied_from.empty()) {
        estimated += secs;
        longest = std::max(longest, secs);
      }
      estimate = duration_text(secs);
    }
    fmt::print("{:<12}  {:<44}  {:>4}  {:>7}  {:>6}  {:>7}  {:>9.2f}  {:>9}  {}\n", t.id, t.label,
               t.seed, human_count(t.parameters), t.num_visual_tokens, t.config.train.steps,
               p.work / 1e12, estimate, plan_text(p));
    outcome.skipped += p.plan == Plan::done;
    outcome.failed_before += p.plan == Plan::failed_before;
  }
  if (options.dry_run) {
    fmt::print(
        "estimated training time of the trials to run: {} with {} trial(s) at a time, {} "
        "thread(s) each (step times measured here over a few steps; evaluation not "
        "included)\n",
        duration_text(std::max(estimated / jobs, longest)), jobs, threads);
  }
  std::fflush(stdout);
  if (options.dry_run && options.executor != "slurm") return outcome;
  // A done trial is named as the spec now names it (an axis renamed or made
  // named values keeps every config and id, so nothing re-runs), so that the
  // report groups it with the trials run under the new spec.
  if (!options.dry_run) {
    for (const auto& t : trials) {
      if (t.plan == Plan::done) {
        write_json_atomic((fs::path(t.dir) / "trial.json").string(),
                          trial_record(t.trial, t.copied_from));
      }
    }
  }
  if (options.executor == "slurm") return run_on_slurm(spec, spec_path, trials, options, outcome);

  fs::create_directories(runs);
  write_file_atomic((fs::path(outcome.sweep_dir) / "spec.yaml").string(), read_file(spec_path));
  const auto to_run = std::count_if(trials.begin(), trials.end(),
                                    [](const PlannedTrial& p) { return p.plan == Plan::run; });
  fmt::print("running {} trials, {} at a time, {} thread(s) each; logs in {}/<id>/log.txt\n",
             to_run, jobs, threads, runs.string());
  std::fflush(stdout);
  LocalExecutor(trials, options, jobs, outcome).run();
  return outcome;
}

}  // namespace ablate
