// PCA: sparse-aware covariance sums, then all eigenpairs of the symmetric covariance through Eigen's
// SelfAdjointEigenSolver (Householder tridiagonalisation + implicit symmetric QR, the textbook method), and
// projection / reconstruction with the top K components.
#include "nn/analysis/pca.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <string>

#include "base/error.hpp"

namespace vkae::nn {

CovarianceAccumulator::CovarianceAccumulator(uint32_t dims)
    : d_(dims), sum_(dims, 0.0), outer_(size_t{dims} * dims, 0.0) {
  if (dims == 0) throw InputError("covariance: needs at least one dimension");
}

void CovarianceAccumulator::add(std::span<const double> rows) {
  if (rows.size() % d_ != 0)
    throw InputError("covariance: " + std::to_string(rows.size()) + " values are not rows of " +
                     std::to_string(d_));
  std::vector<uint32_t> index(d_);
  std::vector<double> value(d_);
  for (size_t r = 0; r < rows.size() / d_; ++r) {
    const double* x = rows.data() + r * d_;
    uint32_t nz = 0;  // the row's non-zero entries, in order
    for (uint32_t a = 0; a < d_; ++a)
      if (x[a] != 0.0) {
        index[nz] = a;
        value[nz++] = x[a];
        sum_[a] += x[a];
      }
    for (uint32_t i = 0; i < nz; ++i) {
      double* row = outer_.data() + size_t{index[i]} * d_;
      const double xa = value[i];
      for (uint32_t j = i; j < nz; ++j) row[index[j]] += xa * value[j];
    }
    ++n_;
  }
}

std::vector<double> CovarianceAccumulator::mean() const {
  std::vector<double> m(d_, 0.0);
  if (n_ == 0) return m;
  for (uint32_t a = 0; a < d_; ++a) m[a] = sum_[a] / double(n_);
  return m;
}

std::vector<double> CovarianceAccumulator::covariance() const {
  if (n_ < 2) throw InputError("covariance: needs at least 2 rows, got " + std::to_string(n_));
  const std::vector<double> m = mean();
  std::vector<double> c(size_t{d_} * d_);
  const double n = double(n_);
  for (uint32_t a = 0; a < d_; ++a)
    for (uint32_t b = a; b < d_; ++b) {
      // Σ (x_a - m_a)(x_b - m_b) = Σ x_a x_b - n m_a m_b.
      const double v = (outer_[size_t{a} * d_ + b] - n * m[a] * m[b]) / (n - 1);
      c[size_t{a} * d_ + b] = c[size_t{b} * d_ + a] = v;
    }
  return c;
}

SymmetricEigen symmetric_eigen(std::span<const double> a, uint32_t d) {
  if (d == 0 || a.size() != size_t{d} * d)
    throw InputError("symmetric_eigen: expected " + std::to_string(d) + "x" + std::to_string(d) +
                     " values, got " + std::to_string(a.size()));
  // Row-major like `a`; the solver reads only the lower triangle, so a slightly unsymmetric input is read one
  // way only.
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> matrix(a.data(), d, d);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(matrix);
  if (solver.info() != Eigen::Success)
    throw Error("symmetric_eigen: no convergence of the QR iteration (is the matrix finite?)");
  // Eigen returns ascending eigenvalues with the eigenvectors as columns; we want descending, as rows.
  SymmetricEigen out;
  out.values.resize(d);
  out.vectors.resize(size_t{d} * d);
  for (uint32_t k = 0; k < d; ++k) {
    const Eigen::Index from = Eigen::Index{d} - 1 - k;
    out.values[k] = solver.eigenvalues()[from];
    for (uint32_t i = 0; i < d; ++i) out.vectors[size_t{k} * d + i] = solver.eigenvectors()(i, from);
  }
  return out;
}

double Pca::explained_variance_ratio() const {
  double top = 0, all = 0;
  for (size_t k = 0; k < variances.size(); ++k) {
    const double v = std::max(variances[k], 0.0);  // rounding can make a zero eigenvalue slightly negative
    all += v;
    if (k < components) top += v;
  }
  return all > 0 ? top / all : 1.0;
}

void Pca::project(std::span<double> code, std::span<const double> x) const {
  if (code.size() != components || x.size() != dims)
    throw InputError("pca project: expected code [" + std::to_string(components) + "] and x [" +
                     std::to_string(dims) + "]");
  for (uint32_t k = 0; k < components; ++k) {
    const double* w = basis.data() + size_t{k} * dims;
    double s = 0;
    for (uint32_t a = 0; a < dims; ++a) s += w[a] * (x[a] - mean[a]);
    code[k] = s;
  }
}

void Pca::reconstruct(std::span<double> x, std::span<const double> code) const {
  if (code.size() != components || x.size() != dims)
    throw InputError("pca reconstruct: expected code [" + std::to_string(components) + "] and x [" +
                     std::to_string(dims) + "]");
  std::copy(mean.begin(), mean.end(), x.begin());
  for (uint32_t k = 0; k < components; ++k) {
    const double* w = basis.data() + size_t{k} * dims;
    for (uint32_t a = 0; a < dims; ++a) x[a] += code[k] * w[a];
  }
}

Pca fit_pca(const CovarianceAccumulator& acc, uint32_t k) {
  if (k == 0 || k > acc.dims())
    throw InputError("pca: " + std::to_string(k) + " components: expected 1 to " +
                     std::to_string(acc.dims()));
  const SymmetricEigen eig = symmetric_eigen(acc.covariance(), acc.dims());
  Pca p;
  p.dims = acc.dims();
  p.components = k;
  p.samples = acc.count();
  p.mean = acc.mean();
  p.basis.assign(eig.vectors.begin(), eig.vectors.begin() + std::ptrdiff_t(size_t{k} * p.dims));
  p.variances = eig.values;
  return p;
}

}  // namespace vkae::nn
