#include "conformance/report/matrix/matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "conformance/report/matrix/html.h"
#include "conformance/report/matrix/markdown.h"

namespace sockref::conformance::matrix {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// Results as ResultsToJson writes them: two areas, the oracle and two others, with one pass,
// one known failure, one new failure, one unsupported step and one missing capability.
json SampleResults() {
  return json::parse(R"json({
    "wall_seconds": 12.5, "multiplier": 2, "oracle": "cpython", "failures": 1,
    "implementations": [
      {"name": "cpython", "oracle": true, "available": true, "drivers": 2, "restarts": 0,
       "hello": {"implementation": "CPython", "version": "3.11.7", "module": "socket",
                 "interpreter": "/usr/bin/python3", "concurrency": "threads"}},
      {"name": "green", "oracle": false, "available": true, "drivers": 1, "restarts": 1,
       "description": "a green | library",
       "hello": {"implementation": "CPython", "version": "3.11.2", "module": "green.socket",
                 "module_version": "1.0"}},
      {"name": "gone", "oracle": false, "available": false, "hello": null,
       "unavailable_reason": "cannot run gone: No such file or directory"}
    ],
    "cases": [
      {"id": "byteorder.htons.big", "area": "byteorder",
       "file": "conformance/cases/byteorder.cases",
       "line": 42, "divergence_note": null, "results": {
        "cpython": {"verdict": "pass", "expectation": "not listed", "agrees": null},
        "green": {"verdict": "fail", "expectation": "as listed", "agrees": false,
                  "counts_as_failure": false, "step": "step 1", "line": 44,
                  "source": "htons(65536)", "expected": "OverflowError: a | b (as CPython does)",
                  "actual": "0", "signature": "fail@1: 0"},
        "gone": {"verdict": "unavailable", "expectation": "not listed",
                 "detail": "cannot run gone"}}},
      {"id": "accept.family.inet", "area": "accept", "file": "conformance/cases/accept.cases",
       "line": 243, "divergence_note": null, "results": {
        "cpython": {"verdict": "pass", "expectation": "not listed"},
        "green": {"verdict": "fail", "expectation": "not listed", "agrees": false,
                  "counts_as_failure": true, "step": "step 8", "line": 255,
                  "source": "conn.family", "expected": "<AddressFamily.AF_INET: 2>",
                  "actual": "2", "signature": "fail@8: 2"},
        "gone": {"verdict": "unavailable", "expectation": "not listed"}}},
      {"id": "accept.msgflag.exists", "area": "accept", "file": "conformance/cases/accept.cases",
       "line": 300, "divergence_note": "the docs say otherwise", "results": {
        "cpython": {"verdict": "divergence", "expectation": "not listed", "step": "step 1",
                    "line": 301, "source": "MsgFlag", "expected": "documented <x>",
                    "actual": "CPython <y>"},
        "green": {"verdict": "unsupported", "expectation": "not listed", "step": "step 1",
                  "actual": "unsupported: module 'green.socket' has no attribute 'MsgFlag'"},
        "gone": {"verdict": "unavailable", "expectation": "not listed"}}},
      {"id": "accept.inet6.works", "area": "accept", "file": "conformance/cases/accept.cases",
       "line": 310, "divergence_note": null, "results": {
        "cpython": {"verdict": "pass", "expectation": "not listed"},
        "green": {"verdict": "unsupported", "expectation": "not listed",
                  "detail": "lacks AF_INET6"},
        "gone": {"verdict": "unavailable", "expectation": "not listed"}}}
    ],
    "stale_expectations": {"green": ["accept.renamed"]}
  })json");
}

TEST(MatrixFromResultsTest, KeepsColumnsInRunOrderAndAreasSorted) {
  Matrix m = MatrixFromResults(SampleResults());
  ASSERT_EQ(m.columns.size(), 3u);
  EXPECT_EQ(m.columns[0].name, "cpython");
  EXPECT_TRUE(m.columns[0].oracle);
  EXPECT_EQ(m.columns[1].module_version, "1.0");
  EXPECT_EQ(m.columns[1].restarts, 1);
  EXPECT_FALSE(m.columns[2].available);
  EXPECT_EQ(m.oracle, "cpython");
  ASSERT_EQ(m.areas.size(), 2u);
  EXPECT_EQ(m.areas[0].name, "accept");
  EXPECT_EQ(m.areas[0].rows[0].id, "accept.family.inet");  // table order within an area
  EXPECT_EQ(m.areas[1].name, "byteorder");
  EXPECT_EQ(m.CaseCount(), 4);
  EXPECT_EQ(m.Column("green"), 1);
  EXPECT_EQ(m.Column("nonesuch"), -1);
  EXPECT_EQ(m.stale_expectations.at("green"), std::vector<std::string>{"accept.renamed"});
}

