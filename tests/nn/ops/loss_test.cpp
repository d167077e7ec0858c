// Losses: references against finite differences; GPU forward (scalar and per-row) and backward against the
// references on odd counts and the models' 128 x 784; both scale conventions; accumulation; shape errors.
#include "nn/ops/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

constexpr Loss kBoth[] = {Loss::Bce, Loss::Mse};

// Logits spread wide (and a few saturated ones for BCE's stable form), targets in [0, 1].
std::vector<float> logits(size_t n, uint32_t seed) {
  auto z = test::random_floats(n, seed, -6.0f, 6.0f);
  if (n > 10) z[3] = 90.0f, z[7] = -90.0f;
  return z;
}
std::vector<float> targets(size_t n, uint32_t seed) {
  return test::random_floats(n, seed, 0.0f, 1.0f);
}
double abs_bound(double count) {
  return 4 * std::log2(2.0 * count) * 6e-8;
}  // tree error per unit of Σ|term|

TEST(LossReference, BackwardMatchesFiniteDifferences) {
  const size_t n = 37;
  // No saturated logits here: MSE's (90 - t)^2 would drown the central difference in rounding.
  const auto z = test::to_double(test::random_floats(n, 1, -6, 6)), t = test::to_double(targets(n, 2));
  for (Loss kind : kBoth) {
    const double scale = 1.0 / 3;
    auto f = [&](const std::vector<double>& zv) { return loss_forward_ref<double>(kind, zv, t, scale); };
    std::vector<double> dz(n);
    loss_backward_ref<double>(kind, dz, z, t, scale);
    EXPECT_TRUE(all_close(dz, test::finite_difference(f, z), 1e-7, 1e-6)) << loss_name(kind);
  }
}

TEST(LossReference, KlBackwardMatchesFiniteDifferences) {
  const size_t n = 37;
  const auto mu = test::to_double(test::random_floats(n, 3, -2, 2)),
             lv = test::to_double(test::random_floats(n, 4, -3, 2));
  std::vector<double> dmu(n), dlv(n);
  kl_backward_ref<double>(dmu, dlv, mu, lv, 0.5);
  auto f_mu = [&](const std::vector<double>& m) { return kl_forward_ref<double>(m, lv, 0.5); };
  auto f_lv = [&](const std::vector<double>& l) { return kl_forward_ref<double>(mu, l, 0.5); };
  EXPECT_TRUE(all_close(dmu, test::finite_difference(f_mu, mu), 1e-7, 1e-6));
  EXPECT_TRUE(all_close(dlv, test::finite_difference(f_lv, lv), 1e-7, 1e-6));
  // KL of N(0, 1) against itself is 0.
  const std::vector<double> zeros(4, 0.0);
  EXPECT_EQ(kl_forward_ref<double>(zeros, zeros, 1.0), 0.0);
}

TEST(LossReference, L1BackwardMatchesFiniteDifferences) {
  const size_t n = 37;
  auto a = test::to_double(test::random_floats(n, 5, -2, 2));
  for (double& v : a)
    if (std::abs(v) < 0.05) v += 0.1;  // away from the kink
  std::vector<double> da(n);
  l1_backward_ref<double>(da, a, 1e-3, 1.0 / 3);
  auto f = [&](const std::vector<double>& av) { return l1_forward_ref<double>(av, 1e-3, 1.0 / 3); };
  EXPECT_TRUE(all_close(da, test::finite_difference(f, a), 1e-9, 1e-6));
  const std::vector<double> zero{0.0};
  std::vector<double> d0(1);
  l1_backward_ref<double>(d0, zero, 1.0, 1.0);
  EXPECT_EQ(d0[0], 0.0);
}

class LossGpu : public test::GpuTest {};

