// The Slurm executor against a real single-node Slurm started by
// scripts/local-slurm.sh (needs root and the Debian packages slurmctld
// slurmd slurm-client munge, which scripts/install-deps.sh installs).
#include "sweep/slurm.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/io.h"
#include "core/process.h"
#include "sweep/spec.h"
#include "sweep/sweep_util.h"
#include "sweep/trial.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

// Starts a cluster of its own (own folder and ports) and stops it, by pid.
class LocalSlurm {
 public:
  explicit LocalSlurm(const std::string& dir) : dir_(dir) {
    // Two ports per pid, so that ctest's parallel test processes (often of
    // consecutive pids) never share one: 20000 + 2 (pid mod 10000), and + 1.
    const int port = 20000 + 2 * (::getpid() % 10000);
    ::setenv("ABLATE_SLURMCTLD_PORT", std::to_string(port).c_str(), 1);
    ::setenv("ABLATE_SLURMD_PORT", std::to_string(port + 1).c_str(), 1);
    const auto r =
        run_process({std::string(ABLATE_SOURCE_DIR) + "/scripts/local-slurm.sh", "start", dir_});
    started_ = r.exit_code == 0;
    error_ = r.out + r.err;
    if (started_) ::setenv("SLURM_CONF", (dir_ + "/slurm.conf").c_str(), 1);
  }
  ~LocalSlurm() {
    run_process({std::string(ABLATE_SOURCE_DIR) + "/scripts/local-slurm.sh", "stop", dir_});
    ::unsetenv("SLURM_CONF");
  }
  bool started() const { return started_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool started_ = false;
  std::string error_;
};

bool slurm_installed() {
  for (const char* tool : {"sbatch", "slurmctld", "slurmd", "munged"}) {
    if (run_process({"sh", "-c", std::string("command -v ") + tool}).exit_code != 0) return false;
  }
  return true;
}

size_t submissions(const std::string& sweep_dir) {
  return read_json(sweep_dir + "/slurm/submissions.json").size();
}

TEST(SlurmExecutor, RunsASweepAsAJobArrayRecordsFailuresAndRetriesThem) {
  if (::getuid() != 0 || !slurm_installed()) {
    GTEST_SKIP() << "needs root and slurmctld slurmd slurm-client munge (scripts/install-deps.sh)";
  }
  ScratchDir dir;
  LocalSlurm slurm(dir.file("cluster"));
  ASSERT_TRUE(slurm.started()) << slurm.error();

  const auto spec = testing::write_spec(
      dir,
      "name: tiny\nbase: base.yaml\nseeds: [0, 1]\naxes:\n  connector.type: [avg_pool, "
      "attn_pool]\nslurm: {cpus: 1, mem: 1G}\n");
  const auto trials = expand_trials(load_spec(spec), {});
  const std::string sweep_dir = dir.file("s/tiny");
  const std::string victim = sweep_dir + "/runs/" + trials[1].id;
  testing::plant_diverged_checkpoint(trials[1].config, victim);
  const std::string base_command =
      fmt::format("{} sweep {} --out {} --executor slurm", ABLATE_BINARY, spec, dir.file("s"));
  const std::string sweep = base_command + " --jobs 2";

  // Submitted, then held, so that a second `ablate sweep` finds it queued.
  auto r = testing::run_command(sweep);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_NE(r.output.find("submitted 4 trials as Slurm job array"), std::string::npos) << r.output;
  const std::string job = read_json(sweep_dir + "/slurm/submissions.json")[0]["job"];
  run_process({"scontrol", "hold", job});
  const std::string script = read_file(sweep_dir + "/slurm/array-1.sbatch");
  EXPECT_NE(script.find("#SBATCH --mem=1G"), std::string::npos) << script;
  EXPECT_NE(script.find("export OMP_WAIT_POLICY=PASSIVE"), std::string::npos) << script;
  r = testing::run_command(sweep);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("nothing to submit"), std::string::npos) << r.output;
  EXPECT_EQ(submissions(sweep_dir), 1u) << "submitted twice";
  r = testing::run_command(fmt::format("{} status {}", ABLATE_BINARY, sweep_dir));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 trials:"), std::string::npos) << r.output;
  run_process({"scontrol", "release", job});

