// Error types shared by every stage. A ConfigError is raised before any
// training starts and its message names the file (or override), key and
// expectation; the CLI prints it and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace ablate {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A run folder or result file that is missing, truncated or malformed.
class RunFolderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ablate
