// The dev/ kernel variants compiled into vkae_dev_tests (dev/CMakeLists.txt), looked up by file name without
// extension ("wgrad_03_3x3_a4b2"). Same Shader records as the built-in registry; not linked into vkae.
#pragma once
#include <span>
#include <string_view>

#include "shaders/registry.hpp"

namespace vkae::dev::variants {

// nullptr when no variant of that name was built.
const shaders::Shader* find(std::string_view name) noexcept;
std::span<const shaders::Shader> all() noexcept;

}  // namespace vkae::dev::variants
