// ROC AUC of a score that should rank positives above negatives, computed exactly as the Mann-Whitney U
// statistic with average ranks for ties (the AUC counting a tied positive/negative pair as one half), the
// value sklearn.metrics.roc_auc_score gives. Host-side, O(n log n); no curve points, no thresholds.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

namespace vkae::nn {

// P(score of a random positive > score of a random negative) + 1/2 P(equal). nullopt when there are no
// positives or no negatives (the AUC is undefined). `positive` and `scores` have the same length; a NaN score
// is an InputError.
std::optional<double> roc_auc(std::span<const double> scores, std::span<const uint8_t> positive);

}  // namespace vkae::nn