// count elements viewed as [rows, count / rows] for the per-row forward.
void check_reconstruction(Loss kind, uint64_t rows, uint64_t cols, std::optional<float> scale,
                          double& worst_f, double& worst_r, double& worst_b) {
  const uint64_t count = rows * cols;
  const auto z = logits(count, static_cast<uint32_t>(count)),
             t = targets(count, static_cast<uint32_t>(count + 1));
  const float s = scale.value_or(1.0f / static_cast<float>(count));
  const double want = loss_forward_ref<double>(kind, test::to_double(z), test::to_double(t), s);
  std::vector<double> want_rows(rows);
  loss_rows_ref<double>(kind, want_rows, test::to_double(z), test::to_double(t), rows, cols, 1.0);
  std::vector<float> want_dz(count);
  loss_backward_ref<float>(kind, want_dz, z, t, s);

  auto zb = test::upload(z), tb = test::upload(t);
  auto loss = test::make_output(1), rows_out = test::make_output(rows), dz = test::make_output(count);
  auto scratch = test::make_output(std::max<uint64_t>(reduce_scratch_floats(count), 1));
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_loss_forward(rec, kind, loss.view(), scratch.view(), zb.view(), tb.view(), count, scale);
    record_loss_rows(rec, kind, rows_out.view(), zb.view(), tb.view(), rows, cols, 1.0f);
    record_loss_backward(rec, kind, dz.view(), zb.view(), tb.view(), count, scale);
  });
  // Each term is computed in float from z and t, which may cancel (z - z t, z - t): its error scales with
  // (|z| + |t| + 1)^2, not with the term. The tree then adds ~log2(count) roundings.
  std::vector<double> magnitude(rows, 0.0);
  for (uint64_t i = 0; i < count; ++i)
    magnitude[i / cols] += std::pow(std::abs(z[i]) + std::abs(t[i]) + 1.0, 2);
  double total_magnitude = 0;
  for (double m : magnitude) total_magnitude += m;
  const double got = test::download(loss)[0];
  const std::string what =
      std::string(loss_name(kind)) + " " + std::to_string(rows) + "x" + std::to_string(cols);
  EXPECT_NEAR(got, want, abs_bound(double(count)) * total_magnitude * s) << what;
  const auto got_rows = test::to_double(test::download(rows_out));
  for (uint64_t n = 0; n < rows; ++n)
    EXPECT_NEAR(got_rows[n], want_rows[n], abs_bound(double(cols)) * magnitude[n]) << what << " row " << n;
  const auto got_dz = test::download(dz);
  EXPECT_TRUE(all_close(got_dz, want_dz, 1e-6 * s, 1e-6)) << what;
  worst_f = std::max(worst_f, std::abs(got - want));
  worst_r = std::max(worst_r, test::compare(got_rows, want_rows).max_abs);
  worst_b = std::max(worst_b, test::compare(got_dz, want_dz).max_abs);
}

TEST_F(LossGpu, ReconstructionForwardBackwardOddAndModelShapes) {
  for (Loss kind : kBoth) {
    double wf = 0, wr = 0, wb = 0;
    const uint64_t shapes[][2] = {{1, 1}, {3, 37}, {1, 2049}, {11, 9091}, {128, 784}};
    for (const auto& s : shapes) check_reconstruction(kind, s[0], s[1], std::nullopt, wf, wr, wb);  // mean
    check_reconstruction(kind, 128, 784, 1.0f / 128, wf, wr, wb);  // sum per image, mean over the batch (VAE)
    test::report_error(std::string(loss_name(kind)) + "_forward", wf);
    test::report_error(std::string(loss_name(kind)) + "_rows", wr);
    test::report_error(std::string(loss_name(kind)) + "_backward", wb);
  }
}

TEST_F(LossGpu, BceForwardIsStableForSaturatedLogits) {
  const std::vector<float> z{100.0f, -100.0f, 30.0f, -30.0f}, t{1.0f, 0.0f, 0.0f, 1.0f};
  auto zb = test::upload(z), tb = test::upload(t), loss = test::make_output(1), dz = test::make_output(4);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_loss_forward(rec, Loss::Bce, loss.view(), {}, zb.view(), tb.view(), 4, 1.0f);
    record_loss_backward(rec, Loss::Bce, dz.view(), zb.view(), tb.view(), 4, 1.0f);
  });
  // Exact: 0 + 0 + 30 + 30 (the log terms are e^-100, e^-30: below float resolution of the sum).
  const float got = test::download(loss)[0];
  const auto got_dz = test::download(dz);
  const std::vector<float> want_dz{0, 0, 1, -1};
  EXPECT_NEAR(got, 60.0, 1e-4);
  EXPECT_TRUE(all_close(got_dz, want_dz, 1e-7));
  test::report_error("bce_forward_saturated", std::abs(got - 60.0));
  test::report_error("bce_backward_saturated", test::compare(got_dz, want_dz).max_abs);
}

