// Tests for the decode cache: a miss then a hit giving the same splits without decoding; a touched,
// rewritten or added file and another --size, --channels or --skip-bad missing; --crop random's two splits;
// truncated and bit-flipped cache files re-decoded to the right bytes; an unwritable cache folder still
// loading with one note; pruning; VKAE_NO_DECODE_CACHE; the version pinned to a digest of a decode; and
// `vkae train` on a folder twice, the second from the cache.
#include "nn/data/decode_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "nn/data/dataset.hpp"
#include "nn/io/digest.hpp"
#include "nn/io/image.hpp"
#include "tests/nn/io/test_files.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae::nn {
namespace {

using testing::pattern_image;
using testing::put_image;

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::read_bytes;
using ::testing::StartsWith;
using testing::TempDir;
using testing::write_bytes;

// A labelled folder of 12 RGB images of mixed sizes.
fs::path make_folder(const TempDir& dir) {
  for (uint32_t i = 0; i < 12; ++i)
    put_image(dir / "photos" / (i % 3 ? "cat" : "dog") / (std::to_string(i) + ".png"),
              pattern_image(9 + i % 4, 7 + i % 3, 3, i));
  return dir / "photos";
}

// One load of a folder, remembering whether it decoded (progress was called) and the notes.
struct Load {
  DatasetSplits splits;
  std::vector<std::string> notes;
  bool decoded = false;

  bool from_cache() const {
    return !decoded && !notes.empty() &&
           notes.front().find(", from the decode cache in ") != std::string::npos;
  }
};

Load load(const fs::path& folder, DataSearch search) {
  Load out;
  search.on_progress = [&](uint64_t, uint64_t) { out.decoded = true; };
  search.on_note = [&](const std::string& note) { out.notes.push_back(note); };
  out.splits = load_splits(folder.string(), search);
  return out;
}

DataSearch cached_search(const TempDir& dir, uint32_t size) {
  DataSearch search;
  search.images.height = search.images.width = size;
  search.images.val_split = 0.25;
  search.decode_cache = dir / "cache";
  return search;
}

void expect_same(const DatasetSplits& a, const DatasetSplits& b) {
  for (const auto& [x, y] : {std::pair{&a.train, &b.train}, std::pair{&a.test, &b.test}}) {
    EXPECT_EQ(x->count, y->count);
    EXPECT_EQ(x->channels, y->channels);
    EXPECT_EQ(x->rows, y->rows);
    EXPECT_EQ(x->cols, y->cols);
    EXPECT_EQ(x->images, y->images);
    EXPECT_EQ(x->labels, y->labels);
    EXPECT_EQ(x->class_names, y->class_names);
  }
}

// The same folder decoded without any cache: the reference bytes.
DatasetSplits fresh(const fs::path& folder, DataSearch search) {
  search.decode_cache.reset();
  search.on_progress = nullptr;
  search.on_note = nullptr;
  const char* off = std::getenv("VKAE_NO_DECODE_CACHE");
  EXPECT_TRUE(off && std::string(off) == "1") << "the test main turns the per-user cache off";
  return load_splits(folder.string(), search);
}

std::vector<fs::path> cache_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  return files;
}

TEST(DecodeCache, AMissThenAHitGiveTheSameSplitsWithoutDecoding) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  const DataSearch search = cached_search(dir, 8);
  const Load first = load(folder, search);
  EXPECT_TRUE(first.decoded);
  ASSERT_EQ(first.notes.size(), 1u);
  EXPECT_THAT(first.notes[0], HasSubstr("9 train and 3 val images"));
  EXPECT_THAT(first.notes[0], HasSubstr(", decoded in "));
  ASSERT_EQ(cache_files(dir / "cache").size(), 1u);
  EXPECT_EQ(cache_files(dir / "cache")[0].extension(), ".vkd");

  const Load second = load(folder, search);
  EXPECT_TRUE(second.from_cache()) << second.notes.front();
  expect_same(second.splits, first.splits);
  expect_same(second.splits, fresh(folder, search));
  EXPECT_EQ(second.splits.train.class_names, (std::vector<std::string>{"cat", "dog"}));
}

