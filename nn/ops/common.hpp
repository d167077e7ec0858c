// What every op's host wrapper shares: gradient semantics, shape checks that name the tensor and shapes,
// and the dispatch-size helper.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "runtime/buffer.hpp"

namespace vkae::nn {

// Whether a backward op overwrites its gradient outputs or adds to them (a tensor used twice).
enum class Grad : uint32_t { Overwrite = 0, Accumulate = 1 };

// Throws InputError "<op>: <tensor> holds N floats, shape [..] needs M" when the view is too small.
void check_floats(std::string_view op, std::string_view tensor, const rt::BufferView& view, uint64_t needed,
                  std::string_view shape);

// "[3, 5, 7, 9]" for messages.
std::string shape_string(std::initializer_list<uint64_t> dims);

}  // namespace vkae::nn
