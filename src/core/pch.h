// Precompiled header shared by every target: <torch/torch.h> alone takes
// 12-18 s and ~1.3 GB to parse, so it is parsed once per build.
#pragma once

#include <torch/torch.h>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>
