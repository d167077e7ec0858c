// A checkpoint's model on one user image: `vkae denoise` and `vkae upscale` as library calls. A fully
// convolutional model takes the whole image at its own size and colour (nn/infer/whole_image.hpp); a model
// with dense layers or one fixed size gets the image resized to its input, and the result says so.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace vkae::nn {

struct ImagePassOptions {
  std::string device;
  uint32_t tile = 0;  // the largest tile side in input pixels; 0: from the device's limits
};

struct ImagePassResult {
  uint32_t in_width = 0, in_height = 0, out_width = 0, out_height = 0, channels = 0;
  bool whole = false;                          // the whole image through a convolutional model
  uint32_t model_width = 0, model_height = 0;  // the size it was resized to when not whole
  uint32_t tiles = 0, tile_width = 0, tile_height = 0;
};

// Any image file (PNG, JPEG, BMP, ...) through the checkpoint's model, made its channels (grey or RGB),
// written to `out` by its extension (.png, .jpg, .bmp) atomically: nothing is written on an error.
ImagePassResult denoise_image(const std::filesystem::path& checkpoint, const std::filesystem::path& in,
                              const std::filesystem::path& out, const ImagePassOptions& options);
// The same for a super-resolution checkpoint: twice the input's size. InputError naming the checkpoint
// when it is not a super-resolution model.
ImagePassResult upscale_image(const std::filesystem::path& checkpoint, const std::filesystem::path& in,
                              const std::filesystem::path& out, const ImagePassOptions& options);

// "whole image, 3x300x200 in 1 pass" / "model dense takes 1x28x28: resized 300x200 to 28x28" — what a
// command prints about the pass.
std::string image_pass_text(const ImagePassResult& r);

}  // namespace vkae::nn
