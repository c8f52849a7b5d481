#include "conformance/language/case_at_version.h"

#include <utility>

namespace sockref::conformance {

bool CaseAppliesTo(const Case& c, PythonVersion v) {
  return !c.versions || c.versions->Contains(v);
}

Case CaseAtVersion(const Case& c, PythonVersion v) {
  Case out = c;
  for (Step& step : out.steps) {
    for (VersionedExpectation& group : step.by_version) {
      if (group.versions.Contains(v)) {
        step.expected = std::move(group.expected);
        break;
      }
    }
    step.by_version.clear();
  }
  return out;
}

bool HasVersionDifferences(const Case& c) {
  if (c.versions) return true;
  for (const Step& step : c.steps) {
    if (!step.by_version.empty()) return true;
  }
  return false;
}

}  // namespace sockref::conformance
