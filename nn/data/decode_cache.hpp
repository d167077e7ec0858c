// The decode cache: a folder's decoded tensor (decode_images' result) kept on disk under a key over the file
// list (paths, sizes, modification and change times, inodes) and the options that change the bytes, so a
// second run over unchanged files reads one file instead of decoding thousands. A cache file that is
// truncated, corrupt or for another key is never trusted: it is a miss, decoded again and overwritten.
// The cache only ever speeds things up: a folder that cannot be written costs one note, never an error.
// Does not scan folders nor decode (image_decode.hpp does).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "nn/data/dataset.hpp"
#include "nn/data/image_decode.hpp"

namespace vkae::nn {

// Bumped whenever decode_images' output for the same files and options changes (resize, channel
// conversion, the file format below); tests/nn/data/decode_cache_test.cpp pins it to a digest of a decode.
inline constexpr uint32_t kDecodeCacheVersion = 1;

// Two independent 64-bit digests (XXH64 and FNV-1a) of the same key material.
struct DecodeCacheKey {
  std::array<uint64_t, 2> digest{};
  std::string hex() const;  // 32 hex digits: the cache file's name
  bool operator==(const DecodeCacheKey&) const = default;
};

// The key of decoding `files` with `options`: the version, the working folder (when a path is relative), and
// per file its path with size, mtime and ctime (ns) and inode, then channels, height, width and skip_bad. A
// file that cannot be stat'ed enters with its errno, so it appearing later changes the key.
DecodeCacheKey decode_cache_key(std::span<const std::filesystem::path> files, const DecodeOptions& options);

// $XDG_CACHE_HOME/vkae/decoded (else ~/.cache/vkae/decoded); none when VKAE_NO_DECODE_CACHE is set to
// anything but "" or "0", or neither variable is set.
std::optional<std::filesystem::path> default_decode_cache_dir();
// search.decode_cache when given (tests; not subject to VKAE_NO_DECODE_CACHE), else the default.
std::optional<std::filesystem::path> decode_cache_dir(const DataSearch& search);

// <dir>/<key.hex()>.vkd
std::filesystem::path decode_cache_file(const std::filesystem::path& dir, const DecodeCacheKey& key);

// The images stored in `file` for `key` and a list of `file_count` files; none when the file is missing,
// for another key or version, truncated, or its checksum does not match.
std::optional<DecodedImages> read_decode_cache(const std::filesystem::path& file, const DecodeCacheKey& key,
                                               uint64_t file_count);
// Writes `images` atomically (temporary file + rename), creating the folder. InputError naming the file and
// the reason when it cannot.
void write_decode_cache(const std::filesystem::path& file, const DecodeCacheKey& key,
                        const DecodedImages& images);

// The cache's bound: after each store the least recently used .vkd files (a hit refreshes a file's mtime)
// are removed until at most kDecodeCacheKeepFiles remain and they hold at most kDecodeCacheKeepBytes; the
// file just written always stays. Temporary files of writes that died (older than an hour) go too.
inline constexpr size_t kDecodeCacheKeepFiles = 8;
inline constexpr uint64_t kDecodeCacheKeepBytes = uint64_t{4} << 30;
// Best effort: what cannot be listed or removed stays.
void prune_decode_cache(const std::filesystem::path& dir, const std::filesystem::path& keep);

// How the images of one decode or several (--crop random decodes each split apart) came about.
struct DecodeSource {
  uint64_t decoded_files = 0;  // files given to decode_images (kept or skipped)
  uint64_t cached_files = 0;   // files whose images were read from the cache
  double decode_seconds = 0;   // decode_images' wall time
  double cache_seconds = 0;    // the keys, the cache reads and writes

  DecodeSource& operator+=(const DecodeSource& other) noexcept;
  // The folder note's tail: ", from the decode cache in 0.04 s" when nothing was decoded, else ", decoded in
  // 3.10 s (6450 images/s)" (and ", the rest from the decode cache" when some files were read from it);
  // "" for no files.
  std::string note_text() const;
};

struct CachedDecode {
  DecodedImages images;
  DecodeSource source;
};

// decode_images with the cache in `dir` in front (none: no cache). On a hit decode_images is not called (so
// neither is options.progress); on a miss the result is stored and the cache pruned. A store that fails calls
// on_note once with the reason; decode_images' errors propagate and nothing is stored.
CachedDecode decode_images_cached(std::span<const std::filesystem::path> files, const DecodeOptions& options,
                                  const std::optional<std::filesystem::path>& dir,
                                  const std::function<void(const std::string&)>& on_note);

}  // namespace vkae::nn
