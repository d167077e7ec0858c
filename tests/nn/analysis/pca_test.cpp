// PCA on the host: the eigen decomposition on matrices with known eigenpairs, with a repeated eigenvalue, and
// on random symmetric ones (A v = λ v, orthonormal vectors, a small relative residual at 200x200), the sparse
// covariance sums against the textbook formula, and PCA's promises: orthonormal components, zero error with
// every component, exact recovery of data on a plane.
#include "nn/analysis/pca.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

// max |V Vᵀ - I| over the rows of V [k, d].
double orthonormality_error(const std::vector<double>& v, uint32_t k, uint32_t d) {
  double worst = 0;
  for (uint32_t a = 0; a < k; ++a)
    for (uint32_t b = 0; b < k; ++b) {
      double s = 0;
      for (uint32_t i = 0; i < d; ++i) s += v[a * d + i] * v[b * d + i];
      worst = std::max(worst, std::abs(s - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}

TEST(SymmetricEigen, KnownEigenpairsOfARotatedDiagonal) {
  // A = Q diag(5, 2, 1) Qᵀ with Q's columns q0 = (1, 1, 0)/√2, q1 = (1, -1, 0)/√2, q2 = (0, 0, 1).
  const double r = 1 / std::sqrt(2.0);
  const double q[3][3] = {{r, r, 0}, {r, -r, 0}, {0, 0, 1}};  // rows are the eigenvectors
  const double lambda[3] = {5, 2, 1};
  std::vector<double> a(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) a[i * 3 + j] += q[k][i] * lambda[k] * q[k][j];
  EXPECT_NEAR(a[0 * 3 + 1], 1.5, 1e-15);  // (5 - 2) / 2
  const SymmetricEigen e = symmetric_eigen(a, 3);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(e.values[k], lambda[k], 1e-12);
    double dot = 0;
    for (int i = 0; i < 3; ++i) dot += e.vectors[k * 3 + i] * q[k][i];
    EXPECT_NEAR(std::abs(dot), 1.0, 1e-12) << "eigenvector " << k << " (up to sign)";
  }
}

TEST(SymmetricEigen, RandomSymmetricMatrixSatisfiesAvEqualsLambdaV) {
  const uint32_t d = 60;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<double> a(d * d);
  for (uint32_t i = 0; i < d; ++i)
    for (uint32_t j = 0; j <= i; ++j) a[i * d + j] = a[j * d + i] = normal(rng);
  const SymmetricEigen e = symmetric_eigen(a, d);
  EXPECT_LT(orthonormality_error(e.vectors, d, d), 1e-12);
  double trace = 0, sum = 0;
  for (uint32_t k = 0; k < d; ++k) {
    trace += a[k * d + k];
    sum += e.values[k];
    if (k) {
      EXPECT_GE(e.values[k - 1], e.values[k]) << "descending";
    }
    for (uint32_t i = 0; i < d; ++i) {
      double av = 0;
      for (uint32_t j = 0; j < d; ++j) av += a[i * d + j] * e.vectors[k * d + j];
      EXPECT_NEAR(av, e.values[k] * e.vectors[k * d + i], 1e-10);
    }
  }
  EXPECT_NEAR(trace, sum, 1e-10);
}

TEST(SymmetricEigen, RepeatedEigenvaluesOfIdentityPlusRankOne) {
  // A = I + u uᵀ: eigenvalue 1 + |u|² along u and 1, repeated d - 1 times, on u's orthogonal complement.
  const uint32_t d = 9;
  std::vector<double> u(d), a(d * d);
  double uu = 0;
  for (uint32_t i = 0; i < d; ++i) {
    u[i] = 0.5 + 0.25 * i;
    uu += u[i] * u[i];
  }
  for (uint32_t i = 0; i < d; ++i)
    for (uint32_t j = 0; j < d; ++j) a[i * d + j] = (i == j ? 1.0 : 0.0) + u[i] * u[j];
  const SymmetricEigen e = symmetric_eigen(a, d);
  EXPECT_LT(orthonormality_error(e.vectors, d, d), 1e-13);
  EXPECT_NEAR(e.values[0], 1 + uu, 1e-12);
  for (uint32_t k = 1; k < d; ++k) EXPECT_NEAR(e.values[k], 1.0, 1e-13) << "k = " << k;
  double along = 0;
  for (uint32_t i = 0; i < d; ++i) along += e.vectors[i] * u[i];
  EXPECT_NEAR(std::abs(along), std::sqrt(uu), 1e-12) << "the top eigenvector is ±u / |u|";
  for (uint32_t k = 0; k < d; ++k)
    for (uint32_t i = 0; i < d; ++i) {
      double av = 0;
      for (uint32_t j = 0; j < d; ++j) av += a[i * d + j] * e.vectors[k * d + j];
      EXPECT_NEAR(av, e.values[k] * e.vectors[k * d + i], 1e-13) << "k = " << k << ", i = " << i;
    }
}

TEST(SymmetricEigen, LargeRandomMatrixHasSmallRelativeResidual) {
  // ‖A Vᵀ - Vᵀ Λ‖_F / ‖A‖_F with V's rows the eigenvectors.
  const uint32_t d = 200;
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<double> a(d * d);
  for (uint32_t i = 0; i < d; ++i)
    for (uint32_t j = 0; j <= i; ++j) a[i * d + j] = a[j * d + i] = uniform(rng);
  const SymmetricEigen e = symmetric_eigen(a, d);
  double residual = 0, norm = 0;
  for (uint32_t k = 0; k < d; ++k) {
    if (k) {
      EXPECT_GE(e.values[k - 1], e.values[k]) << "descending";
    }
    const double* v = e.vectors.data() + size_t{k} * d;
    for (uint32_t i = 0; i < d; ++i) {
      double av = 0;
      for (uint32_t j = 0; j < d; ++j) av += a[i * d + j] * v[j];
      residual += (av - e.values[k] * v[i]) * (av - e.values[k] * v[i]);
      norm += a[i * d + k] * a[i * d + k];
    }
  }
  EXPECT_LT(std::sqrt(residual / norm), 1e-9);
  EXPECT_LT(orthonormality_error(e.vectors, d, d), 1e-12);
}

TEST(SymmetricEigen, DiagonalAndZeroMatricesAndBadSizes) {
  const SymmetricEigen e = symmetric_eigen(std::vector<double>{1, 0, 0, 0, 3, 0, 0, 0, 2}, 3);
  EXPECT_EQ(e.values, (std::vector<double>{3, 2, 1}));
  EXPECT_NEAR(std::abs(e.vectors[0 * 3 + 1]), 1.0, 0);
  const SymmetricEigen z = symmetric_eigen(std::vector<double>(16, 0.0), 4);
  EXPECT_LT(orthonormality_error(z.vectors, 4, 4), 1e-15);
  EXPECT_THROW(symmetric_eigen(std::vector<double>(5, 0.0), 2), InputError);
}

// Rows with many exact zeros, like images: exercises the sparse accumulation.
std::vector<double> sparse_rows(uint32_t n, uint32_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> x(size_t{n} * d);
  for (double& v : x) v = u(rng) < 0.6 ? 0.0 : u(rng);
  return x;
}

TEST(Covariance, MatchesTheTextbookFormulaAcrossBlocks) {
  const uint32_t n = 50, d = 7;
  const std::vector<double> x = sparse_rows(n, d, 3);
  CovarianceAccumulator acc(d);
  acc.add(std::span(x).first(20 * d));  // in two blocks
  acc.add(std::span(x).subspan(20 * d));
  EXPECT_EQ(acc.count(), n);
  std::vector<double> mean(d, 0.0);
  for (uint32_t r = 0; r < n; ++r)
    for (uint32_t a = 0; a < d; ++a) mean[a] += x[r * d + a] / n;
  const std::vector<double> c = acc.covariance();
  for (uint32_t a = 0; a < d; ++a)
    for (uint32_t b = 0; b < d; ++b) {
      double s = 0;
      for (uint32_t r = 0; r < n; ++r) s += (x[r * d + a] - mean[a]) * (x[r * d + b] - mean[b]);
      EXPECT_NEAR(c[a * d + b], s / (n - 1), 1e-14);
    }
  CovarianceAccumulator one(d);
  one.add(std::span(x).first(d));
  EXPECT_THROW(one.covariance(), InputError);
  EXPECT_THROW(one.add(std::vector<double>(d + 1, 0.0)), InputError);
}

TEST(Pca, ComponentsAreOrthonormalAndAllOfThemReconstructExactly) {
  const uint32_t n = 200, d = 12;
  const std::vector<double> x = sparse_rows(n, d, 11);
  CovarianceAccumulator acc(d);
  acc.add(x);
  const Pca all = fit_pca(acc, d);
  EXPECT_LT(orthonormality_error(all.basis, d, d), 1e-12);
  EXPECT_NEAR(all.explained_variance_ratio(), 1.0, 1e-15);
  std::vector<double> code(d), back(d);
  double previous_error = INFINITY;
  for (uint32_t k = 1; k <= d; ++k) {
    const Pca p = fit_pca(acc, k);
    EXPECT_LT(orthonormality_error(p.basis, k, d), 1e-12);
    double error = 0;
    std::vector<double> c(k);
    for (uint32_t r = 0; r < n; ++r) {
      const std::span<const double> row(x.data() + r * d, d);
      p.project(c, row);
      p.reconstruct(back, c);
      for (uint32_t a = 0; a < d; ++a) error += (back[a] - row[a]) * (back[a] - row[a]);
    }
    EXPECT_LT(error, previous_error + 1e-12) << "more components never reconstruct worse, k = " << k;
    // The residual is the variance PCA leaves out: Σ of the other eigenvalues times (n - 1).
    double left_out = 0;
    for (uint32_t j = k; j < d; ++j) left_out += p.variances[j];
    EXPECT_NEAR(error, left_out * (n - 1), 1e-9);
    previous_error = error;
  }
  EXPECT_NEAR(previous_error, 0.0, 1e-9) << "all components: zero error";
}

TEST(Pca, PointsOnAPlaneNeedTwoComponents) {
  // x = o + s u + t w in 3-D: the third eigenvalue is 0 and two components reconstruct every point.
  const double o[3] = {0.5, -1, 2}, u[3] = {1, 2, 0}, w[3] = {0, 1, -1};
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  std::vector<double> x;
  for (int r = 0; r < 40; ++r) {
    const double s = normal(rng), t = normal(rng);
    for (int a = 0; a < 3; ++a) x.push_back(o[a] + s * u[a] + t * w[a]);
  }
  CovarianceAccumulator acc(3);
  acc.add(x);
  const Pca p = fit_pca(acc, 2);
  EXPECT_NEAR(p.variances[2], 0.0, 1e-12);
  EXPECT_NEAR(p.explained_variance_ratio(), 1.0, 1e-12);
  std::vector<double> c(2), back(3);
  for (int r = 0; r < 40; ++r) {
    p.project(c, std::span<const double>(x.data() + r * 3, 3));
    p.reconstruct(back, c);
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(back[a], x[r * 3 + a], 1e-12);
  }
  EXPECT_THROW(fit_pca(acc, 0), InputError);
  EXPECT_THROW(fit_pca(acc, 4), InputError);
}

}  // namespace
}  // namespace vkae::nn
