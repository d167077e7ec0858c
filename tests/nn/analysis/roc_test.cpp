// ROC AUC: the Mann-Whitney value on cases checkable by hand, ties counted as one half.
#include "nn/analysis/roc.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

double auc(const std::vector<double>& scores, const std::vector<uint8_t>& positive) {
  const auto a = roc_auc(scores, positive);
  EXPECT_TRUE(a.has_value());
  return a.value_or(-1);
}

TEST(RocAuc, PerfectSeparationIsOneAndReversedIsZero) {
  EXPECT_DOUBLE_EQ(auc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(auc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}), 0.0);
}

TEST(RocAuc, AllTiesIsOneHalf) {
  EXPECT_DOUBLE_EQ(auc({3, 3, 3, 3, 3}, {1, 0, 0, 1, 0}), 0.5);
}

TEST(RocAuc, SmallCasesByHand) {
  // sklearn's example: positive 0.35 beats 0.1, loses to 0.4; positive 0.8 beats both: 3 of 4 pairs.
  EXPECT_DOUBLE_EQ(auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
  // Positives 2 and 3, negatives 1 and 2: pairs (2,1) win, (2,2) tie = 1/2, (3,1) win, (3,2) win: 3.5 / 4.
  EXPECT_DOUBLE_EQ(auc({1, 2, 2, 3}, {0, 1, 0, 1}), 0.875);
  // One positive ranked in the middle of three negatives, one of them tied: (1 + 0.5) / 3.
  EXPECT_DOUBLE_EQ(auc({0.2, 0.5, 0.5, 0.9}, {0, 1, 0, 0}), 0.5);
  EXPECT_DOUBLE_EQ(auc({0.2, 0.5, 0.7, 0.9}, {0, 1, 0, 0}), 1.0 / 3.0);
}

TEST(RocAuc, OrderOfTheInputDoesNotMatter) {
  const double a = auc({5, 1, 4, 2, 3, 3}, {1, 0, 1, 0, 1, 0});
  const double b = auc({3, 3, 2, 4, 1, 5}, {0, 1, 0, 1, 0, 1});
  EXPECT_DOUBLE_EQ(a, b);
  // Positives 5, 4, 3 vs negatives 1, 2, 3: 8 wins and one tie of 9 pairs.
  EXPECT_DOUBLE_EQ(a, 8.5 / 9.0);
}

TEST(RocAuc, UndefinedWithoutBothClassesAndRefusesBadInput) {
  EXPECT_FALSE(roc_auc(std::vector<double>{1, 2}, std::vector<uint8_t>{1, 1}).has_value());
  EXPECT_FALSE(roc_auc(std::vector<double>{1, 2}, std::vector<uint8_t>{0, 0}).has_value());
  EXPECT_FALSE(roc_auc(std::vector<double>{}, std::vector<uint8_t>{}).has_value());
  EXPECT_THROW(roc_auc(std::vector<double>{1, 2}, std::vector<uint8_t>{1}), InputError);
  EXPECT_THROW(roc_auc(std::vector<double>{1, std::nan("")}, std::vector<uint8_t>{1, 0}), InputError);
}

}  // namespace
}  // namespace vkae::nn