TEST(DecodeCache, TheNoteSaysWhereTheImagesCameFrom) {
  DecodeSource hit;
  hit.cached_files = 10;
  hit.cache_seconds = 0.04;
  EXPECT_EQ(hit.note_text(), ", from the decode cache in 0.04 s");
  DecodeSource miss;
  miss.decoded_files = 31;
  miss.decode_seconds = 3.1;
  EXPECT_EQ(miss.note_text(), ", decoded in 3.10 s (10 images/s)");
  miss += hit;
  EXPECT_EQ(miss.note_text(), ", decoded in 3.10 s (10 images/s), the rest from the decode cache");
  EXPECT_EQ(miss.cached_files, 10u);
  EXPECT_EQ(DecodeSource{}.note_text(), "");
}

TEST(DecodeCache, ATouchedResizedOrAddedFileOrOtherOptionsMiss) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  DataSearch search = cached_search(dir, 8);
  load(folder, search);
  ASSERT_TRUE(load(folder, search).from_cache());

  const fs::path one = folder / "cat/1.png";
  fs::last_write_time(one, fs::last_write_time(one) + std::chrono::seconds(5));
  EXPECT_FALSE(load(folder, search).from_cache()) << "a touched file";
  EXPECT_TRUE(load(folder, search).from_cache());

  put_image(one, pattern_image(13, 11, 3, 99));  // other pixels and another size
  const Load changed = load(folder, search);
  EXPECT_FALSE(changed.from_cache()) << "a rewritten file";
  expect_same(changed.splits, fresh(folder, search));

  put_image(folder / "dog/new.png", pattern_image(9, 9, 3, 50));
  const Load added = load(folder, search);
  EXPECT_FALSE(added.from_cache()) << "an added file";
  EXPECT_EQ(added.splits.train.count + added.splits.test.count, 13u);
  EXPECT_TRUE(load(folder, search).from_cache());

  DataSearch other_size = search;
  other_size.images.width = 12;
  EXPECT_FALSE(load(folder, other_size).from_cache()) << "--size 8x12";
  DataSearch grey = search;
  grey.images.channels = 1;
  const Load g = load(folder, grey);
  EXPECT_FALSE(g.from_cache()) << "--channels 1";
  EXPECT_EQ(g.splits.train.channels, 1u);
  DataSearch skip = search;
  skip.images.skip_bad = true;
  EXPECT_FALSE(load(folder, skip).from_cache()) << "--skip-bad";
  EXPECT_TRUE(load(folder, search).from_cache()) << "each setting has its own entry";
  EXPECT_TRUE(load(folder, grey).from_cache());
  EXPECT_EQ(cache_files(dir / "cache").size(), 7u);
}

TEST(DecodeCache, TruncatedOrBitFlippedCacheFilesAreDecodedAgain) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  const DataSearch search = cached_search(dir, 8);
  const Load first = load(folder, search);
  const fs::path file = cache_files(dir / "cache").at(0);
  const std::vector<uint8_t> good = read_bytes(file);
  // Positions in the header (magic, key, counts), the kept indices, the planes and the checksum.
  const size_t planes = 64 + 4 * 12;
  for (const size_t at :
       {size_t{0}, size_t{30}, size_t{50}, size_t{64}, planes, planes + 100, good.size() - 1}) {
    std::vector<uint8_t> bad = good;
    bad[at] ^= 0x10;
    write_bytes(file, bad);
    const Load again = load(folder, search);
    EXPECT_FALSE(again.from_cache()) << "byte " << at << " flipped";
    expect_same(again.splits, first.splits);
    EXPECT_EQ(read_bytes(file), good) << "overwritten with the right file";
  }
  for (const size_t length : {size_t{0}, size_t{10}, size_t{64}, planes + 7, good.size() - 1}) {
    write_bytes(file, std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(length)));
    EXPECT_FALSE(load(folder, search).from_cache()) << "truncated to " << length;
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  write_bytes(file, longer);
  EXPECT_FALSE(load(folder, search).from_cache()) << "a byte appended";
  EXPECT_EQ(read_bytes(file), good);
  EXPECT_TRUE(load(folder, search).from_cache());
}

TEST(DecodeCache, RandomCropsCacheEachSplitAtItsOwnSize) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  DataSearch search = cached_search(dir, 8);
  search.images.crop = Crop::Random;
  const Load first = load(folder, search);
  EXPECT_THAT(first.notes.at(0), HasSubstr(", decoded in "));
  EXPECT_EQ(cache_files(dir / "cache").size(), 2u);  // the train split at 8 + margin, val at 8
  const Load second = load(folder, search);
  EXPECT_TRUE(second.from_cache()) << second.notes.front();
  expect_same(second.splits, first.splits);
  EXPECT_EQ(second.splits.train.crop_rows, 8u);
  EXPECT_GT(second.splits.train.rows, 8u);
  expect_same(second.splits, fresh(folder, search));
  search.images.crop = Crop::Center;
  EXPECT_FALSE(load(folder, search).from_cache()) << "both splits at 8 in one decode: another key";
}

