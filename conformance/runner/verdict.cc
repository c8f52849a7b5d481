#include "conformance/runner/verdict.h"

#include <cstdio>
#include <vector>
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "impl/errno_names.h"
#include "conformance/protocol/outcome.h"
#include "conformance/runner/kept_value.h"
#include "conformance/runner/matching.h"
#include "conformance/runner/timing_policy.h"

namespace sockref::conformance::runner {
namespace {

// Check is one step of a run held against its expectation.
struct Check {
  enum class State { kOk, kNotRun, kOutcome, kTiming, kUnsupported, kUnfinished };
  State state = State::kOk;
  Difference difference;  // unless kOk or kNotRun
};

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

std::string SourceOf(const Step& step) {
  if (!step.background_delay) return step.source;
  char delay[32];
  std::snprintf(delay, sizeof delay, "%g", *step.background_delay);
  return "after " + std::string(delay) + ": " + step.source;
}

// kMaxShownBytes bounds each outcome a report prints: a driver's 4 MB value would otherwise be
// printed in full, in the text and the JSON report alike.
constexpr std::size_t kMaxShownBytes = 2000;

std::string DescribeExpected(const Step& step) {
  if (step.expected.empty()) return "success";
  std::string out;
  for (const Expected& e : step.expected) out += (out.empty() ? "" : " or ") + Describe(e);
  return Shortened(out, kMaxShownBytes);
}

// DescribeActual is Describe plus the errno name, which `Exc(errno=NAME)` lines compare.
std::string DescribeActual(const Outcome& o) {
  std::string text = Shortened(Describe(o), kMaxShownBytes);
  if (o.kind == Outcome::Kind::kRaised && o.raised.errno_name) {
    text += " [" + Shortened(*o.raised.errno_name, 100) + "]";
  }
  return text;
}

std::string DescribeTiming(const Timing& t) {
  return std::string(t.kind == Timing::Kind::kBelow ? "elapsed below " : "elapsed about ") +
         Seconds(t.seconds);
}

bool SameValue(const Value& a, const Value& b) {
  if (a.digest() || b.digest()) return a == b;  // large data: same type, length and hash
  // An omitted value (PROTOCOL.md, "want_value") is known only by its type.
  if ((a.type() == Value::Type::kObject && b.type() == Value::Type::kObject) || a.omitted() ||
      b.omitted()) {
    return a.type_name() == b.type_name();
  }
  if ((a.type() == Value::Type::kTuple && b.type() == Value::Type::kTuple) ||
      (a.type() == Value::Type::kList && b.type() == Value::Type::kList)) {
    if (a.items().size() != b.items().size()) return false;
    for (std::size_t i = 0; i < a.items().size(); ++i) {
      if (!SameValue(a.items()[i], b.items()[i])) return false;
    }
    return true;
  }
  return a == b;
}

std::vector<Check> CheckSteps(const Case& c, const CaseRun& run, const Baseline& baseline,
                              double multiplier, int oracle_stopped_at = 0) {
  std::vector<Check> checks(c.steps.size());
  Bindings bindings;
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    const StepRecord& rec = run.steps[i];
    const int number = static_cast<int>(i) + 1;
    Check& check = checks[i];
    check.difference = {number, step.line, SourceOf(step), DescribeExpected(step), "", ""};
    // Past the step at which this run (or CPython's) stopped at a divergence, nothing ran:
    // the verdict is decided at or before that step.
    const int stop = run.stopped_early_at > 0 ? run.stopped_early_at : oracle_stopped_at;
    if (!rec.ran && stop > 0 && number > stop) continue;
    if (!rec.ran) {
      check.state = rec.unfinished ? Check::State::kUnfinished : Check::State::kNotRun;
      check.difference.actual = "still running when the case ended";
      continue;
    }
    auto seen = baseline.find(number);
    const Observed* oracle = seen == baseline.end() ? nullptr : &seen->second;
    check.difference.actual = DescribeActual(rec.outcome);
    if (oracle != nullptr && oracle->outcome) {
      if (!SameOutcome(rec.outcome, *oracle->outcome)) {
        check.state = Check::State::kOutcome;
        check.difference.expected = DescribeActual(*oracle->outcome) + " (as CPython does)";
      }
    } else if (MatchOutcome(step, rec.outcome, bindings, &check.difference.note)) {
      check.difference.note = Shortened(check.difference.note, kMaxShownBytes);
      check.state = rec.outcome.kind == Outcome::Kind::kUnsupported ? Check::State::kUnsupported
                                                                    : Check::State::kOutcome;
    }
    if (check.state != Check::State::kOk || !step.elapsed) continue;
    std::optional<std::string> why = MatchElapsed(*step.elapsed, rec.elapsed, multiplier, rec.lead);
    if (why && oracle != nullptr && oracle->elapsed &&
        !MatchElapsed(Timing{Timing::Kind::kAbout, *oracle->elapsed, 0}, rec.elapsed, multiplier,
                      rec.lead)) {
      why.reset();  // within tolerance of what CPython took
    }
    if (why) {
      check.state = Check::State::kTiming;
      check.difference.line = step.elapsed->line;
      check.difference.expected = DescribeTiming(*step.elapsed);
      if (oracle != nullptr && oracle->elapsed) {
        check.difference.expected += " (or about " + Seconds(*oracle->elapsed) + " as CPython)";
      }
      check.difference.actual = *why;
    }
  }
  return checks;
}

// AtBeginOrEnd locates a difference at `begin` (position 0) or `end` of the case.
Difference AtBeginOrEnd(const Case& c, int position, const std::string& expected,
                        const std::string& actual) {
  return {position, c.line, position == 0 ? "begin" : "end", expected, actual, ""};
}

// DriverFailure is the verdict for a run that crashed or hung at its stop position.
Verdict DriverFailure(const Case& c, const CaseRun& run) {
  Verdict v;
  v.kind = run.status == CaseRun::Status::kHung ? VerdictKind::kHang : VerdictKind::kCrash;
  v.detail = run.detail;
  const std::string what =
      std::string(v.kind == VerdictKind::kHang ? "hang: " : "crash: ") + run.detail;
  if (run.stopped_at >= 1 && run.stopped_at <= static_cast<int>(c.steps.size())) {
    const Step& step = c.steps[run.stopped_at - 1];
    v.difference =
        Difference{run.stopped_at, step.line, SourceOf(step), DescribeExpected(step), what, ""};
  } else {
    v.difference = AtBeginOrEnd(c, run.stopped_at, "an answer", what);
  }
  return v;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string DescribeRecord(const StepRecord& r) {
  if (!r.ran) return r.unfinished ? "still running at the end" : "not run";
  return DescribeActual(r.outcome) + " after " + Seconds(r.elapsed);
}

}  // namespace

const char* VerdictName(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::kPass:
      return "pass";
    case VerdictKind::kFail:
      return "fail";
    case VerdictKind::kCrash:
      return "crash";
    case VerdictKind::kHang:
      return "hang";
    case VerdictKind::kUnsupported:
      return "unsupported";
    case VerdictKind::kUnavailable:
      return "unavailable";
    case VerdictKind::kDivergence:
      return "divergence";
    case VerdictKind::kUnstable:
      return "unstable";
    case VerdictKind::kNotRun:
      return "not run";
    case VerdictKind::kNotApplicable:
      return "n/a";
  }
  return "?";
}

