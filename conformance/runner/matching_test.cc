// Tests of matching.h and timing_policy.h: which outcomes and durations a step accepts.
#include "conformance/runner/matching.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include <stdlib.h>

#include "conformance/language/case_parser.h"
#include "conformance/runner/timing_policy.h"
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

// ParseOne parses `text` as "t.cases" and returns its only case.
Case ParseOne(const std::string& text) {
  CaseFile file = ParseCaseText("t.cases", text);
  EXPECT_EQ(file.cases.size(), 1u);
  return file.cases.at(0);
}

// Steps wraps step lines in a minimal valid case.
std::string Steps(const std::string& steps) { return "case t.c\n  doc: 001 \"x\"\n" + steps; }

// OnlyStep returns the step `socket.x()` with the given expectation lines.
Step OnlyStep(const std::string& expectation_lines) {
  return ParseOne(Steps("  >>> socket.x()\n" + expectation_lines)).steps.at(0);
}

Outcome ValueOutcome(Value v) {
  Outcome o;
  o.value = std::move(v);
  return o;
}

Outcome Raised(const std::string& type, const std::string& str,
               std::optional<std::string> errno_name = std::nullopt) {
  return OutcomeFromJson({{"raised",
                           {{"type", type},
                            {"str", str},
                            {"errno_name", errno_name ? json(*errno_name) : json(nullptr)}}}});
}

TEST(Matching, ValuesMatchExactlyAndCapturesBind) {
  Step s = OnlyStep("  ('127.0.0.1', $port:int)\n");
  Bindings bindings;
  EXPECT_EQ(MatchOutcome(s, ValueOutcome(Value::Tuple({Value::Str("127.0.0.1"), Value::Str("80")})),
                         bindings),
            "expected ('127.0.0.1', $port:int), got ('127.0.0.1', '80'); the type name is the "
            "mismatch: expected $port:int, got a value of type str: '80'");
  EXPECT_THAT(bindings, IsEmpty());
  EXPECT_EQ(MatchOutcome(s, ValueOutcome(Value::List({Value::Str("127.0.0.1"), Value::Int(80)})),
                         bindings),
            "expected ('127.0.0.1', $port:int), got ['127.0.0.1', 80]");
  EXPECT_EQ(MatchOutcome(s, ValueOutcome(Value::Tuple({Value::Str("127.0.0.1"), Value::Int(80)})),
                         bindings),
            std::nullopt);
  EXPECT_EQ(bindings.at("port"), Value::Int(80));

  Case c = ParseOne(Steps("  >>> f = 1\n  >>> socket.x()\n  ($p, $p)\n  >>> socket.y()\n  $p\n"));
  Bindings b;
  EXPECT_EQ(MatchOutcome(c.steps[1], ValueOutcome(Value::Tuple({Value::Int(1), Value::Int(2)})), b),
            "expected ($p, $p), got (1, 2); the capture is the mismatch: $p is already 1, got 2");
  EXPECT_EQ(MatchOutcome(c.steps[1], ValueOutcome(Value::Tuple({Value::Int(3), Value::Int(3)})), b),
            std::nullopt);
  EXPECT_EQ(MatchOutcome(c.steps[2], ValueOutcome(Value::Int(4)), b),
            "expected $p, got 4; the capture is the mismatch: $p is already 3, got 4");
  EXPECT_EQ(MatchOutcome(c.steps[2], ValueOutcome(Value::Int(3)), b), std::nullopt);
}

// eventlet's accept() returns a GreenSocket, gevent's socket type was once _SocketType: the
// reprs of two sockets differ anyway, so only the note says that the type name failed the step.
TEST(Matching, CaptureTypeMismatchSaysTheTypeNameWasTheMismatch) {
  Step s = OnlyStep("  ($conn:socket, $addr)\n");
  Bindings b;
  std::string note = "stale";
  const Outcome accepted = ValueOutcome(Value::Tuple(
      {Value::Object("_SocketType", "<socket object, fd=5, family=2, type=1, proto=0>"),
       Value::Tuple({Value::Str("127.0.0.1"), Value::Int(5555)})}));
  EXPECT_EQ(MatchOutcome(s, accepted, b, &note),
            "expected ($conn:socket, $addr), got (<socket object, fd=5, family=2, type=1, "
            "proto=0>, ('127.0.0.1', 5555)); the type name is the mismatch: expected "
            "$conn:socket, got a value of type _SocketType: <socket object, fd=5, family=2, "
            "type=1, proto=0>");
  EXPECT_EQ(note,
            "the type name is the mismatch: expected $conn:socket, got a value of type "
            "_SocketType: <socket object, fd=5, family=2, type=1, proto=0>");
  EXPECT_THAT(b, IsEmpty());

  // Any other mismatch leaves the note empty.
  EXPECT_EQ(MatchOutcome(s, ValueOutcome(Value::None()), b, &note),
            "expected ($conn:socket, $addr), got None");
  EXPECT_EQ(note, "");
  EXPECT_EQ(MatchOutcome(s,
                         ValueOutcome(Value::Tuple({Value::Object("socket", "<socket.socket>"),
                                                    Value::None()})),
                         b, &note),
            std::nullopt);
  EXPECT_EQ(note, "");
}

