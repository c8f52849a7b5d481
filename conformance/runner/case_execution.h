// case_execution.h: runs one case on one driver and records what every step did.
//
// Execution only records; judging the record against the case's expectations (or against
// what CPython did) is verdict.h's job, so a case can run twice on the oracle and the two
// records be compared:
//
//   CaseRun run = ExecuteCase(c, driver, hello_capabilities, ExecutionOptions{});
//   if (run.status == CaseRun::Status::kCrashed) driver.Start(...);  // a fresh driver
//   for (const StepRecord& s : run.steps) { ... s.outcome, s.elapsed ... }
#ifndef SOCKREF_CONFORMANCE_RUNNER_CASE_EXECUTION_H_
#define SOCKREF_CONFORMANCE_RUNNER_CASE_EXECUTION_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/protocol/outcome.h"
#include "conformance/runner/timing_policy.h"
#include "conformance/runner/driver_connection.h"

namespace sockref::conformance::runner {

// StepRecord is what one step did. Background steps (`after`) get their outcome from the
// `end` reply.
struct StepRecord {
  int number = 0;  // 1-based position in the case, as in the `exec` request
  bool background = false;
  bool ran = false;         // an outcome came back; false when the case stopped before it
  bool unfinished = false;  // a background action still running when `end` gave up on it
  Outcome outcome;          // when ran
  double elapsed = 0;       // seconds, as the driver measured it
  // Foreground steps only: when a background action of the case was still waiting out its
  // delay as this step started, how many seconds earlier that delay had begun (the earliest
  // such action's, if several); 0 otherwise. A step the action wakes is due that much sooner,
  // so MatchElapsed lowers its bound by it (CASES.md, "Timing"). Measured on the driver's
  // clock when both replies carry "started_at" (PROTOCOL.md), else on the runner's, between
  // sending the two `exec` requests.
  double lead = 0;
};

// CaseRun is the record of one case on one driver.
struct CaseRun {
  enum class Status {
    kCompleted,    // begin, every step and end were answered
    kUnsupported,  // not run: the driver lacks a capability in the case's `needs:`
    kCrashed,      // the driver died or wrote garbage; it has to be replaced
    kHung,         // no answer before the case's watchdog, or a background action still
                   // running at `end`; the driver has to be replaced
    kDriverError,  // the driver refused a request ({"error": ...}); the rest of the case was
                   // skipped and `end` sent, and the driver stays in use (PROTOCOL.md)
    kNotRun,       // never sent: the runner had stopped sending this implementation cases
    kNotApplicable,  // never sent: the case states no behaviour of the implementation's version,
                     // or needs what this machine lacks (machine_capabilities.h)
  };
  Status status = Status::kCompleted;
  // For kCrashed, kHung and kDriverError: where it happened: 0 for `begin`, a step number, or
  // steps.size() + 1 for `end`.
  int stopped_at = 0;
  // When the case stopped early because a step's outcome was refused (ExecutionOptions's
  // `go_on`): that step's number; later foreground steps were not sent. 0: not stopped early.
  int stopped_early_at = 0;
  std::string detail;  // kCrashed, kHung, kDriverError, kNotRun: what happened
  std::vector<std::string> missing;       // kUnsupported: the capabilities lacking
  std::vector<StepRecord> steps;          // one per step of the case, in order
  std::optional<int> leaked_descriptors;  // when the driver (or the runner) could tell
  double seconds = 0;                     // wall time of the whole case
};

// StatusName returns "completed", "unsupported", "crashed", "hung", "driver error" or "not run".
const char* StatusName(CaseRun::Status status);

struct ExecutionOptions {
  double multiplier = 1;                              // SOCKREF_TIME_MULTIPLIER
  double watchdog_seconds = kDefaultWatchdogSeconds;  // per case, before the multiplier
  // Let drivers leave out values no expectation looks at ("want_value": false, see
  // ExecRequest); false asks for every value in full, e.g. to record transcripts.
  bool omit_unchecked_values = true;
};

// GoOn says, after foreground step `index` (0-based) returned `outcome`, whether the case goes
// on. A case stops at its first divergent step (CASES.md): the steps after it would run on a
// state CPython never reached. Empty: every step runs.
using GoOn = std::function<bool(std::size_t index, const Outcome& outcome)>;

// ExecuteCase runs `c` on `driver` from `begin` to `end` and returns the record. It never
// throws for anything the driver does. `capabilities` is the driver's hello list. For an
// in-process driver it holds DescriptorTableLock exclusively for the whole case, and counts
// the descriptors the case left open itself when the `end` reply does not say.
// REQUIRES: driver.Start() succeeded (and, after a crashed or hung run, was called again).
// When `go_on` refuses a step, the rest of the case is skipped, `end` is sent, and the run
// records the step in stopped_early_at.
CaseRun ExecuteCase(const Case& c, DriverConnection& driver,
                    const std::vector<std::string>& capabilities, const ExecutionOptions& options,
                    const GoOn& go_on = {});

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_CASE_EXECUTION_H_
