#include "conformance/report/verdict_counts.h"

namespace sockref::conformance::report {

using runner::CountsAsFailure;
using runner::ExpectationMatch;
using runner::VerdictName;

void VerdictCounts::Add(const ImplResult& r) {
  ++kinds[r.verdict.kind];
  if (r.agrees) ++(*r.agrees ? agree : disagree);
  known += r.expectation == ExpectationMatch::kAsListed;
  unexpected_pass += r.expectation == ExpectationMatch::kUnexpectedPass;
  differently += r.expectation == ExpectationMatch::kDifferently;
  leaks += r.leaked_descriptors.value_or(0) > 0;
  failures += CountsAsFailure(r);
}

nlohmann::json VerdictCounts::ToJson() const {
  nlohmann::json out;
  for (VerdictKind k : kVerdictKinds) out[VerdictName(k)] = Get(k);
  out["agree"] = agree;
  out["disagree"] = disagree;
  out["known_failures"] = known;
  out["unexpected_passes"] = unexpected_pass;
  out["fails_differently"] = differently;
  out["leaks"] = leaks;
  out["failures"] = failures;
  return out;
}

}  // namespace sockref::conformance::report
