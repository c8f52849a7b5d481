#include "conformance/runner/versioned_cases.h"

#include <utility>

#include "conformance/language/case_at_version.h"

namespace sockref::conformance::runner {

void VersionedCases::Prepare(PythonVersion v) {
  if (at_.count(v) != 0) return;
  std::vector<std::unique_ptr<Case>>& cases = at_[v];
  cases.reserve(selected_.size());
  for (const Case* c : selected_) {
    cases.push_back(CaseAppliesTo(*c, v) ? std::make_unique<Case>(CaseAtVersion(*c, v)) : nullptr);
  }
}

const Case* VersionedCases::At(std::size_t i, PythonVersion v) const {
  return at_.at(v).at(i).get();
}

std::pair<PythonVersion, std::string> TargetVersion(const nlohmann::json& hello,
                                                     std::optional<PythonVersion> override) {
  if (override) return {*override, "--target-version"};
  const nlohmann::json& said = hello.is_object() ? hello.value("python_version", nlohmann::json())
                                                 : nlohmann::json();
  if (said.is_string()) {
    if (std::optional<PythonVersion> v = ParsePythonVersion(said.get<std::string>())) {
      return {*v, "hello"};
    }
  }
  return {kDefaultTargetVersion, "assumed: hello names no python_version"};
}

}  // namespace sockref::conformance::runner
