// Decoding a list of users' image files into one block of planes on all cores: a header pass that settles
// the channels and checks the sizes, then the decode, channel conversion and cover-crop of every file.
// The result does not depend on the thread count, and an error names the first bad file in file order.
// Does not find the files (the folder scan does) nor cache anything (decode_cache.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vkae::nn {

struct DecodeOptions {
  std::optional<uint32_t> channels;       // 1 or 3; nullopt: 3 when any image has colour, else 1
  std::optional<uint32_t> height, width;  // target size (one alone: square); nullopt: the images' own size
  bool skip_bad = false;                  // a bad file is skipped and counted instead of an error
  unsigned threads = 0;                   // 0: std::thread::hardware_concurrency()
  // The decode pass's progress, from the calling thread only, at most every 100 ms and once at the end.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct DecodedImages {
  uint32_t channels = 0, height = 0, width = 0;
  std::vector<uint8_t> planes;       // [kept.size(), channels, height, width]
  std::vector<uint32_t> kept;        // indices into `files` of the images decoded, ascending
  std::vector<std::string> skipped;  // with skip_bad: one "<path>: <reason>" per skipped file, in file order

  uint64_t image_size() const noexcept { return uint64_t{channels} * height * width; }  // bytes per image
};

// InputError (one line) for: no files; a bad file without skip_bad (the first in file order whose header is
// bad, else the first whose pixels are: the header pass ends before any pixels are decoded); images of
// different sizes without a target size ("<folder>/: images differ in size (a.png is 640x480, b.jpg is
// 300x200); pass --size H[xW]"); bad options; every file bad with skip_bad.
DecodedImages decode_images(std::span<const std::filesystem::path> files, const DecodeOptions& options);

}  // namespace vkae::nn
