// A checkpoint's model on the device in prediction mode, fed batches of a dataset's images: the engine of
// `vkae encode`, `vkae anomaly` (nn/infer/split_passes.cpp) and `vkae reduce` (nn/infer/pca_comparison.cpp).
// Each run() leaves the batch's code, output and per-image reconstruction errors on the device for the read_*
// calls. Not a training program: no noise, no gradients.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"
#include "nn/io/png.hpp"
#include "nn/model/model.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/defaults.hpp"
#include "runtime/context.hpp"

namespace vkae::nn {

rt::ContextOptions analysis_context_options(const std::string& device);

// Where and how a checkpoint's dataset is read again: --data, and a folder's split and crop at the model's
// shape.
DataSearch checkpoint_data_search(const LoadedCheckpoint& ckpt,
                                  const std::optional<std::filesystem::path>& data_dir);

// The dataset of a checkpoint's run (or `override_name`), checked against what the model produces.
Dataset load_for_checkpoint(const LoadedCheckpoint& ckpt, const std::filesystem::path& checkpoint,
                            const std::string& override_name,
                            const std::optional<std::filesystem::path>& data_dir, Split split);

class ModelRunner {
 public:
  ModelRunner(const LoadedCheckpoint& ckpt, const std::string& device, uint32_t max_batch = kInferenceBatch);

  // Images [first, first + n) of `data` (n <= max batch) as clean targets; the model's input is the image,
  // or its 2x downscale for super-resolution. Forward in prediction mode, then the errors of each image.
  void run(const Dataset& data, uint32_t first, uint32_t n);
  // The same on `n` images a caller holds as floats in [0, 1], [n, output pixels] planar.
  void run_targets(const float* targets, uint32_t n);
  // `n` inputs as the model reads them ([n, input size]; a super-resolution model's low-resolution images):
  // the forward pass in prediction mode alone. read_code and read_output then hold its results.
  void run_inputs(const float* inputs, uint32_t n);
  // `n` codes [n, latent size] through the decoder alone, prediction applied; read_output has the images.
  void run_decode(const float* codes, uint32_t n);
  std::vector<float> read_code(uint32_t n);    // [n, Z]
  std::vector<float> read_output(uint32_t n);  // [n, output pixels], after the final activation
  std::vector<float> read_errors(uint32_t n);  // [n] mean loss per pixel (the model's loss kind)

  const Model& model() const noexcept { return model_; }
  uint32_t max_batch() const noexcept { return model_.max_batch(); }
  const std::string& device_name() const noexcept { return ctx_.device_name(); }
  double seconds() const noexcept { return seconds_; }  // time spent in run()

 private:
  rt::Context ctx_;
  Model model_;
  rt::Buffer target_, errors_;
  uint32_t pixels_;
  double seconds_ = 0;

  void check_batch(uint32_t n) const;
  template <class Record>
  void timed(Record&& record);
};

}  // namespace vkae::nn
