// `import vkae`: the Python module. vkae's errors become Python exceptions with the CLI's one-line messages:
// a bad input (wrong shape, dtype, NaN, a bad file or spec) is a ValueError, everything else (no device, a
// device fault) a RuntimeError.
#include <pybind11/pybind11.h>

#include "base/error.hpp"
#include "python/bindings.hpp"
#include "python/callbacks.hpp"
#include "runtime/device.hpp"
#include "runtime/instance.hpp"

namespace vkae::python {
namespace {
namespace py = pybind11;
using namespace pybind11::literals;

py::list devices() {
  const rt::Instance instance(rt::instance_options_from_env());
  const auto candidates = rt::list_devices(instance.get());
  const char* env = std::getenv("VKAE_DEVICE");
  const rt::DeviceCandidate* pick = nullptr;
  try {
    pick = &rt::choose_device(candidates, env ? env : "");
  } catch (const Error&) {
    pick = nullptr;  // none suitable: every entry says why
  }
  py::list out;
  for (const auto& c : candidates)
    out.append(py::dict("index"_a = c.index, "name"_a = c.name, "type"_a = rt::device_type_name(c.type),
                        "suitable"_a = c.suitable, "reason"_a = c.reason, "chosen"_a = pick == &c));
  return out;
}

}  // namespace
}  // namespace vkae::python

PYBIND11_MODULE(vkae, m) {
  namespace py = pybind11;
  m.doc() =
      "vkae: autoencoders trained through Vulkan compute shaders (Model, load, devices, load_data, "
      "EarlyStopping, ReduceLROnPlateau).";
  m.attr("__version__") = VKAE_VERSION;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const vkae::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const vkae::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
  vkae::python::bind_model(m);
  vkae::python::bind_data(m);
  vkae::python::bind_callbacks(m);
  m.def("devices", &vkae::python::devices,
        "The Vulkan devices: index, name, type, suitable (and why not), and chosen (the one vkae uses).");
}
