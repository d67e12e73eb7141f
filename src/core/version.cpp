#include "core/version.h"

// Defined for this file only (CMakeLists.txt), so a new commit recompiles one file.
namespace ablate {

const char* version() { return ABLATE_VERSION; }
const char* git_commit() { return ABLATE_GIT_COMMIT; }

}  // namespace ablate
