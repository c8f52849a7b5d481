#include "conformance/report/results_json.h"

#include <map>
#include <string>

#include "conformance/language/ast.h"
#include "conformance/report/verdict_counts.h"
#include "conformance/runner/run_status.h"

namespace sockref::conformance::report {

using namespace runner;
using nlohmann::json;

namespace {

// ResultToJson returns one implementation's result on case `c`.
json ResultToJson(const Case& c, const ImplResult& r) {
  json j = {{"verdict", VerdictName(r.verdict.kind)},
            {"expectation", MatchName(r.expectation)},
            {"counts_as_failure", CountsAsFailure(r)},
            {"agrees", r.agrees ? json(*r.agrees) : json(nullptr)},
            {"leaked_fds", r.leaked_descriptors ? json(*r.leaked_descriptors) : json(nullptr)},
            {"seconds", r.seconds},
            {"detail", r.verdict.detail}};
  if (r.verdict.difference) {
    const Difference& d = *r.verdict.difference;
    j["step"] = StepLabel(d, c.steps.size());
    j["line"] = d.line;
    j["source"] = d.source;
    j["expected"] = d.expected;
    j["actual"] = d.actual;
    if (!d.note.empty()) j["note"] = d.note;
    if (r.verdict.kind != VerdictKind::kPass) {
      j["signature"] = Signature(r.verdict, c.steps.size());
    }
  }
  return j;
}

}  // namespace

json ResultsToJson(const RunResults& results) {
  json out;
  out["wall_seconds"] = results.wall_seconds;
  out["multiplier"] = results.multiplier;
  out["oracle"] = results.oracle.empty() ? json(nullptr) : json(results.oracle);
  json impls = json::array();
  std::map<std::string, VerdictCounts> by_impl;
  for (const ImplementationInfo& info : results.implementations) {
    impls.push_back(
        {{"name", info.name},
         {"oracle", info.is_oracle},
         {"available", info.available},
         {"unavailable_reason", info.available ? json(nullptr) : json(info.unavailable_reason)},
         {"hello", info.hello},
         {"python_version", ToString(info.version)},
         {"version_source", info.version_source},
         {"drivers", info.drivers},
         {"restarts", info.restarts}});
  }
  out["implementations"] = impls;
  json cases = json::array();
  for (const CaseResult& c : results.cases) {
    json per_impl = json::object();
    for (const auto& [name, r] : c.results) {
      by_impl[name].Add(r);
      json j = ResultToJson(*c.c, r);
      per_impl[name] = j;
    }
    cases.push_back(
        {{"id", c.c->id},
         {"test_name", TestNameForCaseId(c.c->id)},
         {"area", c.area},
         {"file", c.c->file},
         {"line", c.c->line},
         {"divergence_note", c.c->divergence.empty() ? json(nullptr) : json(c.c->divergence)},
         {"results", per_impl}});
  }
  json summary = json::object();
  for (const auto& [name, counts] : by_impl) summary[name] = counts.ToJson();
  out["summary"] = summary;
  out["cases"] = cases;
  json stale = json::object();
  for (const auto& [name, entries] : results.stale_expectations) {
    for (const KnownFailure& k : entries) stale[name].push_back(k.case_id);
  }
  out["stale_expectations"] = stale;
  json left_out = json::array();
  for (const auto& [name, reason] : results.left_out) {
    left_out.push_back({{"name", name}, {"reason", reason}});
  }
  out["left_out"] = left_out;
  out["failures"] = FailureCount(results);
  return out;
}

json ResultsWithDescriptions(const RunResults& results, const Registry& registry) {
  json out = ResultsToJson(results);
  for (json& impl : out["implementations"]) {
    const Implementation* i = registry.Find(impl.value("name", std::string()));
    if (i != nullptr) impl["description"] = i->description;
  }
  return out;
}

}  // namespace sockref::conformance::report
