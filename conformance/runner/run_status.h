// run_status.h: what a whole run's verdict is: the number of problems no expectations file
// covers, and the exit status every front end returns.
//
//   RunResults results = RunDifferential(...);
//   return ExitStatus(results);   // 0 only when FailureCount(results) == 0
#ifndef SOCKREF_CONFORMANCE_RUNNER_RUN_STATUS_H_
#define SOCKREF_CONFORMANCE_RUNNER_RUN_STATUS_H_

#include <string>

#include "conformance/runner/differential_run.h"

namespace sockref::conformance::runner {

// FailureCount returns how many results count as failures (CountsAsFailure), plus stale
// expectation entries.
int FailureCount(const RunResults& results);

// FailureSummary says in one line what the failures are, by implementation and verdict:
// "cpython: 1 divergence; reference: 2 unsupported; stale expectations: 1". Empty when none.
std::string FailureSummary(const RunResults& results);

// ExitStatus returns 0 when FailureCount is 0, else 1.
int ExitStatus(const RunResults& results);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_RUN_STATUS_H_
