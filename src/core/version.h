// Version and git commit of the build, recorded in every trial's status.json.
#pragma once

namespace ablate {

const char* version();
const char* git_commit();  // as of the last CMake configure

}  // namespace ablate
