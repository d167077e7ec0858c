// Test entry point. Validation failures are reported per test by GpuTest::TearDown.
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Folder datasets loaded by the tests (and the vkae runs they start) must not fill the user's decode
  // cache with temporary folders; the decode cache's own tests pass their folder explicitly.
  ::setenv("VKAE_NO_DECODE_CACHE", "1", 1);
  return RUN_ALL_TESTS();
}
