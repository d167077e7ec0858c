// The pixel arithmetic of nn/io/image.hpp, independent of any file format: grey/colour conversion, the
// separable area/bilinear resize (also behind png.hpp's resize_area, whose grey results it keeps bit for
// bit), crops, the cover-then-centre-crop to a model's size, and interleaved <-> planar layout.
#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "nn/io/image.hpp"

namespace vkae::nn {

namespace {

std::string size_text(uint32_t width, uint32_t height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

bool well_formed(const Image& image) {
  return image.width > 0 && image.height > 0 && image.channels >= 1 && image.channels <= 4 &&
         image.pixels.size() == std::size_t{image.width} * image.height * image.channels;
}

// For one axis: the source indices and weights that make up each output sample.
struct Tap {
  uint32_t index;
  float weight;
};

std::vector<std::vector<Tap>> axis_taps(uint32_t from, uint32_t to) {
  std::vector<std::vector<Tap>> taps(to);
  const double scale = static_cast<double>(from) / to;
  for (uint32_t i = 0; i < to; ++i) {
    if (scale >= 1.0) {
      // Area: output pixel i covers source interval [i*scale, (i+1)*scale).
      const double begin = i * scale, end = (i + 1) * scale;
      for (auto j = static_cast<uint32_t>(begin); j < from && j < end; ++j) {
        const double overlap = std::min(end, j + 1.0) - std::max(begin, static_cast<double>(j));
        if (overlap > 0) taps[i].push_back({j, static_cast<float>(overlap / scale)});
      }
    } else {
      // Bilinear with pixel centres aligned, clamped at the borders.
      const double x = std::clamp((i + 0.5) * scale - 0.5, 0.0, from - 1.0);
      const auto j = static_cast<uint32_t>(x);
      const double t = x - j;
      taps[i].push_back({j, static_cast<float>(1 - t)});
      if (j + 1 < from) taps[i].push_back({j + 1, static_cast<float>(t)});
    }
  }
  return taps;
}

}  // namespace

Image convert_channels(const Image& image, uint32_t channels) {
  if (!well_formed(image) || (image.channels != 1 && image.channels != 3) ||
      (channels != 1 && channels != 3)) {
    throw InputError("convert: cannot make a " + size_text(image.width, image.height) + "x" +
                     std::to_string(image.channels) + " image " + std::to_string(channels) +
                     " channels (1 or 3 either way)");
  }
  if (image.channels == channels) return image;
  const std::size_t count = std::size_t{image.width} * image.height;
  Image out{image.width, image.height, channels, std::vector<uint8_t>(count * channels)};
  if (channels == 3) {
    for (std::size_t i = 0; i < count; ++i) std::fill_n(&out.pixels[3 * i], 3, image.pixels[i]);
    return out;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const uint8_t* p = &image.pixels[3 * i];
    // Rec.601 luma in 8.8 fixed point, as read_png_grey (77 + 150 + 29 = 256: grey maps to itself).
    out.pixels[i] = static_cast<uint8_t>((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
  }
  return out;
}

Image resize_image(const Image& image, uint32_t width, uint32_t height) {
  if (width == 0 || height == 0 || !well_formed(image)) {
    throw InputError("resize: cannot resize a " + size_text(image.width, image.height) + " image to " +
                     size_text(width, height));
  }
  const uint32_t channels = image.channels;
  const auto x_taps = axis_taps(image.width, width);
  const auto y_taps = axis_taps(image.height, height);
  // Horizontal pass into floats [image.height, width, channels], then vertical into the result.
  std::vector<float> rows(std::size_t{image.height} * width * channels);
  for (uint32_t y = 0; y < image.height; ++y) {
    const uint8_t* src = &image.pixels[std::size_t{y} * image.width * channels];
    float* dst = &rows[std::size_t{y} * width * channels];
    for (uint32_t x = 0; x < width; ++x) {
      for (uint32_t c = 0; c < channels; ++c) {
        float sum = 0;
        for (const Tap& tap : x_taps[x]) sum += tap.weight * src[std::size_t{tap.index} * channels + c];
        dst[std::size_t{x} * channels + c] = sum;
      }
    }
  }
  const std::size_t row_size = std::size_t{width} * channels;
  Image out{width, height, channels, std::vector<uint8_t>(height * row_size)};
  for (uint32_t y = 0; y < height; ++y) {
    for (std::size_t i = 0; i < row_size; ++i) {
      float sum = 0;
      for (const Tap& tap : y_taps[y]) sum += tap.weight * rows[tap.index * row_size + i];
      out.pixels[y * row_size + i] = static_cast<uint8_t>(std::clamp(std::lround(sum), 0L, 255L));
    }
  }
  return out;
}

Image crop_image(const Image& image, uint32_t x, uint32_t y, uint32_t width, uint32_t height) {
  if (!well_formed(image) || width == 0 || height == 0 || uint64_t{x} + width > image.width ||
      uint64_t{y} + height > image.height) {
    throw InputError("crop: the " + size_text(width, height) + " window at (" + std::to_string(x) + ", " +
                     std::to_string(y) + ") does not fit a " + size_text(image.width, image.height) +
                     " image");
  }
  const std::size_t channels = image.channels;
  Image out{width, height, image.channels, std::vector<uint8_t>(std::size_t{width} * height * channels)};
  for (uint32_t row = 0; row < height; ++row) {
    const auto src = image.pixels.begin() +
                     static_cast<std::ptrdiff_t>(((std::size_t{y} + row) * image.width + x) * channels);
    std::copy_n(src, std::size_t{width} * channels, &out.pixels[std::size_t{row} * width * channels]);
  }
  return out;
}

Image cover_and_center_crop(const Image& image, uint32_t width, uint32_t height) {
  if (image.width == width && image.height == height) return image;
  if (!well_formed(image) || width == 0 || height == 0) {
    throw InputError("resize: cannot bring a " + size_text(image.width, image.height) + " image to " +
                     size_text(width, height));
  }
  const double scale =
      std::max(static_cast<double>(width) / image.width, static_cast<double>(height) / image.height);
  const auto covering = [scale](uint32_t side, uint32_t target) {
    return std::max(target, static_cast<uint32_t>(std::lround(side * scale)));
  };
  const uint32_t resized_width = covering(image.width, width);
  const uint32_t resized_height = covering(image.height, height);
  const uint32_t x = (resized_width - width) / 2, y = (resized_height - height) / 2;
  if (resized_width == image.width && resized_height == image.height)
    return crop_image(image, x, y, width, height);
  return crop_image(resize_image(image, resized_width, resized_height), x, y, width, height);
}

std::vector<uint8_t> to_planar(const Image& image) {
  const std::size_t plane = std::size_t{image.width} * image.height;
  const std::size_t channels = image.channels;
  if (image.pixels.size() != plane * channels) {
    throw InputError("planar: a " + size_text(image.width, image.height) + "x" + std::to_string(channels) +
                     " image needs " + std::to_string(plane * channels) + " bytes, got " +
                     std::to_string(image.pixels.size()));
  }
  std::vector<uint8_t> planes(image.pixels.size());
  for (std::size_t i = 0; i < plane; ++i) {
    for (std::size_t c = 0; c < channels; ++c) planes[c * plane + i] = image.pixels[i * channels + c];
  }
  return planes;
}

Image from_planar(std::span<const uint8_t> planes, uint32_t width, uint32_t height, uint32_t channels) {
  const std::size_t plane = std::size_t{width} * height;
  if (planes.size() != plane * channels) {
    throw InputError("planar: a " + size_text(width, height) + "x" + std::to_string(channels) +
                     " image needs " + std::to_string(plane * channels) + " bytes, got " +
                     std::to_string(planes.size()));
  }
  Image image{width, height, channels, std::vector<uint8_t>(planes.size())};
  for (std::size_t i = 0; i < plane; ++i) {
    for (std::size_t c = 0; c < channels; ++c) image.pixels[i * channels + c] = planes[c * plane + i];
  }
  return image;
}

}  // namespace vkae::nn
