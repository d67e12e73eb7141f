// Version and git commit of the build, recorded in every trial's status.json.
#pragma once

namespace ablate {

const char* version();
const char* git_commit();  // of the source tree at build time, "-dirty" if it had edits

}  // namespace ablate