TEST_F(LossGpu, KlForwardBackwardOddAndModelShapes) {
  double wf = 0, wr = 0, wb = 0;
  const uint64_t shapes[][2] = {{1, 1}, {3, 37}, {128, 2}, {128, 32}, {50, 2001}};
  for (const auto& sh : shapes) {
    const uint64_t rows = sh[0], cols = sh[1], count = rows * cols;
    const float scale = 1.0f / static_cast<float>(rows);
    const auto mu = test::random_floats(count, 21, -2, 2), lv = test::random_floats(count, 22, -3, 2);
    const double want = kl_forward_ref<double>(test::to_double(mu), test::to_double(lv), scale);
    std::vector<double> want_rows(rows);
    kl_rows_ref<double>(want_rows, test::to_double(mu), test::to_double(lv), rows, cols, 1.0);
    std::vector<float> want_dmu(count), want_dlv(count);
    kl_backward_ref<float>(want_dmu, want_dlv, mu, lv, scale);
    auto mub = test::upload(mu), lvb = test::upload(lv);
    auto loss = test::make_output(1), rows_out = test::make_output(rows);
    auto dmu = test::make_output(count), dlv = test::make_output(count);
    auto scratch = test::make_output(std::max<uint64_t>(reduce_scratch_floats(count), 1));
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_kl_forward(rec, loss.view(), scratch.view(), mub.view(), lvb.view(), count, scale);
      record_kl_rows(rec, rows_out.view(), mub.view(), lvb.view(), rows, cols);
      record_kl_backward(rec, dmu.view(), dlv.view(), mub.view(), lvb.view(), count, scale);
    });
    // A term's float error scales with 1 + |lv| + mu^2 + e^lv (they cancel near lv = 0), not with the term.
    std::vector<double> magnitude(rows, 0.0);
    for (uint64_t i = 0; i < count; ++i)
      magnitude[i / cols] += 1 + std::abs(lv[i]) + mu[i] * mu[i] + std::exp(lv[i]);
    double total_magnitude = 0;
    for (double m : magnitude) total_magnitude += m;
    const double got = test::download(loss)[0];
    EXPECT_NEAR(got, want, abs_bound(double(count)) * total_magnitude * scale) << rows << "x" << cols;
    const auto got_rows = test::to_double(test::download(rows_out));
    for (uint64_t n = 0; n < rows; ++n)
      EXPECT_NEAR(got_rows[n], want_rows[n], abs_bound(double(cols)) * magnitude[n]);
    const auto gm = test::download(dmu), gl = test::download(dlv);
    EXPECT_TRUE(all_close(gm, want_dmu, 1e-7, 1e-6));
    EXPECT_TRUE(all_close(gl, want_dlv, 1e-7, 1e-6));
    wf = std::max(wf, std::abs(got - want));
    wr = std::max(wr, test::compare(got_rows, want_rows).max_abs);
    wb = std::max({wb, test::compare(gm, want_dmu).max_abs, test::compare(gl, want_dlv).max_abs});
  }
  test::report_error("kl_forward", wf);
  test::report_error("kl_rows", wr);
  test::report_error("kl_backward", wb);
}

TEST_F(LossGpu, L1ForwardBackwardOddAndModelShapes) {
  double wf = 0, wb = 0;
  for (uint64_t count : {uint64_t{1}, uint64_t{37}, uint64_t{2049}, uint64_t{128 * 32}, uint64_t{100003}}) {
    auto a = test::random_floats(count, 31, -2, 2);
    a[0] = 0.0f;  // sign(0) = 0
    const float lambda = 1e-3f, scale = 1.0f / 128;
    const double want = l1_forward_ref<double>(test::to_double(a), lambda, scale);
    std::vector<float> want_da(count);
    l1_backward_ref<float>(want_da, a, lambda, scale);
    auto ab = test::upload(a), loss = test::make_output(1), da = test::make_output(count);
    auto scratch = test::make_output(std::max<uint64_t>(reduce_scratch_floats(count), 1));
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_l1_forward(rec, loss.view(), scratch.view(), ab.view(), count, lambda, scale);
      record_l1_backward(rec, da.view(), ab.view(), count, lambda, scale);
    });
    const double got = test::download(loss)[0];
    EXPECT_NEAR(got, want, abs_bound(double(count)) * want + 1e-30) << count;
    const auto gd = test::download(da);
    EXPECT_TRUE(all_close(gd, want_da, 0.0, 1e-6)) << count;
    wf = std::max(wf, std::abs(got - want));
    wb = std::max(wb, test::compare(gd, want_da).max_abs);
  }
  test::report_error("l1_forward", wf);
  test::report_error("l1_backward", wb);
}

