// late_reruns.h: the rule that a run whose only timing misses are late is run again (CASES.md,
// "Timing"): load on the machine can delay a step, never hurry it, so a later run on time
// shows the implementation meets the timing, while one early step fails at once.
//
//   CaseRun run = RunWithLateReruns(c, multiplier, [&] { return driver.Run(c, options, go_on); });
#ifndef SOCKREF_CONFORMANCE_RUNNER_LATE_RERUNS_H_
#define SOCKREF_CONFORMANCE_RUNNER_LATE_RERUNS_H_

#include <functional>

#include "conformance/language/ast.h"
#include "conformance/runner/case_execution.h"

namespace sockref::conformance::runner {

// kLateReruns is how many more times a run that was only late is run (a matrix of sixteen
// columns on two cores, or four sanitizer shards, can delay a step twice in a row).
inline constexpr int kLateReruns = 2;

// HasLateStep says whether a completed run took longer than its `elapsed:` line allows on
// some step, and on none returned sooner than it allows, under time multiplier `multiplier`.
bool HasLateStep(const Case& c, const CaseRun& run, double multiplier);

// StoppedAfterBackgroundAction says whether a completed run stopped at a divergent step that
// follows one of the case's background actions (`after D:`). Load can delay that action past
// the step that waits for it (a recv with a timeout then times out instead of receiving), which
// is the machine's doing, as a late step is; an implementation that really diverges there
// diverges on every run.
bool StoppedAfterBackgroundAction(const Case& c, const CaseRun& run);

// RunWithLateReruns returns run_once()'s run, or, while that run HasLateStep or
// StoppedAfterBackgroundAction, the run of up to kLateReruns more calls: the last one.
// `can_rerun` says whether another run is possible (a driver that could not be restarted
// cannot); empty means always.
CaseRun RunWithLateReruns(const Case& c, double multiplier,
                          const std::function<CaseRun()>& run_once,
                          const std::function<bool()>& can_rerun = {});

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_LATE_RERUNS_H_
