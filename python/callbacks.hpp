// fit's callbacks, Keras' way: vkae.EarlyStopping and vkae.ReduceLROnPlateau become the run's training
// control (nn/train/control.hpp, the CLI's --early-stopping and --lr-schedule plateau, stored in the
// checkpoint), so they act on the device run exactly as the CLI's do; any other object is a Keras-style
// callback whose on_train_begin / on_epoch_end / on_train_end are called (with `logs`), and which ends the
// run at an epoch's end by setting model.stop_training = True.
#pragma once
#include <pybind11/pybind11.h>

#include <string>

#include "nn/train/control.hpp"

namespace vkae::python {
namespace py = pybind11;

struct EarlyStopping {
  std::string monitor = "val_loss";
  double min_delta = 0;
  int64_t patience = 0;
};

struct ReduceLROnPlateau {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int64_t patience = 10;
  double min_delta = 1e-4;
  double min_lr = 0;
};

struct FitCallbackList {
  nn::TrainControl control;  // the run's early stopping and plateau schedule
  bool watches_validation = false;
  bool plateau = false;
  py::list others;  // the Keras-style objects, in the order given
};

// `callbacks`: None or a list (or tuple). ValueError for a bad setting, for monitoring anything but
// val_loss, or for two min_delta values (the run has one).
FitCallbackList sort_callbacks(const py::object& callbacks);

void bind_callbacks(py::module_& m);

}  // namespace vkae::python
