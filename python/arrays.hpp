// numpy arrays of images in and out of vkae's Python module. In: float32 (values in [0, 1]) or uint8
// (0..255), N x H x W (one channel), N x H x W x C (channels last, the default, as Keras) or, with
// channels_first, N x C x H x W (as PyTorch), C-contiguous or made so. Out: float32 in the layout the images
// came in. Every check is a ValueError naming the array and what was expected (nn::InputError here).
#pragma once
#include <pybind11/numpy.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"
#include "nn/model/spec.hpp"

namespace vkae::python {
namespace py = pybind11;

enum class Layout { NHW, NHWC, NCHW };

struct ImageArray {
  std::string name;  // "x", "validation_data", ... for messages
  py::array array;   // C-contiguous float32 or uint8
  Layout layout = Layout::NHWC;
  uint64_t count = 0;
  nn::Shape3 shape;  // per image, C x H x W
  bool uint8 = false;
};

// `object` checked as a batch of images (a numpy array of a supported dtype and rank, channels 1 or 3).
ImageArray image_array(const py::handle& object, std::string name, bool channels_first);

// The images as a dataset named "arrays" for the trainer: 8-bit planar [N, C, H, W]. float32 values must be
// finite and in [0, 1]; they are rounded to the nearest k / 255 (exact for images scaled by / 255).
nn::Dataset to_dataset(const ImageArray& images);

// The images as planar float32 [N, C, H, W] for the model's input (finite values, any range). The array's
// own memory when it already is that (float32, N x H x W, N x C x H x W, or channels last with one channel);
// otherwise converted into `storage`.
const float* planar_floats(const ImageArray& images, std::vector<float>& storage);

// Planar [n, C, H, W] results (`shape` per image) as a float32 array in `layout`.
py::array_t<float> image_output(const std::vector<float>& planar, uint64_t n, nn::Shape3 shape,
                                Layout layout);

// Latent vectors: a float32 array of shape (N, `size`), finite.
py::array_t<float, py::array::c_style> code_array(const py::handle& object, const std::string& name,
                                                  uint64_t size);

}  // namespace vkae::python
