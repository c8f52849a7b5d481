// Tests of the text and JSON reports on hand-made results.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/case_parser.h"
#include "conformance/report/text_report.h"

#include "conformance/report/results_json.h"
#include "conformance/runner/run_status.h"

namespace sockref::conformance::report {
using namespace runner;
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<Case> kCases = ParseCaseText("conformance/cases/inet.cases", R"(
case inet.a
  doc: 001 "x"
  >>> inet_aton("1.2")
  b'\x01\x00\x00\x02'
case inet.b
  doc: 001 "x"
  divergence: the docs say otherwise
  >>> inet_aton("")
  OSError: illegal IP address string passed to inet_aton
case inet.c
  doc: 001 "x"
  >>> inet_aton("1")
  b'\x00\x00\x00\x01'
)")
                                     .cases;

Difference At(int step, int line, std::string source, std::string expected, std::string actual) {
  return {step, line, std::move(source), std::move(expected), std::move(actual), ""};
}

// Results: reference passes inet.a, fails inet.b (listed), fails inet.c (not listed) and
// leaks; CPython passes inet.a and inet.c and diverges on inet.b; pypy3 is unavailable.
RunResults Sample() {
  RunResults r;
  r.oracle = "cpython";
  r.wall_seconds = 12.34;
  ImplementationInfo ref{"reference", false, true, true, "", {{"implementation", "sockref"}}};
  ImplementationInfo cpy{"cpython", true, false, true, "", {{"implementation", "CPython"}}};
  ImplementationInfo pypy{"pypy3", false, false, false, "program not found: pypy3", nullptr};
  r.implementations = {ref, cpy, pypy};
  auto result = [](VerdictKind k, std::optional<Difference> d = {}) {
    ImplResult x;
    x.verdict = {k, std::move(d), k == VerdictKind::kUnavailable ? "program not found: pypy3" : ""};
    return x;
  };
  CaseResult a{&kCases[0], "inet", {}};
  a.results["reference"] = result(VerdictKind::kPass);
  a.results["reference"].agrees = true;
  a.results["cpython"] = result(VerdictKind::kPass);
  a.results["pypy3"] = result(VerdictKind::kUnavailable);
  CaseResult b{&kCases[1], "inet", {}};
  b.results["reference"] =
      result(VerdictKind::kFail, At(1, 9, "inet_aton(\"\")", "b'' (as CPython does)", "b'x'"));
  b.results["reference"].expectation = ExpectationMatch::kAsListed;
  b.results["reference"].agrees = false;
  b.results["cpython"] =
      result(VerdictKind::kDivergence, At(1, 9, "inet_aton(\"\")", "OSError: illegal", "b''"));
  b.results["pypy3"] = result(VerdictKind::kUnavailable);
  CaseResult c{&kCases[2], "inet", {}};
  c.results["reference"] = result(
      VerdictKind::kFail, At(2, 2, "end", "no descriptor left open", "1 descriptor left open"));
  c.results["reference"].leaked_descriptors = 1;
  c.results["cpython"] = result(VerdictKind::kPass);
  c.results["pypy3"] = result(VerdictKind::kUnavailable);
  r.cases = {a, b, c};
  return r;
}

std::string Text(const RunResults& r) {
  std::ostringstream out;
  WriteTextReport(out, r);
  return out.str();
}

TEST(TextReportTest, ShowsImplementationsCountsDivergencesFailuresAndWallTime) {
  std::string text = Text(Sample());
  EXPECT_THAT(text, HasSubstr("3 cases in 1 area on 3 implementations; oracle: cpython"));
  EXPECT_THAT(text, HasSubstr("pypy3            UNAVAILABLE: program not found: pypy3"));
  // reference: 1 pass, 2 fail; 1 agree, 1 disagree; 1 known; 1 leak.
  EXPECT_THAT(text, HasSubstr("  reference                    1     2     0     0     0     0     0"
                              "     0        1        1       -        -     1      0      0     1"));
  EXPECT_THAT(text, HasSubstr("  cpython                      2     0     0     0     0     0     0"
                              "     0        -        -       1        0"));
  // The table and CPython disagreeing is a failure, with both outcomes shown.
  EXPECT_THAT(text, HasSubstr("TABLE VS CPYTHON (a failure"));
  EXPECT_THAT(text, HasSubstr("      table:   OSError: illegal\n      CPython: b''\n"));
  EXPECT_THAT(text, HasSubstr("expectations line: inet.b divergence@1: b''"));
  // An unavailable implementation is a failure, said once.
  EXPECT_THAT(text, HasSubstr("NOT COMPARED (failures: nothing was compared)\n"
                              "  pypy3: unavailable for 3 cases: program not found: pypy3\n"));
  EXPECT_THAT(text, HasSubstr("noted in the case: the docs say otherwise"));
  EXPECT_THAT(text, HasSubstr("  FAIL reference  inet.b  (conformance/cases/inet.cases:6)  "
                              "[as listed]\n    step 1, line 9: inet_aton(\"\")\n"
                              "      expected: b'' (as CPython does)\n      actual:   b'x'\n"));
  EXPECT_THAT(text, HasSubstr("    end\n      expected: no descriptor left open\n"));
  EXPECT_THAT(text, HasSubstr("expectations line: inet.c fail@end: 1 descriptor left open"));
  EXPECT_THAT(text, Not(HasSubstr("ORACLE UNSTABLE")));
  EXPECT_THAT(text, HasSubstr("Wall time: 12.3 s"));
  EXPECT_THAT(text, HasSubstr("Result: FAILED, 5 problems not covered by expectations files: "
                              "reference: 1 fail; cpython: 1 divergence; pypy3: 3 unavailable\n"));
}

// Only a pass passes: unsupported, not run, unstable and unavailable all fail unless listed.
TEST(TextReportTest, EveryVerdictButPassFailsUnlessListed) {
  for (VerdictKind k : {VerdictKind::kUnsupported, VerdictKind::kNotRun, VerdictKind::kUnstable,
                        VerdictKind::kUnavailable, VerdictKind::kDivergence, VerdictKind::kHang}) {
    ImplResult r;
    r.verdict.kind = k;
    EXPECT_TRUE(CountsAsFailure(r)) << VerdictName(k);
    r.expectation = ExpectationMatch::kAsListed;
    EXPECT_FALSE(CountsAsFailure(r)) << VerdictName(k);
  }
  ImplResult pass;
  EXPECT_FALSE(CountsAsFailure(pass));
}

TEST(TextReportTest, UnsupportedStepIsAFailureWithItsStep) {
  RunResults r = Sample();
  r.implementations.pop_back();
  for (CaseResult& c : r.cases) c.results.erase("pypy3");
  r.cases[1].results["cpython"].verdict = {};
  r.cases[2].results["reference"].verdict = {
      VerdictKind::kUnsupported,
      At(1, 13, "inet_aton(\"1\")", "b'\\x00\\x00\\x00\\x01'",
         "unsupported: module 'socket' has no attribute 'inet_aton'"),
      ""};
  const std::string text = Text(r);
  EXPECT_THAT(text, HasSubstr("  UNSUPPORTED reference  inet.c"));
  EXPECT_THAT(text, HasSubstr("expectations line: inet.c unsupported@1: unsupported: module"));
  EXPECT_THAT(text, HasSubstr("Result: FAILED, 1 problem not covered by expectations files: "
                              "reference: 1 unsupported\n"));
  EXPECT_EQ(ExitStatus(r), 1);
}

TEST(TextReportTest, UnexpectedPassIsListedAndFailsTheRun) {
  RunResults r = Sample();
  r.cases[2].results["reference"] = ImplResult{};
  r.cases[1].results["cpython"].verdict = {};
  r.implementations.pop_back();  // pypy3
  for (CaseResult& c : r.cases) c.results.erase("pypy3");
  r.cases[0].results["reference"].expectation = ExpectationMatch::kUnexpectedPass;
  std::string text = Text(r);
  EXPECT_THAT(text, HasSubstr("  PASS reference  inet.a  (conformance/cases/inet.cases:2)  "
                              "[unexpected pass]"));
  EXPECT_THAT(text, HasSubstr("remove its line"));
  EXPECT_EQ(ExitStatus(r), 1);
  r.cases[0].results["reference"].expectation = ExpectationMatch::kNotListed;
  EXPECT_EQ(ExitStatus(r), 0);
  EXPECT_THAT(Text(r), HasSubstr("Result: OK"));
}

TEST(TextReportTest, StaleExpectationsAreListedAndCounted) {
  RunResults r = Sample();
  r.stale_expectations["reference"] = {KnownFailure{"inet.gone", VerdictKind::kFail, {}, {}, 7}};
  EXPECT_THAT(Text(r), HasSubstr("STALE EXPECTATIONS for reference"));
  EXPECT_EQ(FailureCount(r), 6);
  EXPECT_THAT(FailureSummary(r), HasSubstr("; stale expectations: 1"));
}

TEST(JsonReportTest, CarriesEveryResultAndTheSummary) {
  json j = ResultsToJson(Sample());
  EXPECT_EQ(j["oracle"], "cpython");
  EXPECT_EQ(j["failures"], 5);
  EXPECT_EQ(j["implementations"][2]["unavailable_reason"], "program not found: pypy3");
  EXPECT_EQ(j["summary"]["reference"]["fail"], 2);
  EXPECT_EQ(j["summary"]["reference"]["leaks"], 1);
  EXPECT_EQ(j["summary"]["cpython"]["divergence"], 1);
  const json& b = j["cases"][1];
  EXPECT_EQ(b["id"], "inet.b");
  EXPECT_EQ(b["test_name"], "InetB");
  EXPECT_EQ(b["divergence_note"], "the docs say otherwise");
  EXPECT_EQ(b["results"]["reference"]["verdict"], "fail");
  EXPECT_EQ(b["results"]["reference"]["expectation"], "as listed");
  EXPECT_EQ(b["results"]["reference"]["counts_as_failure"], false);
  EXPECT_EQ(b["results"]["reference"]["agrees"], false);
  EXPECT_EQ(b["results"]["reference"]["step"], "step 1");
  EXPECT_EQ(b["results"]["reference"]["signature"], "fail@1: b'x'");
  EXPECT_EQ(b["results"]["pypy3"]["verdict"], "unavailable");
}

}  // namespace
}  // namespace sockref::conformance::report
