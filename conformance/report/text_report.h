// text_report.h: the differential run's results as text for people.
//
//   RunResults results = RunDifferential(...);
//   WriteTextReport(std::cout, results);
//
// The text report has, in order: the implementations (with what their hello said); counts by
// area and by implementation (pass, fail, crash, hang, unsupported, unavailable, agreement with
// the oracle, documentation divergences, unexpected passes, leaks); the documentation
// divergences and unstable oracle cases; every failure with its first differing step and both
// outcomes (and a ready-made expectations line); what was not supported; stale expectations;
// the run's wall time and its one-line result.
#ifndef SOCKREF_CONFORMANCE_REPORT_TEXT_REPORT_H_
#define SOCKREF_CONFORMANCE_REPORT_TEXT_REPORT_H_

#include <ostream>

#include "conformance/runner/differential_run.h"

namespace sockref::conformance::report {

// WriteTextReport writes the human-readable report of `results` to `out`.
void WriteTextReport(std::ostream& out, const runner::RunResults& results);

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_TEXT_REPORT_H_
