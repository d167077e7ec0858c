// A checkpoint's model on one user PNG: `vkae denoise` and `vkae upscale` as library calls.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace vkae::nn {

// A user's PNG (any size/colour; resized to the model input, grey) through the model into out_png.
void denoise_png(const std::filesystem::path& checkpoint, const std::filesystem::path& in_png,
                 const std::filesystem::path& out_png, const std::string& device);

// A super-resolution checkpoint on a user's PNG: made grey, area-resized to the model's input, written at the
// model's output size. InputError naming the checkpoint when it is not a super-resolution model.
struct UpscaleResult {
  uint32_t in_width = 0, in_height = 0, out_width = 0, out_height = 0;
};
UpscaleResult upscale_png(const std::filesystem::path& checkpoint, const std::filesystem::path& in_png,
                          const std::filesystem::path& out_png, const std::string& device);

}  // namespace vkae::nn
