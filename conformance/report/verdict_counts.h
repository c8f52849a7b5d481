// verdict_counts.h: one implementation's results counted by verdict and by how they stand
// against the oracle and the expectations file: the rows of the text report and the "summary"
// of the JSON results.
//
//   VerdictCounts counts;
//   for (const CaseResult& c : results.cases) counts.Add(c.results.at("reference"));
#ifndef SOCKREF_CONFORMANCE_REPORT_VERDICT_COUNTS_H_
#define SOCKREF_CONFORMANCE_REPORT_VERDICT_COUNTS_H_

#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "conformance/runner/differential_run.h"
#include "conformance/runner/verdict.h"

namespace sockref::conformance::report {

using runner::ImplResult;
using runner::VerdictKind;

// kVerdictKinds lists every verdict, in the report's column order.
inline constexpr std::array<VerdictKind, 10> kVerdictKinds = {
    VerdictKind::kPass,        VerdictKind::kFail,        VerdictKind::kCrash,
    VerdictKind::kHang,        VerdictKind::kUnsupported, VerdictKind::kUnavailable,
    VerdictKind::kNotRun,      VerdictKind::kNotApplicable, VerdictKind::kDivergence,
    VerdictKind::kUnstable};

struct VerdictCounts {
  std::map<VerdictKind, int> kinds;
  int agree = 0;
  int disagree = 0;
  int known = 0;  // failing as the expectations file lists
  int unexpected_pass = 0;
  int differently = 0;
  int leaks = 0;     // cases that left descriptors open
  int failures = 0;  // CountsAsFailure

  // Add counts one result.
  void Add(const ImplResult& r);
  // Get returns how many results had verdict `k`.
  int Get(VerdictKind k) const { return kinds.count(k) ? kinds.at(k) : 0; }
  // ToJson returns the counts as the JSON results' "summary" shows them.
  nlohmann::json ToJson() const;
};

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_VERDICT_COUNTS_H_
