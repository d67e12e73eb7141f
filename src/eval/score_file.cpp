#include "eval/score_file.h"

#include <fmt/format.h>

#include "core/error.h"
#include "eval/caption_metrics.h"
#include "eval/vqa_accuracy.h"

namespace ablate {
namespace {

using Json = nlohmann::json;

// Pairs candidates with references by id; every id must be in both.
void collect(const Json& part, const std::string& where, std::vector<std::string>& candidates,
             std::vector<std::vector<std::string>>& references) {
  if (!part.is_object())
    throw ConfigError(fmt::format("{}: expected an object with candidates and references", where));
  for (const char* key : {"candidates", "references"}) {
    if (!part.contains(key) || !part[key].is_object()) {
      throw ConfigError(fmt::format("{}.{}: expected an object keyed by id", where, key));
    }
  }
  for (const auto& [id, refs] : part["references"].items()) {
    if (!part["candidates"].contains(id)) {
      throw ConfigError(fmt::format("{}.candidates: no candidate for id '{}'", where, id));
    }
    const auto& cand = part["candidates"][id];
    if (!cand.is_string())
      throw ConfigError(fmt::format("{}.candidates.{}: expected a string", where, id));
    if (!refs.is_array() || refs.empty()) {
      throw ConfigError(
          fmt::format("{}.references.{}: expected a non-empty list of strings", where, id));
    }
    std::vector<std::string> r;
    for (const auto& s : refs) {
      if (!s.is_string())
        throw ConfigError(fmt::format("{}.references.{}: expected strings", where, id));
      r.push_back(s.get<std::string>());
    }
    candidates.push_back(cand.get<std::string>());
    references.push_back(std::move(r));
  }
  for (const auto& [id, _] : part["candidates"].items()) {
    if (!part["references"].contains(id)) {
      throw ConfigError(fmt::format("{}.references: no references for id '{}'", where, id));
    }
  }
  if (candidates.empty()) throw ConfigError(fmt::format("{}: no items", where));
}

}  // namespace

nlohmann::json score_predictions(const nlohmann::json& input, const std::string& source) {
  if (!input.is_object()) throw ConfigError(fmt::format("{}: expected a JSON object", source));
  for (const auto& [key, _] : input.items()) {
    if (key != "captions" && key != "vqa") {
      throw ConfigError(
          fmt::format("{}: unknown key '{}'; expected captions and/or vqa", source, key));
    }
  }
  if (input.empty()) throw ConfigError(fmt::format("{}: expected captions and/or vqa", source));
  Json out = Json::object();
  if (input.contains("captions")) {
    std::vector<std::string> cands;
    std::vector<std::vector<std::string>> refs;
    collect(input["captions"], source + ": captions", cands, refs);
    out["cider_d"] = cider_d(cands, refs).score;
    const auto b = bleu(cands, refs);
    out["bleu"] = {b[0], b[1], b[2], b[3]};
  }
  if (input.contains("vqa")) {
    std::vector<std::string> cands;
    std::vector<std::vector<std::string>> refs;
    collect(input["vqa"], source + ": vqa", cands, refs);
    out["vqa_accuracy"] = vqa_accuracy(cands, refs);
  }
  return out;
}

}  // namespace ablate
