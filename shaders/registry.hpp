// The compiled compute shaders, looked up by file name without extension ("relu_forward").
// The table itself is generated at build time (cmake/shaders.cmake); this header is its interface.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace vkae::shaders {

struct Shader {
  const char* name;
  const uint32_t* words;
  size_t word_count;
};

// nullptr when no shader of that name was built.
const Shader* find(std::string_view name) noexcept;
std::span<const Shader> all() noexcept;

}  // namespace vkae::shaders
