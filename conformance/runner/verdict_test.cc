// Tests of Judge and JudgeOracle on hand-made case runs.
#include "conformance/runner/verdict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/language/case_parser.h"
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance::runner {
namespace {

using ::testing::HasSubstr;

Case ParseOne(const std::string& body) {
  return ParseCaseText("t.cases", "case t.c\n  doc: 001 \"x\"\n" + body).cases.at(0);
}

Outcome ValueOutcome(Value v) {
  Outcome o;
  o.value = std::move(v);
  return o;
}

Outcome Raised(std::string type, std::string str, std::optional<std::string> errno_name = {}) {
  Outcome o;
  o.kind = Outcome::Kind::kRaised;
  o.raised.type = std::move(type);
  o.raised.str = std::move(str);
  o.raised.errno_name = std::move(errno_name);
  return o;
}

Outcome Unsupported(std::string what) {
  Outcome o;
  o.kind = Outcome::Kind::kUnsupported;
  o.unsupported = std::move(what);
  return o;
}

// NotRun returns the record of step `number` that never ran.
StepRecord NotRun(int number) {
  StepRecord r;
  r.number = number;
  return r;
}

// Completed returns a completed run whose steps had `outcomes`, each taking `elapsed` seconds.
CaseRun Completed(std::vector<Outcome> outcomes, std::vector<double> elapsed = {}) {
  CaseRun run;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    StepRecord r;
    r.number = static_cast<int>(i) + 1;
    r.ran = true;
    r.outcome = outcomes[i];
    r.elapsed = i < elapsed.size() ? elapsed[i] : 0.0001;
    run.steps.push_back(r);
  }
  run.leaked_descriptors = 0;
  return run;
}

// Line 3 is the first step.
const Case kAton = ParseOne(
    "  >>> inet_aton(\"1.2\")\n"
    "  b'\\x01\\x00\\x00\\x02'\n"
    "  >>> inet_aton(\"\")\n"
    "  OSError: illegal IP address string passed to inet_aton\n");

const Outcome kPacked = ValueOutcome(Value::Bytes(std::string("\x01\x00\x00\x02", 4)));
const Outcome kIllegal = Raised("OSError", "illegal IP address string passed to inet_aton");

TEST(JudgeTest, MatchingRunPasses) {
  Verdict v = Judge(kAton, Completed({kPacked, kIllegal}), {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kPass);
  EXPECT_FALSE(v.difference.has_value());
}

TEST(JudgeTest, FirstDifferingStepIsReportedWithBothOutcomes) {
  Outcome wrong = Raised("ValueError", "bad");
  Verdict v = Judge(kAton, Completed({kPacked, wrong}), {}, {});
  ASSERT_EQ(v.kind, VerdictKind::kFail);
  ASSERT_TRUE(v.difference.has_value());
  EXPECT_EQ(v.difference->step, 2);
  EXPECT_EQ(v.difference->line, 5);
  EXPECT_EQ(v.difference->source, "inet_aton(\"\")");
  EXPECT_EQ(v.difference->expected, "OSError: illegal IP address string passed to inet_aton");
  EXPECT_EQ(v.difference->actual, "ValueError: bad");
}

TEST(JudgeTest, ErrnoNameIsShownBesideARaisedException) {
  Case c = ParseOne("  >>> socket.socket().recv(1)\n  OSError(errno=EBADF)\n");
  Verdict v =
      Judge(c, Completed({Raised("OSError", "[Errno 22] Invalid argument", "EINVAL")}), {}, {});
  ASSERT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_EQ(v.difference->actual, "OSError: [Errno 22] Invalid argument [EINVAL]");
}

TEST(JudgeTest, UnsupportedStepIsNotSupportedRatherThanAFailure) {
  Verdict v = Judge(kAton, Completed({kPacked, Unsupported("no inet_aton")}), {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kUnsupported);
  EXPECT_EQ(v.difference->step, 2);
  EXPECT_EQ(v.difference->actual, "unsupported: no inet_aton");
}

TEST(JudgeTest, EarlierFailureWinsOverALaterUnsupportedStep) {
  Verdict v = Judge(kAton, Completed({kIllegal, Unsupported("x")}), {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_EQ(v.difference->step, 1);
}

TEST(JudgeTest, MissingCapabilityIsUnsupported) {
  CaseRun run;
  run.status = CaseRun::Status::kUnsupported;
  run.missing = {"AF_UNIX", "SCM_RIGHTS"};
  Verdict v = Judge(kAton, run, {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kUnsupported);
  EXPECT_EQ(v.detail, "lacks AF_UNIX, SCM_RIGHTS");
}

const Case kTimed = ParseOne(
    "  >>> a, b = socketpair()\n"
    "  >>> a.settimeout(0.1)\n"
    "  >>> a.recv(1)\n"
    "  TimeoutError: timed out\n"
    "  elapsed: 0.1\n");

TEST(JudgeTest, TimingOutsideTheToleranceFailsOnTheElapsedLine) {
  Outcome pair = ValueOutcome(Value::Tuple({}));
  Outcome timed_out = Raised("TimeoutError", "timed out");
  CaseRun ok = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.12});
  EXPECT_EQ(Judge(kTimed, ok, {}, {}).kind, VerdictKind::kPass);
  CaseRun slow = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.3});
  Verdict v = Judge(kTimed, slow, {}, {});
  ASSERT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_EQ(v.difference->line, 7);
  EXPECT_EQ(v.difference->expected, "elapsed about 0.1 s");
  EXPECT_THAT(v.difference->actual, HasSubstr("took"));
  // The multiplier widens the upper bound (0.1 + 0.05 * 5 = 0.35).
  EXPECT_EQ(Judge(kTimed, slow, {}, {.multiplier = 5}).kind, VerdictKind::kPass);
  CaseRun early = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.05});
  EXPECT_EQ(Judge(kTimed, early, {}, {.multiplier = 5}).kind, VerdictKind::kFail);
}