TEST(MatrixFromResultsTest, CountsUnsupportedApartFromPasses) {
  Matrix m = MatrixFromResults(SampleResults());
  const MatrixTotals& green = m.totals[1];
  EXPECT_EQ(green.cases, 4);
  EXPECT_EQ(green.Count("pass"), 0);
  EXPECT_EQ(green.Count("fail"), 2);
  EXPECT_EQ(green.Count("unsupported"), 2);
  EXPECT_EQ(green.listed, 1);
  EXPECT_EQ(green.failures, 1);
  EXPECT_EQ(green.disagree, 2);
  EXPECT_EQ(m.totals[2].Count("unavailable"), 4);
  EXPECT_EQ(m.totals[0].Count("divergence"), 1);
  EXPECT_EQ(m.areas[0].totals[1].Count("unsupported"), 2);
}

TEST(MatrixFromResultsTest, CellKeepsTheFirstDifferingStep) {
  Matrix m = MatrixFromResults(SampleResults());
  const MatrixCell& c = m.areas[1].rows[0].cells[1];
  EXPECT_EQ(c.verdict, "fail");
  EXPECT_TRUE(c.Listed());
  EXPECT_TRUE(c.Diverges());
  EXPECT_EQ(c.step, "step 1");
  EXPECT_EQ(c.line, 44);
  EXPECT_EQ(c.source, "htons(65536)");
  EXPECT_EQ(c.actual, "0");
  EXPECT_FALSE(m.areas[0].rows[2].cells[1].Diverges());  // unsupported is not a divergence
  EXPECT_TRUE(m.areas[0].rows[1].cells[0].Diverges());   // the oracle's divergence is
}

// The published page must not show where the generating machine keeps its interpreters.
TEST(MatrixFromResultsTest, NamesInterpretersWithoutTheirDirectories) {
  json r = SampleResults();
  r["implementations"][1]["hello"]["interpreter"] =
      "/root/.cache/bazel/_bazel_root/835/execroot/sockref/bazel-out/k8-fastbuild/bin/"
      "conformance/report/matrix/matrix_cli";
  Matrix m = MatrixFromResults(r);
  r["implementations"][0]["hello"]["interpreter"] = "/root/.pyenv/versions/3.11.7/bin/python3";
  Matrix m2 = MatrixFromResults(r);
  EXPECT_EQ(m.columns[1].interpreter, "matrix_cli");
  EXPECT_EQ(m.columns[0].interpreter, "python3");
  EXPECT_EQ(m2.columns[0].interpreter, "python3");
}

TEST(MatrixFromResultsTest, MissingResultIsUnavailable) {
  json r = SampleResults();
  r["cases"][0]["results"].erase("gone");
  Matrix m = MatrixFromResults(r);
  EXPECT_EQ(m.areas[1].rows[0].cells[2].verdict, "unavailable");
}

// Every verdict the runner gives is a cell: n/a (a case of no behaviour at the implementation's
// version, or one this machine cannot run) and not run, with their own marks and counts.
TEST(MatrixFromResultsTest, NotApplicableAndNotRunAreCells) {
  json r = SampleResults();
  r["cases"][1]["results"]["green"]["verdict"] = "n/a";
  r["cases"][1]["results"]["green"]["counts_as_failure"] = false;
  r["cases"][0]["results"]["green"]["verdict"] = "not run";
  const Matrix m = MatrixFromResults(r);
  EXPECT_EQ(m.totals[1].Count("n/a"), 1);
  EXPECT_EQ(m.totals[1].Count("not run"), 1);
  EXPECT_STREQ(VerdictSymbol("n/a"), "∘");
  EXPECT_EQ(VerdictToken("n/a"), "na");
  EXPECT_EQ(VerdictToken("not run"), "notrun");
  std::ostringstream page_out;
  WriteHtmlMatrix(page_out, m);
  const std::string page = page_out.str();
  EXPECT_THAT(page, HasSubstr("data-verdicts=\"pass notrun"));
  EXPECT_THAT(page, HasSubstr("class=\"v v-na\""));
}