  // Followed to the end: the diverging trial is a failed task, the others done.
  r = testing::run_command(sweep + " --wait");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("3 done, 1 failed, 0 running, 0 pending"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| rank | config"), std::string::npos) << r.output;
  const auto tasks = slurm_tasks(sweep_dir);
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_EQ(tasks.at(trials[1].id).state, "FAILED");
  EXPECT_EQ(tasks.at(trials[0].id).state, "COMPLETED");
  EXPECT_NE(read_json(victim + "/status.json")["reason"].get<std::string>().find("non-finite loss"),
            std::string::npos);

  // Retried: only the failed trial is submitted again, and now trains.
  fs::remove(checkpoint_path(victim));
  r = testing::run_command(sweep + " --retry-failed --wait");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("submitted 1 trials"), std::string::npos) << r.output;
  EXPECT_EQ(submissions(sweep_dir), 2u);
  for (const auto& t : trials) EXPECT_TRUE(trial_done(sweep_dir + "/runs/" + t.id)) << t.id;

  // Tasks that Slurm ends (here cancelled; also timeouts, out of memory) are
  // recorded as failed with Slurm's state, whether running or still pending.
  r = testing::run_command(base_command + " --jobs 1 train.steps=100000");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string long_job = read_json(sweep_dir + "/slurm/submissions.json")[2]["job"];
  for (int i = 0;
       i < 100 && testing::run_command(fmt::format("{} status {}", ABLATE_BINARY, sweep_dir))
                          .output.find("running") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  run_process({"scancel", long_job});
  for (int i = 0; i < 50; ++i) {  // until Slurm has ended every task
    r = testing::run_command(fmt::format("{} status {}", ABLATE_BINARY, sweep_dir));
    if (r.output.find("4 failed, 0 running, 0 pending") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(r.output.find("8 trials: 4 done, 4 failed, 0 running, 0 pending"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("ended CANCELLED"), std::string::npos) << r.output;
}

TEST(SlurmExecutor, PretrainsStagesInAJobTheTrialArrayWaitsFor) {
  if (::getuid() != 0 || !slurm_installed()) {
    GTEST_SKIP() << "needs root and slurmctld slurmd slurm-client munge (scripts/install-deps.sh)";
  }
  ScratchDir dir;
  LocalSlurm slurm(dir.file("cluster"));
  ASSERT_TRUE(slurm.started()) << slurm.error();
  const auto spec = testing::write_spec(
      dir, "name: pre\nbase: base.yaml\nseeds: [0, 1]\nslurm: {cpus: 1, mem: 1G}\n");
  const std::string sweep_dir = dir.file("s/pre");
  const auto r = testing::run_command(fmt::format(
      "{} sweep {} --out {} --cache {} --executor slurm --wait encoder.pretrain.objective=clip "
      "encoder.pretrain.steps=2 encoder.pretrain.batch_size=4 encoder.pretrain.text_width=16 "
      "encoder.pretrain.text_depth=1 lm.pretrain.steps=2 lm.pretrain.batch_size=4",
      ABLATE_BINARY, spec, dir.file("s"), dir.file("cache")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("submitted 2 pre-training task(s) as Slurm job array"), std::string::npos)
      << r.output;
  const std::string script = read_file(sweep_dir + "/slurm/pretrain-1.sbatch");
  EXPECT_NE(script.find("pretrain \"$config\" --stage \"$stage\""), std::string::npos) << script;
  // Both trials found both stages in the cache: trained before them, once.
  for (const auto& e : fs::directory_iterator(sweep_dir + "/runs")) {
    const auto scores = read_json(e.path().string() + "/scores.json");
    EXPECT_TRUE(scores["encoder"]["cache_hit"].get<bool>()) << e.path();
    EXPECT_TRUE(scores["lm"]["cache_hit"].get<bool>()) << e.path();
  }
}

}  // namespace
}  // namespace ablate
