#include "impl/timeout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using namespace std::chrono_literals;

TEST(TimeoutNsTest, NoneIsBlocking) {
  TimeoutNs t = TimeoutNs::FromSeconds(std::nullopt);
  EXPECT_TRUE(t.is_blocking());
  EXPECT_EQ(t.AsSeconds(), std::nullopt);
}

TEST(TimeoutNsTest, ZeroIsNonBlocking) {
  EXPECT_TRUE(TimeoutNs::FromSeconds(Seconds(0.0)).is_non_blocking());
  EXPECT_TRUE(TimeoutNs::FromSeconds(Seconds(-0.0)).is_non_blocking());
  EXPECT_TRUE(TimeoutNs::FromIntegerSeconds(0).is_non_blocking());
}

TEST(TimeoutNsTest, RoundsAwayFromZeroLikeCPython) {
  // python3 -c "s=socket.socket(); s.settimeout(1e-10); print(s.gettimeout())" -> 1e-09
  EXPECT_EQ(TimeoutNs::FromSeconds(Seconds(1e-10)).nanoseconds(), 1);
  EXPECT_DOUBLE_EQ(TimeoutNs::FromSeconds(Seconds(1e-10)).AsSeconds()->count(), 1e-09);
  EXPECT_DOUBLE_EQ(TimeoutNs::FromSeconds(Seconds(0.1)).AsSeconds()->count(), 0.1);
}

TEST(TimeoutNsTest, NegativeIsOutOfRange) {
  EXPECT_THAT(Outcome([] { TimeoutNs::FromSeconds(Seconds(-1.0)); }),
              Raises(ErrorKind::kValueError, "Timeout value out of range"));
  EXPECT_THAT(Outcome([] { TimeoutNs::FromSeconds(Seconds(-1e-10)); }),
              Raises(ErrorKind::kValueError, "Timeout value out of range"));
  EXPECT_THAT(Outcome([] { TimeoutNs::FromIntegerSeconds(-1); }),
              Raises(ErrorKind::kValueError, "Timeout value out of range"));
}

TEST(TimeoutNsTest, NanIsRejected) {
  EXPECT_THAT(Outcome([] { TimeoutNs::FromSeconds(Seconds(std::nan(""))); }),
              Raises(ErrorKind::kValueError, "Invalid value NaN (not a number)"));
}

TEST(TimeoutNsTest, HugeFloatOverflowsWithCPythonsMessage) {
  EXPECT_DOUBLE_EQ(TimeoutNs::FromSeconds(Seconds(9.2e9)).AsSeconds()->count(), 9.2e9);
  for (double v : {9.3e9, 1e300, std::numeric_limits<double>::infinity(), -1e300}) {
    EXPECT_THAT(Outcome([v] { TimeoutNs::FromSeconds(Seconds(v)); }),
                Raises(ErrorKind::kOverflowError, "timestamp out of range for platform time_t"))
        << v;
  }
}

TEST(TimeoutNsTest, HugeIntegerOverflowsWithCPythonsMessage) {
  EXPECT_THAT(Outcome([] { TimeoutNs::FromIntegerSeconds(10'000'000'000); }),
              Raises(ErrorKind::kOverflowError, "timestamp too large to convert to C _PyTime_t"));
  EXPECT_EQ(TimeoutNs::FromIntegerSeconds(9'000'000'000).nanoseconds(), 9'000'000'000'000'000'000);
}

class DefaultTimeoutTest : public ::testing::Test {
 protected:
  void TearDown() override { setdefaulttimeout(std::nullopt); }
};

TEST_F(DefaultTimeoutTest, StartsAsNone) { EXPECT_EQ(getdefaulttimeout(), std::nullopt); }

TEST_F(DefaultTimeoutTest, SetAndGetRoundTrip) {
  setdefaulttimeout(Seconds(0.25));
  EXPECT_EQ(getdefaulttimeout(), Seconds(0.25));
  setdefaulttimeout(2s);
  EXPECT_EQ(getdefaulttimeout(), Seconds(2.0));
  setdefaulttimeout(1500ms);
  EXPECT_EQ(getdefaulttimeout(), Seconds(1.5));
  setdefaulttimeout(std::nullopt);
  EXPECT_EQ(getdefaulttimeout(), std::nullopt);
}

TEST_F(DefaultTimeoutTest, RejectsNegativeAndKeepsOldValue) {
  setdefaulttimeout(Seconds(1.0));
  EXPECT_THAT(Outcome([] { setdefaulttimeout(Seconds(-1.0)); }),
              Raises(ErrorKind::kValueError, "Timeout value out of range"));
  EXPECT_EQ(getdefaulttimeout(), Seconds(1.0));
}

TEST(DeadlineTest, PollMillisecondsRoundUpAndStopAtZero) {
  Deadline soon(TimeoutNs::FromNanoseconds(1));  // 1 ns: ceil to 1 ms, or already 0
  EXPECT_LE(soon.RemainingPollMilliseconds(), 1);
  Deadline later(TimeoutNs::FromSeconds(Seconds(10.0)));
  EXPECT_GT(later.RemainingPollMilliseconds(), 9000);
  EXPECT_LE(later.RemainingPollMilliseconds(), 10000);
  Deadline past(TimeoutNs::FromNanoseconds(0));
  EXPECT_EQ(past.RemainingPollMilliseconds(), 0);
}

}  // namespace
}  // namespace sockref
