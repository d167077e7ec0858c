// libpng glue. libpng reports errors by longjmp, so every function that calls into it and has a setjmp
// owns no C++ object with a destructor: buffers live in the caller and are passed in by pointer, and the
// error text is copied into a plain char array. Callbacks catch their own exceptions.
#include "nn/io/png.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstring>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/image.hpp"

namespace vkae::nn {

namespace {

// Shared by the read and write paths; reachable from libpng's callbacks through the io/error pointers.
struct PngState {
  std::vector<uint8_t>* output = nullptr;  // write: encoded bytes
  const uint8_t* input = nullptr;          // read: remaining input
  std::size_t input_left = 0;
  char error[256] = {};
};

void on_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngState*>(png_get_error_ptr(png));
  std::snprintf(state->error, sizeof state->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_write(png_structp png, png_bytep data, png_size_t size) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  try {
    state->output->insert(state->output->end(), data, data + size);
  } catch (...) {
    png_error(png, "out of memory");
  }
}

void on_flush(png_structp) {}

void on_read(png_structp png, png_bytep data, png_size_t size) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  if (size > state->input_left) png_error(png, "unexpected end of file");
  std::memcpy(data, state->input, size);
  state->input += size;
  state->input_left -= size;
}

bool encode_rows(PngState* state, uint32_t width, uint32_t height, int color_type, const uint8_t* pixels,
                 std::size_t stride) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, on_error, on_warning);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, state, on_write, on_flush);
  png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (uint32_t y = 0; y < height; ++y) png_write_row(png, pixels + y * stride);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

// The read is split in two so the caller can allocate the pixel buffer (a C++ vector) between them.
struct PngReader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  uint32_t width = 0, height = 0;
};

bool read_header(PngState* state, PngReader* reader) {
  if (setjmp(png_jmpbuf(reader->png))) return false;
  png_set_read_fn(reader->png, state, on_read);
  png_read_info(reader->png, reader->info);
  // Normalise everything to 8-bit RGBA: palette and low-bit grey expand, tRNS becomes alpha, 16-bit strips.
  png_set_expand(reader->png);
  png_set_strip_16(reader->png);
  png_set_gray_to_rgb(reader->png);
  png_set_add_alpha(reader->png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(reader->png);
  png_read_update_info(reader->png, reader->info);
  reader->width = png_get_image_width(reader->png, reader->info);
  reader->height = png_get_image_height(reader->png, reader->info);
  return true;
}

bool read_pixels(PngReader* reader, png_bytepp rows) {
  if (setjmp(png_jmpbuf(reader->png))) return false;
  png_read_image(reader->png, rows);
  png_read_end(reader->png, nullptr);
  return true;
}

}  // namespace

std::vector<uint8_t> encode_png(uint32_t width, uint32_t height, uint32_t channels,
                                std::span<const uint8_t> pixels) {
  int color_type;
  switch (channels) {
    case 1:
      color_type = PNG_COLOR_TYPE_GRAY;
      break;
    case 3:
      color_type = PNG_COLOR_TYPE_RGB;
      break;
    case 4:
      color_type = PNG_COLOR_TYPE_RGB_ALPHA;
      break;
    default:
      throw InputError("PNG: " + std::to_string(channels) + " channels, expected 1, 3 or 4");
  }
  const uint64_t expected = uint64_t{width} * height * channels;
  if (width == 0 || height == 0 || expected != pixels.size()) {
    throw InputError("PNG: " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                     std::to_string(channels) + " needs " + std::to_string(expected) + " bytes, got " +
                     std::to_string(pixels.size()) + " (and sizes must be non-zero)");
  }
  std::vector<uint8_t> out;
  PngState state;
  state.output = &out;
  if (!encode_rows(&state, width, height, color_type, pixels.data(), std::size_t{width} * channels)) {
    throw InputError(std::string("PNG: encoding failed: ") +
                     (state.error[0] ? state.error : "out of memory"));
  }
  return out;
}

void write_png(const std::filesystem::path& path, uint32_t width, uint32_t height, uint32_t channels,
               std::span<const uint8_t> pixels) {
  std::vector<uint8_t> bytes;
  try {
    bytes = encode_png(width, height, channels, pixels);
  } catch (const InputError& e) {
    throw InputError("cannot write " + path.string() + ": " + e.what());
  }
  write_file_atomically(path, std::as_bytes(std::span(bytes)));
}

GreyImage read_png_grey(const std::filesystem::path& path) {
  const std::vector<std::byte> bytes = read_file(path);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < 8 || png_sig_cmp(data, 0, 8) != 0)
    throw InputError(path.string() + ": not a PNG file (bad signature)");

  PngState state;
  state.input = data;
  state.input_left = bytes.size();
  PngReader reader;
  reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
  if (reader.png) reader.info = png_create_info_struct(reader.png);
  const auto fail = [&](const std::string& problem) {
    png_destroy_read_struct(&reader.png, &reader.info, nullptr);
    return InputError(path.string() + ": " + problem);
  };
  if (!reader.png || !reader.info) throw fail("cannot initialise libpng");
  if (!read_header(&state, &reader)) throw fail(std::string("corrupt or truncated PNG: ") + state.error);
  if (uint64_t{reader.width} * reader.height > kMaxPngPixels) {
    throw fail("image of " + std::to_string(reader.width) + "x" + std::to_string(reader.height) +
               " pixels is too large");
  }
  std::vector<uint8_t> rgba(std::size_t{reader.width} * reader.height * 4);
  std::vector<png_bytep> rows(reader.height);
  for (uint32_t y = 0; y < reader.height; ++y) rows[y] = rgba.data() + std::size_t{y} * reader.width * 4;
  if (!read_pixels(&reader, rows.data())) throw fail(std::string("corrupt or truncated PNG: ") + state.error);
  png_destroy_read_struct(&reader.png, &reader.info, nullptr);

  GreyImage image{reader.width, reader.height,
                  std::vector<uint8_t>(std::size_t{reader.width} * reader.height)};
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    const uint8_t* p = &rgba[4 * i];
    // Rec.601 luma in 8.8 fixed point (77 + 150 + 29 = 256, so grey input maps to itself), then "over" white.
    const unsigned luma = (77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8;
    const unsigned alpha = p[3];
    image.pixels[i] = static_cast<uint8_t>((luma * alpha + 255u * (255u - alpha) + 127u) / 255u);
  }
  return image;
}

GreyImage resize_area(const GreyImage& image, uint32_t width, uint32_t height) {
  Image resized = resize_image(Image{image.width, image.height, 1, image.pixels}, width, height);
  return GreyImage{resized.width, resized.height, std::move(resized.pixels)};
}

}  // namespace vkae::nn
