// Users' image files through stb_image / stb_image_write: which format a file is (by its first bytes), its
// header, the decode to 1 or 3 channels with alpha over white, and the failures in words. stb_image's own
// reasons are terse and sometimes stale (a format probe's "bad png sig" survives a JPEG decoder that fails
// without one), so truncation is checked here from each format's structure. The geometry is
// image_geometry.cpp.
#include "nn/io/image.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/stb_guards.hpp"

namespace vkae::nn {

namespace {

enum class Format { Png, Jpeg, Bmp, Gif, Pnm, Psd, Tga, Unknown };

const char* format_name(Format format) {
  switch (format) {
    case Format::Png:
      return "PNG";
    case Format::Jpeg:
      return "JPEG";
    case Format::Bmp:
      return "BMP";
    case Format::Gif:
      return "GIF";
    case Format::Pnm:
      return "PNM";
    case Format::Psd:
      return "PSD";
    case Format::Tga:
      return "TGA";
    case Format::Unknown:
      break;
  }
  return "image";
}

std::string lower_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic) {
  return bytes.size() >= magic.size() && std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

// By the first bytes; TGA has no signature, so only a .tga name makes a file TGA.
Format sniff_format(std::span<const uint8_t> bytes, const std::string& what) {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return Format::Png;
  if (starts_with(bytes, "\xff\xd8\xff")) return Format::Jpeg;
  if (starts_with(bytes, "BM")) return Format::Bmp;
  if (starts_with(bytes, "GIF8")) return Format::Gif;
  if (starts_with(bytes, "P5") || starts_with(bytes, "P6")) return Format::Pnm;
  if (starts_with(bytes, "8BPS")) return Format::Psd;
  if (lower_extension(what) == ".tga") return Format::Tga;
  return Format::Unknown;
}

bool truncated(Format format, std::span<const uint8_t> bytes) {
  switch (format) {
    case Format::Png:
      return png_truncated(bytes);
    case Format::Jpeg:
      return jpeg_truncated(bytes);
    case Format::Bmp:
      return bmp_truncated(bytes);
    default:
      return false;
  }
}

// What went wrong after stb_image refused the bytes, in words.
std::string failure(Format format, std::span<const uint8_t> bytes) {
  const std::string name = format_name(format);
  if (truncated(format, bytes)) return "truncated " + name;
  const char* reason_text = stbi_failure_reason();
  const std::string reason = reason_text ? reason_text : "";
  if (reason == "outofmem") return "out of memory decoding the " + name;
  if (reason == "only 8-bit") return "unsupported JPEG (12-bit samples)";
  if (reason == "no header height") return "unsupported JPEG (height given after the scan)";
  if (reason == "1/2/4/8/16-bit only") return "unsupported PNG (bit depth)";
  // The probes' reasons outlive them: they say nothing about this format's decoder.
  if (reason.empty() || reason == "bad png sig" || reason == "unknown image type") return "corrupt " + name;
  return "corrupt " + name + " (" + reason + ")";
}

[[noreturn]] void fail(const std::string& what, const std::string& problem) {
  throw InputError(what + ": " + problem);
}

struct Header {
  Format format = Format::Unknown;
  int width = 0, height = 0, comps = 0;  // comps as stb_image decodes it: 1 grey, 2 grey+alpha, 3, 4 RGBA
};

// Reads the header; `complete` says the bytes are the whole file (else a failure may just be a short head).
std::optional<Header> read_header(std::span<const uint8_t> bytes, const std::string& what, bool complete) {
  if (bytes.empty()) fail(what, "empty file");
  Header header;
  header.format = sniff_format(bytes, what);
  if (header.format == Format::Unknown)
    fail(what, "unknown image type (expected PNG, JPEG, BMP, GIF, TGA, PGM or PPM)");
  if (bytes.size() > INT_MAX) fail(what, "file of " + std::to_string(bytes.size()) + " bytes is too large");
  if (header.format == Format::Jpeg && !jpeg_huffman_tables_fit(bytes))
    fail(what, "corrupt JPEG (a Huffman table of more than 256 codes)");
  if (header.format == Format::Jpeg)
    if (const auto missing = jpeg_undefined_table(bytes))
      fail(what, "corrupt JPEG (a scan decodes with " + *missing + ", which no DHT defines)");
  // A chunk that runs past the end makes Debian's stb_image grow its buffer to the stated length (up to
  // 2 GiB from a small file, a fuzz finding): a whole PNG must reach IEND first.
  if (header.format == Format::Png && complete && png_truncated(bytes)) fail(what, "truncated PNG");
  if (header.format == Format::Pnm && !pnm_numbers_fit(bytes))
    fail(what, "corrupt PNM (a header number of more than 9 digits)");
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &header.width, &header.height,
                             &header.comps)) {
    if (!complete) return std::nullopt;
    fail(what, failure(header.format, bytes));
  }
  if (header.width <= 0 || header.height <= 0 || header.comps < 1 || header.comps > 4)
    fail(what, "corrupt " + std::string(format_name(header.format)) + " (bad header)");
  if (uint64_t(header.width) * uint64_t(header.height) > kMaxImagePixels) {
    fail(what, "image of " + std::to_string(header.width) + "x" + std::to_string(header.height) +
                   " pixels is too large (at most " + std::to_string(kMaxImagePixels) + ")");
  }
  return header;
}

Image info_of(const Header& header) {
  return Image{static_cast<uint32_t>(header.width),
               static_cast<uint32_t>(header.height),
               header.comps >= 3 ? 3u : 1u,
               {}};
}

