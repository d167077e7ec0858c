// Dense op: reference backward against finite differences; GPU forward and backward against the reference on
// odd shapes and the models' shapes; Grad::Accumulate; skipping dx; shape errors.
#include "nn/ops/dense.hpp"

#include <gtest/gtest.h>

#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

TEST(DenseReference, BackwardMatchesFiniteDifferences) {
  const DenseShape s{3, 5, 4};
  const auto x = test::to_double(test::random_floats(s.n * s.d_in, 1));
  const auto w = test::to_double(test::random_floats(s.d_out * s.d_in, 2));
  const auto b = test::to_double(test::random_floats(s.d_out, 3));
  const auto dy = test::to_double(test::random_floats(s.n * s.d_out, 4));  // the weights of the weighted sum
  auto loss = [&](const std::vector<double>& xv, const std::vector<double>& wv,
                  const std::vector<double>& bv) {
    std::vector<double> y(s.n * s.d_out);
    dense_forward_ref<double>(y, xv, wv, bv, s);
    return test::weighted_sum(y, dy);
  };
  std::vector<double> dx(x.size()), dw(w.size()), db(b.size());
  dense_backward_ref<double>(dx, dw, db, dy, x, w, s);
  EXPECT_TRUE(
      all_close(dx, test::finite_difference([&](const auto& v) { return loss(v, w, b); }, x), 1e-7, 1e-6));
  EXPECT_TRUE(
      all_close(dw, test::finite_difference([&](const auto& v) { return loss(x, v, b); }, w), 1e-7, 1e-6));
  EXPECT_TRUE(
      all_close(db, test::finite_difference([&](const auto& v) { return loss(x, w, v); }, b), 1e-7, 1e-6));
}

class DenseGpu : public test::GpuTest {};

// Float accumulation over K products of magnitude <= 1 in a fixed order: error grows ~ sqrt(K) eps typically,
// K eps at worst; 2e-7 * K (+ 1e-6) sits between and holds with margin on every shape below.
double tolerance(uint64_t k) {
  return 1e-6 + 2e-7 * static_cast<double>(k);
}

struct Errors {
  double y = 0, dx = 0, dw = 0, db = 0;
};

Errors check_shape(const DenseShape& s, uint32_t seed) {
  const auto x = test::random_floats(s.n * s.d_in, seed), w = test::random_floats(s.d_out * s.d_in, seed + 1);
  const auto b = test::random_floats(s.d_out, seed + 2), dy = test::random_floats(s.n * s.d_out, seed + 3);
  std::vector<float> y_ref(s.n * s.d_out), dx_ref(x.size()), dw_ref(w.size()), db_ref(b.size());
  dense_forward_ref<float>(y_ref, x, w, b, s);
  dense_backward_ref<float>(dx_ref, dw_ref, db_ref, dy, x, w, s);

  auto xb = test::upload(x), wb = test::upload(w), bb = test::upload(b), dyb = test::upload(dy);
  auto yb = test::make_output(y_ref.size()), dxb = test::make_output(x.size());
  auto dwb = test::make_output(w.size()), dbb = test::make_output(b.size());
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_dense_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), s);
    record_dense_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(), s);
  });
  const auto y = test::download(yb), dx = test::download(dxb), dw = test::download(dwb),
             db = test::download(dbb);
  const std::string what =
      "N=" + std::to_string(s.n) + " D_in=" + std::to_string(s.d_in) + " D_out=" + std::to_string(s.d_out);
  EXPECT_TRUE(all_close(y, y_ref, tolerance(s.d_in + 1))) << "forward " << what;
  EXPECT_TRUE(all_close(dx, dx_ref, tolerance(s.d_out))) << "backward dx " << what;
  EXPECT_TRUE(all_close(dw, dw_ref, tolerance(s.n))) << "backward dW " << what;
  EXPECT_TRUE(all_close(db, db_ref, tolerance(s.n))) << "backward db " << what;
  return {test::compare(y, y_ref).max_abs, test::compare(dx, dx_ref).max_abs,
          test::compare(dw, dw_ref).max_abs, test::compare(db, db_ref).max_abs};
}

void report(const char* suffix, const Errors& e) {
  test::report_error(std::string("dense_forward") + suffix, e.y);
  test::report_error(std::string("dense_backward_dx") + suffix, e.dx);
  test::report_error(std::string("dense_backward_dw") + suffix, e.dw);
  test::report_error(std::string("dense_backward_db") + suffix, e.db);
}

TEST_F(DenseGpu, ForwardBackwardOddShapes) {
  Errors worst;
  const DenseShape shapes[] = {{3, 37, 19}, {1, 1, 1}, {5, 3, 7},  {130, 33, 9},
                               {2, 100, 1}, {7, 4, 8}, {9, 16, 17}};
  uint32_t seed = 10;
  for (const DenseShape& s : shapes) {
    const Errors e = check_shape(s, seed += 4);
    worst = {std::max(worst.y, e.y), std::max(worst.dx, e.dx), std::max(worst.dw, e.dw),
             std::max(worst.db, e.db)};
  }
  report("_odd", worst);
}

