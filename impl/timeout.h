// timeout.h: Python's socket timeout values, the module default timeout, and
// deadlines on the monotonic clock.
//
// A socket is in one of three modes, as in Python:
//   blocking      settimeout(std::nullopt)  -> operations wait forever
//   non-blocking  settimeout(0s)            -> operations fail with BlockingIOError
//   timeout       settimeout(0.5s)          -> operations raise socket.timeout after 0.5 s
//
//   sockref::setdefaulttimeout(std::chrono::milliseconds(250));
//   sockref::Socket s;                 // created in timeout mode, 0.25 s
//   s.gettimeout();                    // optional<Seconds>{0.25}
//
// Internally a timeout is a count of nanoseconds (-1 for None), converted from
// seconds exactly as CPython converts (rounding away from zero), so gettimeout()
// returns what CPython's would: settimeout(1e-10) reads back as 1e-09.
#ifndef SOCKREF_IMPL_TIMEOUT_H_
#define SOCKREF_IMPL_TIMEOUT_H_

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>

namespace sockref {

// Seconds is Python's float seconds.
using Seconds = std::chrono::duration<double>;

// TimeoutNs is a parsed timeout: nanoseconds >= 0, or kBlocking for None.
class TimeoutNs {
 public:
  static constexpr std::int64_t kBlocking = -1;

  constexpr TimeoutNs() = default;  // blocking
  static constexpr TimeoutNs FromNanoseconds(std::int64_t ns) { return TimeoutNs(ns); }

  // FromSeconds parses a Python float timeout (None -> blocking).
  // Raises: ValueError("Timeout value out of range") for a negative value,
  // ValueError("Invalid value NaN (not a number)") for NaN, OverflowError
  // ("timestamp out of range for platform time_t") beyond the nanosecond range.
  static TimeoutNs FromSeconds(std::optional<Seconds> seconds);

  // FromIntegerSeconds parses a Python int timeout.
  // Raises: ValueError("Timeout value out of range") when negative, OverflowError
  // ("timestamp too large to convert to C _PyTime_t") beyond the nanosecond range.
  static TimeoutNs FromIntegerSeconds(std::int64_t seconds);

  constexpr bool is_blocking() const { return ns_ < 0; }
  constexpr bool is_non_blocking() const { return ns_ == 0; }
  constexpr bool has_timeout() const { return ns_ > 0; }
  constexpr std::int64_t nanoseconds() const { return ns_; }
  // AsSeconds returns Python's gettimeout(): nullopt for None.
  std::optional<Seconds> AsSeconds() const;

  friend constexpr bool operator==(TimeoutNs, TimeoutNs) = default;

 private:
  explicit constexpr TimeoutNs(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = kBlocking;
};

// getdefaulttimeout returns socket.getdefaulttimeout(): nullopt means None.
std::optional<Seconds> getdefaulttimeout();
TimeoutNs DefaultTimeout();

// setdefaulttimeout sets the timeout new sockets start with (and accepted sockets,
// see Socket::accept). Raises as TimeoutNs::FromSeconds.
void setdefaulttimeout(std::optional<Seconds> timeout);
void setdefaulttimeout(TimeoutNs timeout);
// setdefaulttimeout(std::chrono::seconds(1)) and other integral durations.
template <typename Rep, typename Period>
  requires std::integral<Rep>
void setdefaulttimeout(std::chrono::duration<Rep, Period> timeout);

// Deadline is a point on the monotonic clock that a timeout-mode operation must
// finish by. Remaining() is recomputed after every interruption (PEP 475).
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Deadline(TimeoutNs timeout)
      : end_(Clock::now() + std::chrono::nanoseconds(timeout.nanoseconds())) {}
  // Remaining returns the time left, negative once expired.
  std::chrono::nanoseconds Remaining() const { return end_ - Clock::now(); }
  // RemainingPollMilliseconds returns the time left for poll(2), rounded up so a
  // wait never ends before the deadline; 0 once expired.
  int RemainingPollMilliseconds() const;

 private:
  Clock::time_point end_;
};

// Implementation details follow.
namespace timeout_internal {
TimeoutNs FromIntegralNanoseconds(std::int64_t count, std::int64_t num, std::int64_t den);
}  // namespace timeout_internal

template <typename Rep, typename Period>
  requires std::integral<Rep>
void setdefaulttimeout(std::chrono::duration<Rep, Period> timeout) {
  setdefaulttimeout(timeout_internal::FromIntegralNanoseconds(
      static_cast<std::int64_t>(timeout.count()), Period::num, Period::den));
}

}  // namespace sockref

#endif  // SOCKREF_IMPL_TIMEOUT_H_
