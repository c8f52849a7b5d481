#include "impl/timeout.h"

#include <atomic>
#include <climits>
#include <cmath>
#include <limits>

#include "impl/error.h"

namespace sockref {
namespace {

// The module default timeout is process-wide, as in CPython. -1 means None.
std::atomic<std::int64_t> default_timeout_ns{TimeoutNs::kBlocking};

[[noreturn]] void ThrowOutOfRange() { throw ValueError("Timeout value out of range"); }

}  // namespace

TimeoutNs TimeoutNs::FromSeconds(std::optional<Seconds> seconds) {
  if (!seconds) return TimeoutNs();
  const double value = seconds->count();
  if (std::isnan(value)) throw ValueError("Invalid value NaN (not a number)");
  // CPython converts to nanoseconds rounding away from zero, then checks the
  // range before the sign: -1e300 is an OverflowError, not a ValueError.
  double ns = value * 1e9;
  ns = ns >= 0 ? std::ceil(ns) : std::floor(ns);
  constexpr double kLimit = 9223372036854775808.0;  // 2**63
  if (!(ns >= -kLimit && ns < kLimit)) {
    throw OverflowError("timestamp out of range for platform time_t");
  }
  if (ns < 0) ThrowOutOfRange();
  return TimeoutNs(static_cast<std::int64_t>(ns));
}

TimeoutNs TimeoutNs::FromIntegerSeconds(std::int64_t seconds) {
  return timeout_internal::FromIntegralNanoseconds(seconds, 1, 1);
}

std::optional<Seconds> TimeoutNs::AsSeconds() const {
  if (is_blocking()) return std::nullopt;
  return Seconds(static_cast<double>(ns_) / 1e9);
}

namespace timeout_internal {

TimeoutNs FromIntegralNanoseconds(std::int64_t count, std::int64_t num, std::int64_t den) {
  // count * num / den seconds, in nanoseconds, rounded away from zero; 128-bit
  // arithmetic so the overflow check itself cannot overflow.
  const __int128 scaled = static_cast<__int128>(count) * num * 1000000000;
  __int128 ns = scaled / den;
  if (scaled % den != 0) ns += scaled > 0 ? 1 : -1;
  if (ns > std::numeric_limits<std::int64_t>::max() ||
      ns < std::numeric_limits<std::int64_t>::min()) {
    throw OverflowError("timestamp too large to convert to C _PyTime_t");
  }
  if (ns < 0) throw ValueError("Timeout value out of range");
  return TimeoutNs::FromNanoseconds(static_cast<std::int64_t>(ns));
}

}  // namespace timeout_internal

std::optional<Seconds> getdefaulttimeout() { return DefaultTimeout().AsSeconds(); }

TimeoutNs DefaultTimeout() {
  const std::int64_t ns = default_timeout_ns.load(std::memory_order_relaxed);
  return ns < 0 ? TimeoutNs() : TimeoutNs::FromNanoseconds(ns);
}

void setdefaulttimeout(std::optional<Seconds> timeout) {
  setdefaulttimeout(TimeoutNs::FromSeconds(timeout));
}

void setdefaulttimeout(TimeoutNs timeout) {
  default_timeout_ns.store(timeout.nanoseconds(), std::memory_order_relaxed);
}

int Deadline::RemainingPollMilliseconds() const {
  const std::int64_t ns = Remaining().count();
  if (ns <= 0) return 0;
  // Round up: poll(2) must not return before the deadline has passed.
  const std::int64_t ms = (ns + 999999) / 1000000;
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace sockref
