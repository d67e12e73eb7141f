#include "core/version.h"

#include "core/version_info.h"  // generated at build time (cmake/version.cmake)

namespace ablate {

const char* version() { return ABLATE_VERSION; }
const char* git_commit() { return ABLATE_GIT_COMMIT; }

}  // namespace ablate
