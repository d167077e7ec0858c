// The shared test Context (validation and sync validation required) and comparison helpers.
#include "tests/support/gpu.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "nn/rng.hpp"

namespace vkae::test {
namespace {
std::unique_ptr<rt::Context> g_context;
}

rt::Context& ctx() {
  if (!g_context) {
    rt::ContextOptions options = rt::context_options_from_env();
    options.instance.validation = true;
    options.instance.sync_validation = true;
    options.instance.require_validation = true;
    options.quiet = true;
    g_context = std::make_unique<rt::Context>(options);  // throws (and fails the test) without a device
  }
  return *g_context;
}

rt::Buffer upload(std::span<const float> data, const char* name) {
  rt::Buffer b(ctx().device(), std::max<size_t>(data.size_bytes(), 4), rt::MemoryKind::DeviceLocal, name);
  if (!data.empty()) ctx().write(b.view(), data.data(), data.size_bytes());
  return b;
}

rt::Buffer upload_u32(std::span<const uint32_t> data, const char* name) {
  rt::Buffer b(ctx().device(), std::max<size_t>(data.size_bytes(), 4), rt::MemoryKind::DeviceLocal, name);
  if (!data.empty()) ctx().write(b.view(), data.data(), data.size_bytes());
  return b;
}

rt::Buffer make_output(size_t count, const char* name) {
  std::vector<float> nan(count, std::nanf(""));
  return upload(nan, name);
}

std::vector<float> download(const rt::Buffer& buffer) {
  return ctx().read<float>(buffer.view());
}
std::vector<float> download(rt::BufferView view) {
  return ctx().read<float>(view);
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  nn::HostRng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

std::vector<double> to_double(std::span<const float> v) {
  return {v.begin(), v.end()};
}
std::vector<float> to_float(std::span<const double> v) {
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i]);
  return out;
}

template <typename T>
static ::testing::AssertionResult close_impl(std::span<const T> got, std::span<const T> want, double atol,
                                             double rtol) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << "sizes differ: got " << got.size() << ", want " << want.size();
  double worst = -1;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    const double excess = std::isfinite(g) ? std::abs(g - w) - (atol + rtol * std::abs(w)) : INFINITY;
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  if (got.empty() || worst <= 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << at << " of " << got.size() << ": got " << got[at] << ", want " << want[at]
         << " (|diff| " << std::abs(double(got[at]) - want[at]) << " > atol " << atol << " + rtol " << rtol
         << ")";
}

::testing::AssertionResult all_close(std::span<const float> got, std::span<const float> want, double atol,
                                     double rtol) {
  return close_impl(got, want, atol, rtol);
}
::testing::AssertionResult all_close(std::span<const double> got, std::span<const double> want, double atol,
                                     double rtol) {
  return close_impl(got, want, atol, rtol);
}

template <typename T>
static Diff compare_impl(std::span<const T> got, std::span<const T> want) {
  Diff d;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    const double e = std::abs(double(got[i]) - double(want[i]));
    if (!std::isfinite(double(got[i]))) d.finite = false;
    if (e > d.max_abs || !std::isfinite(e)) {
      d.max_abs = e;
      d.index = i;
      d.a = got[i];
      d.b = want[i];
    }
  }
  return d;
}
Diff compare(std::span<const float> got, std::span<const float> want) {
  return compare_impl(got, want);
}
Diff compare(std::span<const double> got, std::span<const double> want) {
  return compare_impl(got, want);
}

void report_error(const std::string& what, double max_abs) {
  // One line per measurement in the test's output; tests/report_errors.sh collects them for the docs.
  std::printf("[vkae-error] %s max_abs=%.3g\n", what.c_str(), max_abs);
  ::testing::Test::RecordProperty("max_abs_" + what, std::to_string(max_abs));
}

// Messages are not cleared here: each CTest entry is its own process, so whatever arrives from context
// creation on belongs to this test and fails it.
void GpuTest::SetUp() {
  ctx();
}

void GpuTest::TearDown() {
  const uint64_t n = ctx().instance().validation_message_count();
  if (n != 0) {
    std::string text;
    for (const auto& m : ctx().instance().validation_messages()) text += "\n  " + m;
    ADD_FAILURE() << n << " validation message(s):" << text;
    ctx()
        .instance()
        .clear_validation_messages();  // reported once; the next test in this process starts clean
  }
}

}  // namespace vkae::test
