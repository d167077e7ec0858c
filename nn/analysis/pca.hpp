// Principal component analysis on the host, in double: running sums for a covariance matrix (fed a block of
// rows at a time, so a dataset never has to exist as doubles at once), a symmetric eigen decomposition
// (all eigenpairs, through Eigen), and projection /
// reconstruction with the top K components. A reference to compare autoencoders with, not a GPU op; D up to a
// few thousand.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace vkae::nn {

// Count, Σx and Σ x xᵀ of rows of D values. Zero entries cost nothing (images are mostly background).
class CovarianceAccumulator {
 public:
  explicit CovarianceAccumulator(uint32_t dims);
  void add(std::span<const double> rows);  // [n, D], n = rows.size() / D
  uint32_t dims() const noexcept { return d_; }
  uint64_t count() const noexcept { return n_; }
  std::vector<double> mean() const;  // [D]
  // [D, D] symmetric, the sample covariance (divided by count - 1, as numpy.cov and sklearn's PCA do).
  // InputError with fewer than 2 rows.
  std::vector<double> covariance() const;

 private:
  uint32_t d_;
  uint64_t n_ = 0;
  std::vector<double> sum_;    // [D]
  std::vector<double> outer_;  // [D, D], upper triangle (a <= b) filled
};

// All eigenpairs of a symmetric [D, D] matrix (only symmetric input is meaningful; the lower triangle is
// read).
struct SymmetricEigen {
  std::vector<double> values;   // [D], descending
  std::vector<double> vectors;  // [D, D], row k the unit eigenvector of values[k]
};
SymmetricEigen symmetric_eigen(std::span<const double> a, uint32_t d);

struct Pca {
  uint32_t dims = 0, components = 0;  // D, K
  uint64_t samples = 0;               // rows the fit saw
  std::vector<double> mean;           // [D]
  std::vector<double> basis;          // [K, D], orthonormal rows by decreasing variance
  std::vector<double> variances;      // [D], the covariance's whole spectrum, descending

  // Σ of the top K variances / Σ of all: the fraction of the data's variance the K components keep.
  double explained_variance_ratio() const;
  // code [K] = basis (x - mean).
  void project(std::span<double> code, std::span<const double> x) const;
  // x [D] = mean + basisᵀ code.
  void reconstruct(std::span<double> x, std::span<const double> code) const;
};

// The top K principal components of what `acc` has seen. InputError for K = 0 or K > D, or < 2 rows.
Pca fit_pca(const CovarianceAccumulator& acc, uint32_t k);

}  // namespace vkae::nn
