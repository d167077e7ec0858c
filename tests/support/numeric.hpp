// Central finite differences in double precision, for checking CPU references' backward passes.
#pragma once
#include <functional>
#include <vector>

namespace vkae::test {

// d f / d x_i by (f(x + h e_i) - f(x - h e_i)) / 2h for every i.
inline std::vector<double> finite_difference(const std::function<double(const std::vector<double>&)>& f,
                                             std::vector<double> x, double h = 1e-6) {
  std::vector<double> grad(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f(x);
    x[i] = keep - h;
    const double down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

// Σ w_i y_i: a scalar whose gradient with respect to y is w, turning any op into a checkable function.
inline double weighted_sum(const std::vector<double>& y, const std::vector<double>& w) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += y[i] * w[i];
  return s;
}

}  // namespace vkae::test