TEST_F(DenseGpu, ForwardBackwardModelShapes) {
  // Batch 128: the dense autoencoder (784 -> 32 -> 784), the wider encoder layer, the VAE's 2-d latent head.
  const DenseShape shapes[] = {{128, 784, 32}, {128, 32, 784}, {128, 784, 512}, {128, 512, 2}};
  Errors worst;
  uint32_t seed = 100;
  for (const DenseShape& s : shapes) {
    const Errors e = check_shape(s, seed += 4);
    worst = {std::max(worst.y, e.y), std::max(worst.dx, e.dx), std::max(worst.dw, e.dw),
             std::max(worst.db, e.db)};
  }
  report("_model", worst);
}

TEST_F(DenseGpu, BackwardAccumulates) {
  const DenseShape s{6, 37, 19};
  const auto x = test::random_floats(s.n * s.d_in, 1), w = test::random_floats(s.d_out * s.d_in, 2);
  const auto dy = test::random_floats(s.n * s.d_out, 3);
  const auto dx0 = test::random_floats(x.size(), 4), dw0 = test::random_floats(w.size(), 5);
  const auto db0 = test::random_floats(s.d_out, 6);
  std::vector<float> dx_ref(x.size()), dw_ref(w.size()), db_ref(s.d_out);
  dense_backward_ref<float>(dx_ref, dw_ref, db_ref, dy, x, w, s);
  for (size_t i = 0; i < dx_ref.size(); ++i) dx_ref[i] += dx0[i];
  for (size_t i = 0; i < dw_ref.size(); ++i) dw_ref[i] += dw0[i];
  for (size_t i = 0; i < db_ref.size(); ++i) db_ref[i] += db0[i];
  auto xb = test::upload(x), wb = test::upload(w), dyb = test::upload(dy);
  auto dxb = test::upload(dx0), dwb = test::upload(dw0), dbb = test::upload(db0);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_dense_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(), s,
                          Grad::Accumulate, Grad::Accumulate);
  });
  const auto dx = test::download(dxb), dw = test::download(dwb), db = test::download(dbb);
  EXPECT_TRUE(all_close(dx, dx_ref, tolerance(s.d_out)));
  EXPECT_TRUE(all_close(dw, dw_ref, tolerance(s.n)));
  EXPECT_TRUE(all_close(db, db_ref, tolerance(s.n)));
  test::report_error("dense_backward_accumulate",
                     std::max({test::compare(dx, dx_ref).max_abs, test::compare(dw, dw_ref).max_abs,
                               test::compare(db, db_ref).max_abs}));
}

TEST_F(DenseGpu, BackwardSkipsEmptyDx) {
  const DenseShape s{3, 37, 19};
  const auto x = test::random_floats(s.n * s.d_in, 1), w = test::random_floats(s.d_out * s.d_in, 2);
  const auto dy = test::random_floats(s.n * s.d_out, 3);
  std::vector<float> dw_ref(w.size()), db_ref(s.d_out);
  dense_backward_ref<float>({}, dw_ref, db_ref, dy, x, w, s);
  auto xb = test::upload(x), wb = test::upload(w), dyb = test::upload(dy);
  auto dwb = test::make_output(w.size()), dbb = test::make_output(s.d_out);
  uint32_t dispatches = 0;
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_dense_backward(rec, {}, dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(), s);
    dispatches = rec.dispatch_count();
  });
  EXPECT_EQ(dispatches, 1u);
  const auto dw = test::download(dwb), db = test::download(dbb);
  EXPECT_TRUE(all_close(dw, dw_ref, tolerance(s.n)));
  EXPECT_TRUE(all_close(db, db_ref, tolerance(s.n)));
  test::report_error("dense_backward_params_only",
                     std::max(test::compare(dw, dw_ref).max_abs, test::compare(db, db_ref).max_abs));
}

TEST_F(DenseGpu, RejectsBadShapeNamingTheShapes) {
  const DenseShape s{3, 37, 19};
  auto x = test::make_output(3 * 37), y = test::make_output(3 * 19), w = test::make_output(37 * 19 - 1);
  auto b = test::make_output(19);
  try {
    test::ctx().run_now(
        [&](rt::Recorder& rec) { record_dense_forward(rec, y.view(), x.view(), w.view(), b.view(), s); });
    FAIL() << "no error for a W one float short";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "dense_forward: W holds 702 floats, shape [19, 37] needs 703");
  }
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_dense_forward(rec, y.view(), x.view(), w.view(), b.view(), DenseShape{3, 0, 19});
    });
    FAIL() << "no error for D_in = 0";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "dense_forward: unsupported shape N=3, D_in=0, D_out=19");
  }
}

}  // namespace
}  // namespace vkae::nn
