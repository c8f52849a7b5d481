// report.h: the differential run's results, as text for people and JSON for tools.
//
//   RunResults results = RunDifferential(...);
//   WriteTextReport(std::cout, results);
//   std::ofstream("results.json") << ResultsToJson(results).dump(2);
//   return ExitStatus(results);
//
// The text report has, in order: the implementations (with what their hello said); counts by
// area and by implementation (pass, fail, crash, hang, unsupported, unavailable, agreement with
// the oracle, documentation divergences, unexpected passes, leaks); the documentation
// divergences and unstable oracle cases; every failure with its first differing step and both
// outcomes (and a ready-made expectations line); the run's wall time.
#ifndef SOCKREF_CONFORMANCE_RUNNER_REPORT_H_
#define SOCKREF_CONFORMANCE_RUNNER_REPORT_H_

#include <nlohmann/json.hpp>
#include <ostream>

#include "conformance/runner/differential_run.h"

namespace sockref::conformance::runner {

// WriteTextReport writes the human-readable report of `results` to `out`.
void WriteTextReport(std::ostream& out, const RunResults& results);

// ResultsToJson returns the machine-readable results: {"wall_seconds", "multiplier",
// "oracle", "implementations": [{"name", "oracle", "available", "unavailable_reason", "hello",
// "drivers", "restarts"}], "summary": {impl: {verdict counts, "agree", "disagree",
// "known_failures", "unexpected_passes", "fails_differently", "leaks", "failures"}},
// "cases": [{"id", "test_name", "area", "file", "line", "divergence_note", "results": {impl:
// {"verdict", "expectation", "counts_as_failure", "agrees", "leaked_fds", "seconds", "detail",
// and where a step is named: "step", "line", "source", "expected", "actual", "signature"}}}],
// "stale_expectations": {impl: [case ids]}, "failures": N}.
nlohmann::json ResultsToJson(const RunResults& results);

// FailureCount returns how many results count as failures (CountsAsFailure), plus stale
// expectation entries.
int FailureCount(const RunResults& results);

// ExitStatus returns 0 when FailureCount is 0, else 1.
int ExitStatus(const RunResults& results);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_REPORT_H_
