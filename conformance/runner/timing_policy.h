// timing_policy.h: when a step's measured time satisfies its `elapsed:` line (CASES.md,
// "Timing"), and the time multiplier that stretches every bound on a slow machine.
//
//   if (auto why = MatchElapsed(*step.elapsed, seconds, TimeMultiplierFromEnv())) Fail(*why);
#ifndef SOCKREF_CONFORMANCE_RUNNER_TIMING_POLICY_H_
#define SOCKREF_CONFORMANCE_RUNNER_TIMING_POLICY_H_

#include <optional>
#include <string>

#include "conformance/language/ast.h"

namespace sockref::conformance {

// The timing policy of CASES.md. A step expected to take T seconds passes when
//   T - lead - kEarlySlack <= elapsed <= T + max(kAbsoluteTolerance, kRelativeTolerance * T) * M,
// and `elapsed: < T` passes when elapsed < T * M, M being the time multiplier. `lead` is 0
// unless a background action of the case was still waiting out its delay when the step
// started: then it is how long before the step's clock started that action's delay began
// (the runner's StepRecord::lead), since a step that the action wakes is due `lead` seconds
// sooner than T after its own start.
inline constexpr double kAbsoluteTolerance = 0.05;     // seconds
inline constexpr double kRelativeTolerance = 0.5;      // of the expected interval
inline constexpr double kEarlySlack = 0.005;           // seconds a timeout may fire early
inline constexpr double kDefaultWatchdogSeconds = 10;  // per case, times M
inline constexpr double kMaxTimeMultiplier = 1000;     // the largest M accepted

// MatchElapsed returns nullopt when `elapsed_seconds` satisfies `timing` under multiplier
// `multiplier` and a head start of `lead_seconds` (both as in the policy above), otherwise a
// sentence giving the accepted range.
std::optional<std::string> MatchElapsed(const Timing& timing, double elapsed_seconds,
                                        double multiplier, double lead_seconds = 0);

// TimeMultiplierFromEnv returns SOCKREF_TIME_MULTIPLIER (a positive number up to
// kMaxTimeMultiplier; default 1 when unset). Throws std::invalid_argument when it is set to
// anything else.
double TimeMultiplierFromEnv();

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_RUNNER_TIMING_POLICY_H_
