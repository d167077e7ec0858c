// What vkae.Model.fit shows and hears while the trainer runs with the GIL released: Keras-style progress on
// Python's sys.stdout (verbose 0: nothing, 1: a bar per epoch, 2: a line per epoch), the history of losses,
// and Ctrl-C — Python's own SIGINT handling, polled between submits, ends the run after the steps in flight.
// A Python exception raised in a callback (KeyboardInterrupt, a closed stdout) is kept and re-raised by
// rethrow() once the trainer has returned.
#pragma once
#include <pybind11/pybind11.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nn/train/trainer.hpp"

namespace vkae::python {
namespace py = pybind11;

struct EpochLosses {
  uint32_t epoch = 0;  // 0-based, counting the run's earlier fits
  double loss = 0;
  std::optional<double> val_loss;
  float lr = 0;  // the epoch's last step's learning rate
};

class FitCallbacks {
 public:
  // `others`: the Keras-style callback objects (python/callbacks.hpp); `stop_training`: the model's flag they
  // set to end the run at an epoch's end.
  FitCallbacks(int verbose, py::list others, const bool& stop_training)
      : verbose_(verbose), others_(std::move(others)), stop_training_(stop_training) {}
  FitCallbacks(const FitCallbacks&) = delete;
  FitCallbacks& operator=(const FitCallbacks&) = delete;

  // Callbacks for nn::train; each takes the GIL for the Python it runs. Valid while this object lives.
  nn::TrainCallbacks callbacks();
  const std::vector<EpochLosses>& epochs() const noexcept { return epochs_; }
  bool interrupted() const noexcept { return pending_.has_value(); }
  // Raises the kept Python exception, if any (with the GIL held).
  void rethrow();
  // With the GIL held: each callback's set_model(model) (or .model = model), then on_train_begin(logs); and
  // on_train_end(logs) once the run is over.
  void train_begin(const py::object& model);
  void train_end();
  // A line on sys.stdout unless verbose is 0 (GIL held).
  void note(const std::string& line) {
    if (verbose_ > 0) write(line + "\n");
  }

 private:
  void write(const std::string& text);  // GIL held
  void progress(const nn::TrainProgress& p);
  void epoch_end(const nn::EpochSummary& s);
  void call_others(const char* method, const py::object& epoch, const py::dict& logs);  // GIL held
  bool should_stop();

  int verbose_;
  py::list others_;
  const bool& stop_training_;
  uint32_t epochs_total_ = 0;
  uint32_t headed_epoch_ = 0;  // the epoch whose "Epoch N/M" line is written
  std::vector<EpochLosses> epochs_;
  std::optional<py::error_already_set> pending_;
  std::chrono::steady_clock::time_point last_bar_{};
};

}  // namespace vkae::python
