// Tests of expectations files: parsing, signatures, and how verdicts relate to entries.
#include "conformance/runner/expectations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {
namespace {

using ::testing::ElementsAre;

std::string ParseError(const std::string& text) {
  try {
    Expectations::Parse("pypy3.txt", text);
  } catch (const ExpectationsError& e) {
    return e.what();
  }
  return "parsed";
}

Verdict Failed(VerdictKind kind, int step, std::string actual) {
  Difference d;
  d.step = step;
  d.actual = std::move(actual);
  return {kind, d, ""};
}

const Expectations kFile = Expectations::Parse("pypy3.txt",
                                               "# PyPy words this differently.\n"
                                               "\n"
                                               "a.exact fail@2: OSError: bad\n"
                                               "a.where_only  hang@end\n"
                                               "a.kind_only unsupported\n");

TEST(ExpectationsTest, ParsesEntriesSkippingCommentsAndBlankLines) {
  EXPECT_EQ(kFile.size(), 3u);
  const KnownFailure* k = kFile.Find("a.exact");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->kind, VerdictKind::kFail);
  EXPECT_EQ(k->where, "2");
  EXPECT_EQ(k->actual, "OSError: bad");
  EXPECT_EQ(k->line, 3);
  EXPECT_EQ(kFile.Find("a.where_only")->actual, std::nullopt);
  EXPECT_EQ(kFile.Find("a.kind_only")->where, std::nullopt);
  EXPECT_EQ(kFile.Find("a.absent"), nullptr);
}

TEST(ExpectationsTest, MalformedLinesSayWhereAndWhat) {
  EXPECT_EQ(ParseError("a.b\n"), "pypy3.txt:1: expected '<case id> <verdict>', got 'a.b'");
  EXPECT_EQ(ParseError("\na.b pass\n"),
            "pypy3.txt:2: unknown verdict 'pass' (expected fail, crash, hang, unsupported, "
            "divergence or unstable)");
  EXPECT_EQ(ParseError("a.b fail@0\n"),
            "pypy3.txt:1: expected a step number, 'begin' or 'end' after '@', got '0'");
  EXPECT_EQ(ParseError("a.b fail@x: y\n"),
            "pypy3.txt:1: expected a step number, 'begin' or 'end' after '@', got 'x'");
  EXPECT_EQ(ParseError("a.b fail\na.b crash\n"),
            "pypy3.txt:2: case a.b is already listed on line 1");
}

TEST(ExpectationsTest, MatchRelatesVerdictsToEntries) {
  EXPECT_EQ(kFile.Match("a.exact", Failed(VerdictKind::kFail, 2, "OSError: bad"), 3),
            ExpectationMatch::kAsListed);
  EXPECT_EQ(kFile.Match("a.exact", Failed(VerdictKind::kFail, 2, "OSError: other"), 3),
            ExpectationMatch::kDifferently);
  EXPECT_EQ(kFile.Match("a.exact", Failed(VerdictKind::kFail, 1, "OSError: bad"), 3),
            ExpectationMatch::kDifferently);
  EXPECT_EQ(kFile.Match("a.exact", Failed(VerdictKind::kCrash, 2, "OSError: bad"), 3),
            ExpectationMatch::kDifferently);
  EXPECT_EQ(kFile.Match("a.exact", Verdict{}, 3), ExpectationMatch::kUnexpectedPass);
  EXPECT_EQ(kFile.Match("a.where_only", Failed(VerdictKind::kHang, 4, "anything"), 3),
            ExpectationMatch::kAsListed);
  EXPECT_EQ(kFile.Match("a.kind_only", Verdict{VerdictKind::kUnsupported, {}, "lacks X"}, 3),
            ExpectationMatch::kAsListed);
  EXPECT_EQ(kFile.Match("a.other", Failed(VerdictKind::kFail, 1, "x"), 3),
            ExpectationMatch::kNotListed);
}

TEST(ExpectationsTest, SignatureIsWhatALineSays) {
  EXPECT_EQ(Signature(Failed(VerdictKind::kFail, 2, "OSError: bad"), 3), "fail@2: OSError: bad");
  EXPECT_EQ(Signature(Failed(VerdictKind::kFail, 4, "1 descriptor left open"), 3),
            "fail@end: 1 descriptor left open");
  // Crash details carry pids and stderr: where is enough.
  EXPECT_EQ(Signature(Failed(VerdictKind::kCrash, 0, "crash: exited\nTraceback"), 3),
            "crash@begin");
  EXPECT_EQ(Signature(Verdict{VerdictKind::kUnsupported, {}, "lacks X"}, 3), "unsupported");
  EXPECT_EQ(Signature(Failed(VerdictKind::kFail, 1, "b'a\\nb'\nx"), 3), "fail@1: b'a\\nb' x");
}

TEST(ExpectationsTest, SignatureLinesParseBackAndMatch) {
  Verdict v = Failed(VerdictKind::kFail, 2, "ValueError: x: y");
  Expectations e = Expectations::Parse("f", "a.b " + Signature(v, 5) + "\n");
  EXPECT_EQ(e.Match("a.b", v, 5), ExpectationMatch::kAsListed);
}

TEST(ExpectationsTest, UnknownListsEntriesForCasesThatNoLongerExist) {
  Case c;
  c.id = "a.exact";
  std::vector<std::string> ids;
  for (const KnownFailure& k : kFile.Unknown({c})) ids.push_back(k.case_id);
  EXPECT_THAT(ids, ElementsAre("a.kind_only", "a.where_only"));
}

TEST(ExpectationsTest, MissingFileHasNoEntries) {
  EXPECT_EQ(Expectations::Load("/nonexistent/sockref/none.txt").size(), 0u);
}

}  // namespace
}  // namespace sockref::conformance::runner