TEST(Matching, FStringPatternsFormatWhatTheCaseCaptured) {
  Case c = ParseOne(Steps(
      "  >>> socket.x()\n  ($fd, $addr, $fam)\n  >>> socket.y()\n"
      "  f'<s fd={fd}, laddr={addr}, {fam}, {addr!r}, {{}}>'\n"));
  Bindings b;
  ASSERT_EQ(MatchOutcome(c.steps[0],
                         ValueOutcome(Value::Tuple({Value::Int(5), Value::Str("/tmp/x"),
                                                    Value::Enum("AddressFamily", "AF_UNIX", 1)})),
                         b),
            std::nullopt);
  EXPECT_EQ(MatchOutcome(c.steps[1],
                         ValueOutcome(Value::Str("<s fd=5, laddr=/tmp/x, 1, '/tmp/x', {}>")), b),
            std::nullopt);
  EXPECT_EQ(MatchOutcome(c.steps[1],
                         ValueOutcome(Value::Str("<s fd=6, laddr=/tmp/x, 1, '/tmp/x', {}>")), b),
            "expected f'<s fd={fd}, laddr={addr}, {fam}, {addr!r}, {{}}>', got "
            "\"<s fd=6, laddr=/tmp/x, 1, '/tmp/x', {}>\"");
  // Only a str matches, and only once its fields are bound.
  EXPECT_NE(MatchOutcome(c.steps[1], ValueOutcome(Value::Bytes("<s>")), b), std::nullopt);
  Bindings empty;
  EXPECT_NE(MatchOutcome(c.steps[1], ValueOutcome(Value::Str("<s fd=, laddr=, , '', {}>")), empty),
            std::nullopt);
  // An enum member's name and value, as Python 3.6-3.10 print str() of one.
  Case e = ParseOne(Steps("  >>> socket.x()\n  $fam\n  >>> socket.y()\n"
                          "  f'AddressFamily.{fam.name}={fam.value}'\n"));
  Bindings eb;
  ASSERT_EQ(MatchOutcome(e.steps[0], ValueOutcome(Value::Enum("AddressFamily", "AF_UNIX", 1)), eb),
            std::nullopt);
  EXPECT_EQ(MatchOutcome(e.steps[1], ValueOutcome(Value::Str("AddressFamily.AF_UNIX=1")), eb),
            std::nullopt);
  Bindings not_enum = {{"fam", Value::Int(1)}};  // .name of a plain int: nothing matches
  EXPECT_NE(MatchOutcome(e.steps[1], ValueOutcome(Value::Str("AddressFamily.=1")), not_enum),
            std::nullopt);
}

TEST(Matching, DefaultExpectations) {
  Case c = ParseOne(Steps("  >>> s = socket.socket()\n  >>> s.close()\n"));
  Bindings b;
  EXPECT_EQ(MatchOutcome(c.steps[0], ValueOutcome(Value::Object("socket", "<s>")), b),
            std::nullopt);
  EXPECT_EQ(MatchOutcome(c.steps[0], Raised("OSError", "[Errno 24] Too many open files"), b),
            "expected success, got OSError: [Errno 24] Too many open files");
  EXPECT_EQ(MatchOutcome(c.steps[1], ValueOutcome(Value::None()), b), std::nullopt);
  EXPECT_EQ(MatchOutcome(c.steps[1], ValueOutcome(Value::Int(0)), b), "expected None, got 0");
}

TEST(Matching, ExceptionsByMessageErrnoAndAlternatives) {
  Step s = OnlyStep("  TimeoutError: timed out\n  | BlockingIOError(errno=EWOULDBLOCK)\n");
  Bindings b;
  EXPECT_EQ(MatchOutcome(s, Raised("TimeoutError", "timed out"), b), std::nullopt);
  EXPECT_EQ(MatchOutcome(s, Raised("BlockingIOError", "[Errno 11] x", "EAGAIN"), b), std::nullopt);
  EXPECT_EQ(MatchOutcome(s, Raised("socket.timeout", "timed out"), b),
            "expected TimeoutError: timed out or BlockingIOError(errno=EWOULDBLOCK), got "
            "socket.timeout: timed out");
  EXPECT_EQ(MatchOutcome(s, Raised("BlockingIOError", "[Errno 4] x", "EINTR"), b),
            "expected TimeoutError: timed out or BlockingIOError(errno=EWOULDBLOCK), got "
            "BlockingIOError: [Errno 4] x (errno EINTR)");
  EXPECT_EQ(MatchOutcome(s, ValueOutcome(Value::None()), b),
            "expected TimeoutError: timed out or BlockingIOError(errno=EWOULDBLOCK), got None");
  Step bare = OnlyStep("  StopIteration\n");
  EXPECT_EQ(MatchOutcome(bare, Raised("StopIteration", ""), b), std::nullopt);
  EXPECT_EQ(MatchOutcome(bare, Raised("StopIteration", "x"), b),
            "expected StopIteration, got StopIteration: x");
}

