// `vkae generate`: checks the checkpoint, draws the latent vectors on the host, runs one analysis program
// (encode the test images, decode samples and the manifold grid) and writes the PNGs.
#include "nn/infer/generate.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "nn/infer/analysis_program.hpp"
#include "nn/infer/model_runner.hpp"
#include "nn/io/plot.hpp"
#include "nn/io/png.hpp"
#include "nn/rng.hpp"
#include "nn/train/checkpoint.hpp"
#include "runtime/queue.hpp"

namespace vkae::nn {
namespace {

namespace fs = std::filesystem;

// grid x grid images [C, H, W] in [0, 1] tiled into one picture (grey or RGB), row-major, no gaps.
void write_image_grid(const fs::path& path, const float* images, uint32_t grid, Shape3 shape) {
  const uint32_t W = grid * shape.w, H = grid * shape.h, C = shape.c;
  std::vector<uint8_t> pixels(size_t{W} * H * C);
  for (uint32_t y = 0; y < H; ++y)
    for (uint32_t x = 0; x < W; ++x)
      for (uint32_t c = 0; c < C; ++c) {
        const size_t image = size_t{y / shape.h} * grid + x / shape.w;
        const float v = images[((image * C + c) * shape.h + y % shape.h) * shape.w + x % shape.w];
        pixels[(size_t{y} * W + x) * C + c] =
            static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
      }
  write_png(path, W, H, C, pixels);
}

RgbImage latent_plot(const std::vector<float>& codes, const Dataset& data, uint32_t count, uint32_t latent) {
  PlotSpec spec;
  spec.width = 720;
  spec.height = 640;
  spec.title = "latent space: mu of " + std::to_string(count) + " test images";
  spec.x_label = "z0";
  spec.y_label = "z1";
  spec.x_margin = spec.y_margin = 0.03;
  spec.legend = LegendPlace::Right;
  for (uint32_t label = 0; label < data.class_names.size(); ++label) {
    PlotSeries s{data.class_names[label], label_color(label), {}, /*lines=*/false, /*markers=*/true};
    s.marker_radius = 1;  // 3x3 dots: 10,000 of them stay readable
    spec.series.push_back(std::move(s));
  }
  for (uint32_t i = 0; i < count; ++i)
    spec.series[data.labels[i]].points.emplace_back(codes[size_t{i} * latent], codes[size_t{i} * latent + 1]);
  return render_line_plot(spec);
}

// Z, once the checkpoint is known to be a VAE's and the grid within bounds (InputError, before any device
// work).
uint32_t checked_latent_size(const GenerateConfig& config, const LoadedCheckpoint& ckpt) {
  const int sampling = ckpt.spec.sampling_layer();
  if (sampling < 0)
    throw InputError("--checkpoint " + config.checkpoint.string() + ": model '" + ckpt.spec.name +
                     "' is not a VAE (no sampling layer), so it has no prior to sample from; train one with "
                     "vkae train --model vae");
  if (config.grid == 0 || config.grid > kMaxGenerateGrid)
    throw InputError("--grid " + std::to_string(config.grid) + ": expected an integer from 1 to " +
                     std::to_string(kMaxGenerateGrid));
  return ckpt.spec.encoder[static_cast<size_t>(sampling)].units;
}

// The folder only once the inputs are known good, so a failed run leaves no empty one behind.
fs::path make_out_folder(const GenerateConfig& config) {
  const fs::path out =
      config.out ? *config.out
                 : (config.checkpoint.has_parent_path() ? config.checkpoint.parent_path() : fs::path("."));
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec || !fs::is_directory(out)) throw InputError("--out " + out.string() + ": cannot create the folder");
  return out;
}

// generated.png from the first grid x grid decoded images; with a 2-D latent space (`labels` given) also
// manifold.png from the next ones and latent.png from the codes of `count` test images.
void write_generated(GenerateResult& result, const fs::path& out, const GenerateConfig& config,
                     const Shape3& shape, const AnalysisProgram::Result& r, const Dataset* test_set,
                     uint32_t count) {
  const uint32_t n = config.grid * config.grid;
  const size_t image_floats = shape.size();
  const uint32_t side_w = config.grid * shape.w, side_h = config.grid * shape.h;
  write_image_grid(out / "generated.png", r.outputs.data(), config.grid, shape);
  result.files.push_back(
      {out / "generated.png", side_w, side_h,
       std::to_string(n) + " samples decoded from z ~ N(0, I), seed " + std::to_string(config.seed)});
  if (!test_set) {
    result.note = "no manifold.png or latent.png: the latent space has " + std::to_string(result.latent) +
                  " dimensions, not 2 (train with --latent 2 for them)";
    return;
  }
  write_image_grid(out / "manifold.png", r.outputs.data() + n * image_floats, config.grid, shape);
  result.files.push_back({out / "manifold.png", side_w, side_h,
                          "the latent plane decoded on a " + std::to_string(config.grid) + "x" +
                              std::to_string(config.grid) + " grid at normal quantiles 0.05..0.95"});
  const RgbImage plot = latent_plot(r.codes, *test_set, count, result.latent);
  write_png(out / "latent.png", plot.width, plot.height, 3, plot.pixels);
  result.files.push_back({out / "latent.png", plot.width, plot.height,
                          "mu of " + std::to_string(count) + " test images, coloured by label"});
}

}  // namespace

std::vector<float> prior_samples(uint32_t count, uint32_t latent, uint64_t seed) {
  // Box-Muller on the seeded host generator: the same seed gives the same samples on every device.
  HostRng rng(seed * 0x9E3779B97F4A7C15ull + 0x67656E);
  std::vector<float> z(size_t{count} * latent);
  for (float& v : z) {
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();  // u1 in (0, 1]: log(u1) is finite
    v = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  return z;
}

GenerateResult generate(const GenerateConfig& config) {
  const LoadedCheckpoint ckpt = read_checkpoint(config.checkpoint);
  const uint32_t latent = checked_latent_size(config, ckpt);
  const bool plane = latent == 2;
  std::optional<Dataset> test_set;
  uint32_t count = 0;
  if (plane) {
    test_set = as_one_class_if_unlabelled(
        load_dataset(ckpt.info.dataset, Split::Test, checkpoint_data_search(ckpt, config.data_dir)));
    count = std::min(test_set->count, config.limit.value_or(test_set->count));
  }
  const fs::path out = make_out_folder(config);

  rt::Context ctx(analysis_context_options(config.device));
  Model model(ctx, ckpt.spec, kInferenceBatch);
  load_into(ctx, ckpt, model, nullptr);
  std::optional<DeviceImages> images;
  if (test_set) images.emplace(ctx, *test_set, count);
  AnalysisOptions what;
  what.images = count;
  what.decode = prior_samples(config.grid * config.grid, latent, config.seed);
  if (plane) {
    const auto grid = manifold_codes(config.grid, latent);
    what.decode.insert(what.decode.end(), grid.begin(), grid.end());
  }
  AnalysisProgram program(ctx, model, images ? &*images : nullptr, std::move(what));
  rt::Submitter submitter(ctx.device(), 1);
  VkCommandBuffer cmd = program.commands();
  submitter.wait(submitter.submit({&cmd, 1}));

  GenerateResult result;
  result.latent = latent;
  result.device = ctx.device_name();
  write_generated(result, out, config, ckpt.spec.output(), program.read(), test_set ? &*test_set : nullptr,
                  count);
  return result;
}

}  // namespace vkae::nn