TEST(DecodeCache, RelativePathsAreKeyedWithTheWorkingFolder) {
  TempDir dir;
  put_image(dir / "a/x.png", pattern_image(4, 4, 1, 1));
  put_image(dir / "b/x.png", pattern_image(4, 4, 1, 1));
  const fs::path was = fs::current_path();
  const std::vector<fs::path> relative{"x.png"}, absolute{dir / "a/x.png"};
  fs::current_path(dir / "a");
  const DecodeCacheKey in_a = decode_cache_key(relative, {}), absolute_in_a = decode_cache_key(absolute, {});
  fs::current_path(dir / "b");
  const DecodeCacheKey in_b = decode_cache_key(relative, {}), absolute_in_b = decode_cache_key(absolute, {});
  fs::current_path(was);
  EXPECT_NE(in_a, in_b);
  EXPECT_EQ(absolute_in_a, absolute_in_b);
}

TEST(DecodeCache, AnotherKeysFileUnderThisNameIsNotTrusted) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  DataSearch search = cached_search(dir, 8);
  load(folder, search);
  const fs::path file8 = cache_files(dir / "cache").at(0);
  search.images.height = search.images.width = 4;
  load(folder, search);
  ASSERT_EQ(cache_files(dir / "cache").size(), 2u);
  fs::path file4;
  for (const fs::path& f : cache_files(dir / "cache"))
    if (f != file8) file4 = f;
  fs::copy_file(file8, file4, fs::copy_options::overwrite_existing);  // a well-formed file of another key
  const Load again = load(folder, search);
  EXPECT_FALSE(again.from_cache());
  EXPECT_EQ(again.splits.train.rows, 4u);
}

TEST(DecodeCache, AnUnwritableCacheFolderStillLoadsWithOneNote) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  write_bytes(dir / "not-a-folder", {'x'});
  DataSearch search = cached_search(dir, 8);
  search.decode_cache = dir / "not-a-folder/cache";
  for (int run = 0; run < 2; ++run) {
    const Load l = load(folder, search);
    EXPECT_TRUE(l.decoded);
    ASSERT_EQ(l.notes.size(), 2u);
    EXPECT_THAT(l.notes[0],
                StartsWith("decode cache: cannot create " + (dir / "not-a-folder/cache").string()));
    EXPECT_THAT(l.notes[0], HasSubstr("(the next run decodes again)"));
    EXPECT_THAT(l.notes[1], HasSubstr(", decoded in "));
    expect_same(l.splits, fresh(folder, search));
  }
}

TEST(DecodeCache, PruningKeepsTheMostRecentlyUsedFilesAndTheNewOne) {
  TempDir dir;
  const auto now = fs::file_time_type::clock::now();
  std::vector<fs::path> files;
  for (int i = 0; i < 12; ++i) {
    files.push_back(dir / (std::to_string(i) + ".vkd"));
    write_bytes(files.back(), {1, 2, 3});
    fs::last_write_time(files.back(), now - std::chrono::minutes(i));  // 0 the newest
  }
  fs::last_write_time(files[11], now - std::chrono::hours(48));  // the one just written: oldest, yet kept
  write_bytes(dir / ".abc.vkd.tmp-1-2-3", {0});
  fs::last_write_time(dir / ".abc.vkd.tmp-1-2-3", now - std::chrono::hours(2));
  write_bytes(dir / ".def.vkd.tmp-1-2-3", {0});  // a write in progress
  write_bytes(dir / "notes.txt", {0});
  prune_decode_cache(dir.path(), files[11]);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(fs::exists(files[i]), i < 7 || i == 11) << files[i];
  EXPECT_FALSE(fs::exists(dir / ".abc.vkd.tmp-1-2-3"));
  EXPECT_TRUE(fs::exists(dir / ".def.vkd.tmp-1-2-3"));
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
}

