// Tests of junit_xml.h: which results become failures, skips and passes, what a failure says,
// and that any text becomes well-formed XML.
#include "conformance/report/junit_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/case_parser.h"
#include "conformance/report/results_json.h"
#include "conformance/runner/run_status.h"

namespace sockref::conformance::report {
using namespace runner;
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<Case> kCases = ParseCaseText("conformance/cases/accept.cases", R"(
case accept.a
  doc: 001 "x"
  >>> s = socket.socket()
case accept.b
  doc: 001 "x"
  >>> s = socket.socket()
case accept.c
  doc: 001 "x"
  >>> s = socket.socket()
case accept.d
  doc: 001 "x"
  >>> s = socket.socket()
case accept.e
  doc: 001 "x"
  >>> s = socket.socket()
)")
                                     .cases;

ImplResult Result(VerdictKind kind, ExpectationMatch expectation = ExpectationMatch::kNotListed) {
  ImplResult r;
  r.verdict.kind = kind;
  r.expectation = expectation;
  r.seconds = 0.25;
  if (kind != VerdictKind::kPass && kind != VerdictKind::kNotApplicable) {
    r.verdict.difference =
        Difference{1, 4, "server.accept()", "($conn:socket, $addr)", "(<GreenSocket>, '')",
                   "the type name is the mismatch: expected $conn:socket, got a value of type "
                   "GreenSocket: <GreenSocket>"};
  }
  if (kind == VerdictKind::kNotApplicable) r.verdict.detail = "the case states no behaviour of Python 3.6";
  return r;
}

// Sample: on "green", accept.a passes, accept.b fails (not listed), accept.c fails as listed,
// accept.d is n/a, accept.e passes although listed; one stale expectations line.
RunResults Sample() {
  RunResults r;
  r.wall_seconds = 3;
  ImplementationInfo green;
  green.name = "green";
  green.available = true;
  green.hello = {{"implementation", "Green"}, {"version", "1.0"}};
  r.implementations = {green};
  const std::vector<std::pair<VerdictKind, ExpectationMatch>> verdicts = {
      {VerdictKind::kPass, ExpectationMatch::kNotListed},
      {VerdictKind::kFail, ExpectationMatch::kNotListed},
      {VerdictKind::kFail, ExpectationMatch::kAsListed},
      {VerdictKind::kNotApplicable, ExpectationMatch::kNotListed},
      {VerdictKind::kPass, ExpectationMatch::kUnexpectedPass}};
  for (std::size_t i = 0; i < kCases.size(); ++i) {
    CaseResult c{&kCases[i], "accept", {}};
    c.results["green"] = Result(verdicts[i].first, verdicts[i].second);
    r.cases.push_back(c);
  }
  r.stale_expectations["green"] = {KnownFailure{"accept.renamed", VerdictKind::kFail, {}, {}, 7}};
  return r;
}

std::string Xml(const RunResults& r) {
  std::ostringstream out;
  WriteJUnitXml(out, ResultsToJson(r));
  return out.str();
}

// Testcase returns the <testcase> element (to its end) whose name is `id`.
std::string Testcase(const std::string& xml, const std::string& id) {
  const std::size_t at = xml.find("name=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const std::size_t start = xml.rfind("<testcase", at);
  const std::size_t bare = xml.find("/>\n", at);
  const std::size_t full = xml.find("</testcase>", at);
  const std::size_t open_end = xml.find('>', at);
  // A bare testcase closes itself before any child.
  if (bare != std::string::npos && bare + 1 == open_end) return xml.substr(start, bare + 2 - start);
  return xml.substr(start, full + 11 - start);
}

TEST(JUnitXmlTest, CountsMatchTheRunsFailureCount) {
  const RunResults r = Sample();
  const std::string xml = Xml(r);
  ASSERT_EQ(FailureCount(r), 3);  // accept.b, the unexpected pass, the stale line
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"sockref conformance\" tests=\"6\" failures=\"3\" "
                             "errors=\"0\" skipped=\"2\" time=\"3.000\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"green\" tests=\"6\" failures=\"3\" errors=\"0\" "
                             "skipped=\"2\""));
}

TEST(JUnitXmlTest, PassIsABareTestcase) {
  EXPECT_EQ(Testcase(Xml(Sample()), "accept.a"),
            "<testcase classname=\"green\" name=\"accept.a\" "
            "file=\"conformance/cases/accept.cases\" line=\"2\" time=\"0.250\"/>");
}

TEST(JUnitXmlTest, FailureShowsTheStepBothOutcomesAndWhy) {
  const std::string t = Testcase(Xml(Sample()), "accept.b");
  EXPECT_THAT(t, HasSubstr("<failure type=\"fail\" message=\"fail at step 1: expected "
                           "($conn:socket, $addr), got (&lt;GreenSocket&gt;, &apos;&apos;)\">"));
  EXPECT_THAT(t, HasSubstr("fail: accept.b (conformance/cases/accept.cases:5)\n"
                           "step 1, line 4: server.accept()\n"
                           "  expected: ($conn:socket, $addr)\n"
                           "  actual:   (&lt;GreenSocket&gt;, &apos;&apos;)\n"
                           "  why:      the type name is the mismatch"));
  EXPECT_THAT(t, HasSubstr("expectations line: accept.b fail@1: (&lt;GreenSocket&gt;, "
                           "&apos;&apos;)\n</failure>"));
}

