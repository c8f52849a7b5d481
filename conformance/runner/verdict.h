// verdict.h: judges a recorded case run, against the case's documentation or against CPython.
//
// The case table documents what Python's socket module should do; CPython is the oracle that
// shows what it does. The oracle runs each case twice: if the runs differ it is "unstable"
// and others are judged against the documentation; if both fail the documentation the same
// way it is a documentation divergence, and others are judged against what CPython did:
//
//   OracleJudgement oracle = JudgeOracle(c, cpython_run_1, cpython_run_2, {});
//   Verdict v = Judge(c, reference_run, oracle.baseline, {.check_leaks = true});
//   if (v.kind == VerdictKind::kFail) Print(v.difference->line, v.difference->expected, ...);
#ifndef SOCKREF_CONFORMANCE_RUNNER_VERDICT_H_
#define SOCKREF_CONFORMANCE_RUNNER_VERDICT_H_

#include <map>
#include <optional>
#include <string>

#include "conformance/language/ast.h"
#include "conformance/protocol/outcome.h"
#include "conformance/runner/case_execution.h"
#include "conformance/runner/matching.h"

namespace sockref::conformance::runner {

// VerdictKind is the closed set of results one case can have on one implementation.
enum class VerdictKind {
  kPass,         // every step did what was expected
  kFail,         // a step did something else (or, where leaks are checked, a descriptor leaked)
  kCrash,        // the driver died, wrote garbage or broke the protocol
  kHang,         // the driver did not answer before the case's watchdog
  kUnsupported,  // a capability in `needs:` is lacking, or a step came back `unsupported`
  kUnavailable,  // the implementation could not be started at all
  kDivergence,   // oracle only: CPython consistently does other than the table says
  kUnstable,     // oracle only: CPython's two runs of the case differ
  kNotRun,       // never sent to the driver (it had hung on case after case)
  kNotApplicable,  // the case states no behaviour of the version the implementation targets,
                   // or needs what this machine lacks: no one can run it here
};

// VerdictName returns "pass", "fail", "crash", "hang", "unsupported", "unavailable",
// "divergence", "unstable", "not run" or "n/a".
const char* VerdictName(VerdictKind kind);

// Difference locates a verdict: the first step that differs (or where the driver failed).
struct Difference {
  int step = 0;          // 1-based step; 0 is `begin`, steps + 1 is `end`
  int line = 0;          // the case file line (the `elapsed:` line for a timing difference)
  std::string source;    // the statement as written ("begin", "end" for those)
  std::string expected;  // what the step should have done
  std::string actual;    // what it did
  // Why `actual` is not `expected` where the two texts alone do not show it: a capture whose
  // type name or earlier value did not fit (matching.h). Usually empty.
  std::string note;
};

// StepLabel returns "step 3", "begin" or "end" for `d.step` in a case of `steps` steps.
std::string StepLabel(const Difference& d, std::size_t steps);

struct Verdict {
  VerdictKind kind = VerdictKind::kPass;
  std::optional<Difference> difference;  // kFail, kCrash, kHang, kDivergence, kUnstable, and
                                         // kUnsupported when a step came back `unsupported`
  std::string detail;  // crash or hang details, missing capabilities, unavailability reason
};

// Observed is what the oracle did in a step where that differs from the documentation.
struct Observed {
  std::optional<Outcome> outcome;  // set: the outcome replaces the documented expectation
  std::optional<double> elapsed;   // set: this timing is accepted beside the documented one
};

// Baseline maps step numbers to what the oracle did there; other steps keep the case's
// documented expectations. Empty: judge against the documentation alone.
using Baseline = std::map<int, Observed>;

struct JudgeOptions {
  double multiplier = 1;     // SOCKREF_TIME_MULTIPLIER
  bool check_leaks = false;  // a leaked descriptor fails the case (the reference's rule)
  // Where the oracle's runs stopped early (OracleJudgement::stopped_at): steps after it have no
  // outcome to compare with, and are not held against a run that stopped there too. 0: none.
  int oracle_stopped_at = 0;
};

// Judge returns the verdict for `run` of `c`, taking `baseline`'s outcomes where it has them.
Verdict Judge(const Case& c, const CaseRun& run, const Baseline& baseline,
              const JudgeOptions& options);

// OracleJudgement is the oracle's verdict on a case and what others are judged against.
struct OracleJudgement {
  // kPass (CPython does what the case documents), kDivergence, kUnstable, kCrash, kHang or
  // kUnsupported.
  Verdict verdict;
  // kDivergence: CPython's behaviour on the steps where it differs from the documentation.
  Baseline baseline;
  // Whether others are compared with CPython (kPass or kDivergence), or only with the docs.
  bool usable = false;
  // The step at which CPython's runs stopped at their first divergence from the table (both
  // runs agree where), 0 when they ran every step.
  int stopped_at = 0;
};

// JudgeOracle compares two runs of `c` on the oracle with the documentation and with each
// other. Outcomes are compared with SameOutcome, timings with the documented tolerance.
OracleJudgement JudgeOracle(const Case& c, const CaseRun& first, const CaseRun& second,
                            const JudgeOptions& options);

// StepChecker decides, step by step while a case runs, whether the case goes on (GoOn): a
// step's outcome must match CPython's where the oracle's baseline has one, and the case's
// expectations otherwise; and a case stops where CPython's own runs stopped.
//
//   StepChecker check(c, oracle.usable ? &oracle.baseline : nullptr, oracle.stopped_at);
//   CaseRun run = driver.Run(c, options, check.AsGoOn());
class StepChecker {
 public:
  // `baseline` may be null (judge against the table alone); it must outlive the checker.
  StepChecker(const Case& c, const Baseline* baseline, int oracle_stopped_at);

  // GoOn returns whether the case goes on after step `index` (0-based) returned `outcome`.
  bool GoOn(std::size_t index, const Outcome& outcome);

 private:
  const Case& case_;
  const Baseline* baseline_;
  int oracle_stopped_at_;
  Bindings bindings_;
};

// SameOutcome says whether two implementations did the same thing: equal values (objects,
// whose reprs carry descriptors and addresses, by type name), exceptions of the same type
// with the same str() and errno (after folding aliases), or both unsupported.
bool SameOutcome(const Outcome& a, const Outcome& b);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_VERDICT_H_
