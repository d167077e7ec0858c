// vkae.Model and vkae.History: the Keras-like surface over python::Session. Arrays are checked and converted
// with the GIL held; the device work runs with it released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "base/error.hpp"
#include "nn/train/control.hpp"  // format_number
#include "python/arrays.hpp"
#include "python/bindings.hpp"
#include "python/callbacks.hpp"
#include "python/fit_callbacks.hpp"
#include "python/session.hpp"

namespace vkae::python {
namespace {
using namespace pybind11::literals;

struct History {
  py::dict history;  // "loss" (and "val_loss" with validation data): one value per epoch
  py::list epoch;    // the epochs' 0-based indices, counting the run's earlier fits
  py::dict params;   // epochs, steps, batch_size
};

// y is the target of x: vkae reconstructs its input, so y may only be x itself (or equal to it).
void require_reconstruction(const py::object& x, const py::object& y, const char* name) {
  if (y.is_none() || y.is(x)) return;
  const bool same = py::module_::import("numpy").attr("array_equal")(x, y).cast<bool>();
  if (!same)
    throw InputError(std::string(name) +
                     ": expected None or the input itself (vkae trains a model to reconstruct its input; "
                     "for a denoising model pass noise=F and it adds its own noise each step)");
}

// validation_data: x_val, or (x_val, y_val) with y_val None or x_val.
std::optional<ImageArray> validation_images(const py::object& data, bool channels_first) {
  if (data.is_none()) return std::nullopt;
  if (py::isinstance<py::tuple>(data) || py::isinstance<py::list>(data)) {
    const auto items = data.cast<py::sequence>();
    if (items.size() == 0 || items.size() > 2)
      throw InputError("validation_data: expected x_val or (x_val, y_val)");
    if (items.size() == 2) require_reconstruction(items[0], items[1], "validation_data[1]");
    return image_array(items[0], "validation_data", channels_first);
  }
  return image_array(data, "validation_data", channels_first);
}

FitSettings fit_settings(int64_t epochs, int64_t batch_size, bool shuffle, const py::object& noise,
                         uint64_t seed, double lr, const py::object& tensorboard) {
  if (epochs < 1) throw InputError("epochs=" + std::to_string(epochs) + ": expected an integer >= 1");
  if (batch_size < 1)
    throw InputError("batch_size=" + std::to_string(batch_size) + ": expected an integer >= 1");
  FitSettings s;
  s.epochs = uint32_t(epochs);
  s.batch = uint32_t(batch_size);
  s.shuffle = shuffle;
  s.noise = noise.is_none() ? 0.0f : noise.cast<float>();
  s.seed = seed;
  s.lr = float(lr);
  if (!tensorboard.is_none()) s.tensorboard = py::str(tensorboard).cast<std::string>();
  return s;
}

// Keras' validation_split: the last fraction of x (before any shuffling) validates, the rest trains.
std::pair<py::object, py::object> split_off_validation(const py::object& x, double fraction,
                                                       const py::object& validation_data) {
  if (fraction == 0) return {x, validation_data};
  if (!(fraction > 0 && fraction < 1))
    throw InputError("validation_split=" + nn::format_number(fraction) + ": expected a fraction in [0, 1)");
  if (!validation_data.is_none())
    throw InputError("validation_split: validation_data is given too (expected one of the two)");
  const auto n = py::ssize_t(py::len(x));
  const auto held = py::ssize_t(double(n) * fraction);
  if (held == 0 || held == n)
    throw InputError("validation_split=" + nn::format_number(fraction) + " of " + std::to_string(n) +
                     " images leaves none to " + (held == 0 ? "validate on" : "train on"));
  return {x[py::slice(0, n - held, 1)], x[py::slice(n - held, n, 1)]};
}

History history_of(const FitCallbacks& progress, bool validated, bool lr, int64_t epochs,
                   const nn::TrainResult& result, uint32_t batch) {
  History h;
  py::list loss, val_loss, lrs;
  for (const EpochLosses& e : progress.epochs()) {
    h.epoch.append(e.epoch);
    loss.append(e.loss);
    if (e.val_loss) val_loss.append(*e.val_loss);
    lrs.append(e.lr);
  }
  h.history["loss"] = loss;
  if (validated) h.history["val_loss"] = val_loss;
  if (lr) h.history["lr"] = lrs;  // as Keras' history with ReduceLROnPlateau
  h.params = py::dict("epochs"_a = epochs, "steps"_a = result.epoch_steps, "batch_size"_a = batch);
  return h;
}

History fit(Session& session, const py::object& x_all, const py::object& y, int64_t epochs,
            int64_t batch_size, double validation_split, const py::object& validation_data_given,
            bool shuffle, const py::object& noise, uint64_t seed, double lr, const py::object& tensorboard,
            const py::object& callback_list, int verbose, bool channels_first) {
  require_reconstruction(x_all, y, "y");
  FitSettings settings = fit_settings(epochs, batch_size, shuffle, noise, seed, lr, tensorboard);
  FitCallbackList keras = sort_callbacks(callback_list);
  settings.control = keras.control;
  image_array(x_all, "x", channels_first);  // x checked whole first, so that its messages name x
  const auto [x, validation_data] = split_off_validation(x_all, validation_split, validation_data_given);
  if (keras.watches_validation && validation_data.is_none())
    throw InputError(
        "callbacks: EarlyStopping / ReduceLROnPlateau watch val_loss: expected validation_data "
        "or validation_split");
  const nn::Dataset train = to_dataset(image_array(x, "x", channels_first));
  const std::optional<ImageArray> val_array = validation_images(validation_data, channels_first);
  const std::optional<nn::Dataset> val = val_array ? std::optional(to_dataset(*val_array)) : std::nullopt;
  session.stop_training = false;
  FitCallbacks progress(verbose, keras.others, session.stop_training);
  progress.train_begin(py::cast(&session, py::return_value_policy::reference));
  const nn::TrainCallbacks callbacks = progress.callbacks();
  nn::TrainResult result;
  {
    py::gil_scoped_release released;
    result = session.fit(settings, train, val ? &*val : nullptr, callbacks);
    session.reload(result.out);  // a stopped run keeps what it trained
  }
  if (!result.early_stop.empty()) progress.note(result.early_stop);
  progress.train_end();
  progress.rethrow();
  return history_of(progress, val.has_value(), keras.plateau, epochs, result, settings.batch);
}

// The model's input images as planar floats, checked against its input shape.
py::array_t<float> run_images(Session& session, const py::object& x, int64_t batch_size, bool channels_first,
                              bool encode) {
  if (batch_size < 1)
    throw InputError("batch_size=" + std::to_string(batch_size) + ": expected an integer >= 1");
  session.require_trained(encode ? "encode" : "predict");
  const ImageArray images = image_array(x, "x", channels_first);
  const nn::ModelSpec& spec = session.spec();
  if (images.shape != spec.input)
    throw InputError("x: images of " + nn::shape3_string(images.shape) + ": model " + spec.name +
                     " expects " + nn::shape3_string(spec.input) + " inputs");
  std::vector<float> storage;
  const float* in = planar_floats(images, storage);
  std::vector<float> out;
  {
    py::gil_scoped_release released;
    out = encode ? session.encode(in, images.count, uint32_t(batch_size))
                 : session.predict(in, images.count, uint32_t(batch_size));
  }
  if (encode) {
    const auto z = py::ssize_t(out.size() / images.count);
    py::array_t<float> codes({py::ssize_t(images.count), z});
    std::copy(out.begin(), out.end(), codes.mutable_data());
    return codes;
  }
  return image_output(out, images.count, spec.output(), images.layout);
}

py::array_t<float> decode(Session& session, const py::object& z, int64_t batch_size, bool channels_first) {
  if (batch_size < 1)
    throw InputError("batch_size=" + std::to_string(batch_size) + ": expected an integer >= 1");
  session.require_trained("decode");
  const uint64_t size = nn::code_shape(session.spec()).size();
  const auto codes = code_array(z, "z", size);
  const auto n = uint64_t(codes.shape(0));
  std::vector<float> out;
  {
    py::gil_scoped_release released;
    out = session.decode(codes.data(), n, uint32_t(batch_size));
  }
  const nn::Shape3 shape = session.spec().output();
  const Layout layout = channels_first ? Layout::NCHW : shape.c == 1 ? Layout::NHW : Layout::NHWC;
  return image_output(out, n, shape, layout);
}

double evaluate(const Session& session, const py::object& x, const py::object& y, const py::object& noise,
                uint64_t seed, bool channels_first) {
  require_reconstruction(x, y, "y");
  const nn::Dataset images = to_dataset(image_array(x, "x", channels_first));
  const std::optional<float> f = noise.is_none() ? std::nullopt : std::optional(noise.cast<float>());
  py::gil_scoped_release released;
  return session.evaluate(images, f, seed).loss;
}

std::unique_ptr<Session> make_session(const py::object& model, const std::string& device) {
  if (py::isinstance<py::dict>(model)) {
    const std::string text = py::module_::import("json").attr("dumps")(model).cast<std::string>();
    return std::make_unique<Session>(text, true, device);
  }
  if (!py::isinstance<py::str>(model))
    throw InputError("model: expected a built-in model's name, a .json spec's path or a spec dict");
  return std::make_unique<Session>(model.cast<std::string>(), false, device);
}

py::tuple shape_tuple(nn::Shape3 s) {
  return py::make_tuple(s.c, s.h, s.w);
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<History>(m, "History", "What Model.fit returns: history['loss'] (and ['val_loss']) per epoch.")
      .def_readonly("history", &History::history)
      .def_readonly("epoch", &History::epoch)
      .def_readonly("params", &History::params)
      .def("__repr__",
           [](const History& h) { return "<vkae.History " + py::repr(h.history).cast<std::string>() + ">"; });

  py::class_<Session>(m, "Model", kModelDoc)
      .def(py::init(&make_session), "model"_a = "dae", "device"_a = "")
      .def("summary", &Session::summary,
           "The model's layers, output shapes and parameters, as `vkae summary`.")
      .def("fit", &fit, kFitDoc, "x"_a, "y"_a = py::none(), "epochs"_a = 1, "batch_size"_a = 128,
           "validation_split"_a = 0.0, "validation_data"_a = py::none(), "shuffle"_a = true,
           "noise"_a = py::none(), "seed"_a = 0, "lr"_a = 1e-3, "tensorboard"_a = py::none(),
           "callbacks"_a = py::none(), "verbose"_a = 1, "channels_first"_a = false)
      .def(
          "predict",
          [](Session& s, const py::object& x, int64_t batch, bool cf) {
            return run_images(s, x, batch, cf, false);
          },
          "The model's output for inputs x (the layout of x, float32).", "x"_a, "batch_size"_a = 128,
          "channels_first"_a = false)
      .def(
          "encode",
          [](Session& s, const py::object& x, int64_t batch, bool cf) {
            return run_images(s, x, batch, cf, true);
          },
          "The codes of inputs x: float32 (N, latent size), a conv code flattened C x H x W.", "x"_a,
          "batch_size"_a = 128, "channels_first"_a = false)
      .def("decode", &decode,
           "Images decoded from codes z (N, latent size): N x H x W (one channel) or N x H x W x C.", "z"_a,
           "batch_size"_a = 128, "channels_first"_a = false)
      .def("evaluate", &evaluate, kEvaluateDoc, "x"_a, "y"_a = py::none(), "noise"_a = py::none(),
           "seed"_a = 0, "channels_first"_a = false)
      .def(
          "save", [](const Session& s, const std::string& path) { s.save(path); },
          "Writes the CLI's checkpoint (safetensors) to path, atomically.", "path"_a)
      .def_property_readonly("name", [](const Session& s) { return s.spec().name; })
      .def_property_readonly(
          "input_shape", [](const Session& s) { return shape_tuple(s.spec().input); },
          "(C, H, W) the model reads")
      .def_property_readonly(
          "output_shape", [](const Session& s) { return shape_tuple(s.spec().output()); },
          "(C, H, W) the model produces")
      .def_property_readonly("latent_size", [](const Session& s) { return nn::code_shape(s.spec()).size(); })
      .def_property_readonly("trained", &Session::trained, "whether the model has weights")
      .def_readwrite("stop_training", &Session::stop_training,
                     "Set by a callback (on_epoch_end) to end fit at that epoch's end, as Keras'.")
      .def_property_readonly("epochs_done", [](const Session& s) { return s.run() ? s.run()->epoch : 0; })
      .def("__repr__", [](const Session& s) {
        return "<vkae.Model " + s.spec().name + (s.trained() ? ", trained" : ", untrained") + ">";
      });

  m.def(
      "load", [](const std::string& path, const std::string& device) { return Session::load(path, device); },
      "A checkpoint the CLI (or Model.save) wrote, as a Model ready to predict or to fit on.", "path"_a,
      "device"_a = "");
}

}  // namespace vkae::python