// Line 7 is the woken step's `elapsed:` line.
const Case kWoken = ParseOne(
    "  >>> a, b = socketpair()\n"
    "  after 0.05: b.send(b\"x\")\n"
    "  >>> a.recv(1)\n"
    "  b'x'\n"
    "  elapsed: 0.05\n");

// The background action's delay began `lead` seconds before the woken step's clock (a loaded
// runner), so the step legitimately returns sooner than 0.05 s after its own start.
TEST(JudgeTest, LeadOfAPendingBackgroundActionExcusesAnApparentlyEarlyWakeUp) {
  const Outcome x = ValueOutcome(Value::Bytes("x"));
  CaseRun run =
      Completed({ValueOutcome(Value::Tuple({})), ValueOutcome(Value::Int(1)), x}, {0, 0, 0.031});
  Verdict v = Judge(kWoken, run, {}, {});
  ASSERT_EQ(v.kind, VerdictKind::kFail) << "without the lead, 0.031 s is too early";
  EXPECT_EQ(v.difference->line, 7);
  run.steps[2].lead = 0.02;
  EXPECT_EQ(Judge(kWoken, run, {}, {}).kind, VerdictKind::kPass);
  // CPython's two runs alike: the oracle is stable, not unstable, and agrees with the docs.
  CaseRun quick = run;
  quick.steps[2].elapsed = 0.047;
  quick.steps[2].lead = 0;
  EXPECT_EQ(JudgeOracle(kWoken, run, quick, {}).verdict.kind, VerdictKind::kPass);
  // An action that fired 20 ms early on top of the lead is still caught.
  run.steps[2].elapsed = 0.01;
  v = Judge(kWoken, run, {}, {});
  ASSERT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_THAT(v.difference->actual, HasSubstr("started its delay 0.020 s earlier"));
}

