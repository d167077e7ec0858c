// Keras-style progress, the history and Ctrl-C of vkae.Model.fit (python/fit_callbacks.hpp).
#include "python/fit_callbacks.hpp"

#include <cstdio>

namespace vkae::python {
namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// "[=========>....................]" for done of total.
std::string bar(uint64_t done, uint64_t total) {
  constexpr int kWidth = 30;
  const int filled = total ? int(uint64_t{kWidth} * done / total) : kWidth;
  std::string s = "[" + std::string(size_t(filled), '=');
  if (filled < kWidth) s += ">" + std::string(size_t(kWidth - filled - 1), '.');
  return s + "]";
}

}  // namespace

nn::TrainCallbacks FitCallbacks::callbacks() {
  nn::TrainCallbacks c;
  c.on_start = [this](const nn::TrainConfig& effective, const nn::ModelSpec&) {
    epochs_total_ = effective.epochs;
  };
  c.on_progress = [this](const nn::TrainProgress& p) { progress(p); };
  c.on_epoch = [this](const nn::EpochSummary& s) { epoch_end(s); };
  c.on_note = [this](const std::string& note) {
    if (verbose_ > 0) write(note + "\n");
  };
  c.should_stop = [this] { return should_stop(); };
  return c;
}

void FitCallbacks::write(const std::string& text) {
  py::gil_scoped_acquire gil;
  if (pending_) return;
  try {
    const py::object out = py::module_::import("sys").attr("stdout");
    out.attr("write")(text);
    out.attr("flush")();
  } catch (py::error_already_set& e) {
    pending_ = std::move(e);
  }
}

void FitCallbacks::progress(const nn::TrainProgress& p) {
  if (verbose_ != 1 || p.validating) return;
  const auto now = std::chrono::steady_clock::now();
  if (p.epoch != headed_epoch_) {  // a submit may hold several steps: the epoch's first report heads it
    headed_epoch_ = p.epoch;
    write("Epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) + "\n");
  }
  if (now - last_bar_ < std::chrono::milliseconds(100) && p.epoch_step != p.epoch_steps) return;
  last_bar_ = now;
  write("\r" + std::to_string(p.epoch_step) + "/" + std::to_string(p.epoch_steps) + " " +
        bar(p.epoch_step, p.epoch_steps) + " - loss: " + fixed(p.loss, 4) + " - " + fixed(p.images_per_s, 0) +
        " img/s");
}

void FitCallbacks::call_others(const char* method, const py::object& epoch, const py::dict& logs) {
  if (pending_) return;
  try {
    for (const py::handle cb : others_) {
      if (!py::hasattr(cb, method)) continue;
      if (epoch.is_none())
        cb.attr(method)(logs);
      else
        cb.attr(method)(epoch, logs);
    }
  } catch (py::error_already_set& e) {
    pending_ = std::move(e);  // ends the run at the next poll; fit raises it
  }
}

void FitCallbacks::train_begin(const py::object& model) {
  for (const py::handle cb : others_) {
    if (py::hasattr(cb, "set_model"))
      cb.attr("set_model")(model);
    else
      py::setattr(cb, "model", model);
  }
  call_others("on_train_begin", py::none(), py::dict());
}

void FitCallbacks::train_end() {
  py::dict logs;
  if (!epochs_.empty()) {
    logs["loss"] = epochs_.back().loss;
    if (epochs_.back().val_loss) logs["val_loss"] = *epochs_.back().val_loss;
  }
  call_others("on_train_end", py::none(), logs);
}

void FitCallbacks::epoch_end(const nn::EpochSummary& s) {
  // A stop asked at an epoch's end (model.stop_training) reaches the trainer before the next epoch's first
  // step: that epoch did nothing and is not one.
  if (s.epoch_step == 0 && !s.complete) return;
  epochs_.push_back({s.epoch - 1, s.train_loss, s.val_loss, s.lr});
  if (others_.size() > 0) {
    py::gil_scoped_acquire gil;
    py::dict logs;
    logs["loss"] = s.train_loss;
    if (s.val_loss) logs["val_loss"] = *s.val_loss;
    logs["lr"] = s.lr;
    call_others("on_epoch_end", py::int_(s.epoch - 1), logs);
  }
  if (verbose_ == 0) return;
  std::string line = verbose_ == 1
                         ? "\r" + std::to_string(s.epoch_step) + "/" + std::to_string(s.epoch_steps) + " " +
                               bar(s.epoch_step, s.epoch_steps)
                         : "Epoch " + std::to_string(s.epoch) + "/" + std::to_string(epochs_total_);
  line += " - " + fixed(s.seconds, 0) + "s - loss: " + fixed(s.train_loss, 4);
  if (s.val_loss) line += " - val_loss: " + fixed(*s.val_loss, 4);
  write(line + "\n");
}

bool FitCallbacks::should_stop() {
  py::gil_scoped_acquire gil;
  if (pending_ || stop_training_) return true;
  if (PyErr_CheckSignals() != 0) pending_.emplace();  // fetches the KeyboardInterrupt the handler raised
  return pending_.has_value();
}

void FitCallbacks::rethrow() {
  if (!pending_) return;
  py::error_already_set e = std::move(*pending_);
  pending_.reset();
  throw e;
}

}  // namespace vkae::python
