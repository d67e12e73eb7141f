// The sweep runner under interruption and contention, through the real
// `ablate` binary: killed at random moments and resumed, two runners on one
// sweep folder, trials started while another arm pre-trains, a diverging
// trial isolated and retried.
#include <fcntl.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "core/io.h"
#include "eval/evaluate.h"
#include "sweep/spec.h"
#include "sweep/sweep_util.h"
#include "sweep/trial.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const char* kSpec =
    "name: tiny\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  connector.type: [avg_pool, attn_pool]\n";

// Long enough (about 2 s of training a trial, after 0.6 s of start-up) for
// kills to land inside training; a checkpoint every step, so that many kills
// land near a write.
constexpr int kSteps = 300;
ExperimentConfig resumable_config() {
  auto c = testing::tiny_config();
  c.train.steps = kSteps;
  c.train.checkpoint_every = 1;
  c.train.log_every = 10;
  return c;
}

// `ablate sweep` in a process group of its own (so that it and its trials
// can be killed at once), output appended to `log`.
pid_t start_sweep(const std::string& spec, const std::string& out, const std::string& log,
                  const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {ABLATE_BINARY, "sweep", spec, "--out", out, "--jobs", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Per trial id: the score card's metrics and the (step, loss) curve.
struct TrialRecord {
  nlohmann::json metrics;
  std::vector<std::pair<int, double>> curve;
  int resumed_from_step = 0;
};

std::map<std::string, TrialRecord> records(const std::string& sweep_dir) {
  std::map<std::string, TrialRecord> out;
  for (const auto& e : fs::directory_iterator(sweep_dir + "/runs")) {
    const std::string dir = e.path().string();
    TrialRecord r;
    if (trial_done(dir)) {
      const auto scores = read_json(dir + "/scores.json");
      r.metrics = scores["metrics"];
      r.resumed_from_step = scores["train"]["resumed_from_step"].get<int>();
    }
    std::istringstream lines(read_file(dir + "/metrics.jsonl"));
    std::string line;
    while (std::getline(lines, line)) {
      const auto j = nlohmann::json::parse(line);
      r.curve.emplace_back(j["step"].get<int>(), j["loss"].get<double>());
    }
    out[e.path().filename().string()] = r;
  }
  return out;
}

// Training steps logged so far by the trials of a runs/ folder.
int logged_steps(const std::string& runs) {
  int steps = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(runs, ec)) {
    std::ifstream in(e.path() / "metrics.jsonl");
    std::string line, last;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '}') last = line;
    }
    if (!last.empty()) steps += nlohmann::json::parse(last).value("step", 0);
  }
  return steps;
}

