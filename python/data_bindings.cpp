// vkae.load_data: a dataset's two splits as numpy arrays, as keras.datasets.mnist.load_data() gives them —
// read by the CLI's own loader (the same search for the files, the same checks), so a Python run trains on
// exactly the images `vkae train` does.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "python/bindings.hpp"

namespace vkae::python {
namespace py = pybind11;
namespace {
using namespace pybind11::literals;

// Planar 8-bit images as uint8 N x H x W (one channel) or N x H x W x C.
py::array_t<uint8_t> image_array_of(const nn::Dataset& d) {
  const auto n = py::ssize_t(d.count), h = py::ssize_t(d.rows), w = py::ssize_t(d.cols),
             c = py::ssize_t(d.channels);
  if (c == 1) {
    py::array_t<uint8_t> out({n, h, w});
    std::copy(d.images.begin(), d.images.end(), out.mutable_data());
    return out;
  }
  py::array_t<uint8_t> out({n, h, w, c});
  uint8_t* dst = out.mutable_data();
  const uint64_t plane = uint64_t(h) * uint64_t(w);
  for (uint64_t i = 0; i < d.count; ++i)
    for (uint64_t p = 0; p < plane; ++p)
      for (uint64_t k = 0; k < uint64_t(c); ++k)
        dst[(i * plane + p) * uint64_t(c) + k] = d.images[(i * uint64_t(c) + k) * plane + p];
  return out;
}

py::object labels_of(const nn::Dataset& d) {
  if (!d.labelled()) return py::none();
  py::array_t<uint8_t> out({py::ssize_t(d.count)});
  std::copy(d.labels.begin(), d.labels.end(), out.mutable_data());
  return out;
}

py::tuple load_data(const std::string& name, const py::object& data) {
  nn::DataSearch search;
  if (!data.is_none()) search.data_dir = py::str(data).cast<std::string>();
  nn::DatasetSplits splits;
  {
    py::gil_scoped_release released;
    splits = nn::load_splits(name, search);
  }
  return py::make_tuple(py::make_tuple(image_array_of(splits.train), labels_of(splits.train)),
                        py::make_tuple(image_array_of(splits.test), labels_of(splits.test)));
}

}  // namespace

void bind_data(py::module_& m) {
  m.def(
      "load_data", &load_data,
      "((x_train, y_train), (x_test, y_test)) of a dataset, as keras.datasets.mnist.load_data() gives them:\n"
      "uint8 images N x H x W (N x H x W x C in colour) and uint8 labels (None for a folder without class\n"
      "folders). `name`: mnist, fashion or a folder of images; `data`: the folder holding the IDX files, as\n"
      "the CLI's --data (else $VKAE_DATA and the cache `vkae fetch` fills). Scale with x / 255 for fit().",
      "name"_a = "mnist", "data"_a = py::none());
}

}  // namespace vkae::python
