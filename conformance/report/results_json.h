// results_json.h: the differential run's results as JSON for tools (report --json, the
// matrix's input).
//
//   std::ofstream("results.json") << ResultsWithDescriptions(results, registry).dump(2);
#ifndef SOCKREF_CONFORMANCE_REPORT_RESULTS_JSON_H_
#define SOCKREF_CONFORMANCE_REPORT_RESULTS_JSON_H_

#include <nlohmann/json.hpp>

#include "conformance/runner/differential_run.h"
#include "conformance/runner/implementations.h"

namespace sockref::conformance::report {

// ResultsToJson returns the machine-readable results: {"wall_seconds", "multiplier",
// "oracle", "implementations": [{"name", "oracle", "available", "unavailable_reason", "hello",
// "drivers", "restarts"}], "summary": {impl: {verdict counts, "agree", "disagree",
// "known_failures", "unexpected_passes", "fails_differently", "leaks", "failures"}},
// "cases": [{"id", "test_name", "area", "file", "line", "divergence_note", "results": {impl:
// {"verdict", "expectation", "counts_as_failure", "agrees", "leaked_fds", "seconds", "detail",
// and where a step is named: "step", "line", "source", "expected", "actual", "signature", and
// "note" when the difference needs one (verdict.h)}}}],
// "stale_expectations": {impl: [case ids]}, "failures": N}.
nlohmann::json ResultsToJson(const runner::RunResults& results);

// ResultsWithDescriptions returns ResultsToJson(results) with each implementation's registry
// description added as "description".
nlohmann::json ResultsWithDescriptions(const runner::RunResults& results,
                                       const runner::Registry& registry);

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_RESULTS_JSON_H_
