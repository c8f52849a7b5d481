// case_at_version.h: a case as it holds for one Python version.
//
// The table records every CPython from 3.6 to 3.13: a step's unqualified expectation lines hold
// for every version its `[versions]` lines do not name (CASES.md, "Versions"). A runner judges
// an implementation against the case at the version it implements:
//
//   if (CaseAppliesTo(c, v)) Run(CaseAtVersion(c, v));
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_CASE_AT_VERSION_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_CASE_AT_VERSION_H_

#include "conformance/language/ast.h"
#include "conformance/language/python_version.h"

namespace sockref::conformance {

// CaseAppliesTo says whether `c` states a behaviour of version `v`: no `versions:` header, or
// one whose range holds `v`.
bool CaseAppliesTo(const Case& c, PythonVersion v);

// CaseAtVersion returns `c` with each step's expectations those of version `v`: a versioned
// group's where one names `v`, else the step's own. The result has no versioned groups.
Case CaseAtVersion(const Case& c, PythonVersion v);

// HasVersionDifferences says whether any step of `c` records a version that does otherwise, or
// the case applies to some versions only.
bool HasVersionDifferences(const Case& c);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_CASE_AT_VERSION_H_
