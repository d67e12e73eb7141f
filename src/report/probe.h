// Probes of a trained trial (`ablate probe RUN`): what its encoder, as
// the VLM stage left it, and its visual tokens (the connector's output, what
// the LM reads) tell of each scene attribute, on the held-out scenes of the
// pre-trained encoder's own probes (pretrain/quality.h), next to that
// encoder's record and to the trial's 0-shot VQA accuracy on the attribute.
// An attribute the visual tokens carry and the VQA answers miss is lost in
// the LM; one the tokens no longer carry is lost before it. Each task has a
// linear probe of the mean over tokens (the pre-trained record's kind) and an
// attentive probe of all tokens, since with many tokens the mean blurs the one
// object or sign a question is about.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ablate {

// Probes the model of <run_dir>/checkpoint.pt (the last one, at any step)
// and writes <run_dir>/probe.json:
//   {"step", "steps",
//    "pretrained": {task: {accuracy, chance}} or null (no pre-trained encoder
//                  or no score card yet),
//    "encoder", "visual_tokens": {task: {accuracy, chance, attentive}},
//    "answered": {task: 0-shot VQA accuracy} (tasks a benchmark asks about)}
// A folder without config.yaml or checkpoint.pt is a RunFolderError naming it.
nlohmann::json probe_trial(const std::string& run_dir);

// probe.json as a markdown table, one row per task.
std::string probe_table(const nlohmann::json& probe);

}  // namespace ablate