TEST(SweepResume, KilledAtRandomMomentsAndResumedGivesTheUninterruptedScores) {
  ScratchDir dir;
  const auto spec = testing::write_spec(dir, kSpec, resumable_config());
  ASSERT_EQ(wait_exit_code(start_sweep(spec, dir.file("reference"), dir.file("reference.log"))), 0)
      << read_file(dir.file("reference.log"));
  const auto reference = records(dir.file("reference/tiny"));
  ASSERT_EQ(reference.size(), 4u);

  // Kill the runner and its trials (SIGKILL to the process group): twice at
  // random moments of start-up, then at random points of training progress
  // (fractions of all trials' steps; a checkpoint is being written at most
  // moments, and the metrics are appended every 10 steps).
  std::mt19937 rng(20261124);
  const std::string log = dir.file("killed.log");
  const std::string killed = dir.file("killed/tiny/runs");
  auto kill_group = [](pid_t pid) {
    ::kill(-pid, SIGKILL);
    wait_exit_code(pid);
  };
  for (int k = 0; k < 2; ++k) {
    const pid_t pid = start_sweep(spec, dir.file("killed"), log);
    std::this_thread::sleep_for(
        std::chrono::duration<double>(std::uniform_real_distribution<double>(0.05, 1.0)(rng)));
    kill_group(pid);
  }
  std::vector<double> fractions(5);
  for (auto& f : fractions) f = std::uniform_real_distribution<double>(0.05, 0.95)(rng);
  std::sort(fractions.begin(), fractions.end());
  for (const double fraction : fractions) {
    const pid_t pid = start_sweep(spec, dir.file("killed"), log);
    while (logged_steps(killed) < fraction * 4 * kSteps && ::waitpid(pid, nullptr, WNOHANG) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill_group(pid);
  }
  auto leftovers = [&] {  // temporary files of atomic writes cut short
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir.file("killed"))) {
      n += e.path().filename().string().find(".tmp.") != std::string::npos;
    }
    return n;
  };
  std::cout << "kills at training fractions " << fmt::format("{:.2f}", fmt::join(fractions, " "))
            << "; " << leftovers() << " file(s) left half-written\n";
  // Writes cut short are rare at random moments (a checkpoint of this model
  // takes well under a millisecond): make sure one unfinished trial has both
  // kinds, a half line at the end of metrics.jsonl and a half-written
  // checkpoint beside the last complete one.
  for (const auto& e : fs::directory_iterator(killed)) {
    const std::string run = e.path().string();
    if (trial_done(run) || !fs::exists(checkpoint_path(run))) continue;
    std::ofstream(run + "/metrics.jsonl", std::ios::app) << "{\"elapsed_seconds\":1.2,\"gra";
    const std::string bytes = read_file(checkpoint_path(run));
    std::ofstream(checkpoint_path(run) + ".tmp.999999") << bytes.substr(0, bytes.size() / 2);
    break;
  }
  ASSERT_GT(leftovers(), 0) << "no unfinished trial left by the kills";
  ASSERT_EQ(wait_exit_code(start_sweep(spec, dir.file("killed"), log)), 0) << read_file(log);

  const auto resumed = records(dir.file("killed/tiny"));
  ASSERT_EQ(resumed.size(), reference.size()) << "no trial lost, none added";
  int resumed_midway = 0;
  for (const auto& [id, ref] : reference) {
    ASSERT_TRUE(resumed.count(id)) << id;
    const auto& r = resumed.at(id);
    EXPECT_EQ(r.metrics, ref.metrics) << id << " scores differ after resuming";
    // Each logged step once, losses equal: nothing trained twice or skipped.
    EXPECT_EQ(r.curve, ref.curve) << id;
    resumed_midway += r.resumed_from_step > 0 && r.resumed_from_step < kSteps;
  }
  EXPECT_GT(resumed_midway, 0) << "no kill landed inside training:\n" << read_file(log);
  EXPECT_EQ(leftovers(), 0);
  for (const auto& e : fs::recursive_directory_iterator(dir.file("killed"))) {
    EXPECT_NE(e.path().filename(), "lock") << "a lock outlived its owner: " << e.path();
  }
}

TEST(SweepResume, TwoRunnersOnOneSweepTrainEachTrialOnce) {
  ScratchDir dir;
  const auto spec = testing::write_spec(dir, kSpec, resumable_config());
  const pid_t a = start_sweep(spec, dir.file("s"), dir.file("a.log"));
  const pid_t b = start_sweep(spec, dir.file("s"), dir.file("b.log"));
  EXPECT_EQ(wait_exit_code(a), 0) << read_file(dir.file("a.log"));
  EXPECT_EQ(wait_exit_code(b), 0) << read_file(dir.file("b.log"));
  const std::string both = read_file(dir.file("a.log")) + read_file(dir.file("b.log"));
  const auto trained = records(dir.file("s/tiny"));
  ASSERT_EQ(trained.size(), 4u);
  for (const auto& [id, r] : trained) {
    EXPECT_FALSE(r.metrics.is_null()) << id << " not done";
    EXPECT_EQ(r.resumed_from_step, 0) << id << " was taken over";
    // Trained (done with an average) by exactly one of the two runners.
    const std::regex done_here(id + " .* done    average");
    EXPECT_EQ(std::distance(std::sregex_iterator(both.begin(), both.end(), done_here),
                            std::sregex_iterator()),
              1)
        << id << "\n"
        << both;
  }
}

