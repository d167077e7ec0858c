// ROC AUC through ranks: sort once, give each run of equal scores its average rank, and
// AUC = (sum of positive ranks - P (P + 1) / 2) / (P N). Exact for ties, no pairwise loop.
#include "nn/analysis/roc.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace vkae::nn {

std::optional<double> roc_auc(std::span<const double> scores, std::span<const uint8_t> positive) {
  if (scores.size() != positive.size())
    throw InputError("roc_auc: " + std::to_string(scores.size()) + " scores for " +
                     std::to_string(positive.size()) + " labels");
  for (size_t i = 0; i < scores.size(); ++i)
    if (std::isnan(scores[i])) throw InputError("roc_auc: score " + std::to_string(i) + " is NaN");
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  uint64_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    uint64_t run_positives = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]])
      run_positives += positive[order[j++]] ? 1 : 0;
    const double average_rank = 0.5 * double(i + 1 + j);  // ranks i+1 .. j, 1-based
    positive_rank_sum += average_rank * double(run_positives);
    positives += run_positives;
    i = j;
  }
  const uint64_t negatives = scores.size() - positives;
  if (positives == 0 || negatives == 0) return std::nullopt;
  const double p = double(positives);
  return (positive_rank_sum - p * (p + 1) / 2) / (p * double(negatives));
}

}  // namespace vkae::nn
