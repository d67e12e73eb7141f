#include "core/version.h"

#include <gtest/gtest.h>

#include "sweep/sweep_util.h"
#include "test_util.h"

namespace ablate {
namespace {

// Every trial's status.json records git_commit(): it must be the commit the
// binary was built from, not that of the last CMake configure.
TEST(Version, CommitIsTheSourceTreesAtBuildTime) {
  const auto head = testing::run_command("git -C '" + testing::source_path(".") +
                                         "' rev-parse --short=12 HEAD");
  if (head.exit_code != 0) {
    GTEST_SKIP() << "no git or not a git checkout here: " << head.output;
  }
  const std::string commit = head.output.substr(0, head.output.find('\n'));
  ASSERT_EQ(commit.size(), 12u) << head.output;
  const std::string built = git_commit();
  // "-dirty" follows the working tree's edits at build time, which may have
  // changed since (a README edited after the build); the commit may not.
  EXPECT_EQ(built.substr(0, 12), commit);
  EXPECT_TRUE(built.size() == 12 || built.substr(12) == "-dirty") << built;
}

}  // namespace
}  // namespace ablate
