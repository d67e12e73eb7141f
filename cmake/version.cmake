# Writes OUT from IN (src/core/version_info.h.in) with the source tree's commit,
# "-dirty" appended when tracked files differ from it. Run at every build by the
# ablate_version target (CMakeLists.txt), so a binary never reports the commit of
# an older configure; configure_file leaves OUT untouched when nothing changed,
# so only version.cpp recompiles, and only after a commit or an edit.
#   cmake -DSOURCE_DIR=... -DIN=... -DOUT=... -DPROJECT_VERSION=... -P version.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE ABLATE_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT ABLATE_GIT_COMMIT)
  set(ABLATE_GIT_COMMIT "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD --
    WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE changed ERROR_QUIET)
  if(NOT changed EQUAL 0)
    string(APPEND ABLATE_GIT_COMMIT "-dirty")
  endif()
endif()
configure_file(${IN} ${OUT} @ONLY)
