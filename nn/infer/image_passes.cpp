// denoise and upscale on one user image: read in any format, made the model's channels, then the whole image
// through a convolutional model (whole_image.cpp) or, for any other model, area-resized to its input;
// written by the output's extension.
#include "nn/infer/image_passes.hpp"

#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "nn/infer/model_runner.hpp"
#include "nn/infer/whole_image.hpp"
#include "nn/io/image.hpp"
#include "nn/model/model.hpp"

namespace vkae::nn {
namespace {

// An image already at the checkpoint's input size through its model in prediction mode, at its output size.
Image predict_at_input_size(rt::Context& ctx, const LoadedCheckpoint& ckpt, const Image& input) {
  const ModelSpec& spec = ckpt.spec;
  Model model(ctx, spec, 1);
  load_into(ctx, ckpt, model, nullptr);
  const std::vector<uint8_t> planes = to_planar(input);
  std::vector<float> x(planes.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = planes[i] / 255.0f;
  ctx.write(model.input(), x.data(), x.size() * sizeof(float));
  ctx.run_now([&](rt::Recorder& rec) { model.record_forward(rec, 1, /*predict=*/true); });
  const Shape3 out = spec.output();
  std::vector<float> y(out.size());
  ctx.read(model.output(), y.data(), y.size() * sizeof(float));
  std::vector<uint8_t> pixels(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    pixels[i] = static_cast<uint8_t>(std::lround(std::clamp(y[i], 0.0f, 1.0f) * 255.0f));
  return from_planar(pixels, out.w, out.h, out.c);
}

ImagePassResult run_image_pass(const LoadedCheckpoint& ckpt, const std::filesystem::path& in,
                               const std::filesystem::path& out, const ImagePassOptions& options) {
  const ModelSpec& spec = ckpt.spec;
  const Image original = read_image(in);
  const Image image = convert_channels(original, spec.input.c);
  ImagePassResult r{original.width, original.height, 0, 0, spec.input.c};
  rt::Context ctx(analysis_context_options(options.device));
  Image result;
  if (const auto geometry = whole_image_geometry(spec)) {
    const WholeImageRun run = run_whole_image(ctx, ckpt, *geometry, image, options.tile);
    result = run.output;
    r.whole = true;
    r.tiles = run.tiles;
    r.tile_width = run.tile_w;
    r.tile_height = run.tile_h;
  } else {
    r.model_width = spec.input.w;
    r.model_height = spec.input.h;
    result = predict_at_input_size(ctx, ckpt, resize_image(image, spec.input.w, spec.input.h));
  }
  write_image(out, result);
  r.out_width = result.width;
  r.out_height = result.height;
  return r;
}

}  // namespace

ImagePassResult denoise_image(const std::filesystem::path& checkpoint, const std::filesystem::path& in,
                              const std::filesystem::path& out, const ImagePassOptions& options) {
  return run_image_pass(read_checkpoint(checkpoint), in, out, options);
}

ImagePassResult upscale_image(const std::filesystem::path& checkpoint, const std::filesystem::path& in,
                              const std::filesystem::path& out, const ImagePassOptions& options) {
  const LoadedCheckpoint ckpt = read_checkpoint(checkpoint);
  if (!ckpt.spec.super_resolution)
    throw InputError("checkpoint " + checkpoint.string() + ": model " + ckpt.spec.name +
                     " is not a super-resolution model (expected one trained with --model sr, input half "
                     "the output's size)");
  return run_image_pass(ckpt, in, out, options);
}

std::string image_pass_text(const ImagePassResult& r) {
  const auto size = [](uint32_t w, uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); };
  const std::string colour = r.channels == 3 ? "RGB" : "grey";
  if (!r.whole)
    return "the model takes " + size(r.model_width, r.model_height) + " " + colour +
           " images (not "
           "convolutional throughout): " +
           size(r.in_width, r.in_height) + " resized to " + size(r.model_width, r.model_height) +
           ", written at " + size(r.out_width, r.out_height);
  std::string passes = r.tiles == 1 ? "in one pass"
                                    : "in " + std::to_string(r.tiles) + " overlapping tiles of " +
                                          size(r.tile_width, r.tile_height);
  return "the whole " + size(r.in_width, r.in_height) + " " + colour + " image " + passes + ", written at " +
         size(r.out_width, r.out_height);
}

}  // namespace vkae::nn
