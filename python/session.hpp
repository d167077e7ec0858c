// The C++ half of vkae's Python module: one model and its training run, as a vkae.Model holds it. Plain C++,
// no Python types: the bindings (module.cpp) turn numpy arrays into the planar images and floats this takes.
// The run lives in a private work folder (the trainer's run folder, with the checkpoint the weights are read
// back from), removed with the session; with a TensorBoard log folder the run folder is that one instead.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"
#include "nn/infer/evaluate.hpp"
#include "nn/infer/model_runner.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::python {

struct FitSettings {
  uint32_t epochs = 1;
  uint32_t batch = 128;
  float lr = 1e-3f;
  float noise = 0;  // the model's own noise factor: 0 trains a plain autoencoder
  uint64_t seed = 0;
  bool shuffle = true;
  std::optional<std::filesystem::path> tensorboard;  // the log folder (train/ and validation/ in it)
  nn::TrainControl control;  // early stopping and the plateau schedule (python/callbacks.hpp)
};

// A private folder under the system's temporary one, removed (with all in it) when destroyed.
class WorkFolder {
 public:
  WorkFolder();
  ~WorkFolder();
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

class Session {
 public:
  // `model`: a built-in model's name, or a JSON spec's text (what the dict became); `device` as --device.
  Session(const std::string& model, bool model_is_json, std::string device);
  // A checkpoint the CLI (or save()) wrote, copied into the work folder: the weights, and a run to continue.
  static std::unique_ptr<Session> load(const std::filesystem::path& checkpoint, std::string device);

  // The Keras-style table of the CLI's `vkae summary`: of the trained model once there are weights, else of
  // the spec at its own input shape (a built-in model takes the data's shape at the first fit).
  std::string summary() const;
  const nn::ModelSpec& spec() const noexcept { return trained() ? ckpt_->spec : spec_; }
  bool trained() const noexcept { return ckpt_.has_value(); }
  // Error "<what>: model NAME has no weights yet (...)" unless trained().
  void require_trained(const char* what) const { weights(what); }
  // The run so far: epochs done, and the settings a later fit continues with.
  const nn::RunInfo* run() const noexcept { return trained() ? &ckpt_->info : nullptr; }

  // Trains on `train` (validating on `val` when given) from scratch, or continues the run when the model
  // has weights: a later fit must keep the run's settings (batch, lr, noise, seed, shuffle, image count).
  nn::TrainResult fit(const FitSettings& settings, const nn::Dataset& train, const nn::Dataset* val,
                      const nn::TrainCallbacks& callbacks);
  // The checkpoint the last fit wrote (its stop included): the model's weights from now on.
  // `run_folder` is the TrainResult's out.
  void reload(const std::filesystem::path& run_folder);

  // Prediction mode, `n` items in batches of `batch`: inputs [n, input size] -> outputs [n, output size];
  // inputs -> codes [n, latent]; codes -> outputs.
  std::vector<float> predict(const float* inputs, uint64_t n, uint32_t batch);
  std::vector<float> encode(const float* inputs, uint64_t n, uint32_t batch);
  std::vector<float> decode(const float* codes, uint64_t n, uint32_t batch);
  // The model's loss on clean images (of its output shape), with the validation noise of the run.
  nn::EvalResult evaluate(const nn::Dataset& images, std::optional<float> noise, uint64_t seed) const;

  // The CLI's checkpoint, written atomically.
  void save(const std::filesystem::path& path) const;

  // Keras' model.stop_training: a callback sets it to end fit at that epoch's end; fit clears it first.
  bool stop_training = false;

 private:
  enum class Pass { Predict, Encode, Decode };
  std::vector<float> batched(Pass pass, const float* in, uint64_t n, uint32_t batch);
  nn::TrainConfig fit_config(const FitSettings& settings, const nn::Dataset& train) const;
  const nn::LoadedCheckpoint& weights(const char* what) const;
  std::filesystem::path spec_file() const { return work_.path() / "model.json"; }

  WorkFolder work_;
  std::string device_;
  std::string model_;  // what the trainer is given: a built-in name or spec_file()
  nn::ModelSpec spec_;
  std::optional<nn::LoadedCheckpoint> ckpt_;
  std::filesystem::path checkpoint_;  // where ckpt_ was read from (in the run folder)
  std::unique_ptr<nn::ModelRunner> runner_;
};

}  // namespace vkae::python
