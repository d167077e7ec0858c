// PCA: sparse-aware covariance sums, then all eigenpairs of the symmetric covariance in two stages.
// Householder reflections reduce A to a tridiagonal T = Qᵀ A Q; implicit QR steps with Wilkinson's shift
// (bulge chasing with plane rotations) then drive T to diagonal, each rotation also applied to the rows of
// Qᵀ, which end as the eigenvectors. Matrices are row-major and every O(n³) loop walks rows, so a 784x784
// covariance takes about half a second on one core.
#include "nn/analysis/pca.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Wilkinson's shift converges in two or three steps per eigenvalue; this many without a split means NaN
// input.
constexpr int kMaxStepsPerEigenvalue = 60;

double dot(const double* x, const double* y, size_t m) {
  double s = 0;
  for (size_t i = 0; i < m; ++i) s += x[i] * y[i];
  return s;
}

// Householder reduction A = Q T Qᵀ, T symmetric tridiagonal with diagonal diag [n] and off [n - 1] beside it.
// w [n, n] holds A with both triangles and is consumed: step k reflects row k past the diagonal (= column k
// below it) onto its first entry, H_k = I - β v vᵀ acting on indices k+1..n-1, applies H_k to both sides of
// the trailing block, and keeps v in row k, which nothing reads again. Then qt [n, n] = Qᵀ = H_{n-3}…H_0,
// built by multiplying from the right starting at the last reflection, so each product touches only the
// trailing block where it differs from the identity. Every loop walks rows.
void reduce_to_tridiagonal(std::vector<double>& diag, std::vector<double>& off, std::vector<double>& qt,
                           std::vector<double>& w, size_t n) {
  std::vector<double> beta(n, 0.0), p(n);
  for (size_t k = 0; k + 2 < n; ++k) {
    diag[k] = w[k * n + k];
    const size_t m = n - k - 1;
    double* v = w.data() + k * n + k + 1;
    double scale = 0;
    for (size_t i = 0; i < m; ++i) scale = std::max(scale, std::abs(v[i]));
    if (scale == 0) continue;  // already tridiagonal here: H_k = I, off[k] = 0
    // Work with x / scale: the reflection depends only on the direction, and the squares cannot
    // under/overflow.
    for (size_t i = 0; i < m; ++i) v[i] /= scale;
    double tail = 0;
    for (size_t i = 1; i < m; ++i) tail += v[i] * v[i];
    if (tail == 0) {  // x is already a multiple of e_0
      off[k] = v[0] * scale;
      continue;
    }
    // H x = α e_0 with |α| = |x|; α takes the sign opposite to x_0 so that v_0 = x_0 - α adds magnitudes.
    const double x0 = v[0], norm = std::sqrt(x0 * x0 + tail);
    const double alpha = x0 > 0 ? -norm : norm;
    v[0] = x0 - alpha;
    const double b = 1 / (norm * (norm + std::abs(x0)));  // 2 / vᵀv, since vᵀv = 2|α|(|α| + |x_0|)
    beta[k] = b;
    off[k] = alpha * scale;
    // H B H = B - v wᵀ - w vᵀ with p = β B v and w = p - (β/2)(pᵀv) v, for the trailing block B [m, m].
    double* block = w.data() + (k + 1) * n + (k + 1);
    for (size_t i = 0; i < m; ++i) p[i] = b * dot(block + i * n, v, m);
    const double half = 0.5 * b * dot(p.data(), v, m);
    for (size_t i = 0; i < m; ++i) p[i] -= half * v[i];
    for (size_t i = 0; i < m; ++i) {
      double* row = block + i * n;
      const double vi = v[i], pi = p[i];
      for (size_t j = 0; j < m; ++j) row[j] -= vi * p[j] + pi * v[j];
    }
  }
  const size_t last = n >= 2 ? n - 2 : 0;  // the last 2x2 (or 1x1) block needs no reflection
  for (size_t k = last; k < n; ++k) diag[k] = w[k * n + k];
  if (n >= 2) off[n - 2] = w[(n - 2) * n + (n - 1)];

  std::fill(qt.begin(), qt.end(), 0.0);
  for (size_t i = 0; i < n; ++i) qt[i * n + i] = 1;
  for (size_t k = n >= 3 ? n - 2 : 0; k-- > 0;) {
    if (beta[k] == 0) continue;
    const size_t m = n - k - 1;
    const double* v = w.data() + k * n + k + 1;
    for (size_t i = k + 1; i < n; ++i) {
      double* row = qt.data() + i * n + k + 1;
      const double r = beta[k] * dot(row, v, m);
      for (size_t j = 0; j < m; ++j) row[j] -= r * v[j];
    }
  }
}

// Rows x, y [n] become c x + s y and c y - s x.
void rotate_rows(double* x, double* y, double c, double s, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    const double a = x[j], b = y[j];
    x[j] = c * a + s * b;
    y[j] = c * b - s * a;
  }
}

