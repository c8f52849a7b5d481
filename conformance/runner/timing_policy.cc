#include "conformance/runner/timing_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include "conformance/language/ast.h"

namespace sockref::conformance {
namespace {

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

}  // namespace

std::optional<std::string> MatchElapsed(const Timing& timing, double elapsed_seconds,
                                        double multiplier, double lead_seconds) {
  if (timing.kind == Timing::Kind::kBelow) {
    double limit = timing.seconds * multiplier;
    if (elapsed_seconds < limit) return std::nullopt;
    return "took " + FormatSeconds(elapsed_seconds) + ", expected less than " +
           FormatSeconds(limit);
  }
  const double lead = std::max(0.0, lead_seconds);
  double low = timing.seconds - lead - kEarlySlack;
  double high = timing.seconds +
                std::max(kAbsoluteTolerance, kRelativeTolerance * timing.seconds) * multiplier;
  if (elapsed_seconds >= low && elapsed_seconds <= high) return std::nullopt;
  std::string range = FormatSeconds(low) + " to " + FormatSeconds(high);
  if (lead > 0) {
    range += ", a background action having started its delay " + FormatSeconds(lead) + " earlier";
  }
  return "took " + FormatSeconds(elapsed_seconds) + ", expected about " +
         FormatSeconds(timing.seconds) + " (" + range + ")";
}

double TimeMultiplierFromEnv() {
  const char* text = std::getenv("SOCKREF_TIME_MULTIPLIER");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  double m = std::strtod(text, &end);
  // Above kMaxTimeMultiplier every watchdog would be hours long, and far above it the
  // conversions to nanoseconds overflow: a multiplier that large is a mistake, not a machine.
  if (end == text || *end != '\0' || !(m > 0) || !(m <= kMaxTimeMultiplier)) {
    throw std::invalid_argument("SOCKREF_TIME_MULTIPLIER must be a positive number up to " +
                                std::to_string(static_cast<int>(kMaxTimeMultiplier)) +
                                ", got '" + std::string(text) + "'");
  }
  return m;
}

}  // namespace sockref::conformance