TEST(SweepResume, StoppedWhilePretrainingLeavesFoldersTheReportReads) {
  // A pre-training long enough to be killed in: the run folder it was
  // prepared in must already say which trial it is.
  ScratchDir dir;
  auto c = testing::tiny_pretrain("clip");
  c.encoder.pretrain.steps = 100000;
  const auto spec = testing::write_spec(dir, kSpec, c);
  const pid_t pid =
      start_sweep(spec, dir.file("s"), dir.file("s.log"), {"--cache", dir.file("cache")});
  const fs::path runs = dir.file("s/tiny/runs");
  auto prepared = [&] {
    if (!fs::exists(runs)) return false;
    for (const auto& e : fs::directory_iterator(runs)) {
      if (fs::exists(e.path() / "config.yaml")) return true;
    }
    return false;
  };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!prepared() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(prepared()) << read_file(dir.file("s.log"));
  ::kill(-pid, SIGKILL);
  wait_exit_code(pid);
  const auto report =
      testing::run_command(fmt::format("{} report {}", ABLATE_BINARY, dir.file("s/tiny")));
  EXPECT_EQ(report.output.find("unreadable"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("No finished trials yet"), std::string::npos) << report.output;
  for (const auto& e : fs::directory_iterator(runs)) {
    EXPECT_EQ(read_json((e.path() / "trial.json").string())["id"], e.path().filename().string());
  }
}

TEST(SweepResume, ATrialStartsOnceItsOwnStagesAreCachedWhileAnotherPretrains) {
  // Two encoders: one pre-trains in 2 steps, the other in 100,000 (far longer
  // than this test waits). The quick arm's trial must finish meanwhile.
  ScratchDir dir;
  const auto spec = testing::write_spec(dir,
                                        "name: tiny\nbase: base.yaml\nseeds: [0]\naxes:\n"
                                        "  encoder.pretrain.steps: [2, 100000]\n",
                                        testing::tiny_pretrain("clip"));
  const pid_t pid =
      start_sweep(spec, dir.file("s"), dir.file("s.log"), {"--cache", dir.file("cache")});
  const fs::path runs = dir.file("s/tiny/runs");
  const std::string quick_done = "encoder.pretrain.steps=2 seed 0  done";
  auto log_text = [&] { return fs::exists(dir.file("s.log")) ? read_file(dir.file("s.log")) : ""; };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (log_text().find(quick_done) == std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string log = log_text();
  ::kill(-pid, SIGKILL);
  wait_exit_code(pid);
  ASSERT_NE(log.find(quick_done), std::string::npos) << log;
  int done = 0;
  for (const auto& e : fs::directory_iterator(runs)) done += trial_done(e.path().string());
  EXPECT_EQ(done, 1);
  EXPECT_NE(log.find("pre-training 2 stage(s)"), std::string::npos) << log;
  EXPECT_NE(log.find("[pretrain 1/2]"), std::string::npos) << log;
  EXPECT_EQ(log.find("[pretrain 2/2]"), std::string::npos) << log;
}

TEST(SweepResume, DivergingTrialIsIsolatedAndRetriedOnRequest) {
  ScratchDir dir;
  const auto spec = testing::write_spec(dir, kSpec);
  const auto trials = expand_trials(load_spec(spec), {});
  const std::string sweep_dir = dir.file("s/tiny");
  const std::string victim = sweep_dir + "/runs/" + trials[1].id;
  testing::plant_diverged_checkpoint(trials[1].config, victim);

  const std::string cmd =
      fmt::format("{} sweep {} --out {} --jobs 2", ABLATE_BINARY, spec, dir.file("s"));
  auto r = testing::run_command(cmd);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(trials[1].id + " .* to resume\n")))
      << r.output;
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex("FAILED  non-finite loss \\(-?nan\\) at step 1")))
      << r.output;
  EXPECT_NE(r.output.find("1 of 4 trials failed"), std::string::npos) << r.output;
  for (size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trial_state(sweep_dir + "/runs/" + trials[i].id), i == 1 ? "failed" : "done");
  }
  EXPECT_NE(r.output.find("| rank | config"), std::string::npos) << "the others are reported";

  // Not retried by default; retried on request (and fails again: the same
  // checkpoint, the same data).
  r = testing::run_command(cmd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("failed (skipped; --retry-failed runs it)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("running 0 trials"), std::string::npos) << r.output;
  const auto failed_by = read_json(victim + "/status.json")["pid"];
  r = testing::run_command(cmd + " --retry-failed");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("running 1 trials"), std::string::npos) << r.output;
  EXPECT_NE(read_json(victim + "/status.json")["pid"], failed_by);

  // With the diverged checkpoint gone, a retry trains it from the start.
  fs::remove(checkpoint_path(victim));
  r = testing::run_command(cmd + " --retry-failed");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(trial_done(victim));
}

}  // namespace
}  // namespace ablate
