// differential_run.h: runs cases on several implementations at once and judges them.
//
// This is the report command's engine. Each implementation gets a pool of driver instances,
// each on its own thread: subprocess drivers `jobs` at a time (each process has its own
// default timeout, so process isolation makes concurrent cases safe), in-process drivers one
// at a time (they share this process's default timeout and descriptor table; running their
// cases serially keeps `setdefaulttimeout` cases honest and leak counts exact; use
// reference-binary to run the reference in parallel). The oracle runs every case twice.
//
//   RunSetup setup{.registry = &registry, .names = {"reference", "cpython"}, .root = root};
//   RunResults results = RunDifferential(cases, selected, setup);
//   for (const CaseResult& r : results.cases) ... r.results.at("reference").verdict ...
#ifndef SOCKREF_CONFORMANCE_RUNNER_DIFFERENTIAL_RUN_H_
#define SOCKREF_CONFORMANCE_RUNNER_DIFFERENTIAL_RUN_H_

#include <functional>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/python_version.h"
#include "conformance/runner/case_execution.h"
#include "conformance/runner/expectations.h"
#include "conformance/runner/implementations.h"
#include "conformance/runner/verdict.h"

namespace sockref::conformance::runner {

// ImplementationInfo is what the run learned about one chosen implementation.
struct ImplementationInfo {
  std::string name;
  bool is_oracle = false;
  bool check_leaks = false;
  bool available = false;
  std::string unavailable_reason;  // !available
  nlohmann::json hello;            // available: the first driver's hello reply
  int drivers = 0;                 // instances that ran cases
  int restarts = 0;                // fresh drivers started after crashes and hangs
  // The Python version it is judged at (the table's truth for that version) and where that
  // came from: "hello", "--target-version" or "assumed: ..." (versioned_cases.h).
  PythonVersion version = kDefaultTargetVersion;
  std::string version_source;
  bool absent = false;  // !available because not on this machine (DriverUnavailable::absent)
};

// ImplResult is one case on one implementation.
struct ImplResult {
  Verdict verdict;
  ExpectationMatch expectation = ExpectationMatch::kNotListed;
  // Whether it did what CPython did; nullopt when that is unknown (the oracle was not run,
  // was unstable or failed) or meaningless (unsupported, unavailable, the oracle itself).
  std::optional<bool> agrees;
  std::optional<int> leaked_descriptors;
  double seconds = 0;
};

// StaleExpectations returns, per implementation, the expectations lines that name no case of
// `all` although their area (the id up to its first '.') is one of `all`'s: renamed or deleted
// cases. Lines of areas `all` does not hold (a run over --cases DIR) are not judged.
std::map<std::string, std::vector<KnownFailure>> StaleExpectations(
    const std::vector<Case>& all, const std::map<std::string, Expectations>& expectations);

// CountsAsFailure says whether `r` makes the run fail: any verdict but a pass (fail, crash,
// hang, unsupported, unavailable, not run, and on the oracle a disagreement with the table or
// an unstable case) not listed in the expectations file, an unexpected pass, or a listed
// failure that now fails otherwise. Nothing that was not compared counts as a pass.
bool CountsAsFailure(const ImplResult& r);

// CaseResult is one case on every chosen implementation.
struct CaseResult {
  const Case* c = nullptr;
  std::string area;                           // the case file's stem
  std::map<std::string, ImplResult> results;  // by implementation name
};

struct RunResults {
  std::vector<ImplementationInfo> implementations;  // in the order chosen
  std::string oracle;                               // empty when the oracle was not chosen
  std::vector<CaseResult> cases;                    // in table order
  std::map<std::string, std::vector<KnownFailure>> stale_expectations;  // by implementation
  // Optional implementations (RunSetup::optional) that could not start, with why: not run, and
  // not counted against the run.
  std::vector<std::pair<std::string, std::string>> left_out;
  double wall_seconds = 0;
  double multiplier = 1;
};

// AreaOf returns the area of `c`: its file name without directory and ".cases".
std::string AreaOf(const Case& c);

// CaseAt gives, for one case, each implementation's view of it: the case at the version the
// implementation is judged at, or nullptr when the case does not apply to that version.
using CaseAt = std::function<const Case*(const ImplementationInfo&)>;

// JudgeCase judges every implementation's runs of `c` (runs keyed by implementation name; the
// oracle's two runs first). The oracle's judgement (JudgeOracle, on the case at its version)
// gives the baseline against which implementations of the same version are judged; others are
// judged against the table at their own version. An implementation the case does not apply to
// gets kNotApplicable.
CaseResult JudgeCase(const Case& c, const CaseAt& case_at,
                     const std::vector<ImplementationInfo>& implementations,
                     const std::string& oracle,
                     const std::map<std::string, std::vector<CaseRun>>& runs,
                     const std::map<std::string, Expectations>& expectations, double multiplier);

// kMaxDriverProcesses bounds the driver processes of one run, all implementations together:
// each subprocess implementation gets RunSetup::jobs of them, or fewer when many run.
inline constexpr int kMaxDriverProcesses = 24;

struct RunSetup {
  const Registry* registry = nullptr;
  std::vector<std::string> names;  // implementations to run, in report order
  // Names among `names` chosen by a pattern (`--impl 'cpython-3.*'`): one that cannot start here
  // is left out of the run (RunResults::left_out) instead of being an unavailable column.
  std::set<std::string> optional;
  std::string root;                // for {root} in argv
  InProcessFactories factories;
  std::map<std::string, Expectations> expectations;  // by implementation name
  int jobs = 6;  // drivers per subprocess implementation (within kMaxDriverProcesses in all)
  ExecutionOptions execution;
  std::function<void(const std::string&)> progress;  // one line at a time; may be empty
  // Called after each case's last run on every implementation, with how many cases are done, of
  // how many, and that case's area: for a progress line on a terminal. May be empty. Like
  // `progress`, called from the runner's threads one at a time.
  std::function<void(int done, int total, const std::string& area)> case_done;
  // Judge every implementation but the oracle at this version instead of the one its hello
  // names (--target-version).
  std::optional<PythonVersion> target_version;
};

// RunDifferential runs `selected` (pointers into `all`) on every implementation in `setup`
// and judges them. `all` is the whole table, for spotting stale expectation entries.
// REQUIRES: every name in setup.names is in *setup.registry.
RunResults RunDifferential(const std::vector<Case>& all, const std::vector<const Case*>& selected,
                           const RunSetup& setup);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_DIFFERENTIAL_RUN_H_