std::string StepLabel(const Difference& d, std::size_t steps) {
  if (d.step == 0) return "begin";
  if (d.step == static_cast<int>(steps) + 1) return "end";
  return "step " + std::to_string(d.step);
}

bool SameOutcome(const Outcome& a, const Outcome& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Outcome::Kind::kValue:
      return SameValue(a.value, b.value);
    case Outcome::Kind::kUnsupported:
      return true;  // drivers word "missing" differently; both lack the name
    case Outcome::Kind::kRaised: {
      auto name = [](const RaisedException& r) {
        return r.errno_name ? std::string(sockref::CanonicalErrnoName(*r.errno_name)) : std::string();
      };
      return a.raised.type == b.raised.type && a.raised.str == b.raised.str &&
             name(a.raised) == name(b.raised);
    }
  }
  return false;
}

Verdict Judge(const Case& c, const CaseRun& run, const Baseline& baseline,
              const JudgeOptions& options) {
  if (run.status == CaseRun::Status::kUnsupported) {
    return {VerdictKind::kUnsupported, std::nullopt, "lacks " + Join(run.missing)};
  }
  if (run.status == CaseRun::Status::kNotRun) return {VerdictKind::kNotRun, std::nullopt, run.detail};
  if (run.status == CaseRun::Status::kNotApplicable) {
    return {VerdictKind::kNotApplicable, std::nullopt, run.detail};
  }
  const bool completed = run.status == CaseRun::Status::kCompleted;
  std::vector<Check> checks =
      CheckSteps(c, run, baseline, options.multiplier, options.oracle_stopped_at);
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const Check& check = checks[i];
    switch (check.state) {
      case Check::State::kOk:
        continue;
      case Check::State::kNotRun:
      case Check::State::kUnfinished:
        if (!completed && run.stopped_at == static_cast<int>(i) + 1) {
          return DriverFailure(c, run);
        }
        if (check.state == Check::State::kUnfinished) {
          return {VerdictKind::kFail, check.difference, ""};
        }
        if (completed) {  // a background step the `end` reply did not mention
          Difference d = check.difference;
          d.actual = "no outcome reported";
          return {VerdictKind::kFail, d, ""};
        }
        continue;  // a background step whose outcome was lost with the driver
      case Check::State::kUnsupported:
        return {VerdictKind::kUnsupported, check.difference, check.difference.actual};
      case Check::State::kOutcome:
      case Check::State::kTiming:
        return {VerdictKind::kFail, check.difference, ""};
    }
  }
  if (!completed) return DriverFailure(c, run);
  if (options.check_leaks && run.leaked_descriptors.value_or(0) > 0) {
    const int n = *run.leaked_descriptors;
    return {
        VerdictKind::kFail,
        AtBeginOrEnd(c, static_cast<int>(c.steps.size()) + 1, "no descriptor left open",
                     std::to_string(n) + (n == 1 ? " descriptor" : " descriptors") + " left open"),
        ""};
  }
  return {};
}