TEST(DecodeCache, AHitMakesItsFileTheMostRecentlyUsed) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  const DataSearch search = cached_search(dir, 8);
  load(folder, search);
  const fs::path file = cache_files(dir / "cache").at(0);
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(24);
  fs::last_write_time(file, old);
  ASSERT_TRUE(load(folder, search).from_cache());
  EXPECT_GT(fs::last_write_time(file), old + std::chrono::hours(23));
}

// Sets an environment variable for one scope (the test main sets VKAE_NO_DECODE_CACHE=1).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DecodeCache, TheEnvironmentSwitchTurnsThePerUserCacheOff) {
  const ScopedEnv xdg("XDG_CACHE_HOME", "/somewhere/cache");
  {
    const ScopedEnv on("VKAE_NO_DECODE_CACHE", nullptr);
    EXPECT_EQ(default_decode_cache_dir(), fs::path("/somewhere/cache/vkae/decoded"));
    const ScopedEnv zero("VKAE_NO_DECODE_CACHE", "0");
    EXPECT_EQ(default_decode_cache_dir(), fs::path("/somewhere/cache/vkae/decoded"));
  }
  const ScopedEnv off("VKAE_NO_DECODE_CACHE", "1");
  EXPECT_EQ(default_decode_cache_dir(), std::nullopt);
  DataSearch search;
  EXPECT_EQ(decode_cache_dir(search), std::nullopt);
  search.decode_cache = "/tmp/explicit";
  EXPECT_EQ(decode_cache_dir(search), fs::path("/tmp/explicit"));
}

// decode_images' bytes for a fixed set of files: when this digest changes, so must kDecodeCacheVersion (old
// cache files would otherwise be read back as if decoded by the new code). Update both together.
TEST(DecodeCache, TheVersionIsPinnedToTheDecodersOutput) {
  TempDir dir;
  std::vector<fs::path> files;
  for (uint32_t i = 0; i < 4; ++i) {
    files.push_back(dir / ("f" + std::to_string(i) + ".png"));
    put_image(files.back(), pattern_image(10 + 7 * i, 6 + 5 * i, i % 2 ? 3 : 1, i));
  }
  DecodeOptions options;
  options.height = 8;
  options.width = 12;
  for (const uint32_t channels : {1u, 3u}) {
    options.channels = channels;
    const DecodedImages d = decode_images(files, options);
    const uint64_t digest = xxh64(std::as_bytes(std::span(d.planes)));
    const uint64_t pinned = channels == 1 ? 0xe474cfc0b166405cull : 0xad66de6441249942ull;
    EXPECT_EQ(digest, pinned)
        << std::hex << "0x" << digest
        << ": decode_images' output changed; bump kDecodeCacheVersion and pin the new digest";
  }
  EXPECT_EQ(kDecodeCacheVersion, 1u);
}

TEST(DecodeCache, TrainingOnAFolderTwiceReadsTheCacheTheSecondTime) {
  TempDir dir;
  const fs::path folder = make_folder(dir);
  // Mesa's shader cache (<MESA_SHADER_CACHE_DIR or XDG_CACHE_HOME>/mesa_shader_cache) stays where it was,
  // or both runs would compile every pipeline.
  std::string shaders;
  if (const char* set = std::getenv("MESA_SHADER_CACHE_DIR"))
    shaders = set;
  else if (const char* xdg = std::getenv("XDG_CACHE_HOME"))
    shaders = xdg;
  else if (const char* home = std::getenv("HOME"))
    shaders = std::string(home) + "/.cache";
  const ScopedEnv mesa("MESA_SHADER_CACHE_DIR", shaders.empty() ? nullptr : shaders.c_str());
  const ScopedEnv xdg("XDG_CACHE_HOME", (dir / "xdg").c_str());
  const ScopedEnv on("VKAE_NO_DECODE_CACHE", nullptr);
  const std::string args =
      "train " + folder.string() + " --size 8 --steps 1 --batch 4 --val-split 0.25 --out ";
  const test::Outcome cold = test::run_vkae(args + (dir / "run1").string());
  ASSERT_EQ(cold.code, 0) << cold.err;
  EXPECT_THAT(cold.out, HasSubstr(", decoded in "));
  EXPECT_EQ(cache_files(dir / "xdg/vkae/decoded").size(), 1u);
  const test::Outcome warm = test::run_vkae(args + (dir / "run2").string());
  ASSERT_EQ(warm.code, 0) << warm.err;
  EXPECT_THAT(warm.out, HasSubstr(", from the decode cache in "));
}

}  // namespace
}  // namespace vkae::nn
