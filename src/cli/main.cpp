// The `ablate` command: train one experiment, run and report sweeps, score
// external predictions, list components.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "connectors/connector.h"
#include "core/config.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/io.h"
#include "core/version.h"
#include "encoders/encoder.h"
#include "eval/benchmark.h"
#include "eval/score_file.h"
#include "model/vlm.h"
#include "pretrain/cache.h"
#include "pretrain/objective.h"
#include "report/contact_sheet.h"
#include "report/noise.h"
#include "report/probe.h"
#include "report/report.h"
#include "sweep/runner.h"
#include "sweep/status.h"
#include "sweep/trial.h"

namespace fs = std::filesystem;
using namespace ablate;

namespace {

std::string self_binary() { return fs::read_symlink("/proc/self/exe").string(); }

int cmd_train(const std::string& config_path, const std::vector<std::string>& overrides,
              std::string out, const std::string& cache_root) {
  const ExperimentConfig config = load_checked_experiment(config_path, overrides);
  if (out.empty())
    out = (fs::path("runs") / fmt::format("{}-{}", config.name, config_hash(config).substr(0, 12)))
              .string();
  const std::string existing = (fs::path(out) / "config.yaml").string();
  if (fs::exists(existing) && config_hash(load_experiment(existing)) != config_hash(config)) {
    throw RunFolderError(fmt::format(
        "{} holds another experiment's config; choose another --out or remove the folder", out));
  }
  prepare_run_folder(out, config,
                     {{"sweep", ""},
                      {"id", fs::path(out).filename().string()},
                      {"label", config.name},
                      {"seed", config.seed}});
  fmt::print("run folder: {}\n", out);
  const TrialResult result = run_trial(out, /*verbose=*/true, cache_root);
  if (result == TrialResult::failed || result == TrialResult::busy) return exit_code(result);
  const auto scores = read_json((fs::path(out) / "scores.json").string());
  fmt::print("{}\n", scores["metrics"].dump(2));
  fmt::print("shortcut baselines: {}\n", scores["baselines"].dump());
  return 0;
}

int cmd_noise(const std::string& spec_path, int num_seeds, const SweepOptions& options) {
  const SweepSpec spec = load_spec(spec_path);
  const fs::path dir = fs::path(options.out_dir) / (spec.name + "-noise");
  fs::create_directories(dir);
  const std::string noise_spec = (dir / "noise-spec.yaml").string();
  write_file_atomic(noise_spec, noise_spec_yaml(spec, num_seeds));
  // Base trials that the spec's own sweep already finished are copied, not
  // trained again.
  SweepOptions noise_options = options;
  const fs::path own_sweep = fs::path(options.out_dir) / spec.name;
  if (fs::is_directory(own_sweep / "runs")) noise_options.reuse_from.push_back(own_sweep.string());
  const SweepOutcome outcome = run_sweep(noise_spec, noise_options);
  if (options.dry_run) return 0;
  if (!outcome.finished) {
    fmt::print("when it ends, run the same command again for the noise report\n");
    return 0;
  }
  const SweepRecords records = load_sweep(outcome.sweep_dir);
  const NoiseReport report =
      analyse_noise(records.trials, static_cast<int>(spec.seeds.size()), spec_path);
  fmt::print("\n{}", write_noise_report(outcome.sweep_dir, report));
  fmt::print("\nnoise report: {0}/noise.md, {0}/noise.json (read by `ablate report` of {1})\n",
             outcome.sweep_dir, (fs::path(options.out_dir) / spec.name).string());
  const int failed = outcome.failed + outcome.failed_elsewhere + outcome.failed_before;
  return failed > 0 ? 1 : 0;
}

int cmd_pretrain(const std::string& config_path, const std::vector<std::string>& overrides,
                 const std::string& cache_root, const std::string& only) {
  const ExperimentConfig config = load_checked_experiment(config_path, overrides);
  std::vector<Stage> stages;
  for (const Stage stage : {Stage::kEncoder, Stage::kLm}) {
    if (!cache_key(stage, config).empty() && (only.empty() || only == stage_name(stage))) {
      stages.push_back(stage);
    }
  }
  if (stages.empty()) {
    throw ConfigError(fmt::format(
        "{}: nothing to pre-train{}: encoder.pretrain.objective is {} and lm.pretrain.steps is {}",
        config_path, only.empty() ? "" : " for --stage " + only, config.encoder.pretrain.objective,
        config.lm.pretrain.steps));
  }
  auto log = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  for (const Stage stage : stages) {
    const auto cached = cached_weights(stage, config, cache_root, log, [](int step, double loss) {
      fmt::print("  step {:>6}  loss {:.4f}\n", step, loss);
      std::fflush(stdout);
    });
    fmt::print("{} {} {} {}\n", stage_name(stage), cached.key,
               cached.hit ? "found in" : "written to", cached.dir);
    fmt::print("{}\n", cached.stage.info.dump(2));
  }
  return 0;
}

// The headline metrics (benchmark x shot, aggregates) that a rescoring changed.
void print_changed_metrics(const nlohmann::json& before, const nlohmann::json& after) {
  for (const auto& [key, value] : after.items()) {
    if (std::count(key.begin(), key.end(), '.') > 1 || key.find(".loglik") != std::string::npos ||
        key.find(".stderr") != std::string::npos || !value.is_number()) {
      continue;
    }
    const double old = before.value(key, std::nan(""));
    if (!(std::abs(old - value.get<double>()) < 1e-9)) {
      fmt::print("  {:<26} {:>8.2f} -> {:.2f}\n", key, old, value.get<double>());
    }
  }
}

// A run folder, or every finished trial of a sweep folder (whose report is
// then written again).
int cmd_rescore(const std::string& dir) {
  const bool sweep = fs::is_directory(fs::path(dir) / "runs");
  const std::vector<fs::path> runs = sweep ? run_folders(dir) : std::vector<fs::path>{dir};
  int rescored = 0, failed = 0;
  for (const auto& run : runs) {
    if (sweep && !trial_done(run.string())) {
      fmt::print("{}: not finished; skipped\n", run.string());
      continue;
    }
    try {
      const auto scores_path = (run / "scores.json").string();
      const std::string kept = rescore_trial(run.string());
      fmt::print("{}: rescored (previous card kept as {})\n", run.string(), kept);
      print_changed_metrics(read_json((run / kept).string())["metrics"],
                            read_json(scores_path)["metrics"]);
      ++rescored;
    } catch (const RunFolderError& e) {
      if (!sweep) throw;
      fmt::print(stderr, "error: {}\n", e.what());
      ++failed;
    }
  }
  if (sweep && rescored > 0) fmt::print("\n{}", write_report(dir));
  return failed > 0 ? 1 : 0;
}

int cmd_score(const std::string& path, bool as_json) {
  nlohmann::json input;
  try {
    input = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(fmt::format("{}: not valid JSON ({})", path, e.what()));
  }
  const auto scores = score_predictions(input, path);
  if (as_json) {
    fmt::print("{}\n", scores.dump());
    return 0;
  }
  if (scores.contains("cider_d")) {
    fmt::print("CIDEr-D       {:.4f}\n", scores["cider_d"].get<double>());
    const auto& b = scores["bleu"];
    fmt::print("BLEU-1..4     {:.4f} {:.4f} {:.4f} {:.4f}\n", b[0].get<double>(),
               b[1].get<double>(), b[2].get<double>(), b[3].get<double>());
  }
  if (scores.contains("vqa_accuracy")) {
    fmt::print("VQA accuracy  {:.4f}\n", scores["vqa_accuracy"].get<double>());
  }
  return 0;
}

int cmd_list() {
  fmt::print("encoders (encoder.type):\n");
  for (const auto& name : encoder_registry().names()) {
    fmt::print("  {:<12} {}\n", name, encoder_registry().get(name).description);
  }
  fmt::print("connectors (connector.type):\n");
  for (const auto& name : connector_registry().names()) {
    fmt::print("  {:<12} {}\n", name, connector_registry().get(name).description);
  }
  fmt::print("encoder pre-training objectives (encoder.pretrain.objective, or none):\n");
  for (const auto& name : objective_registry().names()) {
    fmt::print("  {:<12} {}\n", name, objective_registry().get(name).description);
  }
  fmt::print("benchmarks (eval.benchmarks), scored at each of eval.shots:\n");
  for (const auto& name : kBenchmarkNames) {
    const Benchmark& b = benchmark_registry().get(name);
    const char* metric = b.scoring == Scoring::kCaption ? "CIDEr-D and BLEU-4"
                         : b.scoring == Scoring::kVqa   ? "VQA accuracy"
                                                        : "next-word accuracy and text QA";
    fmt::print("  {:<14} models {}; {}\n", name, b.models, metric);
  }
  fmt::print("config keys:\n");
  for (const auto& [key, help] : describe_fields()) fmt::print("  {:<26} {}\n", key, help);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  prepare_process(argv);

  CLI::App app{"ablate: which multimodal design choices matter, measured on small proxy models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("ablate {} ({})", version(), git_commit()));

  std::string config_path, out, spec_path, sweep_dir, score_path, run_dir;
  std::string cache_root = default_cache_root();
  const std::string cache_help =
      "cache of pre-trained encoders and LMs (default $ABLATE_CACHE or ./cache)";
  std::vector<std::string> overrides;
  bool dry_run = false, as_json = false, retry_failed = false;
  int jobs = 0;
  const std::string jobs_help =
      "trials in parallel (default: one per core this process may use, so `taskset -c 0` leaves "
      "the others free)";

  auto* train = app.add_subcommand("train", "train and evaluate one experiment");
  train->add_option("config", config_path, "experiment YAML")->required()->check(CLI::ExistingFile);
  train->add_option("overrides", overrides, "key=value overrides, e.g. train.steps=200");
  train->add_option("--out", out, "run folder (default runs/<name>-<hash>)");
  train->add_option("--cache", cache_root, cache_help);

  auto* pretrain = app.add_subcommand(
      "pretrain",
      "pre-train (or find in the cache) the encoder and the LM of an experiment; print their "
      "quality");
  pretrain->add_option("config", config_path, "experiment YAML")
      ->required()
      ->check(CLI::ExistingFile);
  pretrain->add_option("overrides", overrides, "key=value overrides");
  pretrain->add_option("--cache", cache_root, cache_help);
  std::string only_stage;
  pretrain->add_option("--stage", only_stage, "only this stage (default: every pre-trained one)")
      ->check(CLI::IsMember({"encoder", "lm"}));

  auto* show = app.add_subcommand(
      "show-data", "write PNG contact sheets of training documents and benchmark items");
  show->add_option("config", config_path, "experiment YAML")->required()->check(CLI::ExistingFile);
  show->add_option("overrides", overrides, "key=value overrides");
  show->add_option("--out", out, "folder for the PNGs")->required();

  auto* sweep = app.add_subcommand("sweep", "run an ablation spec and print the ranked table");
  sweep->add_option("spec", spec_path, "ablation YAML")->required()->check(CLI::ExistingFile);
  sweep->add_option("overrides", overrides, "key=value overrides applied to every trial");
  sweep->add_option("--out", out, "parent folder of sweep folders (default sweeps)");
  sweep->add_option("--jobs", jobs, jobs_help)->check(CLI::Range(1, 1024));
  sweep->add_option("--cache", cache_root, cache_help);
  sweep->add_flag("--dry-run", dry_run, "check every trial, print the trial table, train nothing");
  sweep->add_flag("--retry-failed", retry_failed, "run again the trials that failed before");
  SweepOptions sweep_options;
  sweep
      ->add_option("--executor", sweep_options.executor,
                   "local (child processes here) or slurm (one job array)")
      ->check(CLI::IsMember({"local", "slurm"}));
  sweep->add_option("--partition", sweep_options.slurm.partition, "slurm: #SBATCH --partition");
  sweep->add_option("--time", sweep_options.slurm.time, "slurm: #SBATCH --time per trial");
  sweep->add_option("--cpus", sweep_options.slurm.cpus, "slurm: cores (and threads) per trial")
      ->check(CLI::Range(1, 4096));
  sweep->add_option("--mem", sweep_options.slurm.mem, "slurm: #SBATCH --mem per trial, e.g. 4G");
  sweep->add_option("--gpus", sweep_options.slurm.gpus, "slurm: #SBATCH --gpus per trial")
      ->check(CLI::Range(0, 64));
  sweep->add_flag("--wait", sweep_options.wait,
                  "slurm: follow the job array until it ends, then print the ranked table");
  sweep
      ->add_option("--reuse", sweep_options.reuse_from,
                   "sweep folder whose done trials with the same config are copied, not "
                   "trained again (repeatable)")
      ->allow_extra_args(false);

  auto* noise = app.add_subcommand(
      "noise",
      "run a spec's base experiment over many seeds: seed spread, solved shares and the "
      "smallest effect the spec's seeds can detect");
  noise->add_option("spec", spec_path, "ablation YAML")->required()->check(CLI::ExistingFile);
  noise->add_option("overrides", overrides, "key=value overrides applied to every trial");
  int noise_seeds = 10;
  noise->add_option("--seeds", noise_seeds, "seeds of the base experiment (default 10)")
      ->check(CLI::Range(2, 1000));
  noise->add_option("--out", out, "parent folder of sweep folders (default sweeps)");
  noise->add_option("--jobs", jobs, jobs_help)->check(CLI::Range(1, 1024));
  noise->add_option("--cache", cache_root, cache_help);
  noise->add_flag("--dry-run", dry_run, "check every trial, print the trial table, train nothing");
  noise->add_flag("--retry-failed", retry_failed, "run again the trials that failed before");

  auto* report =
      app.add_subcommand("report", "rank a sweep's trials (writes report.md and report.csv)");
  report->add_option("sweep_dir", sweep_dir, "sweep folder, e.g. sweeps/smoke")->required();

  auto* probe = app.add_subcommand(
      "probe",
      "linear and attentive probes of a trained trial's encoder and visual tokens next to its "
      "pre-trained encoder's and its VQA answers (writes probe.json)");
  probe->add_option("run_dir", run_dir, "run folder with checkpoint.pt")
      ->required()
      ->check(CLI::ExistingDirectory);

  auto* rescore = app.add_subcommand(
      "rescore",
      "evaluate finished trials again from their checkpoints with this binary's scoring (after "
      "a fix to a metric); keeps each previous scores.json");
  rescore->add_option("dir", run_dir, "run folder, or sweep folder (all its finished trials)")
      ->required()
      ->check(CLI::ExistingDirectory);

  auto* status = app.add_subcommand(
      "status", "trials of a sweep folder: done, failed, running, pending (in Slurm), interrupted");
  status->add_option("sweep_dir", sweep_dir, "sweep folder, e.g. sweeps/smoke")->required();

  auto* score =
      app.add_subcommand("score", "score external captions / VQA answers from a JSON file");
  score->add_option("file", score_path, "predictions JSON")->required()->check(CLI::ExistingFile);
  score->add_flag("--json", as_json, "print one JSON object");

  auto* list = app.add_subcommand("list", "list encoders, connectors, benchmarks and config keys");

  auto* run_trial_cmd =
      app.add_subcommand("run-trial", "run one prepared run folder (used by executors)");
  run_trial_cmd->add_option("run_dir", run_dir, "run folder with config.yaml")
      ->required()
      ->check(CLI::ExistingDirectory);
  run_trial_cmd->add_option("--cache", cache_root, cache_help);

  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) return cmd_train(config_path, overrides, out, cache_root);
    if (*pretrain) return cmd_pretrain(config_path, overrides, cache_root, only_stage);
    if (*show) {
      const auto config = load_checked_experiment(config_path, overrides);
      for (const auto& file : show_data(config, out)) fmt::print("{}\n", file);
      return 0;
    }
    if (*sweep || *noise) {
      SweepOptions& options = sweep_options;
      if (!out.empty()) options.out_dir = out;
      options.jobs = jobs;
      options.dry_run = dry_run;
      options.retry_failed = retry_failed;
      options.overrides = overrides;
      options.ablate_binary = self_binary();
      options.cache_root = cache_root;
      if (*noise) return cmd_noise(spec_path, noise_seeds, options);
      const auto outcome = run_sweep(spec_path, options);
      if (dry_run) return 0;
      if (!outcome.finished) {
        fmt::print("follow it with: ablate status {0}; when it ends, ablate report {0}\n",
                   outcome.sweep_dir);
        return 0;
      }
      fmt::print("\n{}", write_report(outcome.sweep_dir));
      fmt::print("\nreport: {0}/report.md, {0}/report.csv\n", outcome.sweep_dir);
      const int failed = outcome.failed + outcome.failed_elsewhere + outcome.failed_before;
      if (failed > 0) {
        fmt::print("{} of {} trials failed (reasons in {}/runs/<id>/status.json){}\n", failed,
                   outcome.num_trials, outcome.sweep_dir,
                   outcome.failed_before > 0 ? "; --retry-failed runs them again" : "");
      }
      return failed > 0 ? 1 : 0;
    }
    if (*report) {
      fmt::print("{}", write_report(sweep_dir));
      return 0;
    }
    if (*probe) {
      fmt::print("{}", probe_table(probe_trial(run_dir)));
      fmt::print("\nwritten: {}/probe.json\n", run_dir);
      return 0;
    }
    if (*rescore) return cmd_rescore(run_dir);
    if (*status) {
      fmt::print("{}", read_sweep_status(sweep_dir).table());
      return 0;
    }
    if (*score) return cmd_score(score_path, as_json);
    if (*list) return cmd_list();
    if (*run_trial_cmd) return exit_code(run_trial(run_dir, /*verbose=*/true, cache_root));
  } catch (const ConfigError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const RunFolderError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
