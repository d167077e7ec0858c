// Tests for dataset discovery (search order, spellings, gzip, subfolders) and its validation messages.
#include "nn/data/dataset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/error.hpp"
#include "nn/data/idx.hpp"
#include "nn/data/known_copies.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using testing::gzip_bytes;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_bytes;

std::vector<uint8_t> idx_file(std::vector<uint32_t> dims, uint8_t fill) {
  IdxArray array{std::move(dims), {}};
  std::size_t n = 1;
  for (const auto d : array.dims) n *= d;
  array.data.assign(n, fill);
  const auto bytes = encode_idx(array);
  std::vector<uint8_t> out(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = static_cast<uint8_t>(bytes[i]);
  return out;
}

// Writes a tiny split (count images of 4x3, every pixel = fill, labels = fill % 10) into dir.
void write_split(const std::filesystem::path& dir, const std::string& prefix, uint32_t count, uint8_t fill,
                 bool gzip = false, bool dotted = false) {
  std::filesystem::create_directories(dir);
  const std::string sep = dotted ? "." : "-";
  const std::string ext = gzip ? ".gz" : "";
  auto images = idx_file({count, 4, 3}, fill);
  auto labels = idx_file({count}, static_cast<uint8_t>(fill % 10));
  write_bytes(dir / (prefix + "-images" + sep + "idx3-ubyte" + ext), gzip ? gzip_bytes(images) : images);
  write_bytes(dir / (prefix + "-labels" + sep + "idx1-ubyte" + ext), gzip ? gzip_bytes(labels) : labels);
}

// Points HOME/XDG_CACHE_HOME/VKAE_DATA into a temp dir for the test and restores them after.
class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"HOME", "XDG_CACHE_HOME", "VKAE_DATA"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
    }
    setenv("HOME", (root_ / "home").c_str(), 1);
    unsetenv("XDG_CACHE_HOME");
    unsetenv("VKAE_DATA");
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value)
        setenv(name.c_str(), value->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
  }
  std::string error_for(std::string_view name, Split split, const DataSearch& search = {}) {
    try {
      load_dataset(name, split, search);
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      return e.what();
    }
    ADD_FAILURE() << "no InputError";
    return {};
  }
  TempDir root_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(DatasetTest, LoadsFromDataDir) {
  write_split(root_ / "d", "train", 5, 7);
  write_split(root_ / "d", "t10k", 2, 3);
  const Dataset train = load_dataset("mnist", Split::Train, {root_ / "d"});
  EXPECT_EQ(train.name, "mnist");
  EXPECT_EQ(train.count, 5u);
  EXPECT_EQ(train.rows, 4u);
  EXPECT_EQ(train.cols, 3u);
  EXPECT_EQ(train.images, std::vector<uint8_t>(60, 7));
  EXPECT_EQ(train.labels, std::vector<uint8_t>(5, 7));
  const Dataset test = load_dataset("mnist", Split::Test, {root_ / "d"});
  EXPECT_EQ(test.count, 2u);
  EXPECT_EQ(test.images_path, root_ / "d" / "t10k-images-idx3-ubyte");
}

TEST_F(DatasetTest, AcceptsGzipDottedSpellingAndNameSubfolder) {
  write_split(root_ / "d" / "mnist", "train", 3, 1, /*gzip=*/true);
  write_split(root_ / "d" / "mnist", "t10k", 2, 2, /*gzip=*/false, /*dotted=*/true);
  EXPECT_EQ(load_dataset("mnist", Split::Train, {root_ / "d"}).images_path,
            root_ / "d" / "mnist" / "train-images-idx3-ubyte.gz");
  EXPECT_EQ(load_dataset("mnist", Split::Test, {root_ / "d"}).images_path,
            root_ / "d" / "mnist" / "t10k-images.idx3-ubyte");
}

