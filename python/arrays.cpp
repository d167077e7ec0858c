// numpy arrays of images to the trainer's 8-bit planar datasets and the model's float inputs, and results
// back (python/arrays.hpp).
#include "python/arrays.hpp"

#include <cmath>
#include <cstring>

#include "base/error.hpp"
#include "nn/train/control.hpp"  // format_number

namespace vkae::python {
namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

std::string dtype_text(const py::array& a) {
  return py::str(a.dtype()).cast<std::string>();
}

// Index of image `i`, channel `c`, row `y`, column `x` in the array's own layout.
uint64_t source_index(Layout layout, nn::Shape3 s, uint64_t i, uint32_t c, uint32_t y, uint32_t x) {
  if (layout == Layout::NHWC) return ((i * s.h + y) * s.w + x) * s.c + c;
  return ((i * s.c + c) * s.h + y) * s.w + x;  // NHW (c = 0) and NCHW
}

bool planar(const ImageArray& a) {
  return a.layout != Layout::NHWC || a.shape.c == 1;
}

// Calls f(planar index, source index) for every value, in planar order.
template <class F>
void for_each_value(const ImageArray& a, F&& f) {
  const nn::Shape3 s = a.shape;
  if (planar(a)) {
    const uint64_t total = a.count * s.size();
    for (uint64_t k = 0; k < total; ++k) f(k, k);
    return;
  }
  uint64_t k = 0;
  for (uint64_t i = 0; i < a.count; ++i)
    for (uint32_t c = 0; c < s.c; ++c)
      for (uint32_t y = 0; y < s.h; ++y)
        for (uint32_t x = 0; x < s.w; ++x) f(k++, source_index(a.layout, s, i, c, y, x));
}

// Where in the array value `k` (source order) is, as "image 3".
std::string where(const ImageArray& a, uint64_t k) {
  return "image " + std::to_string(k / a.shape.size());
}

void check_finite(const ImageArray& a, const float* v, uint64_t k) {
  if (!std::isfinite(v[k]))
    throw InputError(a.name + ": " + (std::isnan(v[k]) ? "NaN" : "infinity") + " at " + where(a, k) +
                     " (expected finite values)");
}

}  // namespace

ImageArray image_array(const py::handle& object, std::string name, bool channels_first) {
  if (!py::isinstance<py::array>(object))
    throw InputError(name + ": " + py::str(py::type::of(object).attr("__name__")).cast<std::string>() +
                     ": expected a numpy array of images");
  ImageArray a;
  a.name = std::move(name);
  a.array = py::array::ensure(object, py::array::c_style);
  const py::array& arr = a.array;
  // numpy's own equivalence of dtypes (a native float32 however it was made; not a byte-swapped one).
  a.uint8 = py::isinstance<py::array_t<uint8_t>>(arr);
  if (!a.uint8 && !py::isinstance<py::array_t<float>>(arr))
    throw InputError(a.name + ": dtype " + dtype_text(arr) +
                     ": expected float32 (values in [0, 1]) or uint8 (e.g. " + a.name +
                     ".astype(np.float32))");
  const char* expected =
      channels_first
          ? "N x C x H x W (channels_first=True) or N x H x W"
          : "N x H x W x C (channels last, the default; channels_first=True for N x C x H x W) or N x H x W";
  if (arr.ndim() != 3 && arr.ndim() != 4)
    throw InputError(a.name + ": shape " + shape_text(arr) + ": expected " + expected);
  auto dim = [&](int i) { return uint32_t(arr.shape(i)); };
  a.count = uint64_t(arr.shape(0));
  if (arr.ndim() == 3) {
    a.layout = Layout::NHW;
    a.shape = {1, dim(1), dim(2)};
  } else if (channels_first) {
    a.layout = Layout::NCHW;
    a.shape = {dim(1), dim(2), dim(3)};
  } else {
    a.layout = Layout::NHWC;
    a.shape = {dim(3), dim(1), dim(2)};
  }
  if (a.shape.c != 1 && a.shape.c != 3)
    throw InputError(a.name + ": shape " + shape_text(arr) + ": " + std::to_string(a.shape.c) +
                     " channels: expected 1 or 3 in " + expected);
  if (a.count == 0 || a.shape.h == 0 || a.shape.w == 0)
    throw InputError(a.name + ": shape " + shape_text(arr) + ": no images (expected at least one)");
  if (a.count > UINT32_MAX) throw InputError(a.name + ": more than 2^32 - 1 images");
  return a;
}