TEST(Matching, UnsupportedNeverMatches) {
  Outcome u;
  u.kind = Outcome::Kind::kUnsupported;
  u.unsupported = "module 'socket' has no attribute 'x'";
  Bindings b;
  Case c = ParseOne(Steps("  >>> s = socket.x()\n"));
  EXPECT_EQ(MatchOutcome(c.steps[0], u, b),
            "expected success, but the implementation does not support the step (module 'socket' "
            "has no attribute 'x')");
}

TEST(Timing, ToleranceFollowsThePolicy) {
  Timing about{Timing::Kind::kAbout, 0.1, 1};
  EXPECT_EQ(MatchElapsed(about, 0.095, 1), std::nullopt);
  EXPECT_EQ(MatchElapsed(about, 0.15, 1), std::nullopt);
  EXPECT_EQ(MatchElapsed(about, 0.094, 1),
            "took 0.094 s, expected about 0.100 s (0.095 s to 0.150 s)");
  EXPECT_EQ(MatchElapsed(about, 0.151, 1),
            "took 0.151 s, expected about 0.100 s (0.095 s to 0.150 s)");
  EXPECT_EQ(MatchElapsed(about, 0.25, 3), std::nullopt);       // 0.1 + 0.05 * 3
  EXPECT_EQ(MatchElapsed(about, 0.094, 3).has_value(), true);  // never early, whatever M
  Timing two{Timing::Kind::kAbout, 2, 1};
  EXPECT_EQ(MatchElapsed(two, 2.99, 1), std::nullopt);  // 50 % of the interval
  EXPECT_TRUE(MatchElapsed(two, 3.01, 1).has_value());
  Timing below{Timing::Kind::kBelow, 0.05, 1};
  EXPECT_EQ(MatchElapsed(below, 0.049, 1), std::nullopt);
  EXPECT_EQ(MatchElapsed(below, 0.05, 1), "took 0.050 s, expected less than 0.050 s");
  EXPECT_EQ(MatchElapsed(below, 0.09, 2), std::nullopt);
}

// A step woken by a background action that started its delay `lead` seconds before the step's
// own clock is due T - lead after its start: the lower bound moves, the upper one does not.
TEST(Timing, LeadOfAPendingBackgroundActionLowersOnlyTheLowerBound) {
  Timing woken{Timing::Kind::kAbout, 0.05, 1};
  // Under load: the runner took 20 ms between sending `after 0.05: ...` and the step.
  ASSERT_EQ(MatchElapsed(woken, 0.031, 1),
            "took 0.031 s, expected about 0.050 s (0.045 s to 0.100 s)");
  EXPECT_EQ(MatchElapsed(woken, 0.031, 1, 0.02), std::nullopt);
  EXPECT_EQ(MatchElapsed(woken, 0.026, 1, 0.02), std::nullopt);  // just above T - lead - slack
  // A genuinely early return still fails: woken 20 ms early on top of the lead.
  EXPECT_EQ(MatchElapsed(woken, 0.01, 1, 0.02),
            "took 0.010 s, expected about 0.050 s (0.025 s to 0.100 s, a background action "
            "having started its delay 0.020 s earlier)");
  EXPECT_TRUE(MatchElapsed(woken, 0.101, 1, 0.02).has_value());    // the upper bound is unchanged
  EXPECT_EQ(MatchElapsed(woken, 0.031, 1, -1).has_value(), true);  // a negative lead is none
  Timing below{Timing::Kind::kBelow, 0.05, 1};
  EXPECT_TRUE(MatchElapsed(below, 0.05, 1, 0.02).has_value());
}

TEST(Timing, MultiplierComesFromTheEnvironment) {
  unsetenv("SOCKREF_TIME_MULTIPLIER");
  EXPECT_EQ(TimeMultiplierFromEnv(), 1);
  setenv("SOCKREF_TIME_MULTIPLIER", "2.5", 1);
  EXPECT_EQ(TimeMultiplierFromEnv(), 2.5);
  for (const char* bad : {"0", "-1", "fast", "2x", "inf", "nan", "1e300", "1001"}) {
    setenv("SOCKREF_TIME_MULTIPLIER", bad, 1);
    EXPECT_THROW(TimeMultiplierFromEnv(), std::invalid_argument) << bad;
  }
  unsetenv("SOCKREF_TIME_MULTIPLIER");
}

}  // namespace
}  // namespace sockref::conformance
