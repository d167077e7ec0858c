// denoise and upscale: a checkpoint's model on one user PNG, made grey and area-resized to the model's input,
// written at the model's output size by write_prediction_png (model_runner.cpp).
#include "nn/infer/image_passes.hpp"

#include "nn/infer/model_runner.hpp"
#include "nn/io/png.hpp"

namespace vkae::nn {

void denoise_png(const std::filesystem::path& checkpoint, const std::filesystem::path& in_png,
                 const std::filesystem::path& out_png, const std::string& device) {
  const LoadedCheckpoint ckpt = read_checkpoint(checkpoint);
  const Shape3 in = ckpt.spec.input;
  if (in.c != 1)
    throw InputError("checkpoint " + checkpoint.string() + ": model input has " + std::to_string(in.c) +
                     " channels; denoise handles grey images");
  write_prediction_png(ckpt, resize_area(read_png_grey(in_png), in.w, in.h), out_png, device);
}

UpscaleResult upscale_png(const std::filesystem::path& checkpoint, const std::filesystem::path& in_png,
                          const std::filesystem::path& out_png, const std::string& device) {
  const LoadedCheckpoint ckpt = read_checkpoint(checkpoint);
  const ModelSpec& spec = ckpt.spec;
  if (!spec.super_resolution)
    throw InputError("checkpoint " + checkpoint.string() + ": model " + spec.name +
                     " is not a super-resolution "
                     "model (expected one trained with --model sr, input half the output's size)");
  if (spec.input.c != 1)
    throw InputError("checkpoint " + checkpoint.string() + ": model input has " +
                     std::to_string(spec.input.c) + " channels; upscale handles grey images");
  const GreyImage original = read_png_grey(in_png);
  write_prediction_png(ckpt, resize_area(original, spec.input.w, spec.input.h), out_png, device);
  const Shape3 out = spec.output();
  return {original.width, original.height, out.w, out.h};
}

}  // namespace vkae::nn