TEST(JudgeTest, CrashAndHangAreReportedWhereTheDriverStopped) {
  CaseRun run = Completed({kPacked});
  run.steps.push_back(NotRun(2));
  run.status = CaseRun::Status::kCrashed;
  run.stopped_at = 2;
  run.detail = "garbage: reply is not a JSON object: oops";
  Verdict v = Judge(kAton, run, {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kCrash);
  EXPECT_EQ(v.difference->step, 2);
  EXPECT_EQ(v.difference->actual, "crash: garbage: reply is not a JSON object: oops");
  run.status = CaseRun::Status::kHung;
  run.stopped_at = 3;  // `end`
  v = Judge(kAton, run, {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kHang);
  EXPECT_EQ(StepLabel(*v.difference, kAton.steps.size()), "end");
  run.status = CaseRun::Status::kDriverError;
  EXPECT_EQ(Judge(kAton, run, {}, {}).kind, VerdictKind::kCrash);
}

TEST(JudgeTest, LeakedDescriptorFailsOnlyWhereLeaksAreChecked) {
  CaseRun run = Completed({kPacked, kIllegal});
  run.leaked_descriptors = 2;
  EXPECT_EQ(Judge(kAton, run, {}, {}).kind, VerdictKind::kPass);
  Verdict v = Judge(kAton, run, {}, {.check_leaks = true});
  ASSERT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_EQ(StepLabel(*v.difference, 2), "end");
  EXPECT_EQ(v.difference->actual, "2 descriptors left open");
}

TEST(JudgeTest, BaselineReplacesTheDocumentedOutcome) {
  Baseline cpython = {{2, {kPacked, std::nullopt}}};
  EXPECT_EQ(Judge(kAton, Completed({kPacked, kPacked}), cpython, {}).kind, VerdictKind::kPass);
  Verdict v = Judge(kAton, Completed({kPacked, kIllegal}), cpython, {});
  ASSERT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_EQ(v.difference->expected, "b'\\x01\\x00\\x00\\x02' (as CPython does)");
}

TEST(SameOutcomeTest, ObjectsCompareByTypeAndExceptionsByTypeMessageAndErrno) {
  EXPECT_TRUE(SameOutcome(ValueOutcome(Value::Object("socket", "<socket fd=3>")),
                          ValueOutcome(Value::Object("socket", "<socket fd=7>"))));
  EXPECT_FALSE(SameOutcome(ValueOutcome(Value::Object("socket", "<x>")),
                           ValueOutcome(Value::Object("memoryview", "<x>"))));
  EXPECT_FALSE(SameOutcome(ValueOutcome(Value::Int(1)), ValueOutcome(Value::Bool(true))));
  EXPECT_TRUE(SameOutcome(Raised("BlockingIOError", "x", "EWOULDBLOCK"),
                          Raised("BlockingIOError", "x", "EAGAIN")));
  EXPECT_FALSE(SameOutcome(Raised("OSError", "x"), Raised("OSError", "y")));
  EXPECT_TRUE(SameOutcome(Unsupported("a"), Unsupported("b")));
}

// A driver told "want_value": false may send only the type (and len) of a value.
TEST(SameOutcomeTest, OmittedValueIsTheSameAsAnyValueOfItsType) {
  const Outcome omitted = ValueOutcome(Value::Omitted("bytes", 3));
  EXPECT_TRUE(SameOutcome(omitted, ValueOutcome(Value::Bytes("abc"))));
  EXPECT_TRUE(SameOutcome(ValueOutcome(Value::Bytes("abc")), omitted));
  EXPECT_TRUE(SameOutcome(omitted, ValueOutcome(Value::Omitted("bytes", std::nullopt))));
  EXPECT_FALSE(SameOutcome(omitted, ValueOutcome(Value::ByteArray("abc"))));
  EXPECT_FALSE(SameOutcome(omitted, ValueOutcome(Value::Omitted("str", 3))));
  EXPECT_FALSE(SameOutcome(omitted, Raised("OSError", "x")));
}

TEST(JudgeOracleTest, TwoMatchingRunsAgreeWithTheDocumentation) {
  OracleJudgement o =
      JudgeOracle(kAton, Completed({kPacked, kIllegal}), Completed({kPacked, kIllegal}), {});
  EXPECT_EQ(o.verdict.kind, VerdictKind::kPass);
  EXPECT_TRUE(o.usable);
  EXPECT_TRUE(o.baseline.empty());
}

TEST(JudgeOracleTest, ConsistentDifferenceIsADocumentationDivergenceAndTheBaseline) {
  OracleJudgement o =
      JudgeOracle(kAton, Completed({kPacked, kPacked}), Completed({kPacked, kPacked}), {});
  ASSERT_EQ(o.verdict.kind, VerdictKind::kDivergence);
  EXPECT_TRUE(o.usable);
  EXPECT_EQ(o.verdict.difference->step, 2);
  ASSERT_EQ(o.baseline.count(2), 1u);
  EXPECT_EQ(o.baseline.at(2).outcome->value, kPacked.value);
  // Another implementation is then held to what CPython did.
  EXPECT_EQ(Judge(kAton, Completed({kPacked, kPacked}), o.baseline, {}).kind, VerdictKind::kPass);
  EXPECT_EQ(Judge(kAton, Completed({kPacked, kIllegal}), o.baseline, {}).kind, VerdictKind::kFail);
}

TEST(JudgeOracleTest, RunsThatDifferAreUnstableAndNotUsable) {
  OracleJudgement o =
      JudgeOracle(kAton, Completed({kPacked, kIllegal}), Completed({kPacked, kPacked}), {});
  ASSERT_EQ(o.verdict.kind, VerdictKind::kUnstable);
  EXPECT_FALSE(o.usable);
  EXPECT_EQ(o.verdict.difference->step, 2);
  EXPECT_THAT(o.verdict.difference->expected, HasSubstr("run 1: OSError: illegal IP"));
  EXPECT_THAT(o.verdict.difference->actual, HasSubstr("run 2: b'\\x01"));
  // Both failing, but differently, is unstable too.
  o = JudgeOracle(kAton, Completed({kPacked, Raised("OSError", "a")}),
                  Completed({kPacked, Raised("OSError", "b")}), {});
  EXPECT_EQ(o.verdict.kind, VerdictKind::kUnstable);
}

TEST(JudgeOracleTest, CrashedOracleIsACrashAndNotUsable) {
  CaseRun crashed = Completed({kPacked});
  crashed.steps.push_back(NotRun(2));
  crashed.status = CaseRun::Status::kCrashed;
  crashed.stopped_at = 2;
  OracleJudgement o = JudgeOracle(kAton, Completed({kPacked, kIllegal}), crashed, {});
  EXPECT_EQ(o.verdict.kind, VerdictKind::kCrash);
  EXPECT_FALSE(o.usable);
}

TEST(JudgeOracleTest, ConsistentTimingDivergenceAcceptsCPythonsTiming) {
  Outcome pair = ValueOutcome(Value::Tuple({}));
  Outcome timed_out = Raised("TimeoutError", "timed out");
  CaseRun slow = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.5});
  OracleJudgement o = JudgeOracle(kTimed, slow, slow, {});
  ASSERT_EQ(o.verdict.kind, VerdictKind::kDivergence);
  EXPECT_FALSE(o.baseline.at(3).outcome.has_value());
  EXPECT_EQ(o.baseline.at(3).elapsed, 0.5);
  CaseRun like_cpython = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.52});
  CaseRun like_docs = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.1});
  CaseRun neither = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.3});
  EXPECT_EQ(Judge(kTimed, like_cpython, o.baseline, {}).kind, VerdictKind::kPass);
  EXPECT_EQ(Judge(kTimed, like_docs, o.baseline, {}).kind, VerdictKind::kPass);
  Verdict v = Judge(kTimed, neither, o.baseline, {});
  EXPECT_EQ(v.kind, VerdictKind::kFail);
  EXPECT_EQ(v.difference->expected, "elapsed about 0.1 s (or about 0.5 s as CPython)");
}

// One run on time and one slowed by a loaded machine is not instability: CPython met the
// timing the table states. Both off the timing, or different outcomes, still are.
TEST(JudgeOracleTest, OneRunOnTimeConfirmsTheTiming) {
  Outcome pair = ValueOutcome(Value::Tuple({}));
  Outcome timed_out = Raised("TimeoutError", "timed out");
  CaseRun on_time = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.1});
  CaseRun slowed = Completed({pair, ValueOutcome(Value()), timed_out}, {0, 0, 0.9});
  OracleJudgement o = JudgeOracle(kTimed, on_time, slowed, {});
  EXPECT_EQ(o.verdict.kind, VerdictKind::kPass);
  EXPECT_TRUE(o.usable);
  o = JudgeOracle(kTimed, slowed, on_time, {});
  EXPECT_EQ(o.verdict.kind, VerdictKind::kPass);
  CaseRun raised_late = Completed({pair, ValueOutcome(Value()), Raised("OSError", "x")}, {0, 0, 0.9});
  EXPECT_EQ(JudgeOracle(kTimed, on_time, raised_late, {}).verdict.kind, VerdictKind::kUnstable);
}

}  // namespace
}  // namespace sockref::conformance::runner
