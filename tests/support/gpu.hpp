// Test support: the shared validated Context, uploads/downloads, random data and error reports that say
// where two arrays differ most. Every GPU test derives from GpuTest, which fails on any validation message.
#pragma once
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "runtime/buffer.hpp"
#include "runtime/context.hpp"

namespace vkae::test {

// Created on first use with validation and synchronization validation required. No device = the test fails.
rt::Context& ctx();

rt::Buffer upload(std::span<const float> data, const char* name = "test");
rt::Buffer upload_u32(std::span<const uint32_t> data, const char* name = "test");
// A buffer of `count` floats filled with a NaN pattern, so unwritten outputs cannot pass a comparison.
rt::Buffer make_output(size_t count, const char* name = "out");
std::vector<float> download(const rt::Buffer& buffer);
std::vector<float> download(rt::BufferView view);

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);
std::vector<double> to_double(std::span<const float> v);
std::vector<float> to_float(std::span<const double> v);

struct Diff {
  double max_abs = 0;  // largest |a - b|
  size_t index = 0;    // where
  double a = 0, b = 0;
  bool finite = true;
};
Diff compare(std::span<const float> got, std::span<const float> want);
Diff compare(std::span<const double> got, std::span<const double> want);

// Passes when |got - want| <= atol + rtol*|want| everywhere; otherwise names the worst element.
::testing::AssertionResult all_close(std::span<const float> got, std::span<const float> want, double atol,
                                     double rtol = 0.0);
::testing::AssertionResult all_close(std::span<const double> got, std::span<const double> want, double atol,
                                     double rtol = 0.0);

// Records the largest error each op test sees (printed at the end, for the closing report).
void report_error(const std::string& what, double max_abs);

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
};

}  // namespace vkae::test