OracleJudgement JudgeOracle(const Case& c, const CaseRun& first, const CaseRun& second,
                            const JudgeOptions& options) {
  OracleJudgement out;
  JudgeOptions no_leaks = options;
  no_leaks.check_leaks = false;
  for (const CaseRun* run : {&first, &second}) {
    if (run->status != CaseRun::Status::kCompleted) {
      out.verdict = Judge(c, *run, {}, no_leaks);
      return out;
    }
  }
  std::vector<Check> a = CheckSteps(c, first, {}, options.multiplier);
  std::vector<Check> b = CheckSteps(c, second, {}, options.multiplier);
  Difference first_divergence;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const StepRecord& ra = first.steps[i];
    const StepRecord& rb = second.steps[i];
    // Both runs did the same, and one took the time the table says: CPython meets the timing,
    // and the other run was slowed by the machine (a loaded CI runner), not by CPython.
    if ((a[i].state == Check::State::kTiming && b[i].state == Check::State::kOk) ||
        (a[i].state == Check::State::kOk && b[i].state == Check::State::kTiming)) {
      if (SameOutcome(ra.outcome, rb.outcome)) a[i].state = b[i].state = Check::State::kOk;
    }
    bool unstable =
        a[i].state != b[i].state || a[i].state == Check::State::kUnfinished ||
        ((a[i].state == Check::State::kOutcome || a[i].state == Check::State::kUnsupported) &&
         !SameOutcome(ra.outcome, rb.outcome));
    if (unstable) {
      Difference d = a[i].difference;
      d.expected = "run 1: " + DescribeRecord(ra);
      d.actual = "run 2: " + DescribeRecord(rb);
      out.verdict = {VerdictKind::kUnstable, d, ""};
      return out;
    }
    if (a[i].state == Check::State::kOk || a[i].state == Check::State::kNotRun) continue;
    Observed& seen = out.baseline[static_cast<int>(i) + 1];
    if (a[i].state != Check::State::kTiming) seen.outcome = ra.outcome;
    seen.elapsed = ra.elapsed;
    if (out.baseline.size() == 1) first_divergence = a[i].difference;
  }
  out.usable = true;
  out.stopped_at = first.stopped_early_at;
  if (!out.baseline.empty()) out.verdict = {VerdictKind::kDivergence, first_divergence, ""};
  return out;
}

StepChecker::StepChecker(const Case& c, const Baseline* baseline, int oracle_stopped_at)
    : case_(c), baseline_(baseline), oracle_stopped_at_(oracle_stopped_at) {}

bool StepChecker::GoOn(std::size_t index, const Outcome& outcome) {
  const int number = static_cast<int>(index) + 1;
  bool accepted;
  const auto seen = baseline_ != nullptr ? baseline_->find(number) : Baseline::const_iterator();
  if (baseline_ != nullptr && seen != baseline_->end() && seen->second.outcome) {
    accepted = SameOutcome(outcome, *seen->second.outcome);
  } else {
    accepted = !MatchOutcome(case_.steps[index], outcome, bindings_);
  }
  return accepted && (oracle_stopped_at_ == 0 || number < oracle_stopped_at_);
}

}  // namespace sockref::conformance::runner
