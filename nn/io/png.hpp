// PNG files through libpng: 8-bit grey/RGB/RGBA writing (encoded in memory, then written atomically),
// reading any PNG as 8-bit grey, and an area/bilinear resize to bring a user's image to the model's size.
// Not a general image library: no colour management (gAMA/iCCP are ignored), no other formats.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace vkae::nn {

struct GreyImage {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> pixels;  // [height, width], 0 black .. 255 white
};

// channels: 1 grey, 3 RGB, 4 RGBA; pixels are [height, width, channels]. InputError naming the path for bad
// arguments or a failed write; the previous file (if any) is left untouched on failure.
void write_png(const std::filesystem::path& path, uint32_t width, uint32_t height, uint32_t channels,
               std::span<const uint8_t> pixels);
// The PNG bytes without touching the disk.
std::vector<uint8_t> encode_png(uint32_t width, uint32_t height, uint32_t channels,
                                std::span<const uint8_t> pixels);

// Any colour type and bit depth, converted to 8-bit grey with Rec.601 luma (0.299 R + 0.587 G + 0.114 B).
// Transparency is composited onto WHITE (as a viewer shows it on paper), so a transparent background reads
// as 255. InputError "<path>: not a PNG file (bad signature)", "<path>: corrupt or truncated PNG: <libpng's
// reason>", or an image larger than kMaxPngPixels.
GreyImage read_png_grey(const std::filesystem::path& path);

inline constexpr uint64_t kMaxPngPixels = uint64_t{1} << 28;

// Resamples to width x height: each axis is area-averaged when shrinking and bilinear when enlarging
// (pixel centres aligned). InputError if either size is zero or the image is empty.
GreyImage resize_area(const GreyImage& image, uint32_t width, uint32_t height);

}  // namespace vkae::nn
