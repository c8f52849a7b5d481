#include "conformance/runner/run_status.h"

namespace sockref::conformance::runner {

int FailureCount(const RunResults& results) {
  int n = 0;
  for (const CaseResult& c : results.cases) {
    for (const auto& [name, r] : c.results) n += CountsAsFailure(r);
  }
  for (const auto& [name, stale] : results.stale_expectations) n += static_cast<int>(stale.size());
  return n;
}

int ExitStatus(const RunResults& results) { return FailureCount(results) == 0 ? 0 : 1; }

}  // namespace sockref::conformance::runner
