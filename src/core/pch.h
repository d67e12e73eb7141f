// Precompiled header shared by every target: <torch/torch.h> alone takes
// 12-18 s and ~1.3 GB to parse, so it is parsed once per build.
#pragma once

#include <fmt/format.h>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