nn::Dataset to_dataset(const ImageArray& a) {
  nn::Dataset d;
  d.name = "arrays";
  d.count = uint32_t(a.count);
  d.channels = a.shape.c;
  d.rows = a.shape.h;
  d.cols = a.shape.w;
  d.images.resize(a.count * a.shape.size());
  if (a.uint8) {
    const auto* v = static_cast<const uint8_t*>(a.array.data());
    for_each_value(a, [&](uint64_t k, uint64_t src) { d.images[k] = v[src]; });
    return d;
  }
  const auto* v = static_cast<const float*>(a.array.data());
  for_each_value(a, [&](uint64_t k, uint64_t src) {
    check_finite(a, v, src);
    if (v[src] < 0 || v[src] > 1)
      throw InputError(a.name + ": value " + nn::format_number(v[src]) + " at " + where(a, src) +
                       " outside [0, 1] (expected images scaled to [0, 1], e.g. x / 255, or uint8)");
    d.images[k] = uint8_t(std::lround(v[src] * 255.0f));
  });
  return d;
}

const float* planar_floats(const ImageArray& a, std::vector<float>& storage) {
  const uint64_t total = a.count * a.shape.size();
  if (!a.uint8) {
    const auto* v = static_cast<const float*>(a.array.data());
    for (uint64_t k = 0; k < total; ++k) check_finite(a, v, k);
    if (planar(a)) return v;  // the array itself is uploaded
    storage.resize(total);
    for_each_value(a, [&](uint64_t k, uint64_t src) { storage[k] = v[src]; });
    return storage.data();
  }
  const auto* v = static_cast<const uint8_t*>(a.array.data());
  storage.resize(total);
  for_each_value(a, [&](uint64_t k, uint64_t src) { storage[k] = float(v[src]) / 255.0f; });
  return storage.data();
}

py::array_t<float> image_output(const std::vector<float>& planar_values, uint64_t n, nn::Shape3 s,
                                Layout layout) {
  const auto N = py::ssize_t(n), C = py::ssize_t(s.c), H = py::ssize_t(s.h), W = py::ssize_t(s.w);
  py::array_t<float> out = layout == Layout::NHW && s.c == 1 ? py::array_t<float>({N, H, W})
                           : layout == Layout::NCHW          ? py::array_t<float>({N, C, H, W})
                                                             : py::array_t<float>({N, H, W, C});
  float* o = out.mutable_data();
  if (layout != Layout::NHWC || s.c == 1) {
    std::memcpy(o, planar_values.data(), planar_values.size() * sizeof(float));
    return out;
  }
  uint64_t k = 0;
  for (uint64_t i = 0; i < n; ++i)
    for (uint32_t c = 0; c < s.c; ++c)
      for (uint32_t y = 0; y < s.h; ++y)
        for (uint32_t x = 0; x < s.w; ++x) o[source_index(layout, s, i, c, y, x)] = planar_values[k++];
  return out;
}

py::array_t<float, py::array::c_style> code_array(const py::handle& object, const std::string& name,
                                                  uint64_t size) {
  const std::string expected = "expected float32 codes of shape (N, " + std::to_string(size) + ")";
  if (!py::isinstance<py::array>(object))
    throw InputError(name + ": " + py::str(py::type::of(object).attr("__name__")).cast<std::string>() + ": " +
                     expected);
  const auto arr = py::array::ensure(object, py::array::c_style);
  if (!py::isinstance<py::array_t<float>>(arr))
    throw InputError(name + ": dtype " + dtype_text(arr) + ": " + expected);
  if (arr.ndim() != 2 || arr.shape(1) != py::ssize_t(size) || arr.shape(0) == 0)
    throw InputError(name + ": shape " + shape_text(arr) + ": " + expected + ", the model's code size");
  const auto* v = static_cast<const float*>(arr.data());
  for (py::ssize_t k = 0; k < arr.size(); ++k)
    if (!std::isfinite(v[k]))
      throw InputError(name + ": " + (std::isnan(v[k]) ? "NaN" : "infinity") + " in code " +
                       std::to_string(uint64_t(k) / size) + " (expected finite values)");
  return py::array_t<float, py::array::c_style>(arr);
}

}  // namespace vkae::python