TEST_F(DatasetTest, SearchOrderIsDataDirThenEnvThenCache) {
  write_split(root_ / "home" / ".cache" / "vkae" / "mnist", "train", 1, 1);
  EXPECT_EQ(load_dataset("mnist", Split::Train, {}).count, 1u);
  setenv("XDG_CACHE_HOME", (root_ / "xdg").c_str(), 1);
  write_split(root_ / "xdg" / "vkae" / "mnist", "train", 2, 2);
  EXPECT_EQ(load_dataset("mnist", Split::Train, {}).count, 2u);
  EXPECT_EQ(dataset_cache_dir("mnist"), root_ / "xdg" / "vkae" / "mnist");
  setenv("VKAE_DATA", (root_ / "env").c_str(), 1);
  write_split(root_ / "env", "train", 3, 3);
  EXPECT_EQ(load_dataset("mnist", Split::Train, {}).count, 3u);
  write_split(root_ / "flag", "train", 4, 4);
  EXPECT_EQ(load_dataset("mnist", Split::Train, {root_ / "flag"}).count, 4u);
}

TEST_F(DatasetTest, UnknownNameListsValidNames) {
  EXPECT_EQ(error_for("cifar", Split::Train), "unknown dataset \"cifar\"; valid names: mnist, fashion");
}

TEST(DatasetNames, AliasesAndListText) {
  EXPECT_EQ(dataset_from_alias("mnist"), "mnist");
  EXPECT_EQ(dataset_from_alias("fashion"), "fashion");
  EXPECT_EQ(dataset_from_alias("fashion-mnist"), "fashion");
  EXPECT_EQ(dataset_from_alias("fashion_mnist"), "fashion");
  EXPECT_EQ(dataset_from_alias("MNIST"), std::nullopt);
  EXPECT_EQ(dataset_from_alias("cifar10"), std::nullopt);
  EXPECT_EQ(dataset_from_alias(""), std::nullopt);
  // Every name load_dataset knows is also accepted as itself.
  for (const auto name : dataset_names()) EXPECT_EQ(dataset_from_alias(name), name);
  EXPECT_EQ(dataset_names_text(), "mnist, fashion or a folder of images");
  EXPECT_EQ(dataset_name_list("|", "|"), "mnist|fashion");
  EXPECT_EQ(dataset_name_list(", ", " and "), "mnist and fashion");
}

TEST_F(DatasetTest, MissingMnistSaysWhereItLookedAndHowToFetch) {
  setenv("VKAE_DATA", (root_ / "env").c_str(), 1);
  const std::string message = error_for("mnist", Split::Train, {root_ / "flag"});
  EXPECT_THAT(message, HasSubstr("mnist train split not found"));
  EXPECT_THAT(message, HasSubstr((root_ / "flag").string() + ", " + (root_ / "flag" / "mnist").string()));
  EXPECT_THAT(message, HasSubstr((root_ / "env" / "mnist").string()));
  EXPECT_THAT(message, HasSubstr((root_ / "home" / ".cache" / "vkae" / "mnist").string()));
  EXPECT_THAT(message, HasSubstr("run `vkae fetch mnist`"));
}

TEST_F(DatasetTest, FashionFallsBackToDebianPackage) {
  const std::vector<std::filesystem::path> dirs = dataset_search_dirs("fashion", {});
  EXPECT_EQ(dirs.back(), std::filesystem::path(kDebianFashionMnistDir));
  if (!std::filesystem::exists(std::filesystem::path(kDebianFashionMnistDir) / "t10k-images-idx3-ubyte.gz")) {
    EXPECT_THAT(error_for("fashion", Split::Test),
                HasSubstr("install Debian's dataset-fashion-mnist or pass --data DIR"));
    return;
  }
  const Dataset test = load_dataset("fashion", Split::Test, {});
  EXPECT_EQ(test.count, 10000u);
  EXPECT_EQ(test.rows, 28u);
  EXPECT_EQ(test.labels[0], 9);  // the first Fashion-MNIST test image is an ankle boot
}

TEST_F(DatasetTest, RejectsHalfAPair) {
  std::filesystem::create_directories(root_ / "d");
  write_bytes(root_ / "d" / "train-images-idx3-ubyte", idx_file({2, 4, 3}, 0));
  EXPECT_THAT(error_for("mnist", Split::Train, {root_ / "d"}),
              HasSubstr("found " + (root_ / "d" / "train-images-idx3-ubyte").string() +
                        " but no train-labels-idx1-ubyte(.gz) next to it"));
}