// stb_image's pixels with 1..4 components as 1 or 3 channels, alpha composited onto white.
Image flatten_alpha(const uint8_t* data, uint32_t width, uint32_t height, int comps) {
  const uint32_t colour = comps >= 3 ? 3 : 1;
  Image image{width, height, colour, std::vector<uint8_t>(std::size_t{width} * height * colour)};
  const std::size_t count = std::size_t{width} * height;
  if (comps == 1 || comps == 3) {
    std::memcpy(image.pixels.data(), data, image.pixels.size());
    return image;
  }
  const auto stride = static_cast<std::size_t>(comps);
  for (std::size_t i = 0; i < count; ++i) {
    const uint8_t* p = data + i * stride;
    const unsigned alpha = p[colour];
    for (uint32_t c = 0; c < colour; ++c) {
      image.pixels[i * colour + c] =
          static_cast<uint8_t>((p[c] * alpha + 255u * (255u - alpha) + 127u) / 255u);
    }
  }
  return image;
}

std::span<const uint8_t> as_u8(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

// stb_image_write calls back with pieces of the encoded file; the C code must not see an exception.
struct EncodeSink {
  std::vector<uint8_t> bytes;
  bool out_of_memory = false;
};

void append_encoded(void* context, void* data, int size) {
  auto* sink = static_cast<EncodeSink*>(context);
  try {
    const auto* begin = static_cast<const uint8_t*>(data);
    sink->bytes.insert(sink->bytes.end(), begin, begin + size);
  } catch (...) {
    sink->out_of_memory = true;
  }
}

}  // namespace

std::span<const std::string> image_extensions() {
  static const std::array<std::string, 9> kExtensions = {".png", ".jpg", ".jpeg", ".bmp", ".gif",
                                                         ".tga", ".pgm", ".ppm",  ".pnm"};
  return kExtensions;
}

bool has_image_extension(const std::filesystem::path& path) {
  const std::string ext = lower_extension(path);
  const auto known = image_extensions();
  return std::find(known.begin(), known.end(), ext) != known.end();
}

Image decode_image(std::span<const uint8_t> bytes, const std::string& what) {
  const Header header = *read_header(bytes, what, true);
  if (header.format == Format::Bmp && bmp_truncated(bytes)) fail(what, "truncated BMP");
  int width = 0, height = 0, comps = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &comps, 0),
      stbi_image_free);
  if (!data) fail(what, failure(header.format, bytes));
  if (width != header.width || height != header.height || comps != header.comps)
    fail(what, "corrupt " + std::string(format_name(header.format)) + " (header and pixels disagree)");
  return flatten_alpha(data.get(), static_cast<uint32_t>(width), static_cast<uint32_t>(height), comps);
}

Image read_image(const std::filesystem::path& path) {
  const std::vector<std::byte> bytes = read_file(path);
  return decode_image(as_u8(bytes), path.string());
}

Image read_image_info(const std::filesystem::path& path) {
  // A JPEG's size follows its EXIF and other segments, usually within the first few KiB; rarely further.
  constexpr std::size_t kHeadBytes = std::size_t{1} << 18;
  std::vector<std::byte> bytes = read_file_head(path, kHeadBytes);
  std::optional<Header> header = read_header(as_u8(bytes), path.string(), bytes.size() < kHeadBytes);
  if (!header) {
    bytes = read_file(path);
    header = read_header(as_u8(bytes), path.string(), true);
  }
  return info_of(*header);
}

Image decode_image_info(std::span<const uint8_t> bytes, const std::string& what) {
  return info_of(*read_header(bytes, what, true));
}

void write_image(const std::filesystem::path& path, const Image& image) {
  const std::string where = "cannot write " + path.string() + ": ";
  if (image.channels != 1 && image.channels != 3)
    throw InputError(where + std::to_string(image.channels) + " channels, expected 1 or 3");
  const uint64_t expected = uint64_t{image.width} * image.height * image.channels;
  if (image.width == 0 || image.height == 0 || image.width > INT_MAX / 4 || image.height > INT_MAX / 4 ||
      expected != image.pixels.size()) {
    throw InputError(where + std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                     std::to_string(image.channels) + " needs " + std::to_string(expected) + " bytes, got " +
                     std::to_string(image.pixels.size()) + " (and sizes must be non-zero)");
  }
  const std::string ext = lower_extension(path);
  const auto w = static_cast<int>(image.width), h = static_cast<int>(image.height);
  const auto comps = static_cast<int>(image.channels);
  EncodeSink sink;
  int ok = 0;
  if (ext == ".png") {
    ok = stbi_write_png_to_func(append_encoded, &sink, w, h, comps, image.pixels.data(), w * comps);
  } else if (ext == ".jpg" || ext == ".jpeg") {
    ok = stbi_write_jpg_to_func(append_encoded, &sink, w, h, comps, image.pixels.data(), 95);
  } else if (ext == ".bmp") {
    ok = stbi_write_bmp_to_func(append_encoded, &sink, w, h, comps, image.pixels.data());
  } else {
    throw InputError(where + "unknown image extension \"" + path.extension().string() +
                     "\" (expected .png, .jpg, .jpeg or .bmp)");
  }
  if (!ok || sink.out_of_memory) throw InputError(where + "encoding failed");
  write_file_atomically(path, std::as_bytes(std::span(sink.bytes)));
}

}  // namespace vkae::nn