TEST(MatrixFromResultsTest, RejectsMalformedResults) {
  EXPECT_THROW(MatrixFromResults(json::array()), MatrixError);
  json r = SampleResults();
  r.erase("cases");
  EXPECT_THROW(MatrixFromResults(r), MatrixError);
  r = SampleResults();
  r["cases"][1]["results"]["green"]["verdict"] = "great";
  try {
    MatrixFromResults(r);
    FAIL() << "no MatrixError";
  } catch (const MatrixError& e) {
    EXPECT_STREQ(e.what(), "cases[1].results.green: unknown verdict 'great'");
  }
}

TEST(ShortenTest, CutsLongTextOnACharacterBoundary) {
  EXPECT_EQ(Shorten("a\nb"), "a b");
  EXPECT_EQ(Shorten("abcdef", 3), "abc…");
  EXPECT_EQ(Shorten("ab✓", 3), "ab…");  // ✓ is three bytes: never cut inside it
}

std::string Markdown(const Matrix& m, const PageOptions& options = {}) {
  std::ostringstream out;
  WriteMarkdownMatrix(out, m, options);
  return out.str();
}

TEST(MarkdownTest, HasEverySectionAndTheTotals) {
  Matrix m = MatrixFromResults(SampleResults());
  m.command = "bazel run //conformance:matrix -- --impl cpython";
  m.date = "2025-01-02";
  const std::string md = Markdown(m);
  for (const char* heading :
       {"# sockref conformance matrix", "## Implementations", "## Totals\n", "## Totals by area",
        "## The matrix", "### accept (3 cases)", "### byteorder (1 cases)", "## Divergences",
        "### Divergences: accept", "## Unsupported", "## Stale expectation lines"}) {
    EXPECT_THAT(md, HasSubstr(heading));
  }
  EXPECT_THAT(md, HasSubstr("Generated by `bazel run //conformance:matrix -- --impl cpython` on "
                            "2025-01-02; wall time 12 s, `SOCKREF_TIME_MULTIPLIER` 2."));
  // green: 0 pass, 2 fail, 0 crash, 0 hang, 2 unsupported; 0 of 2 agree; 1 known; 0 unexpected.
  EXPECT_THAT(md, HasSubstr("| **green** | 4 | 0 | 2 | 0 | 0 | 2 | 0 | 0 | 0 | 0 | 0 | 0 of 2 | 1 | 0 |"));
  EXPECT_THAT(md, HasSubstr("| [accept](#accept-3-cases) | 3 | 2 ✓ 1 ≠ |"));
}

TEST(MarkdownTest, MarksCellsByVerdictAndExpectation) {
  const std::string md = Markdown(MatrixFromResults(SampleResults()));
  EXPECT_THAT(md,
              HasSubstr("| `byteorder.htons.big` | byteorder.cases:42 | ✓ | ✗ fail @1 (known) | "
                        "· unavailable |"));
  EXPECT_THAT(md, HasSubstr("| `accept.inet6.works` | accept.cases:310 | ✓ | – unsupported | "));
  EXPECT_THAT(md, Not(HasSubstr("– unsupported @")));
}

TEST(MarkdownTest, ListsDivergencesWithBothOutcomesAndEscapesPipes) {
  const std::string md = Markdown(MatrixFromResults(SampleResults()));
  EXPECT_THAT(md, HasSubstr("| `byteorder.htons.big` byteorder.cases:42 | green | ✗ fail @1 "
                            "(known) | step 1, line 44 | `htons(65536)` | `OverflowError: a \\| "
                            "b (as CPython does)` | `0` |"));
  EXPECT_THAT(md, HasSubstr("| a green \\| library |"));
  EXPECT_THAT(md, HasSubstr("| `accept.inet6.works` | green | lacks AF_INET6 |"));
}

TEST(MarkdownTest, LinksCaseFilesWithThePrefix) {
  const std::string md = Markdown(MatrixFromResults(SampleResults()), {"../"});
  EXPECT_THAT(md, HasSubstr("[accept.cases:243](../conformance/cases/accept.cases#L243)"));
}

TEST(MarkdownTest, CodeSpansSurviveBackticks) {
  json r = SampleResults();
  r["cases"][0]["results"]["green"]["actual"] = "a`b";
  const std::string md = Markdown(MatrixFromResults(r));
  EXPECT_THAT(md, HasSubstr("``a`b``"));
}

