// The analysis program against a plain forward pass: a VAE with a small maximum batch encodes 40 test images
// in three batches (the last one partial) and decodes latent vectors; codes, per-image errors and decoded
// images must equal one forward of all 40 at once and one decode. Plus the host helpers: normal quantiles,
// the manifold grid, the prior samples.
#include "nn/infer/analysis_program.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/data/dataset.hpp"
#include "nn/infer/generate.hpp"
#include "nn/model/spec.hpp"
#include "runtime/queue.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class Analysis : public test::GpuTest {};

TEST_F(Analysis, BatchedPassEqualsOneForwardAndDecode) {
  rt::Context& ctx = test::ctx();
  const ModelSpec spec = resolve_model("vae");
  Model small(ctx, spec, 16), big(ctx, spec, 64);
  small.initialize(ctx, 7);
  big.initialize(ctx, 7);
  const Dataset test_set = load_dataset("mnist", Split::Test, DataSearch{});
  DeviceImages images(ctx, test_set, 64);
  const uint32_t n = 40, z = static_cast<uint32_t>(small.latent_size()), pixels = 784;

  AnalysisOptions o;
  o.images = n;
  o.errors = true;
  o.decode = manifold_codes(3, z);  // 9 vectors: a partial second batch of the decoder too
  AnalysisProgram program(ctx, small, &images, o);
  rt::Submitter submitter(ctx.device(), 1);
  VkCommandBuffer cmd = program.commands();
  submitter.wait(submitter.submit({&cmd, 1}));
  const AnalysisProgram::Result r = program.read();
  ASSERT_EQ(r.images, n);
  ASSERT_EQ(r.latent, z);
  ASSERT_EQ(r.codes.size(), size_t{n} * z);
  ASSERT_EQ(r.errors.size(), n);
  ASSERT_EQ(r.decoded, 9u);

  // The reference: all 40 at once through the bigger model, errors as mean BCE per pixel from the output.
  std::vector<float> x(size_t{n} * pixels);
  for (size_t i = 0; i < x.size(); ++i) x[i] = test_set.images[i] / 255.0f;
  ctx.write(big.input(), x.data(), x.size() * 4);
  ctx.run_now([&](rt::Recorder& rec) { big.record_forward(rec, n, /*predict=*/true); });
  const auto codes = test::download(big.code().sub(0, uint64_t{n} * z * 4));
  const auto y = test::download(big.output().sub(0, uint64_t{n} * pixels * 4));
  EXPECT_TRUE(test::all_close(r.codes, codes, 1e-5, 1e-4));
  std::vector<float> errors(n);
  for (uint32_t i = 0; i < n; ++i) {
    double sum = 0;
    for (uint32_t p = 0; p < pixels; ++p) {
      const double t = x[size_t{i} * pixels + p];
      const double v = std::clamp<double>(y[size_t{i} * pixels + p], 1e-7, 1 - 1e-7);
      sum += -(t * std::log(v) + (1 - t) * std::log(1 - v));
    }
    errors[i] = static_cast<float>(sum / pixels);
  }
  EXPECT_TRUE(test::all_close(r.errors, errors, 1e-4, 1e-3));

  ctx.write(big.code(), o.decode.data(), o.decode.size() * 4);
  ctx.run_now([&](rt::Recorder& rec) { big.record_decode(rec, 9); });
  EXPECT_TRUE(test::all_close(r.outputs, test::download(big.output().sub(0, 9ull * pixels * 4)), 1e-5, 1e-4));
}

TEST(AnalysisHost, NormalQuantilesAndTheManifoldGrid) {
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.95), 1.6448536269514722, 1e-9);
  EXPECT_NEAR(normal_quantile(0.05), -1.6448536269514722, 1e-9);
  EXPECT_THROW(normal_quantile(0.0), Error);
  const auto g = manifold_codes(4, 3);  // [16, 3]
  ASSERT_EQ(g.size(), 48u);
  EXPECT_NEAR(g[0], -1.6448536, 1e-5);           // top-left: smallest z0
  EXPECT_NEAR(g[1], 1.6448536, 1e-5);            // ... and largest z1 (row 0 at the top)
  EXPECT_EQ(g[2], 0.0f);                         // other coordinates 0
  EXPECT_NEAR(g[3 * 3], 1.6448536, 1e-5);        // top-right: largest z0
  EXPECT_NEAR(g[15 * 3 + 1], -1.6448536, 1e-5);  // bottom-right: smallest z1
}

TEST(AnalysisHost, PriorSamplesAreSeededStandardNormals) {
  const auto a = prior_samples(5000, 2, 3), b = prior_samples(5000, 2, 3), c = prior_samples(5000, 2, 4);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double sum = 0, sq = 0;
  for (float v : a) sum += v, sq += double(v) * v;
  const double mean = sum / a.size(), var = sq / a.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.05);
  EXPECT_NEAR(var, 1.0, 0.05);
}

}  // namespace
}  // namespace vkae::nn
