// Users' image files: PNG, JPEG and BMP (and the other formats stb_image reads) decoded to 8-bit grey or RGB
// through Debian's libstb, and the geometry a dataset needs: grey/colour conversion, the area (down) /
// bilinear (up) resize, and the cover-then-crop that brings an image of any size to the model's size.
// Pixels are interleaved [height, width, channels] here; datasets store planes (see to_planar).
// No colour management (ICC profiles and gamma chunks are ignored), no animation (the first frame).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace vkae::nn {

struct Image {
  uint32_t width = 0, height = 0, channels = 0;  // channels: 1 grey or 3 RGB
  std::vector<uint8_t> pixels;                   // [height, width, channels]
  bool empty() const noexcept { return pixels.empty(); }
};

// Images above this many pixels are rejected (a corrupt header or a decompression bomb).
inline constexpr uint64_t kMaxImagePixels = uint64_t{1} << 28;

// The file extensions read_image is asked to read when a folder is scanned (lower case, with the dot).
std::span<const std::string> image_extensions();
bool has_image_extension(const std::filesystem::path& path);

// The file decoded with its own channels made 1 (grey, grey+alpha) or 3 (RGB, RGBA, palette); alpha is
// composited onto white. InputError "<path>: <reason>" for an unreadable, corrupt, truncated, unsupported
// or too large file (the reason is stb_image's, in words).
Image read_image(const std::filesystem::path& path);
// The same on bytes already in memory; `what` names the input in messages.
Image decode_image(std::span<const uint8_t> bytes, const std::string& what);

// Only the header: width, height and channels (1 or 3 as read_image would give), without decoding.
Image read_image_info(const std::filesystem::path& path);
// The same on the whole file's bytes in memory.
Image decode_image_info(std::span<const uint8_t> bytes, const std::string& what);

// 1 -> 3 repeats the grey value; 3 -> 1 is Rec.601 luma (0.299 R + 0.587 G + 0.114 B), rounded.
Image convert_channels(const Image& image, uint32_t channels);

// Each axis area-averaged when shrinking and bilinear when enlarging (pixel centres aligned), per channel.
// InputError if a size is zero or the image is empty.
Image resize_image(const Image& image, uint32_t width, uint32_t height);

// The window [x, x + width) x [y, y + height) of the image; InputError when it does not fit.
Image crop_image(const Image& image, uint32_t x, uint32_t y, uint32_t width, uint32_t height);

// Resized, keeping its aspect ratio, to the smallest size that covers width x height (one side equal, the
// other at least as large, rounded), then the centred width x height window: torchvision's
// Resize + CenterCrop. An image already that size is returned unchanged.
Image cover_and_center_crop(const Image& image, uint32_t width, uint32_t height);

// [height, width, channels] -> [channels, height, width] (what a dataset stores) and back.
std::vector<uint8_t> to_planar(const Image& image);
Image from_planar(std::span<const uint8_t> planes, uint32_t width, uint32_t height, uint32_t channels);

// Writes PNG (.png), JPEG (.jpg/.jpeg, quality 95) or BMP (.bmp) by the extension, atomically: what tests
// and tools make their images with. InputError naming the path for an unknown extension or a failed write.
// stb_image_write has no grey BMP or JPEG: grey is written there as three equal channels (read back as RGB).
void write_image(const std::filesystem::path& path, const Image& image);

}  // namespace vkae::nn
