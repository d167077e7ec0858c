// PCA: sparse-aware covariance sums, then EISPACK's tred2 + tql2 (as in the public-domain JAMA library) for the
// eigenpairs. The transformation matrix V is stored transposed (m[c * n + r] is V[r][c]) so that the hot loops
// of both routines, which walk columns of V, walk contiguous memory instead: 784^3 strided steps would cost
// seconds.
#include "nn/analysis/pca.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "runtime/error.hpp"

namespace vkae::nn {
namespace {

// Householder reduction of the symmetric matrix held in V to tridiagonal form: diagonal d, subdiagonal e
// (e[0] = 0); V becomes the orthogonal transformation.
template <typename At>
void tred2(At&& V, std::vector<double>& d, std::vector<double>& e, int n) {
  for (int j = 0; j < n; j++) d[j] = V(n - 1, j);
  for (int i = n - 1; i > 0; i--) {
    double scale = 0.0, h = 0.0;
    for (int k = 0; k < i; k++) scale += std::abs(d[k]);
    if (scale == 0.0) {
      e[i] = d[i - 1];
      for (int j = 0; j < i; j++) {
        d[j] = V(i - 1, j);
        V(i, j) = 0.0;
        V(j, i) = 0.0;
      }
    } else {
      for (int k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (int j = 0; j < i; j++) e[j] = 0.0;
      for (int j = 0; j < i; j++) {
        f = d[j];
        V(j, i) = f;
        g = e[j] + V(j, j) * f;
        for (int k = j + 1; k <= i - 1; k++) {
          g += V(k, j) * d[k];
          e[k] += V(k, j) * f;
        }
        e[j] = g;
      }
      f = 0.0;
      for (int j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const double hh = f / (h + h);
      for (int j = 0; j < i; j++) e[j] -= hh * d[j];
      for (int j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (int k = j; k <= i - 1; k++) V(k, j) -= (f * e[k] + g * d[k]);
        d[j] = V(i - 1, j);
        V(i, j) = 0.0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (int i = 0; i < n - 1; i++) {
    V(n - 1, i) = V(i, i);
    V(i, i) = 1.0;
    const double h = d[i + 1];
    if (h != 0.0) {
      for (int k = 0; k <= i; k++) d[k] = V(k, i + 1) / h;
      for (int j = 0; j <= i; j++) {
        double g = 0.0;
        for (int k = 0; k <= i; k++) g += V(k, i + 1) * V(k, j);
        for (int k = 0; k <= i; k++) V(k, j) -= g * d[k];
      }
    }
    for (int k = 0; k <= i; k++) V(k, i + 1) = 0.0;
  }
  for (int j = 0; j < n; j++) {
    d[j] = V(n - 1, j);
    V(n - 1, j) = 0.0;
  }
  V(n - 1, n - 1) = 1.0;
  e[0] = 0.0;
}

// Eigenvalues (into d) and vectors (columns of V) of the tridiagonal matrix, by the implicit QL method.
template <typename At>
void tql2(At&& V, std::vector<double>& d, std::vector<double>& e, int n) {
  for (int i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0.0;
  double f = 0.0, tst1 = 0.0;
  const double eps = std::ldexp(1.0, -52);
  for (int l = 0; l < n; l++) {
    tst1 = std::max(tst1, std::abs(d[l]) + std::abs(e[l]));
    int m = l;
    while (m < n) {
      if (std::abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m == n) m = n - 1;  // e[n-1] is 0, so the loop stops at n-1 at the latest; keeps the bound explicit
    if (m > l) {
      int iterations = 0;
      do {
        if (++iterations > 100) throw Error("symmetric_eigen: the QL iteration did not converge");
        double g = d[l];
        double p = (d[l + 1] - g) / (2.0 * e[l]);
        double r = std::hypot(p, 1.0);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (int i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        double c = 1.0, c2 = c, c3 = c;
        const double el1 = e[l + 1];
        double s = 0.0, s2 = 0.0;
        for (int i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = std::hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (int k = 0; k < n; k++) {
            h = V(k, i + 1);
            V(k, i + 1) = s * V(k, i) + c * h;
            V(k, i) = c * V(k, i) - s * h;
          }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (std::abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0.0;
  }
}

}  // namespace

CovarianceAccumulator::CovarianceAccumulator(uint32_t dims)
    : d_(dims), sum_(dims, 0.0), outer_(size_t{dims} * dims, 0.0) {
  if (dims == 0) throw InputError("covariance: needs at least one dimension");
}

void CovarianceAccumulator::add(std::span<const double> rows) {
  if (rows.size() % d_ != 0)
    throw InputError("covariance: " + std::to_string(rows.size()) + " values are not rows of " + std::to_string(d_));
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
    throw InputError("symmetric_eigen: expected " + std::to_string(d) + "x" + std::to_string(d) + " values, got " +
                     std::to_string(a.size()));
  const int n = int(d);
  // m = Vᵀ; V starts as the matrix itself, which is symmetric, so m starts as a copy of it too.
  std::vector<double> m(a.begin(), a.end());
  auto V = [&m, d](int r, int c) -> double& { return m[size_t(c) * d + size_t(r)]; };
  std::vector<double> values(d), e(d);
  tred2(V, values, e, n);
  tql2(V, values, e, n);
  // Column k of V (row k of m) belongs to values[k]; order by decreasing eigenvalue.
  std::vector<uint32_t> order(d);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return values[x] > values[y]; });
  SymmetricEigen out;
  out.values.resize(d);
  out.vectors.resize(size_t{d} * d);
  for (uint32_t k = 0; k < d; ++k) {
    out.values[k] = values[order[k]];
    std::copy_n(m.begin() + std::ptrdiff_t(size_t{order[k]} * d), d, out.vectors.begin() + std::ptrdiff_t(size_t{k} * d));
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
    throw InputError("pca project: expected code [" + std::to_string(components) + "] and x [" + std::to_string(dims) + "]");
  for (uint32_t k = 0; k < components; ++k) {
    const double* w = basis.data() + size_t{k} * dims;
    double s = 0;
    for (uint32_t a = 0; a < dims; ++a) s += w[a] * (x[a] - mean[a]);
    code[k] = s;
  }
}

void Pca::reconstruct(std::span<double> x, std::span<const double> code) const {
  if (code.size() != components || x.size() != dims)
    throw InputError("pca reconstruct: expected code [" + std::to_string(components) + "] and x [" + std::to_string(dims) + "]");
  std::copy(mean.begin(), mean.end(), x.begin());
  for (uint32_t k = 0; k < components; ++k) {
    const double* w = basis.data() + size_t{k} * dims;
    for (uint32_t a = 0; a < dims; ++a) x[a] += code[k] * w[a];
  }
}

Pca fit_pca(const CovarianceAccumulator& acc, uint32_t k) {
  if (k == 0 || k > acc.dims())
    throw InputError("pca: " + std::to_string(k) + " components: expected 1 to " + std::to_string(acc.dims()));
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
