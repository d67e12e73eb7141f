// The test program's main: the same runtime environment as `ablate` itself
// (core/cpu.h), so that tests train on the kernels trials use.
#include <gtest/gtest.h>

#include "core/cpu.h"

int main(int argc, char** argv) {
  ablate::prepare_process(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
