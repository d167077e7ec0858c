#include "tests/support/checkpoints.hpp"

#include <gtest/gtest.h>

#include "nn/io/safetensors.hpp"

namespace vkae::test {

void expect_same_tensors(const std::filesystem::path& a, const std::filesystem::path& b) {
  const nn::Safetensors x = nn::read_safetensors(a), y = nn::read_safetensors(b);
  ASSERT_EQ(x.tensors.size(), y.tensors.size());
  for (const nn::NamedTensor& t : x.tensors) {
    ASSERT_TRUE(y.find(t.name)) << t.name;
    EXPECT_EQ(t.data, y.at(t.name).data) << t.name;  // bit for bit
  }
}

}  // namespace vkae::test