std::string Html(const Matrix& m) {
  std::ostringstream out;
  WriteHtmlMatrix(out, m, {"../"});
  return out.str();
}

TEST(HtmlTest, IsOneSelfContainedPage) {
  const std::string html = Html(MatrixFromResults(SampleResults()));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("<script>"));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
  // Nothing is fetched: no external scripts, stylesheets, images or fonts.
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
}

TEST(HtmlTest, HasFiltersAndOneRowPerCase) {
  const std::string html = Html(MatrixFromResults(SampleResults()));
  for (const char* id : {"f-area", "f-impl", "f-verdict", "f-differ", "f-text"}) {
    EXPECT_THAT(html, HasSubstr(std::string("id=\"") + id + "\""));
  }
  EXPECT_THAT(html, HasSubstr("<option>accept</option><option>byteorder</option>"));
  EXPECT_THAT(html, HasSubstr("<option value=\"unsupported\">unsupported</option>"));
  EXPECT_THAT(html, HasSubstr("data-id=\"byteorder.htons.big\" data-verdicts=\"pass fail "
                              "unavailable\""));
  EXPECT_THAT(html, HasSubstr("data-id=\"accept.inet6.works\" data-verdicts=\"pass unsupported "
                              "unavailable\""));
  EXPECT_THAT(html, HasSubstr("<tbody data-area=\"accept\">"));
}

TEST(HtmlTest, CellOpensToBothOutcomes) {
  const std::string html = Html(MatrixFromResults(SampleResults()));
  EXPECT_THAT(html, HasSubstr("<td class=\"v v-fail\"><details><summary>✗ fail @8</summary><dl>"
                              "<dt>step 8, line 255</dt><dd><code>conn.family</code></dd>"
                              "<dt>expected</dt><dd><code>&lt;AddressFamily.AF_INET: 2&gt;"
                              "</code></dd><dt>actual</dt><dd><code>2</code></dd>"
                              "<dt>expectations line</dt><dd><code>fail@8: 2</code></dd></dl>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"v v-unsupported\"><details><summary>– unsupported"
                              "</summary><dl><dt>detail</dt><dd>lacks AF_INET6</dd></dl>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"v v-pass\">✓ pass</td>"));
}

// The page shows the table's version history (version_history --json), grouped by version.
TEST(HtmlTest, ShowsTheVersionHistoryGroupedByVersion) {
  Matrix m = MatrixFromResults(SampleResults());
  EXPECT_THAT(Html(m), Not(HasSubstr("What changed, when")));
  m.history = HistoryFromJson(nlohmann::json::parse(R"json([
    {"version": "3.10", "case": "timeouts.t", "where": "t.cases:3", "step": "a.recv(1)",
     "before": "socket.timeout: timed out", "after": "TimeoutError: timed out"},
    {"version": "3.10", "case": "b.h", "where": "b.cases:9", "step": "htons(65536)",
     "before": "0", "after": "OverflowError: x"},
    {"version": "3.12", "case": "t.s", "where": "t.cases:7", "step": "s.setblocking(None)",
     "before": "TypeError: y", "after": "None"}])json"));
  const std::string html = Html(m);
  EXPECT_THAT(html, HasSubstr("<h2 id=\"history\">What changed, when"));
  EXPECT_THAT(html, HasSubstr("<h3>Python 3.10</h3>"));
  EXPECT_THAT(html, HasSubstr("<td><code>socket.timeout: timed out</code></td><td><code>"
                              "TimeoutError: timed out</code></td>"));
  EXPECT_THAT(html, HasSubstr("<h3>Python 3.12</h3>"));
  EXPECT_THROW(HistoryFromJson(nlohmann::json::parse(R"([{"case": "x"}])")), MatrixError);
}

TEST(HtmlTest, EscapesEverythingItQuotes) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  json r = SampleResults();
  r["cases"][0]["results"]["green"]["actual"] = "</script><script>alert(1)</script>";
  const std::string html = Html(MatrixFromResults(r));
  EXPECT_THAT(html, Not(HasSubstr("<script>alert(1)")));
  EXPECT_THAT(html, HasSubstr("&lt;/script&gt;&lt;script&gt;alert(1)"));
}

TEST(HtmlTest, ShowsUnavailableImplementationsWithTheReason) {
  const std::string html = Html(MatrixFromResults(SampleResults()));
  EXPECT_THAT(html, HasSubstr("unavailable: cannot run gone: No such file or directory"));
}

}  // namespace
}  // namespace sockref::conformance::matrix
