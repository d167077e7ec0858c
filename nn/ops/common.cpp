// Shape-check helpers for the op wrappers.
#include "nn/ops/common.hpp"

namespace vkae::nn {

void check_floats(std::string_view op, std::string_view tensor, const rt::BufferView& view, uint64_t needed,
                  std::string_view shape) {
  const uint64_t have = view.size / sizeof(float);
  if (have < needed || needed == 0)
    throw InputError(std::string(op) + ": " + std::string(tensor) + " holds " + std::to_string(have) +
                     " floats, shape " + std::string(shape) + " needs " + std::to_string(needed));
}

std::string shape_string(std::initializer_list<uint64_t> dims) {
  std::string out = "[";
  for (uint64_t d : dims) out += (out.size() > 1 ? ", " : "") + std::to_string(d);
  return out + "]";
}

}  // namespace vkae::nn
