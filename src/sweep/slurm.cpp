#include "sweep/slurm.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "core/io.h"
#include "core/process.h"
#include "core/version.h"
#include "sweep/lock.h"
#include "sweep/runner.h"
#include "sweep/trial.h"

namespace ablate {
namespace fs = std::filesystem;

namespace {

fs::path slurm_dir(const std::string& sweep_dir) { return fs::path(sweep_dir) / "slurm"; }
fs::path submissions_path(const std::string& sweep_dir) {
  return slurm_dir(sweep_dir) / "submissions.json";
}

nlohmann::json read_submissions(const std::string& sweep_dir) {
  const fs::path path = submissions_path(sweep_dir);
  if (!fs::exists(path)) return nlohmann::json::array();
  return read_json(path.string());
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

ProcessOutput slurm_command(const std::vector<std::string>& argv) {
  ProcessOutput out = run_process(argv);
  if (out.exit_code == -1 && out.out.empty() && out.err.rfind("cannot run", 0) == 0) {
    throw std::runtime_error(fmt::format(
        "{}; the Slurm executor needs Slurm's command-line tools (sbatch, squeue, scontrol) on "
        "PATH: run it on a login node of the cluster",
        out.err));
  }
  return out;
}

// Array indices of a task field: "3", "4-5%2", "[4-5%2]", "1,3,5-7".
std::vector<int> task_indices(std::string spec) {
  spec.erase(std::remove_if(spec.begin(), spec.end(), [](char c) { return c == '[' || c == ']'; }),
             spec.end());
  spec = spec.substr(0, spec.find('%'));
  std::vector<int> out;
  std::stringstream parts(spec);
  std::string part;
  while (std::getline(parts, part, ',')) {
    try {
      const auto dash = part.find('-');
      const int first = std::stoi(part.substr(0, dash));
      const int last = dash == std::string::npos ? first : std::stoi(part.substr(dash + 1));
      for (int i = first; i <= last; ++i) out.push_back(i);
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

// Tasks of array job `job` by index: queued or running ones from squeue,
// finished ones from sacct, or from scontrol where accounting is off (kept
// for MinJobAge after they end).
std::map<int, SlurmTask> query_array(const std::string& job) {
  std::map<int, SlurmTask> tasks;
  auto add = [&](const std::string& task_field, const std::string& state, const std::string& reason,
                 bool active) {
    for (int i : task_indices(task_field)) {
      if (tasks.count(i) && tasks[i].active) continue;
      tasks[i] = {fmt::format("{}_{}", job, i), state, reason, active};
    }
  };
  // Unknown (long finished) jobs make squeue fail: nothing is active then.
  const auto queued = slurm_command({"squeue", "-h", "-r", "-j", job, "-o", "%i|%T|%r"});
  std::istringstream lines(queued.exit_code == 0 ? queued.out : "");
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string x; std::getline(fields, x, '|');) f.push_back(x);
    if (f.size() < 3 || f[0].find('_') == std::string::npos) continue;
    add(f[0].substr(f[0].find('_') + 1), f[1], f[2], true);
  }
  const auto acct =
      slurm_command({"sacct", "-n", "-P", "-X", "-j", job, "--format=JobID,State,ExitCode"});
  if (acct.exit_code == 0 && !trim(acct.out).empty()) {
    std::istringstream rows(acct.out);
    for (std::string line; std::getline(rows, line);) {
      std::vector<std::string> f;
      std::stringstream fields(line);
      for (std::string x; std::getline(fields, x, '|');) f.push_back(x);
      if (f.size() < 3 || f[0].find('_') == std::string::npos) continue;
      const std::string state = first_word(f[1]);  // "CANCELLED by 0"
      add(f[0].substr(f[0].find('_') + 1), state, "exit code " + f[2], false);
    }
    return tasks;
  }
  const auto shown = slurm_command({"scontrol", "-o", "show", "job", job});
  std::istringstream records(shown.exit_code == 0 ? shown.out : "");
  for (std::string line; std::getline(records, line);) {
    std::map<std::string, std::string> kv;
    std::stringstream fields(line);
    for (std::string x; fields >> x;) {
      const auto eq = x.find('=');
      if (eq != std::string::npos) kv[x.substr(0, eq)] = x.substr(eq + 1);
    }
    if (!kv.count("ArrayTaskId") || !kv.count("JobState")) continue;
    const std::string& state = kv["JobState"];
    const bool active = state == "PENDING" || state == "RUNNING" || state == "CONFIGURING" ||
                        state == "COMPLETING" || state == "SUSPENDED" || state == "REQUEUED";
    add(kv["ArrayTaskId"], state, fmt::format("{}, exit code {}", kv["Reason"], kv["ExitCode"]),
        active);
  }
  return tasks;
}

}  // namespace

std::map<std::string, SlurmTask> slurm_tasks(const std::string& sweep_dir) {
  std::map<std::string, SlurmTask> by_trial;
  const nlohmann::json submissions = read_submissions(sweep_dir);
  for (const auto& s : submissions) {  // later submissions win
    const auto& ids = s["trials"];
    for (const auto& [index, task] : query_array(s["job"].get<std::string>())) {
      if (index < 0 || index >= static_cast<int>(ids.size())) continue;
      by_trial[ids[index].get<std::string>()] = task;
    }
  }
  for (const auto& [id, task] : by_trial) {
    if (task.active || task.state == "COMPLETED") continue;
    const std::string dir = (fs::path(sweep_dir) / "runs" / id).string();
    if (trial_done(dir) || trial_state(dir) == kTrialStateFailed || live_lock_owner(dir)) continue;
    write_status(dir, kTrialStateFailed,
                 fmt::format("Slurm task {} ended {} ({})", task.job, task.state, task.reason));
  }
  return by_trial;
}

void require_slurm_tools() {
  for (const char* tool : {"sbatch", "squeue", "scontrol"}) slurm_command({tool, "--version"});
}

namespace {

// `sbatch --parsable --array=0-(n-1)[%K] [--dependency=afterany:J] script`;
// returns the job id.
std::string sbatch_array(const std::string& script, size_t n, const SlurmSubmitOptions& options) {
  std::string array = fmt::format("--array=0-{}", n - 1);
  if (options.max_parallel > 0) array += fmt::format("%{}", options.max_parallel);
  std::vector<std::string> argv = {"sbatch", "--parsable", array};
  if (!options.dependency.empty()) argv.push_back("--dependency=afterany:" + options.dependency);
  argv.push_back(script);
  const auto out = slurm_command(argv);
  const std::string job = trim(out.out.substr(0, out.out.find(';')));
  if (out.exit_code != 0 || job.empty() ||
      job.find_first_not_of("0123456789") != std::string::npos) {
    throw std::runtime_error(
        fmt::format("sbatch {} failed (exit code {}): {}", script, out.exit_code, trim(out.err)));
  }
  return job;
}

// #SBATCH lines and the thread environment shared by trial and pre-training scripts.
std::string slurm_resources(const SlurmSettings& s, const std::string& job_name,
                            const std::string& output) {
  const int cpus = s.cpus > 0 ? s.cpus : 1;
  std::string script = fmt::format("#SBATCH --job-name={}\n", job_name);
  script += fmt::format("#SBATCH --output={}\n", output);
  script += fmt::format("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task={}\n", cpus);
  if (!s.partition.empty()) script += fmt::format("#SBATCH --partition={}\n", s.partition);
  if (!s.time.empty()) script += fmt::format("#SBATCH --time={}\n", s.time);
  if (!s.mem.empty()) script += fmt::format("#SBATCH --mem={}\n", s.mem);
  if (s.gpus > 0) script += fmt::format("#SBATCH --gpus={}\n", s.gpus);
  script += "\n# One thread pool size for OpenMP and OpenBLAS, passive OpenMP waits.\n";
  for (const auto& e : trial_environment(cpus)) script += "export " + e + "\n";
  return script;
}

}  // namespace

std::string slurm_batch_script(const std::string& sweep_dir, int submission,
                               const SlurmSubmitOptions& options, int num_trials) {
  const fs::path dir = fs::absolute(slurm_dir(sweep_dir));
  const SlurmSettings& s = options.settings;
  std::string script = fmt::format(
      "#!/bin/bash\n"
      "# Generated by `ablate sweep --executor slurm` (ablate {}, {}): {} trials of sweep\n"
      "# {}, one per array task; task i runs the run folder on line i+1 of\n"
      "# array-{}.txt. Submitted with: sbatch --parsable --array=0-{}{} array-{}.sbatch\n",
      version(), git_commit(), num_trials, fs::path(sweep_dir).filename().string(), submission,
      num_trials - 1, options.max_parallel > 0 ? fmt::format("%{}", options.max_parallel) : "",
      submission);
  script += slurm_resources(s, "ablate-" + fs::path(sweep_dir).filename().string(),
                            (dir / "logs" / "%A_%a.out").string());
  script += fmt::format(
      "\nrun_dir=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n"
      "echo \"task ${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}} on $(hostname): $run_dir\"\n"
      "{} run-trial \"$run_dir\" --cache {} >> \"$run_dir/log.txt\" 2>&1\n"
      "code=$?\n"
      "# 3: another process trains this trial; 4: it was already done. Neither is a failure.\n"
      "if [ $code -eq 3 ] || [ $code -eq 4 ]; then code=0; fi\n"
      "echo \"run-trial exit code $code\"\n"
      "exit $code\n",
      shell_quote((dir / fmt::format("array-{}.txt", submission)).string()),
      shell_quote(options.ablate_binary), shell_quote(options.cache_root));
  return script;
}

std::string submit_slurm_pretrain(const std::string& sweep_dir,
                                  const std::vector<SlurmPretrainTask>& tasks,
                                  const SlurmSubmitOptions& options) {
  const fs::path dir = fs::absolute(slurm_dir(sweep_dir));
  fs::create_directories(dir / "logs");
  const int n = static_cast<int>(read_submissions(sweep_dir).size()) + 1;
  std::string list;
  for (const auto& t : tasks) list += fmt::format("{} {} {}\n", t.config, t.stage, t.key);
  const std::string list_path = (dir / fmt::format("pretrain-{}.txt", n)).string();
  write_file_atomic(list_path, list);
  const std::string name = fs::path(sweep_dir).filename().string();
  std::string script = fmt::format(
      "#!/bin/bash\n"
      "# Generated by `ablate sweep --executor slurm` (ablate {}, {}): {} stage(s) to\n"
      "# pre-train before the trials of sweep {} (array-{}.sbatch waits for this job);\n"
      "# task i pre-trains the stage on line i+1 of pretrain-{}.txt.\n",
      version(), git_commit(), tasks.size(), name, n, n);
  SlurmSubmitOptions own = options;
  own.dependency.clear();
  own.max_parallel = 0;
  script += slurm_resources(options.settings, "ablate-" + name + "-pretrain",
                            (dir / "logs" / "pretrain-%A_%a.out").string());
  script += fmt::format(
      "\nread -r config stage key < <(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})\n"
      "echo \"task ${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}} on $(hostname): $stage $key\"\n"
      "exec {} pretrain \"$config\" --stage \"$stage\" --cache {}\n",
      shell_quote(list_path), shell_quote(options.ablate_binary), shell_quote(options.cache_root));
  const std::string script_path = (dir / fmt::format("pretrain-{}.sbatch", n)).string();
  write_file_atomic(script_path, script);
  return sbatch_array(script_path, tasks.size(), own);
}

std::string submit_slurm_array(const std::string& sweep_dir, const std::vector<Trial>& trials,
                               const SlurmSubmitOptions& options) {
  const fs::path dir = slurm_dir(sweep_dir);
  fs::create_directories(dir / "logs");
  nlohmann::json submissions = read_submissions(sweep_dir);
  const int n = static_cast<int>(submissions.size()) + 1;
  std::string list;
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& t : trials) {
    list += fs::absolute(fs::path(sweep_dir) / "runs" / t.id).string() + "\n";
    ids.push_back(t.id);
  }
  write_file_atomic((dir / fmt::format("array-{}.txt", n)).string(), list);
  const std::string script = (dir / fmt::format("array-{}.sbatch", n)).string();
  write_file_atomic(script, slurm_batch_script(sweep_dir, n, options, trials.size()));
  const std::string job = sbatch_array(script, trials.size(), options);
  submissions.push_back(
      {{"job", job}, {"submitted_at", now_iso8601()}, {"script", script}, {"trials", ids}});
  write_json_atomic(submissions_path(sweep_dir).string(), submissions);
  return job;
}

}  // namespace ablate
