// vkae.Model's C++ half: the trainer on lent arrays, a ModelRunner for the prediction passes, and the
// checkpoint file that carries the weights between them (python/session.hpp).
#include "python/session.hpp"

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/json.hpp"

namespace vkae::python {
namespace fs = std::filesystem;

WorkFolder::WorkFolder() {
  std::string name = (fs::temp_directory_path() / "vkae-python-XXXXXX").string();
  if (!mkdtemp(name.data()))
    throw Error("cannot make a work folder under " + fs::temp_directory_path().string());
  path_ = name;
}

WorkFolder::~WorkFolder() {
  std::error_code ec;
  fs::remove_all(path_, ec);  // best effort: a folder left in /tmp loses nothing
}

Session::Session(const std::string& model, bool model_is_json, std::string device)
    : device_(std::move(device)) {
  if (model_is_json) {
    spec_ = nn::parse_model_spec(nn::parse_json(model, "spec"), "spec");
    nn::write_file_atomically(spec_file(), nn::to_json(nn::model_spec_to_json(spec_)));
    model_ = spec_file().string();
  } else {
    spec_ = nn::resolve_model(model);
    model_ = model;
  }
}

std::unique_ptr<Session> Session::load(const fs::path& checkpoint, std::string device) {
  const nn::LoadedCheckpoint ckpt = nn::read_checkpoint(checkpoint);
  auto s = std::make_unique<Session>(nn::to_json(nn::model_spec_to_json(ckpt.spec)), true, std::move(device));
  const fs::path run = s->work_.path() / "run";
  fs::create_directories(run);
  nn::write_file_atomically(run / "checkpoint.safetensors", nn::read_file(checkpoint));
  s->checkpoint_ = run / "checkpoint.safetensors";
  s->ckpt_ = nn::read_checkpoint(s->checkpoint_);
  return s;
}

std::string Session::summary() const {
  return nn::model_summary(spec());
}

namespace {

// A later fit continues the run: a setting that differs from the run's is refused, not dropped.
template <class T>
void require_same(const char* name, T given, T run) {
  if (given == run) return;
  auto text = [](T v) {
    if constexpr (std::is_same_v<T, bool>)
      return std::string(v ? "True" : "False");
    else if constexpr (std::is_floating_point_v<T>)
      return nn::format_number(double(v));
    else
      return std::to_string(v);
  };
  throw InputError(std::string("fit: ") + name + "=" + text(given) + ": the model's run trains with " + name +
                   "=" + text(run) + " (a later fit continues the run with its settings)");
}

void require_shape(const nn::Dataset& data, nn::Shape3 expected, const std::string& model, const char* what) {
  const nn::Shape3 got{data.channels, data.rows, data.cols};
  if (got != expected)
    throw InputError(std::string(what) + ": images of " + nn::shape3_string(got) + ": model " + model +
                     " expects " + nn::shape3_string(expected));
}

// Validation off: the trainer still wants a test split to draw its preview from; the first images do.
nn::Dataset preview_set(const nn::Dataset& train, uint32_t count) {
  nn::Dataset d = train;
  d.count = std::min(train.count, count);
  d.images.resize(d.count * d.image_size());
  if (d.labelled()) d.labels.resize(d.count);
  return d;
}

}  // namespace

nn::TrainConfig Session::fit_config(const FitSettings& s, const nn::Dataset& train) const {
  if (const nn::RunInfo* r = run()) {
    require_same("batch_size", s.batch, r->batch);
    require_same("lr", s.lr, r->lr);
    require_same("noise", s.noise, r->noise);
    require_same("seed", s.seed, r->seed);
    require_same("shuffle", s.shuffle, r->shuffle);
    if (nn::control_metadata(s.control, {}) != nn::control_metadata(r->control, {}))
      throw InputError(
          "fit: callbacks: EarlyStopping / ReduceLROnPlateau differ from the model's run's (a later "
          "fit continues the run with its training control: pass the same ones)");
    if (train.count != r->limit)
      throw InputError("fit: x holds " + std::to_string(train.count) + " images: the model's run trains on " +
                       std::to_string(r->limit) + " (a later fit continues the run on as many)");
  }
  nn::TrainConfig c;
  c.dataset = trained() ? ckpt_->info.dataset : "arrays";
  c.model = trained() ? spec_file().string() : model_;
  c.epochs = (trained() ? ckpt_->info.epoch : 0) + s.epochs;
  c.batch = s.batch;
  c.lr = s.lr;
  c.noise = s.noise;
  c.seed = s.seed;
  c.shuffle = s.shuffle;
  c.out = s.tensorboard.value_or(work_.path() / "run");
  if (trained()) c.resume = checkpoint_;
  c.device = device_;
  c.tensorboard = s.tensorboard.has_value();
  c.control = s.control;
  c.command_line = "vkae.Model.fit (Python)";
  return c;
}

nn::TrainResult Session::fit(const FitSettings& settings, const nn::Dataset& train, const nn::Dataset* val,
                             const nn::TrainCallbacks& callbacks) {
  if (settings.epochs == 0) throw InputError("fit: epochs=0: expected an integer >= 1");
  if (trained() || !nn::is_builtin_model(model_)) require_shape(train, spec().output(), spec().name, "x");
  if (val) require_shape(*val, {train.channels, train.rows, train.cols}, spec().name, "validation_data");
  nn::TrainConfig config = fit_config(settings, train);
  config.validate = val != nullptr;
  if (val) config.val_limit = val->count;  // Keras validates on all of validation_data
  const nn::Dataset preview = val ? nn::Dataset{} : preview_set(train, settings.batch);
  runner_.reset();
  return nn::train(config, callbacks, nn::TrainHooks{nullptr, nullptr, &train, val ? val : &preview});
}

void Session::reload(const fs::path& run_folder) {
  const fs::path file = run_folder / "checkpoint.safetensors";
  if (!fs::exists(file)) return;  // stopped before its first checkpoint: the weights before the fit stay
  ckpt_ = nn::read_checkpoint(file);
  checkpoint_ = file;
  nn::write_file_atomically(spec_file(), nn::to_json(nn::model_spec_to_json(ckpt_->spec)));
  runner_.reset();
}

const nn::LoadedCheckpoint& Session::weights(const char* what) const {
  if (!ckpt_)
    throw Error(std::string(what) + ": model " + spec_.name +
                " has no weights yet (train it with fit() or read one with vkae.load())");
  return *ckpt_;
}

std::vector<float> Session::batched(Pass pass, const float* in, uint64_t n, uint32_t batch) {
  const nn::LoadedCheckpoint& ckpt = weights(pass == Pass::Predict  ? "predict"
                                             : pass == Pass::Encode ? "encode"
                                                                    : "decode");
  if (batch == 0) throw InputError("batch_size=0: expected an integer >= 1");
  const uint32_t size = uint32_t(std::min<uint64_t>(batch, std::max<uint64_t>(n, 1)));
  if (!runner_ || runner_->max_batch() != size) {
    runner_.reset();
    runner_ = std::make_unique<nn::ModelRunner>(ckpt, device_, size);
  }
  const nn::ModelSpec& s = ckpt.spec;
  const uint64_t in_size = pass == Pass::Decode ? runner_->model().latent_size() : s.input.size();
  const uint64_t out_size = pass == Pass::Encode ? runner_->model().latent_size() : s.output().size();
  std::vector<float> out;
  out.reserve(n * out_size);
  for (uint64_t first = 0; first < n; first += size) {
    const auto k = uint32_t(std::min<uint64_t>(size, n - first));
    const float* x = in + first * in_size;
    if (pass == Pass::Decode)
      runner_->run_decode(x, k);
    else
      runner_->run_inputs(x, k);
    const std::vector<float> y = pass == Pass::Encode ? runner_->read_code(k) : runner_->read_output(k);
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

std::vector<float> Session::predict(const float* inputs, uint64_t n, uint32_t batch) {
  return batched(Pass::Predict, inputs, n, batch);
}
std::vector<float> Session::encode(const float* inputs, uint64_t n, uint32_t batch) {
  return batched(Pass::Encode, inputs, n, batch);
}
std::vector<float> Session::decode(const float* codes, uint64_t n, uint32_t batch) {
  return batched(Pass::Decode, codes, n, batch);
}

nn::EvalResult Session::evaluate(const nn::Dataset& images, std::optional<float> noise, uint64_t seed) const {
  const nn::LoadedCheckpoint& ckpt = weights("evaluate");
  require_shape(images, ckpt.spec.output(), ckpt.spec.name, "x");
  const float f = noise.value_or(ckpt.info.noise);
  if (!(f >= 0) || !std::isfinite(f))
    throw InputError("noise=" + nn::format_number(f) + ": expected a number >= 0");
  return nn::evaluate_images(ckpt, images, images.count, f, seed, device_);
}

void Session::save(const fs::path& path) const {
  weights("save");
  nn::write_file_atomically(path, nn::read_file(checkpoint_));
}

}  // namespace vkae::python