TEST_F(DatasetTest, RejectsInconsistentFiles) {
  const auto dir = root_ / "d";
  write_split(dir, "train", 3, 1);
  write_bytes(dir / "train-labels-idx1-ubyte", idx_file({4}, 1));
  EXPECT_THAT(error_for("mnist", Split::Train, {dir}), HasSubstr("has 4 labels, but"));
  write_bytes(dir / "train-labels-idx1-ubyte", idx_file({3}, 10));
  EXPECT_THAT(error_for("mnist", Split::Train, {dir}),
              HasSubstr("train-labels-idx1-ubyte: label 0 is 10, expected 0 to 9"));
  write_bytes(dir / "train-labels-idx1-ubyte", idx_file({3, 1}, 1));
  EXPECT_THAT(error_for("mnist", Split::Train, {dir}), HasSubstr("expected 1 dimension (count), found 3x1"));
  write_bytes(dir / "train-images-idx3-ubyte", idx_file({3, 12}, 1));
  EXPECT_THAT(error_for("mnist", Split::Train, {dir}),
              HasSubstr("expected 3 dimensions (count x rows x cols), found 3x12"));
}

TEST_F(DatasetTest, RealMnistIfCached) {
  if (const auto saved = saved_[0].second) setenv("HOME", saved->c_str(), 1);
  if (const auto saved = saved_[1].second) setenv("XDG_CACHE_HOME", saved->c_str(), 1);
  const auto dir = dataset_cache_dir("mnist");
  if (!std::filesystem::exists(dir / "t10k-images-idx3-ubyte")) GTEST_SKIP() << dir << " has no MNIST";
  const Dataset test = load_dataset("mnist", Split::Test, {});
  EXPECT_EQ(test.count, 10000u);
  EXPECT_EQ(test.rows, 28u);
  EXPECT_EQ(test.cols, 28u);
  EXPECT_EQ(test.labels[0], 7);
}

}  // namespace
}  // namespace vkae::nn

namespace vkae::nn {
namespace {

std::string known_copy_error(std::string_view name, Split split, const std::filesystem::path& dir) {
  try {
    load_dataset(name, split, DataSearch{dir});
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    return e.what();
  }
  ADD_FAILURE() << name << " loaded from " << dir;
  return {};
}

// The real files (MNIST from the cache scripts/setup.sh fills, Fashion-MNIST from Debian's package): each is
// recognised, and asking for one with the other's folder says what was found.
TEST(KnownCopies, FashionFromAnMnistFolderSaysItIsMnist) {
  const Dataset mnist = load_dataset("mnist", Split::Test, {});
  const Dataset fashion =
      load_dataset("fashion", Split::Test, DataSearch{std::filesystem::path(kDebianFashionMnistDir)});
  EXPECT_EQ(identify_known_copy(mnist, Split::Test), "mnist");
  EXPECT_EQ(identify_known_copy(fashion, Split::Test), "fashion");
  EXPECT_EQ(identify_known_copy(fashion, Split::Train), std::nullopt) << "a digest is per split";
  const std::filesystem::path mnist_dir = mnist.images_path.parent_path();
  EXPECT_EQ(known_copy_error("fashion", Split::Test, mnist_dir),
            mnist.images_path.string() +
                ": these are MNIST's test images, not Fashion-MNIST's (dataset fashion); point --data at the "
                "Fashion-MNIST files or train mnist");
  EXPECT_THAT(known_copy_error("fashion", Split::Train, mnist_dir), HasSubstr("MNIST's training images"));
  EXPECT_THAT(known_copy_error("mnist", Split::Test, std::filesystem::path(kDebianFashionMnistDir)),
              HasSubstr("these are Fashion-MNIST's test images, not MNIST's (dataset mnist)"));
}

}  // namespace
}  // namespace vkae::nn