// One implicit QR step with Wilkinson's shift μ on the unreduced block lo..hi of T: T ← P T Pᵀ with
// P = P_{hi-1}…P_lo, each P_k a rotation of rows k, k+1. P_lo's first row is along (T - μI) e_lo, the first
// column of the shifted QR factor, and each later P_k clears the bulge that the previous one left at
// (k+1, k-1), so by the implicit Q theorem the step equals a shifted QR step. The same rotations go to the
// rows of `basis`, which stays the matrix whose rows are A's eigenvectors in T's coordinates.
void qr_step(std::vector<double>& diag, std::vector<double>& off, std::vector<double>& basis, size_t n,
             size_t lo, size_t hi) {
  // μ: the eigenvalue of T's trailing 2x2 [a b; b c] nearer to c.
  const double a = diag[hi - 1], b = off[hi - 1], c = diag[hi];
  const double delta = 0.5 * (a - c), root = std::hypot(delta, b);
  const double mu = c - b * (b / (delta >= 0 ? delta + root : delta - root));
  double x = diag[lo] - mu, z = off[lo];  // the vector P_k turns onto its first coordinate
  for (size_t k = lo; k < hi; ++k) {
    const double r = std::hypot(x, z);
    const double cs = r > 0 ? x / r : 1, sn = r > 0 ? z / r : 0;
    if (k > lo) off[k - 1] = r;  // the bulge at (k+1, k-1) is now zero
    // The 2x2 block [d_k e_k; e_k d_k+1] becomes R B Rᵀ with R = [c s; -s c].
    const double dk = diag[k], dk1 = diag[k + 1], ek = off[k];
    const double cross = 2 * cs * sn * ek;
    diag[k] = cs * cs * dk + cross + sn * sn * dk1;
    diag[k + 1] = sn * sn * dk - cross + cs * cs * dk1;
    off[k] = cs * sn * (dk1 - dk) + (cs * cs - sn * sn) * ek;
    if (k + 1 < hi) {  // row k picks up s e_k+1 at column k+2: the new bulge
      x = off[k];
      z = sn * off[k + 1];
      off[k + 1] *= cs;
    }
    rotate_rows(basis.data() + k * n, basis.data() + (k + 1) * n, cs, sn, n);
  }
}

// Drives T (diag, off) to diagonal form. An off-diagonal entry counts as zero once it is below ε times its
// two diagonal neighbours or ε‖T‖ (a perturbation the reduction has already made); the bottom eigenvalue of
// the active range is then final, and a zero inside it splits the work into independent blocks.
void diagonalise_tridiagonal(std::vector<double>& diag, std::vector<double>& off, std::vector<double>& basis,
                             size_t n) {
  double norm = 0;
  for (size_t i = 0; i < n; ++i)
    norm = std::max(
        norm, std::abs(diag[i]) + (i + 1 < n ? std::abs(off[i]) : 0) + (i > 0 ? std::abs(off[i - 1]) : 0));
  const double floor = kEps * norm;
  size_t hi = n - 1;
  int steps = 0;
  while (hi > 0) {
    for (size_t i = 0; i < hi; ++i)
      if (std::abs(off[i]) <= std::max(floor, kEps * (std::abs(diag[i]) + std::abs(diag[i + 1])))) off[i] = 0;
    if (off[hi - 1] == 0) {
      --hi;
      steps = 0;
      continue;
    }
    if (++steps > kMaxStepsPerEigenvalue)
      throw Error("symmetric_eigen: no convergence after " + std::to_string(kMaxStepsPerEigenvalue) +
                  " QR steps (is the matrix finite?)");
    size_t lo = hi - 1;
    while (lo > 0 && off[lo - 1] != 0) --lo;
    qr_step(diag, off, basis, n, lo, hi);
  }
}

}  // namespace

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
  const size_t n = d;
  // Both triangles from the lower one, so a slightly unsymmetric input is read one way only.
  std::vector<double> w(n * n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j <= i; ++j) w[i * n + j] = w[j * n + i] = a[i * n + j];
  std::vector<double> values(n), off(n, 0.0), m(n * n);  // row k of m: the eigenvector of values[k]
  reduce_to_tridiagonal(values, off, m, w, n);
  diagonalise_tridiagonal(values, off, m, n);
  // Order by decreasing eigenvalue.
  std::vector<uint32_t> order(d);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return values[x] > values[y]; });
  SymmetricEigen out;
  out.values.resize(d);
  out.vectors.resize(size_t{d} * d);
  for (uint32_t k = 0; k < d; ++k) {
    out.values[k] = values[order[k]];
    std::copy_n(m.begin() + std::ptrdiff_t(size_t{order[k]} * d), d,
                out.vectors.begin() + std::ptrdiff_t(size_t{k} * d));
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