TEST_F(LossGpu, BackwardAccumulates) {
  const uint64_t n = 1000;
  const auto z = logits(n, 41), t = targets(n, 42), before = test::random_floats(n, 43),
             before2 = test::random_floats(n, 44);
  auto zb = test::upload(z), tb = test::upload(t);
  auto d_bce = test::upload(before), d_mse = test::upload(before), d_l1 = test::upload(before);
  auto d_mu = test::upload(before), d_lv = test::upload(before2);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_loss_backward(rec, Loss::Bce, d_bce.view(), zb.view(), tb.view(), n, 0.5f, Grad::Accumulate);
    record_loss_backward(rec, Loss::Mse, d_mse.view(), zb.view(), tb.view(), n, 0.5f, Grad::Accumulate);
    record_l1_backward(rec, d_l1.view(), zb.view(), n, 0.1f, 0.5f, Grad::Accumulate);
    record_kl_backward(rec, d_mu.view(), d_lv.view(), zb.view(), tb.view(), n, 0.5f, Grad::Accumulate);
  });
  auto plus = [&](std::vector<float> g, const std::vector<float>& b) {
    for (size_t i = 0; i < g.size(); ++i) g[i] += b[i];
    return g;
  };
  double worst = 0;
  auto check = [&](const rt::Buffer& got_buffer, const std::vector<float>& want, const char* what) {
    const auto got = test::download(got_buffer);
    EXPECT_TRUE(all_close(got, want, 1e-6, 1e-6)) << what;
    worst = std::max(worst, test::compare(got, want).max_abs);
  };
  std::vector<float> g(n), g2(n);
  loss_backward_ref<float>(Loss::Bce, g, z, t, 0.5f);
  check(d_bce, plus(g, before), "bce");
  loss_backward_ref<float>(Loss::Mse, g, z, t, 0.5f);
  check(d_mse, plus(g, before), "mse");
  l1_backward_ref<float>(g, z, 0.1f, 0.5f);
  check(d_l1, plus(g, before), "l1");
  kl_backward_ref<float>(g, g2, z, t, 0.5f);
  check(d_mu, plus(g, before), "kl dmu");
  check(d_lv, plus(g2, before2), "kl dlogvar");
  test::report_error("loss_backward_accumulate", worst);
}

TEST_F(LossGpu, ForwardIsBitIdenticalAcrossRuns) {
  const uint64_t count = 128 * 784;
  auto zb = test::upload(logits(count, 51)), tb = test::upload(targets(count, 52));
  auto scratch = test::make_output(reduce_scratch_floats(count));
  float first = 0;
  for (int run = 0; run < 3; ++run) {
    auto loss = test::make_output(1);
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_loss_forward(rec, Loss::Bce, loss.view(), scratch.view(), zb.view(), tb.view(), count);
    });
    const float got = test::download(loss)[0];
    if (run == 0) first = got;
    EXPECT_EQ(std::memcmp(&first, &got, sizeof(float)), 0) << first << " vs " << got;
  }
}

TEST_F(LossGpu, RejectsShortTargetNamingTheShape) {
  auto z = test::make_output(784 * 2), t = test::make_output(784), loss = test::make_output(2);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_loss_rows(rec, Loss::Mse, loss.view(), z.view(), t.view(), 2, 784);
    });
    FAIL() << "no error for a 784-float target of shape [2, 784]";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "mse_rows: t holds 784 floats, shape [2, 784] needs 1568");
  }
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_kl_backward(rec, z.view(), t.view(), z.view(), z.view(), 1568, 1.0f);
    });
    FAIL() << "no error for a 784-float dlogvar of shape [1568]";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "kl_backward: dlogvar holds 784 floats, shape [1568] needs 1568");
  }
}

}  // namespace
}  // namespace vkae::nn