TEST(JUnitXmlTest, ListedFailureIsSkippedAndMarkedNeverAPlainPass) {
  const std::string t = Testcase(Xml(Sample()), "accept.c");
  EXPECT_THAT(t, HasSubstr("<property name=\"expectation\" value=\"as listed\"/>"));
  EXPECT_THAT(t, HasSubstr("<property name=\"verdict\" value=\"fail\"/>"));
  EXPECT_THAT(t, HasSubstr("<skipped message=\"known fail, listed in green&apos;s expectations "
                           "file: accept.c fail@1: "));
  EXPECT_THAT(t, HasSubstr("<system-out>fail: accept.c"));
  EXPECT_THAT(t, Not(HasSubstr("<failure")));
}

TEST(JUnitXmlTest, NotApplicableIsSkippedWithTheReason) {
  const std::string t = Testcase(Xml(Sample()), "accept.d");
  EXPECT_THAT(t, HasSubstr("<skipped message=\"n/a: the case states no behaviour of Python "
                           "3.6\"/>"));
}

TEST(JUnitXmlTest, UnexpectedPassAndStaleLinesFail) {
  const std::string xml = Xml(Sample());
  EXPECT_THAT(Testcase(xml, "accept.e"),
              HasSubstr("<failure type=\"unexpected pass\" message=\"passes, but the "
                        "expectations file lists it as failing: remove its line\">"));
  EXPECT_THAT(Testcase(xml, "stale expectations line: accept.renamed"),
              HasSubstr("<failure type=\"stale expectation\""));
}

// IsWellFormedText says whether `s` is valid UTF-8 holding only characters XML 1.0 allows,
// with no markup character left unescaped.
bool IsWellFormedText(const std::string& s, bool attribute) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b == '<' || b == '>' || b == '"' || b == '\'' || b == '\r') return false;
    if (b < 0x20 && (attribute || (b != '\n' && b != '\t'))) return false;
    if (b == '&' && s.compare(i, 4, "&lt;") != 0 && s.compare(i, 4, "&gt;") != 0 &&
        s.compare(i, 5, "&amp;") != 0 && s.compare(i, 6, "&quot;") != 0 &&
        s.compare(i, 6, "&apos;") != 0 && s.compare(i, 5, "&#13;") != 0 &&
        s.compare(i, 5, "&#10;") != 0 && s.compare(i, 4, "&#9;") != 0) {
      return false;
    }
  }
  return true;
}

TEST(XmlEscapeTest, AnyBytesBecomeWellFormedText) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  all += "]]>\xED\xA0\x80\xEF\xBF\xBE\xF4\x90\x80\x80\xC0\xAF\xE2\x9C";  // surrogate, U+FFFE,
                                                                          // > U+10FFFF, overlong,
                                                                          // cut short
  for (bool attribute : {false, true}) {
    const std::string out = XmlEscape(all, attribute);
    EXPECT_TRUE(IsWellFormedText(out, attribute)) << out;
    EXPECT_THAT(out, Not(HasSubstr("]]>")));
  }
}

TEST(XmlEscapeTest, KeepsValidTextAndShowsControlCharactersAsPythonDoes) {
  EXPECT_EQ(XmlEscape("b'\\x00' ✓ ⌛ \xF0\x9F\x98\x80"), "b&apos;\\x00&apos; ✓ ⌛ \xF0\x9F\x98\x80");
  EXPECT_EQ(XmlEscape(std::string("a\0b\x1b" "c", 5)), "a\\x00b\\x1bc");
  EXPECT_EQ(XmlEscape("a\tb\nc\rd"), "a\tb\nc&#13;d");
  EXPECT_EQ(XmlEscape("a\tb\nc\rd", /*attribute=*/true), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(XmlEscape("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
}

TEST(JUnitXmlTest, HostileCaseIdsAndOutcomesStayWellFormed) {
  json results = ResultsToJson(Sample());
  results["cases"][1]["id"] = "x\"><inject/>\x01";
  results["cases"][1]["results"]["green"]["actual"] = std::string("\0\xFF]]>", 5);
  std::ostringstream out;
  WriteJUnitXml(out, results);
  EXPECT_THAT(out.str(), HasSubstr("name=\"x&quot;&gt;&lt;inject/&gt;\\x01\""));
  EXPECT_THAT(out.str(), HasSubstr("actual:   \\x00\xEF\xBF\xBD]]&gt;"));
  EXPECT_THAT(out.str(), Not(HasSubstr("<inject")));
}

TEST(JUnitXmlTest, EmptyOrForeignJsonStillGivesADocument) {
  std::ostringstream out;
  WriteJUnitXml(out, json::parse(R"({"cases": [{"id": "a.b", "results": {"x": 3}}]})"));
  EXPECT_THAT(out.str(), HasSubstr("<testsuites name=\"sockref conformance\" tests=\"1\""));
  EXPECT_THAT(out.str(), HasSubstr("</testsuites>\n"));
}

}  // namespace
}  // namespace sockref::conformance::report
