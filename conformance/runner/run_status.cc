#include "conformance/runner/run_status.h"

#include <map>

namespace sockref::conformance::runner {

int FailureCount(const RunResults& results) {
  int n = 0;
  for (const CaseResult& c : results.cases) {
    for (const auto& [name, r] : c.results) n += CountsAsFailure(r);
  }
  for (const auto& [name, stale] : results.stale_expectations) n += static_cast<int>(stale.size());
  return n;
}

std::string FailureSummary(const RunResults& results) {
  std::string out;
  for (const ImplementationInfo& info : results.implementations) {
    std::map<std::string, int> by_kind;  // verdict (or "unexpected pass") -> count
    for (const CaseResult& c : results.cases) {
      auto it = c.results.find(info.name);
      if (it == c.results.end() || !CountsAsFailure(it->second)) continue;
      const ImplResult& r = it->second;
      ++by_kind[r.expectation == ExpectationMatch::kUnexpectedPass ? "unexpected pass"
                : r.expectation == ExpectationMatch::kDifferently  ? "failing differently"
                                                                   : VerdictName(r.verdict.kind)];
    }
    std::string kinds;
    for (const auto& [kind, n] : by_kind) {
      kinds += (kinds.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
    }
    if (!kinds.empty()) out += (out.empty() ? "" : "; ") + info.name + ": " + kinds;
  }
  int stale = 0;
  for (const auto& [name, entries] : results.stale_expectations) stale += entries.size();
  if (stale > 0)
    out += (out.empty() ? "" : "; ") + std::string("stale expectations: ") + std::to_string(stale);
  return out;
}

int ExitStatus(const RunResults& results) { return FailureCount(results) == 0 ? 0 : 1; }

}  // namespace sockref::conformance::runner
