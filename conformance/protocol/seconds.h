// seconds.h: a number of seconds a message carries (a delay, a deadline) as a clock duration,
// without overflow. A driver or a case file may say 1e300; converting that to nanoseconds is
// undefined behaviour, and in practice fires at once. It saturates instead.
//
//   auto deadline = std::chrono::steady_clock::now() + SaturatedDuration(request_seconds);
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_SECONDS_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_SECONDS_H_

#include <chrono>
#include <cmath>

namespace sockref::conformance {

// kMaxSeconds is the longest duration a message means: a year, far beyond any watchdog.
inline constexpr double kMaxSeconds = 365.0 * 24 * 3600;

// SaturatedDuration returns `seconds` as a steady_clock duration, clamped to [0, kMaxSeconds];
// NaN is 0.
inline std::chrono::steady_clock::duration SaturatedDuration(double seconds) {
  if (!(seconds > 0)) return std::chrono::steady_clock::duration::zero();
  const double clamped = std::fmin(seconds, kMaxSeconds);
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(clamped));
}

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_SECONDS_H_
