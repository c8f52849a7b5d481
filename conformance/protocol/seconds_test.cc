#include "conformance/protocol/seconds.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

namespace sockref::conformance {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// A huge delay used to overflow the nanosecond conversion and fire at once; it must wait the
// longest time instead.
TEST(SaturatedDurationTest, HugeAndInfiniteDelaysSaturate) {
  const auto year = duration_cast<seconds>(SaturatedDuration(kMaxSeconds)).count();
  EXPECT_EQ(duration_cast<seconds>(SaturatedDuration(1e300)).count(), year);
  EXPECT_EQ(duration_cast<seconds>(SaturatedDuration(std::numeric_limits<double>::infinity()))
                .count(),
            year);
  EXPECT_GT(year, 365 * 24 * 3600 - 1);
}

TEST(SaturatedDurationTest, NegativeAndNanAreZero) {
  EXPECT_EQ(SaturatedDuration(-5).count(), 0);
  EXPECT_EQ(SaturatedDuration(std::nan("")).count(), 0);
  EXPECT_EQ(duration_cast<std::chrono::milliseconds>(SaturatedDuration(0.25)).count(), 250);
}

}  // namespace
}  // namespace sockref::conformance
