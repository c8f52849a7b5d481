// versioned_cases.h: the selected cases as each Python version sees them.
//
// The table records every CPython from 3.6 to 3.13; an implementation is judged against the case
// at the version it implements (its hello's python_version, or --target-version):
//
//   VersionedCases cases(selected);
//   cases.Prepare({3, 9});
//   const Case* c = cases.At(i, {3, 9});   // nullptr: the case does not apply to 3.9
#ifndef SOCKREF_CONFORMANCE_RUNNER_VERSIONED_CASES_H_
#define SOCKREF_CONFORMANCE_RUNNER_VERSIONED_CASES_H_

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/python_version.h"
#include <nlohmann/json.hpp>

namespace sockref::conformance::runner {

class VersionedCases {
 public:
  explicit VersionedCases(const std::vector<const Case*>& selected) : selected_(selected) {}

  // Prepare resolves every selected case for `v` (CaseAtVersion). Not thread-safe; call before
  // At is used from several threads.
  void Prepare(PythonVersion v);

  // At returns selected case `i` at version `v`, or nullptr when it does not apply to `v`.
  // REQUIRES: Prepare(v) was called.
  const Case* At(std::size_t i, PythonVersion v) const;

 private:
  const std::vector<const Case*>& selected_;
  // Per version, per case: the resolved case, or null when it does not apply.
  std::map<PythonVersion, std::vector<std::unique_ptr<Case>>> at_;
};

// TargetVersion returns the version an implementation is judged at, and where that came from:
// `override` ("--target-version") when given, else its hello's "python_version" ("hello"), else
// kDefaultTargetVersion ("assumed: hello names no python_version"). A hello version the table
// does not record is used as it is: cases then hold at their nearest recorded version's truth
// only where their lines say so (unqualified lines hold for every version).
std::pair<PythonVersion, std::string> TargetVersion(const nlohmann::json& hello,
                                                     std::optional<PythonVersion> override);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_VERSIONED_CASES_H_
