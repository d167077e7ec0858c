// Runs the `vkae` binary for the end-to-end tests; stdout and stderr go through two files in a folder of this
// test process (one test runs at a time per process, so the files are never shared).
#include "tests/support/run_vkae.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "nn/io/atomic_file.hpp"

namespace vkae::test {

Outcome run_vkae(const std::string& args, bool validation) {
  return run_vkae_after(validation ? "VKAE_VALIDATION=1 " : "", args);
}

Outcome run_vkae_after(const std::string& prefix, const std::string& args, const std::string& suffix) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vkae-run-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cmd = prefix + VKAE_BINARY + " " + args + " >" + (dir / "out").string() + " 2>" +
                          (dir / "err").string() + " </dev/null" + suffix;
  const int status = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = nn::read_text_file(dir / "out");
  r.err = nn::read_text_file(dir / "err");
  return r;
}

std::filesystem::path scratch_dir(const std::string& suite, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path p =
      fs::temp_directory_path() / ("vkae-" + suite + "-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p;
}

void expect_one_line_error(const Outcome& r, const std::string& needle) {
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_LT(r.code, 128) << "crashed: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_THAT(r.err, ::testing::StartsWith("vkae: "));
  EXPECT_THAT(r.err, ::testing::HasSubstr(needle));
}

}  // namespace vkae::test
