// The analysis program: one recorded command buffer that takes the first `images` test images through the
// model (prediction applied; a VAE's code is then its mean mu) and keeps their codes and per-image
// reconstruction errors, then decodes a fixed list of latent vectors (the manifold grid, random samples).
// Every result is copied into host-visible buffers of its own, so, like the preview, it can be submitted
// between training submits and read whenever its fence has signalled. What `vkae generate` and the viewer's
// latent, manifold and anomaly panels are made from. Drawing and PNGs are not its job.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/model/model.hpp"
#include "nn/train/live.hpp"
#include "nn/train/program.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct AnalysisOptions {
  uint32_t images = 0;        // the first N test images, encoded (0: none)
  bool codes = true;          // keep their codes [N, Z] (a VAE's mu)
  bool errors = false;        // keep their reconstruction errors (the loss per pixel, clean input vs itself)
  std::vector<float> decode;  // latent vectors to decode, [M, Z] (Z = the model's latent size)
};

class AnalysisProgram {
 public:
  // Batches of at most model.max_batch() images; everything is recorded here, once. `test` may be null when
  // options.images is 0 (decoding only).
  AnalysisProgram(rt::Context& ctx, const Model& model, const DeviceImages* test, AnalysisOptions options);

  VkCommandBuffer commands() const noexcept { return list_->get(); }

  struct Result {
    uint32_t images = 0, latent = 0;  // N, Z
    std::vector<float> codes;         // [N, Z]
    std::vector<float> errors;        // [N]
    uint32_t decoded = 0;             // M
    std::vector<float> outputs;       // [M, pixels] in [0, 1]
  };
  // After commands() finished.
  Result read() const;

 private:
  AnalysisOptions options_;
  uint32_t latent_ = 0, pixels_ = 0, batch_ = 0, decoded_ = 0;
  VkDeviceSize error_block_ = 0;  // bytes per batch in errors_: each batch's rows start aligned
  rt::Buffer state_, target_, codes_, errors_, decode_in_, decode_out_;
  std::unique_ptr<rt::CommandList> list_;
};

// The quantile of the standard normal distribution: Φ^-1(p) for p in (0, 1).
double normal_quantile(double p);

// The manifold grid's latent vectors [grid * grid, latent], row-major with row 0 at the top: column j has
// z0 = Φ^-1(q_j) and row i has z1 = Φ^-1(q_(grid-1-i)) for q = linspace(0.05, 0.95, grid) (as in the Keras
// VAE example); every other coordinate is 0. With latent == 1 every row is the same z0 sweep.
std::vector<float> manifold_codes(uint32_t grid, uint32_t latent);

// The viewer's analysis panels: a VAE's latent scatter and manifold, an anomaly run's error histogram.
inline constexpr uint32_t kLiveAnalysisImages = 1000;  // test images in the scatter and the histogram
inline constexpr uint32_t kLiveManifoldGrid = 10;

// What to run for the panels: codes and the manifold grid for a VAE, errors when a class was held out.
AnalysisOptions live_analysis_options(const Model& model, bool holdout);
// The panels' data from a finished run of that program on the first images of `test_set` (its labels and
// class names).
LiveAnalysis make_live_analysis(const AnalysisProgram::Result& result, const Model& model,
                                const Dataset& test_set, HeldOutClass holdout_class, uint64_t step);

}  // namespace vkae::nn
