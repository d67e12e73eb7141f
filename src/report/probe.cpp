#include "report/probe.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "core/io.h"
#include "model/vlm.h"
#include "pretrain/quality.h"
#include "sweep/trial.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

namespace ablate {
namespace {

// The probe tasks a benchmark asks about, with the score card's metric (for
// the digit places, the share of digits answered at their place).
constexpr std::pair<const char*, const char*> kAnsweredBy[] = {
    {"colour", "vqa.0shot.colour"},   {"shape", "vqa.0shot.shape"},
    {"count", "vqa.0shot.count"},     {"item", "fashion_vqa.0shot.item"},
    {"texture", "vqa.0shot.texture"}, {"sign", "text_vqa.0shot.word"},
    {"sign_tens", "text_vqa.0shot.digits"}, {"sign_units", "text_vqa.0shot.digits"},
    {"position", "spatial_vqa.0shot.relation"},
};

}  // namespace

nlohmann::json probe_trial(const std::string& run_dir) {
  const std::string config_path = (fs::path(run_dir) / "config.yaml").string();
  const std::string checkpoint = checkpoint_path(run_dir);
  if (!fs::exists(config_path)) {
    throw RunFolderError(fmt::format("{}: no config.yaml; not a run folder", run_dir));
  }
  if (!fs::exists(checkpoint)) {
    throw RunFolderError(
        fmt::format("{}: no checkpoint.pt; the trial has not trained a step yet", run_dir));
  }
  const ExperimentConfig config = load_checked_experiment(config_path);
  if (config.train.threads > 0) torch::set_num_threads(config.train.threads);
  Vlm model(config);
  const int step = load_checkpoint_model(checkpoint, model, config_hash(config));
  const torch::Device device = device_of(config);
  model->to(device);
  model->eval();

  nlohmann::json out = {{"step", step}, {"steps", config.train.steps}, {"pretrained", nullptr}};
  out["encoder"] = linear_probe(
      [&](const torch::Tensor& images) { return model->encoder()->forward(images.to(device)); },
      config, config.data.resolution, /*attentive=*/true);
  out["visual_tokens"] = linear_probe(
      [&](const torch::Tensor& images) { return model->encode_images(images.to(device)); }, config,
      config.data.resolution, /*attentive=*/true);

  const std::string scores_path = (fs::path(run_dir) / "scores.json").string();
  out["answered"] = nlohmann::json::object();
  if (trial_done(run_dir)) {
    const nlohmann::json scores = read_json(scores_path);
    const auto record = scores.value("encoder", nlohmann::json::object());
    if (record.contains("pretrain") && record["pretrain"].contains("probe")) {
      out["pretrained"] = record["pretrain"]["probe"];
    }
    const auto metrics = scores.value("metrics", nlohmann::json::object());
    for (const auto& [task, metric] : kAnsweredBy) {
      if (metrics.contains(metric) && out["encoder"].contains(task)) {
        out["answered"][task] = metrics[metric];
      }
    }
  }
  write_json_atomic((fs::path(run_dir) / "probe.json").string(), out);
  return out;
}

std::string probe_table(const nlohmann::json& probe) {
  const bool pretrained = !probe["pretrained"].is_null();
  std::string out = fmt::format(
      "Probes at step {} of {}, held-out scenes (one object for colour, shape, size, item, "
      "texture and position, its quadrant; one object and a sign showing a word for sign, a "
      "number for its tens and units digit; a star and a triangle in two colours for binding, "
      "the star's colour, where a bag of colours scores the shortcut in brackets; as drawn for "
      "count), accuracy in points: a linear "
      "probe of the mean over the "
      "patches or visual tokens, and an attentive probe (4 learnt queries) of all of them; 0-shot "
      "VQA is the trial's accuracy on the questions about that attribute (text_vqa's words for "
      "sign, its digits answered at their place for the digit places, spatial_vqa's relations for "
      "position), in scenes as drawn:\n\n",
      probe["step"].get<int>(), probe["steps"].get<int>());
  out += fmt::format(
      "| task | chance |{} encoder after the VLM stage: mean / attentive | visual tokens: mean / "
      "attentive | 0-shot VQA |\n",
      pretrained ? " pre-trained encoder: mean |" : "");
  out += fmt::format("|---|---:|{}---|---|---:|\n", pretrained ? "---:|" : "");
  auto cell = [](const nlohmann::json& probes, const std::string& task, const char* key) {
    return probes.contains(task) && probes[task].contains(key)
               ? fmt::format("{:.1f}", probes[task][key].get<double>())
               : std::string("-");
  };
  for (const auto& [task, value] : probe["encoder"].items()) {
    const auto& answered = probe["answered"];
    out += fmt::format(
        "| {} | {:.1f}{} |{} {} / {} | {} / {} | {} |\n", task, value["chance"].get<double>(),
        value.contains("shortcut") ? fmt::format(" ({:.0f})", value["shortcut"].get<double>())
                                   : std::string(),
        pretrained ? fmt::format(" {} |", cell(probe["pretrained"], task, "accuracy")) : "",
        cell(probe["encoder"], task, "accuracy"), cell(probe["encoder"], task, "attentive"),
        cell(probe["visual_tokens"], task, "accuracy"),
        cell(probe["visual_tokens"], task, "attentive"),
        answered.contains(task) ? fmt::format("{:.1f}", answered[task].get<double>())
                                : std::string("-"));
  }
  return out;
}

}  // namespace ablate
