// fit's callbacks (python/callbacks.hpp).
#include "python/callbacks.hpp"

#include <cmath>
#include <optional>

#include "base/error.hpp"

namespace vkae::python {
namespace {
using namespace pybind11::literals;

void require_val_loss(const std::string& monitor, const char* what) {
  if (monitor != "val_loss")
    throw InputError(std::string(what) + "(monitor=\"" + monitor +
                     "\"): expected \"val_loss\" (vkae's training control watches the validation loss)");
}

void require(bool ok, const char* what, const std::string& setting, const char* expected) {
  if (!ok) throw InputError(std::string(what) + "(" + setting + "): expected " + expected);
}

// The run has one min_delta for early stopping and the plateau schedule.
void set_min_delta(std::optional<double>& have, double given) {
  if (have && *have != given)
    throw InputError("callbacks: EarlyStopping and ReduceLROnPlateau with min_delta " +
                     nn::format_number(*have) + " and " + nn::format_number(given) +
                     ": expected one min_delta (the run has one)");
  have = given;
}

}  // namespace

FitCallbackList sort_callbacks(const py::object& callbacks) {
  FitCallbackList out;
  if (callbacks.is_none()) return out;
  if (!py::isinstance<py::list>(callbacks) && !py::isinstance<py::tuple>(callbacks))
    throw InputError("callbacks: expected a list of callbacks");
  std::optional<double> min_delta;
  for (const py::handle item : callbacks) {
    if (py::isinstance<EarlyStopping>(item)) {
      const auto& e = item.cast<const EarlyStopping&>();
      require_val_loss(e.monitor, "EarlyStopping");
      out.control.early_stopping = uint32_t(std::max<int64_t>(e.patience, 1));  // Keras' 0 stops as 1 does
      set_min_delta(min_delta, e.min_delta);
      out.watches_validation = true;
    } else if (py::isinstance<ReduceLROnPlateau>(item)) {
      const auto& r = item.cast<const ReduceLROnPlateau&>();
      require_val_loss(r.monitor, "ReduceLROnPlateau");
      out.control.schedule.kind = nn::LrScheduleKind::Plateau;
      out.control.schedule.gamma = float(r.factor);
      out.control.schedule.patience = uint32_t(r.patience);
      out.control.schedule.min_lr = float(r.min_lr);
      set_min_delta(min_delta, r.min_delta);
      out.watches_validation = out.plateau = true;
    } else {
      out.others.append(item);
    }
  }
  out.control.min_delta = float(min_delta.value_or(0));
  return out;
}

void bind_callbacks(py::module_& m) {
  py::class_<EarlyStopping>(m, "EarlyStopping",
                            "Ends fit when val_loss has not improved by more than min_delta for patience "
                            "epochs (keras.callbacks.EarlyStopping; the CLI's --early-stopping).")
      .def(py::init([](const std::string& monitor, double min_delta, int64_t patience) {
             require(patience >= 0 && patience < (int64_t{1} << 31), "EarlyStopping",
                     "patience=" + std::to_string(patience), "an integer >= 0");
             require(std::isfinite(min_delta) && min_delta >= 0, "EarlyStopping",
                     "min_delta=" + nn::format_number(min_delta), "a number >= 0");
             return EarlyStopping{monitor, min_delta, patience};
           }),
           "monitor"_a = "val_loss", "min_delta"_a = 0.0, "patience"_a = 0)
      .def_readonly("monitor", &EarlyStopping::monitor)
      .def_readonly("min_delta", &EarlyStopping::min_delta)
      .def_readonly("patience", &EarlyStopping::patience);

  py::class_<ReduceLROnPlateau>(m, "ReduceLROnPlateau",
                                "Multiplies the learning rate by factor when val_loss has not improved for "
                                "patience epochs, down to min_lr (keras.callbacks.ReduceLROnPlateau; the "
                                "CLI's --lr-schedule plateau).")
      .def(py::init([](const std::string& monitor, double factor, int64_t patience, double min_delta,
                       double min_lr) {
             require(factor > 0 && factor < 1, "ReduceLROnPlateau", "factor=" + nn::format_number(factor),
                     "a number in (0, 1)");
             require(patience >= 1 && patience < (int64_t{1} << 31), "ReduceLROnPlateau",
                     "patience=" + std::to_string(patience), "an integer >= 1");
             require(std::isfinite(min_delta) && min_delta >= 0, "ReduceLROnPlateau",
                     "min_delta=" + nn::format_number(min_delta), "a number >= 0");
             require(std::isfinite(min_lr) && min_lr >= 0, "ReduceLROnPlateau",
                     "min_lr=" + nn::format_number(min_lr), "a number >= 0");
             return ReduceLROnPlateau{monitor, factor, patience, min_delta, min_lr};
           }),
           "monitor"_a = "val_loss", "factor"_a = 0.1, "patience"_a = 10, "min_delta"_a = 1e-4,
           "min_lr"_a = 0.0)
      .def_readonly("monitor", &ReduceLROnPlateau::monitor)
      .def_readonly("factor", &ReduceLROnPlateau::factor)
      .def_readonly("patience", &ReduceLROnPlateau::patience)
      .def_readonly("min_delta", &ReduceLROnPlateau::min_delta)
      .def_readonly("min_lr", &ReduceLROnPlateau::min_lr);
}

}  // namespace vkae::python
