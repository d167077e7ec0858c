// Test support: two checkpoints (safetensors files) hold the same tensors, bit for bit.
#pragma once
#include <filesystem>

namespace vkae::test {

void expect_same_tensors(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace vkae::test
