// Tests of the case language parser (case_parser.h): statements, expectations, malformed input
// and whole tables. Statements are checked through their protocol encoding (ast_codec.h).
#include "conformance/language/case_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/case_at_version.h"
#include "conformance/language/doc_refs.h"
#include "conformance/language/python_names.h"
#include "conformance/language/socket_kinds.h"
#include "conformance/language/value.h"
#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/exec_request.h"
#include "conformance/protocol/value_codec.h"

namespace sockref::conformance {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

// ParseError returns what() of the CaseParseError that parsing `text` as "t.cases" raises, or
// "parsed" when it parses.
std::string ParseError(const std::string& text) {
  try {
    ParseCaseText("t.cases", text);
  } catch (const CaseParseError& e) {
    return e.what();
  }
  return "parsed";
}

// ParseOne parses `text` as "t.cases" and returns its only case.
Case ParseOne(const std::string& text) {
  CaseFile file = ParseCaseText("t.cases", text);
  EXPECT_EQ(file.cases.size(), 1u);
  return file.cases.at(0);
}

// Steps wraps step lines in a minimal valid case.
std::string Steps(const std::string& steps) { return "case t.c\n  doc: 001 \"x\"\n" + steps; }

// Repeat returns `n` copies of `unit`.
std::string Repeat(const std::string& unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

// StmtJson parses one step and returns its statement's JSON.
json StmtJson(const std::string& statement) {
  return StatementToJson(ParseOne(Steps("  >>> " + statement + "\n")).steps.at(0).statement);
}

json Lit(json v) { return {{"lit", v}}; }
json Name(const std::string& n) { return {{"name", n}}; }
json Attr(json e, const std::string& a) { return {{"attr", {e, a}}}; }
json Sock(const std::string& a) { return Attr(Name("socket"), a); }
// args is a vector, not a json: `json args = {x}` is an array under g++ but a copy of
// x under clang (CWG 2137), and the sanitizer builds use clang.
json Call(json f, std::vector<json> args, json kwargs = json::object()) {
  return {{"call", f}, {"args", json(std::move(args))}, {"kwargs", kwargs}};
}
json ExprStmt(json e) { return {{"assign", nullptr}, {"expr", e}}; }

// ---------------------------------------------------------------------------------------------
// The language as CASES.md shows it
// ---------------------------------------------------------------------------------------------

constexpr char kDesignExample[] = R"(# comment
case t.aton.two_part_shorthand
  doc: 002 "also accepts strings with less than three dots"
  >>> inet_aton("1.2")
  b'\x01\x00\x00\x02'

case t.close.operations_fail_after
  doc: 003 "All future operations on the socket object will fail."
  needs: AF_INET6, SCM_RIGHTS
  divergence: fileno() returns -1 instead of failing.
  >>> s = socket.socket(AF_INET, SOCK_STREAM)
  >>> s.close()
  >>> s.fileno()
  -1
  >>> s.recv(1)
  OSError: [Errno 9] Bad file descriptor

case t.recv.times_out
  doc: 002 "If a non-zero value is given"
  >>> a, b = socketpair()
  >>> a.settimeout(0.1)
  >>> a.recv(1)
  TimeoutError: timed out
  elapsed: 0.1
  after 0.05: b.send(b"x")       # background action for a peer
  >>> a.recv(1)
  b'x'
  elapsed: 0.05
)";

TEST(CaseLanguage, ParsesTheDesignExample) {
  CaseFile file = ParseCaseText("conformance/cases/t.cases", kDesignExample);
  EXPECT_EQ(file.area, "t");
  ASSERT_EQ(file.cases.size(), 3u);

  const Case& aton = file.cases[0];
  EXPECT_EQ(aton.id, "t.aton.two_part_shorthand");
  EXPECT_EQ(aton.file, "conformance/cases/t.cases");
  EXPECT_EQ(aton.line, 2);
  ASSERT_EQ(aton.docs.size(), 1u);
  EXPECT_EQ(aton.docs[0].seed, "002");
  EXPECT_EQ(aton.docs[0].fragment, "also accepts strings with less than three dots");
  EXPECT_EQ(aton.docs[0].line, 3);
  ASSERT_EQ(aton.steps.size(), 1u);
  EXPECT_EQ(aton.steps[0].source, "inet_aton(\"1.2\")");
  EXPECT_EQ(aton.steps[0].line, 4);
  ASSERT_EQ(aton.steps[0].expected.size(), 1u);
  EXPECT_EQ(aton.steps[0].expected[0].value.value, Value::Bytes(std::string("\x01\0\0\x02", 4)));

  const Case& close = file.cases[1];
  EXPECT_THAT(close.needs, ElementsAre("AF_INET6", "SCM_RIGHTS"));
  EXPECT_EQ(close.divergence, "fileno() returns -1 instead of failing.");
  ASSERT_EQ(close.steps.size(), 4u);
  EXPECT_THAT(close.steps[0].statement.targets, ElementsAre("s"));
  EXPECT_THAT(close.steps[0].expected, IsEmpty());  // an assignment accepts any value
  ASSERT_EQ(close.steps[1].expected.size(), 1u);    // doctest: no output means None
  EXPECT_EQ(close.steps[1].expected[0].value.value, Value::None());
  EXPECT_EQ(close.steps[2].expected[0].value.value, Value::Int(-1));
  const Expected& ebadf = close.steps[3].expected[0];
  EXPECT_EQ(ebadf.kind, Expected::Kind::kRaised);
  EXPECT_EQ(ebadf.exception, "OSError");
  EXPECT_THAT(ebadf.message, Optional(std::string("[Errno 9] Bad file descriptor")));
  EXPECT_EQ(ebadf.errno_name, std::nullopt);

  const Case& timeout = file.cases[2];
  ASSERT_EQ(timeout.steps.size(), 5u);
  EXPECT_THAT(timeout.steps[0].statement.targets, ElementsAre("a", "b"));
  ASSERT_TRUE(timeout.steps[2].elapsed.has_value());
  EXPECT_EQ(timeout.steps[2].elapsed->kind, Timing::Kind::kAbout);
  EXPECT_DOUBLE_EQ(timeout.steps[2].elapsed->seconds, 0.1);
  const Step& after = timeout.steps[3];
  EXPECT_THAT(after.background_delay, Optional(0.05));
  EXPECT_EQ(after.source, "b.send(b\"x\")");  // without the comment
  EXPECT_THAT(after.expected, IsEmpty());
  EXPECT_EQ(timeout.steps[4].expected[0].value.value, Value::Bytes("x"));
}

TEST(CaseLanguage, ExampleCaseFilesParse) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator("conformance/cases")) {
    std::string name = entry.path().filename().string();
    if (name.rfind("example_", 0) == 0) paths.push_back(entry.path().string());
  }
  ASSERT_GE(paths.size(), 3u);
  std::vector<Case> cases = ParseCaseFiles(paths);
  EXPECT_GE(cases.size(), 8u);
}

// The doc: fragments are checked against the seed documents, which live outside the repository
// (../shared/seeds beside the workspace, or $SOCKREF_SEEDS_DIR). Without them there is nothing
// to check against, and the test says so instead of passing silently.
TEST(CaseLanguage, CaseFilesCiteSentencesOfTheirSeedDocuments) {
  std::string seeds;
  if (const char* env = std::getenv("SOCKREF_SEEDS_DIR"); env != nullptr && *env != '\0') {
    seeds = env;
  } else {
    // Runfiles are symlinks into the source tree: follow one back to the workspace.
    std::error_code ec;
    fs::path source = fs::canonical("conformance/cases/example_inet.cases", ec);
    if (!ec) seeds = (source.parent_path() / "../../../shared/seeds").lexically_normal().string();
  }
  if (seeds.empty() || !fs::is_directory(seeds)) {
    GTEST_SKIP() << "seed documents not found (looked for '" << seeds
                 << "'); set SOCKREF_SEEDS_DIR to check the doc: references";
  }
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator("conformance/cases")) {
    paths.push_back(entry.path().string());
  }
  EXPECT_THAT(VerifyDocRefs(ParseCaseFiles(paths), seeds), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Statements and their AST
// ---------------------------------------------------------------------------------------------

TEST(Statements, BareModuleNamesMeanSocketAttributes) {
  json qualified = StmtJson("socket.socketpair(socket.AF_UNIX)");
  EXPECT_EQ(StmtJson("socketpair(AF_UNIX)"), qualified);
  EXPECT_EQ(qualified, ExprStmt(Call(Sock("socketpair"), {Sock("AF_UNIX")})));
  EXPECT_EQ(StmtJson("SocketKind"), ExprStmt(Sock("SocketKind")));
  EXPECT_EQ(StmtJson("socket"), ExprStmt(Name("socket")));
}

TEST(Statements, BuiltinsAndVariablesStayNames) {
  Case c = ParseOne(Steps("  >>> buf = bytearray(4)\n  >>> len(buf)\n  4\n"));
  EXPECT_EQ(StatementToJson(c.steps[1].statement), ExprStmt(Call(Name("len"), {Name("buf")})));
  EXPECT_EQ(StmtJson("issubclass(timeout, OSError)"),
            ExprStmt(Call(Name("issubclass"), {Sock("timeout"), Name("OSError")})));
  EXPECT_EQ(StmtJson("array.array('i', [3])"),
            ExprStmt(Call(Attr(Name("array"), "array"), {Lit("i"), {{"list", {Lit(3)}}}})));
}

TEST(Statements, AssignmentsBindOneNameOrUnpack) {
  EXPECT_EQ(StmtJson("s = socket.socket()"),
            (json{{"assign", {"s"}}, {"expr", Call(Sock("socket"), {})}}));
  EXPECT_EQ(StmtJson("a, b = socketpair()"),
            (json{{"assign", {"a", "b"}}, {"expr", Call(Sock("socketpair"), {})}}));
  EXPECT_EQ(StmtJson("x, y = 1, 2"),
            (json{{"assign", {"x", "y"}}, {"expr", {{"tuple", {Lit(1), Lit(2)}}}}}));
}

TEST(Statements, CallsTakePositionalAndKeywordArguments) {
  EXPECT_EQ(StmtJson("socket.socket(AF_INET, type=SOCK_STREAM, proto=0,)"),
            ExprStmt(Call(Sock("socket"), {Sock("AF_INET")},
                          {{"type", Sock("SOCK_STREAM")}, {"proto", Lit(0)}})));
}

TEST(Statements, SubscriptsSlicesAndOperators) {
  Case c =
      ParseOne(Steps("  >>> buf = bytearray(8)\n  >>> buf[:5]\n  >>> memoryview(buf)[2:]\n"
                     "  >>> buf[1]\n  >>> b'x' * 65536 + b'y'\n  >>> -len(buf)\n"));
  json mv = Call(Name("memoryview"), {Name("buf")});
  EXPECT_EQ(ExprToJson(c.steps[1].statement.expr),
            (json{{"slice", {Name("buf"), nullptr, Lit(5)}}}));
  EXPECT_EQ(ExprToJson(c.steps[2].statement.expr), (json{{"slice", {mv, Lit(2), nullptr}}}));
  EXPECT_EQ(ExprToJson(c.steps[3].statement.expr), (json{{"index", {Name("buf"), Lit(1)}}}));
  EXPECT_EQ(ExprToJson(c.steps[4].statement.expr),
            (json{{"binop",
                   {"+",
                    {{"binop", {"*", Lit({{"bytes", "eA=="}}), Lit(65536)}}},
                    Lit({{"bytes", "eQ=="}})}}}));
  EXPECT_EQ(ExprToJson(c.steps[5].statement.expr),
            (json{{"neg", Call(Name("len"), {Name("buf")})}}));
}

TEST(Statements, NegativeNumbersAreLiterals) {
  EXPECT_EQ(StmtJson("htons(-1)"), ExprStmt(Call(Sock("htons"), {Lit(-1)})));
  EXPECT_EQ(StmtJson("htons(-(2))"), ExprStmt(Call(Sock("htons"), {Lit(-2)})));
  EXPECT_EQ(StmtJson("htons(--3)"), ExprStmt(Call(Sock("htons"), {Lit(3)})));
  EXPECT_EQ(StmtJson("setdefaulttimeout(-0.5)"),
            ExprStmt(Call(Sock("setdefaulttimeout"), {Lit({{"float", -0.5}})})));
  EXPECT_EQ(StmtJson("htonl(-9223372036854775808)"),
            ExprStmt(Call(Sock("htonl"), {Lit(std::numeric_limits<std::int64_t>::min())})));
}

TEST(Statements, TuplesListsAndParentheses) {
  EXPECT_EQ(StmtJson("(1)"), ExprStmt(Lit(1)));
  EXPECT_EQ(StmtJson("(1,)"), ExprStmt({{"tuple", {Lit(1)}}}));
  EXPECT_EQ(StmtJson("()"), ExprStmt({{"tuple", json::array()}}));
  EXPECT_EQ(StmtJson("[]"), ExprStmt({{"list", json::array()}}));
  EXPECT_EQ(StmtJson("[1, (2, 3)]"), ExprStmt({{"list", {Lit(1), {{"tuple", {Lit(2), Lit(3)}}}}}}));
}

TEST(Statements, IntegerLiteralsOfAnySize) {
  EXPECT_EQ(StmtJson("0x_ff"), ExprStmt(Lit(255)));
  EXPECT_EQ(StmtJson("0o17"), ExprStmt(Lit(15)));
  EXPECT_EQ(StmtJson("0b101"), ExprStmt(Lit(5)));
  EXPECT_EQ(StmtJson("1_000_000"), ExprStmt(Lit(1000000)));
  EXPECT_EQ(StmtJson("0"), ExprStmt(Lit(0)));
  EXPECT_EQ(StmtJson("9223372036854775807"),
            ExprStmt(Lit(std::numeric_limits<std::int64_t>::max())));
  EXPECT_EQ(StmtJson("9223372036854775808"), ExprStmt(Lit({{"int", "9223372036854775808"}})));
  EXPECT_EQ(StmtJson("0x10000000000000000"), ExprStmt(Lit({{"int", "18446744073709551616"}})));
  EXPECT_EQ(StmtJson("-123456789012345678901234567890"),
            ExprStmt(Lit({{"int", "-123456789012345678901234567890"}})));
}

// Literals whose decimal value crosses the 9-digit limbs the conversion works in, or whose
// digits do not fill its chunks evenly; expected values are Python's int(text, 0).
TEST(Statements, PrefixedIntegerLiteralsConvertExactly) {
  EXPECT_EQ(StmtJson("0x3B9ACA00"), ExprStmt(Lit(1000000000)));
  EXPECT_EQ(StmtJson("0x3B9AC9FF"), ExprStmt(Lit(999999999)));
  EXPECT_EQ(StmtJson("0xDE0B6B3A7640000"), ExprStmt(Lit(1000000000000000000)));
  EXPECT_EQ(StmtJson("0x0000"), ExprStmt(Lit(0)));
  EXPECT_EQ(StmtJson("0x" + Repeat("123456789abcdef0", 5)),
            ExprStmt(Lit({{"int",
                           "15189241144326471499412766501074952614678497449093344012515470637778625"
                           "3170532832504257993039600"}})));
  EXPECT_EQ(StmtJson("0o" + Repeat("7654321", 7)),
            ExprStmt(Lit({{"int", "174765108667280443774180600025730066761603281"}})));
  EXPECT_EQ(StmtJson("0b" + Repeat("10", 40)),
            ExprStmt(Lit({{"int", "805950546409752783137450"}})));
}

// Each 4300-digit hex literal took 0.27 s to convert (one decimal digit per cell, one input
// digit per pass): this file took about 80 s, a 16 MiB one 17 minutes. Now it takes
// milliseconds; the bound leaves room for sanitizer builds and a loaded machine.
TEST(Statements, ManyLongPrefixedLiteralsParseQuickly) {
  std::string text = "case t.c\n  doc: 001 \"x\"\n";
  for (int i = 0; i < 100; ++i) {
    text += "  >>> x = 0x" + std::string(4300, 'f') + "\n";
    text += "  >>> x = 0o" + std::string(4300, '7') + "\n";
    text += "  >>> x = 0b" + std::string(4300, '1') + "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ParseOne(text).steps.size(), 300u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// Left-associative chains of a few thousand links overflowed the stack of the runner's JSON
// codec and hit CPython's recursion limit in its driver: each link is a level of nesting.
TEST(Statements, LongChainsAreNestingToo) {
  auto repeat = [](const std::string& unit, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += unit;
    return out;
  };
  const std::string chains[] = {
      "x = 1" + repeat(" + 1", 5000),
      "x = 2" + repeat(" * 2", 5000),
      "x = socket" + repeat(".socket", 5000),
      "x = socketpair" + repeat("()", 5000),
      "x = b'x'" + repeat("[0]", 5000),
      "x = (1" + repeat(" + (1", 150) + repeat(")", 151) + repeat(" + 1", 100),
  };
  for (const std::string& chain : chains) {
    EXPECT_THAT(ParseError(Steps("  >>> " + chain + "\n")),
                HasSubstr("expression nested too deeply: more than 200 levels"))
        << chain.substr(0, 40);
  }
  EXPECT_EQ(ParseError(Steps("  >>> x = 1" + repeat(" + 1", 150) + "\n")), "parsed");
}

// A literal of a million digits took hours to convert (quadratic); CPython itself refuses
// int/str conversions of more than 4300 digits, and so does the case language, for every base.
TEST(Statements, IntegerLiteralsStopAtCPythonsDigitLimit) {
  EXPECT_EQ(StmtJson(std::string(4300, '9')), ExprStmt(Lit({{"int", std::string(4300, '9')}})));
  EXPECT_EQ(StmtJson("0x" + std::string(4300, 'f'))
                .at("expr")
                .at("lit")
                .at("int")
                .get<std::string>()
                .size(),
            5178u);  // 16**4300 - 1 has 5178 decimal digits
  for (const std::string& literal :
       {std::string(4301, '1'), "0x" + std::string(4301, 'f'), "0b" + std::string(1000000, '1'),
        "1." + std::string(4301, '0')}) {
    EXPECT_THAT(ParseError(Steps("  >>> x = " + literal + "\n")),
                HasSubstr("digits is longer than the 4300 the case language reads"))
        << literal.substr(0, 10);
  }
}

TEST(Statements, FloatLiterals) {
  EXPECT_EQ(StmtJson("0.1"), ExprStmt(Lit({{"float", 0.1}})));
  EXPECT_EQ(StmtJson(".5"), ExprStmt(Lit({{"float", 0.5}})));
  EXPECT_EQ(StmtJson("5."), ExprStmt(Lit({{"float", 5.0}})));
  EXPECT_EQ(StmtJson("1e3"), ExprStmt(Lit({{"float", 1000.0}})));
  EXPECT_EQ(StmtJson("2.5E-1"), ExprStmt(Lit({{"float", 0.25}})));
  EXPECT_EQ(StmtJson("1e999"), ExprStmt(Lit({{"float", "inf"}})));
}

TEST(Statements, StringAndBytesLiteralsWithPythonEscapes) {
  EXPECT_EQ(StmtJson(R"("a\tb\n\\\"'")"), ExprStmt(Lit("a\tb\n\\\"'")));
  EXPECT_EQ(StmtJson(R"('\x41\101\u00e9\U0001F600')"), ExprStmt(Lit("AA\u00e9\U0001F600")));
  EXPECT_EQ(StmtJson(R"(r'\d\'')"), ExprStmt(Lit("\\d\\'")));
  EXPECT_EQ(StmtJson(R"(b'\x00\xff\377\n')"),
            ExprStmt(Lit(ValueToJson(Value::Bytes(std::string("\0\xff\xff\n", 4))))));
  EXPECT_EQ(StmtJson(R"(B"ab" + rb'\x')"),
            ExprStmt({{"binop", {"+", Lit({{"bytes", "YWI="}}), Lit({{"bytes", "XHg="}})}}}));
  EXPECT_EQ(StmtJson("'h\u00e9'"), ExprStmt(Lit("h\u00e9")));
  EXPECT_EQ(StmtJson("None, True, False"),
            ExprStmt({{"tuple", {Lit(nullptr), Lit(true), Lit(false)}}}));
}

TEST(Statements, VariablesAreBoundByEarlierSteps) {
  Case c =
      ParseOne(Steps("  >>> s = socket.socket()\n  >>> s.getsockname()\n"
                     "  ('0.0.0.0', $port)\n  >>> port\n  $port\n"));
  EXPECT_EQ(StatementToJson(c.steps[2].statement), ExprStmt(Name("port")));
  EXPECT_THAT(ParseError(Steps("  >>> x = x\n")),
              HasSubstr("name 'x' is not defined: it is not bound by an earlier step"));
}

TEST(Statements, CommentsAfterStatementsAreDropped) {
  Case c =
      ParseOne(Steps("  >>> s = socket.socket()   # a TCP socket\n  >>> s.send(b'#')  # '#'\n"
                     "  1\n"));
  EXPECT_EQ(c.steps[0].source, "s = socket.socket()");
  EXPECT_EQ(c.steps[1].source, "s.send(b'#')");
  EXPECT_EQ(ExprToJson(c.steps[1].statement.expr),
            Call(Attr(Name("s"), "send"), {Lit({{"bytes", "Iw=="}})}));
}

TEST(Statements, ExecRequestCarriesStepCapturesAndBackground) {
  Case c =
      ParseOne(Steps("  >>> a, b = socketpair()\n  after 0.25: b.send(b'x')\n"
                     "  >>> a.getsockname()\n  $name\n"));
  EXPECT_EQ(ExecRequest(c.steps[1], 2),
            (json{{"op", "exec"},
                  {"step", 2},
                  {"stmt", ExprStmt(Call(Attr(Name("b"), "send"), {Lit({{"bytes", "eA=="}})}))},
                  {"background", {{"delay", 0.25}}},
                  {"want_value", false}}));
  EXPECT_EQ(ExecRequest(c.steps[2], 3),
            (json{{"op", "exec"},
                  {"step", 3},
                  {"stmt", ExprStmt(Call(Attr(Name("a"), "getsockname"), json::array()))},
                  {"capture", {{"name", json::array()}}}}));
}

// A value nobody looks at need not travel: assignments without expectation lines and
// background actions say so; steps with an expected value, exception or capture do not.
TEST(Statements, ExecRequestWantsTheValueOnlyWhenSomethingChecksIt) {
  Case c =
      ParseOne(Steps("  >>> data = b'x' * 10000000\n"
                     "  >>> a, b = socketpair()\n"
                     "  >>> s = socket.socket(-1)\n"
                     "  OSError: [Errno 97] Address family not supported by protocol\n"
                     "  >>> a.send(data)\n"
                     "  >>> a.close()\n"
                     "  >>> a.getsockname()\n"
                     "  $name\n"
                     "  after 0.1: b.close()\n"));
  std::vector<bool> wants;
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const json request = ExecRequest(c.steps[i], static_cast<int>(i) + 1);
    EXPECT_EQ(request.contains("want_value"), ValueIsUnchecked(c.steps[i])) << request;
    wants.push_back(request.value("want_value", true));
  }
  EXPECT_EQ(wants, (std::vector<bool>{false, false, true, true, true, true, false}));
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

Step OnlyStep(const std::string& expectation_lines) {
  return ParseOne(Steps("  >>> socket.x()\n" + expectation_lines)).steps.at(0);
}

Pattern OnlyPattern(const std::string& line) {
  Step s = OnlyStep("  " + line + "\n");
  EXPECT_EQ(s.expected.size(), 1u);
  EXPECT_EQ(s.expected.at(0).kind, Expected::Kind::kValue);
  return s.expected.at(0).value;
}

TEST(Expectations, LiteralValuesAsPythonPrintsThem) {
  EXPECT_EQ(OnlyPattern("None").value, Value::None());
  EXPECT_EQ(OnlyPattern("True").value, Value::Bool(true));
  EXPECT_EQ(OnlyPattern("-1").value, Value::Int(-1));
  EXPECT_EQ(OnlyPattern("0.1").value, Value::Float(0.1));
  EXPECT_EQ(OnlyPattern("-0.0").value, Value::Float(-0.0));
  EXPECT_EQ(OnlyPattern("nan").value, Value::Float(std::nan("")));
  EXPECT_EQ(OnlyPattern("-inf").value, Value::Float(-HUGE_VAL));
  EXPECT_EQ(OnlyPattern("'127.0.0.1'").value, Value::Str("127.0.0.1"));
  EXPECT_EQ(OnlyPattern("b''").value, Value::Bytes(""));
  EXPECT_EQ(OnlyPattern("bytearray(b'\\x00ab')").value, Value::ByteArray(std::string("\0ab", 3)));
  EXPECT_EQ(OnlyPattern("<AddressFamily.AF_INET: 2>").value,
            Value::Enum("AddressFamily", "AF_INET", 2));
  EXPECT_EQ(OnlyPattern("<MsgFlag.MSG_PEEK|MSG_WAITALL: 258>").value,
            Value::Enum("MsgFlag", "MSG_PEEK|MSG_WAITALL", 258));
  EXPECT_EQ(OnlyPattern("123456789012345678901234567890  # big").value,
            Value::IntFromDecimal("123456789012345678901234567890"));
}

TEST(Expectations, TuplesListsAndCaptures) {
  Pattern p = OnlyPattern("(('127.0.0.1', $port:int), [$fd, ()], (1,))");
  EXPECT_EQ(Repr(p), "(('127.0.0.1', $port:int), [$fd, ()], (1,))");
  Step s = OnlyStep("  ($a, [$b:int, ($a,)])\n");
  ASSERT_EQ(s.captures.size(), 2u);  // the second $a compares, it does not bind
  EXPECT_EQ(s.captures[0].name, "a");
  EXPECT_THAT(s.captures[0].path, ElementsAre(0u));
  EXPECT_EQ(s.captures[1].name, "b");
  EXPECT_THAT(s.captures[1].path, ElementsAre(1u, 0u));
}

TEST(Expectations, FStringPatternsHaveTextAndFields) {
  Case c = ParseOne(Steps("  >>> repr(1)\n  $fd:int\n  >>> repr(2)\n  f'<fd={fd}, {fd!r} {{x}}\\n>'\n"
                          "  [3.6-3.10] f\"fd='{fd}'\"  # versions too\n"));
  const Pattern& p = c.steps[1].expected.at(0).value;
  ASSERT_EQ(p.kind, Pattern::Kind::kFormat);
  ASSERT_EQ(p.format.size(), 5u);
  EXPECT_EQ(p.format[0].text, "<fd=");
  EXPECT_EQ(p.format[1].name, "fd");
  EXPECT_FALSE(p.format[1].repr);
  EXPECT_TRUE(p.format[3].repr);
  EXPECT_EQ(p.format[4].text, " {x}\n>");
  EXPECT_EQ(Repr(p), "f'<fd={fd}, {fd!r} {{x}}\\n>'");
  EXPECT_EQ(c.steps[1].by_version.at(0).expected.at(0).value.kind, Pattern::Kind::kFormat);
  EXPECT_THAT(c.steps[1].captures, IsEmpty());  // a field compares, never binds
}

TEST(Expectations, ExceptionsWithMessageErrnoOrNothing) {
  Step s = OnlyStep(
      "  socket.gaierror: [Errno -2] Name or service not known\n"
      "  | socket.gaierror(errno=EAI_AGAIN)   # no resolver at all\n"
      "  | ConnectionResetError(errno=ECONNRESET)\n"
      "  | StopIteration\n"
      "  | OSError: a '#' is part of the message #1\n"
      "  | OSError: message  # but two spaces start a comment\n");
  ASSERT_EQ(s.expected.size(), 6u);
  EXPECT_EQ(s.expected[0].exception, "socket.gaierror");
  EXPECT_THAT(s.expected[0].message, Optional(std::string("[Errno -2] Name or service not known")));
  EXPECT_EQ(s.expected[1].exception, "socket.gaierror");
  EXPECT_THAT(s.expected[1].errno_name, Optional(std::string("EAI_AGAIN")));
  EXPECT_EQ(s.expected[1].message, std::nullopt);
  EXPECT_THAT(s.expected[2].errno_name, Optional(std::string("ECONNRESET")));
  EXPECT_EQ(s.expected[3].exception, "StopIteration");
  EXPECT_THAT(s.expected[3].message, Optional(std::string("")));
  EXPECT_THAT(s.expected[4].message, Optional(std::string("a '#' is part of the message #1")));
  EXPECT_THAT(s.expected[5].message, Optional(std::string("message")));
  EXPECT_EQ(s.expected[5].line, 9);
}

// CASES.md, "Versions": a step's own lines hold for every version its [versions] lines do not name.
TEST(Versions, QualifiedLinesReplaceTheExpectationInTheirVersions) {
  Case c = ParseOne(
      "case t.c\n  doc: 001 \"x\"\n"
      "  >>> issubclass(timeout, TimeoutError)\n"
      "  True\n"
      "  [3.6-3.9] False    # bpo-42413: an alias of TimeoutError since 3.10\n"
      "  >>> inet_aton('1')\n"
      "  b'\\x00\\x00\\x00\\x01'\n"
      "  [3.12+] OSError: illegal IP address string passed to inet_aton\n"
      "  | ValueError: x\n");
  const Step& first = c.steps[0];
  ASSERT_EQ(first.by_version.size(), 1u);
  EXPECT_EQ(ToString(first.by_version[0].versions), "3.6-3.9");
  EXPECT_EQ(first.by_version[0].reason, "bpo-42413: an alias of TimeoutError since 3.10");
  EXPECT_EQ(c.steps[1].by_version[0].expected.size(), 2u);  // with its | alternative
  EXPECT_EQ(Describe(CaseAtVersion(c, {3, 9}).steps[0].expected[0]), "False");
  EXPECT_EQ(Describe(CaseAtVersion(c, {3, 10}).steps[0].expected[0]), "True");
  EXPECT_EQ(Describe(CaseAtVersion(c, {3, 13}).steps[1].expected[1]), "ValueError: x");
  EXPECT_TRUE(CaseAtVersion(c, {3, 6}).steps[0].by_version.empty());
  EXPECT_TRUE(HasVersionDifferences(c));
}

TEST(Versions, VersionsHeaderLimitsTheCase) {
  Case c = ParseOne("case t.c\n  doc: 001 \"x\"\n  versions: 3.8+\n  >>> x = 1\n");
  ASSERT_TRUE(c.versions.has_value());
  EXPECT_FALSE(CaseAppliesTo(c, {3, 7}));
  EXPECT_TRUE(CaseAppliesTo(c, {3, 8}));
  EXPECT_TRUE(CaseAppliesTo(c, {3, 13}));
}

TEST(Versions, MalformedQualifiersSayWhatWasExpected) {
  EXPECT_THAT(ParseError(Steps("  >>> htons(1)\n  1\n  [3.5] 2\n")),
              HasSubstr("expected Python versions such as 3.8, 3.6-3.9 or 3.12+ (from 3.6 to 3.13)"));
  EXPECT_THAT(ParseError(Steps("  >>> htons(1)\n  1\n  [3.9-3.6] 2\n")),
              HasSubstr("expected Python versions"));
  EXPECT_THAT(ParseError(Steps("  >>> htons(1)\n  1\n  [3.6-3.9] 2\n  [3.8] 3\n")),
              HasSubstr("versions 3.8 overlap 3.6-3.9 of line 5"));
  EXPECT_THAT(ParseError(Steps("  >>> htons(1)\n  [3.6] 2\n  1\n")),
              HasSubstr("a step's own expectation comes before its versions'"));
  EXPECT_THAT(ParseError(Steps("  >>> x = htons(1)\n  [3.6] 2\n")),
              HasSubstr("an assignment prints nothing"));
  EXPECT_THAT(ParseError(Steps("  >>> htons(1)\n  1\n  [3.6] $p\n")),
              HasSubstr("cannot bind a new $name"));
  EXPECT_THAT(ParseError("case t.c\n  doc: 001 \"x\"\n  versions: 3.8+\n  >>> htons(1)\n  1\n"
                         "  [3.6] 2\n"),
              HasSubstr("versions 3.6 lie outside the case's 'versions: 3.8+'"));
  // A list value is not a qualifier.
  EXPECT_EQ(ParseError(Steps("  >>> [3.6]\n  [3.6]\n")), "parsed");
}

TEST(Expectations, ElapsedAboutOrBelow) {
  Step about = OnlyStep("  None\n  elapsed: 0.1\n");
  ASSERT_TRUE(about.elapsed.has_value());
  EXPECT_EQ(about.elapsed->kind, Timing::Kind::kAbout);
  EXPECT_DOUBLE_EQ(about.elapsed->seconds, 0.1);
  Step below = OnlyStep("  elapsed: < 0.05   # returns promptly\n");
  ASSERT_TRUE(below.elapsed.has_value());
  EXPECT_EQ(below.elapsed->kind, Timing::Kind::kBelow);
  EXPECT_DOUBLE_EQ(below.elapsed->seconds, 0.05);
  ASSERT_EQ(below.expected.size(), 1u);  // still must return None
  EXPECT_EQ(Describe(below.expected[0]), "None");
  EXPECT_DOUBLE_EQ(OnlyStep("  elapsed: 2\n").elapsed->seconds, 2.0);
}

TEST(Expectations, BlankLinesCommentsCrlfAndByteOrderMarkAreIgnored) {
  Case c = ParseOne(
      "\xEF\xBB\xBF# header\r\n\r\ncase t.c\r\n  # note\r\n  doc: 001 \"x\"\r\n\r\n"
      "  >>> htons(1)\r\n\r\n  # between\r\n  256\r\n");
  ASSERT_EQ(c.steps.size(), 1u);
  EXPECT_EQ(c.steps[0].expected[0].value.value, Value::Int(256));
}

TEST(Expectations, HeadersMayRepeat) {
  Case c = ParseOne(
      "case t.c\n  doc: 001 \"x\"\n  doc: 002 'it \"said\"'\n  needs: AF_UNIX\n"
      "  needs: root  # comment\n  divergence: one\n  divergence: two\n  >>> f = 1\n");
  ASSERT_EQ(c.docs.size(), 2u);
  EXPECT_EQ(c.docs[1].fragment, "it \"said\"");
  EXPECT_THAT(c.needs, ElementsAre("AF_UNIX", "root"));
  EXPECT_EQ(c.divergence, "one two");
}

// ---------------------------------------------------------------------------------------------
// Socket kinds: one case body, one instance per kind
// ---------------------------------------------------------------------------------------------

TEST(SocketKinds, EachKindIsItsOwnCaseWithThePrologueFirst) {
  CaseFile file = ParseCaseText("t.cases",
                                "case t.send.works\n  doc: 001 \"x\"\n  needs: root\n"
                                "  kinds: tcp4, socketpair  # two kinds\n"
                                "  >>> a.send(b'x')\n  1\n  >>> b.recv(1)\n  b'x'\n");
  ASSERT_EQ(file.cases.size(), 2u);
  const Case& tcp = file.cases[0];
  const Case& pair = file.cases[1];
  EXPECT_EQ(tcp.id, "t.send.works.tcp4");
  EXPECT_EQ(pair.id, "t.send.works.socketpair");
  EXPECT_EQ(TestNameForCaseId(pair.id), "TSendWorksSocketpair");
  EXPECT_THAT(tcp.needs, ElementsAre("root"));
  EXPECT_THAT(pair.needs, ElementsAre("root", "AF_UNIX"));
  // The prologue's steps come first, at the kinds: line, then the case's own.
  ASSERT_EQ(tcp.steps.size(), FindSocketKind("tcp4")->prologue.size() + 2);
  EXPECT_EQ(tcp.steps[0].source, "_listener = socket.socket(AF_INET, SOCK_STREAM)");
  EXPECT_EQ(tcp.steps[0].line, 4);
  EXPECT_THAT(tcp.steps[0].expected, IsEmpty());  // an assignment: any success
  EXPECT_EQ(tcp.steps.back().source, "b.recv(1)");
  EXPECT_EQ(tcp.steps.back().line, 7);
  ASSERT_EQ(pair.steps.size(), 3u);
  EXPECT_EQ(StatementToJson(pair.steps[0].statement),
            json({{"assign", {"a", "b"}},
                  {"expr", Call(Sock("socketpair"), {Sock("AF_UNIX"), Sock("SOCK_STREAM")})}}));
}

TEST(SocketKinds, GroupsNameSeveralKindsInTableOrder) {
  std::vector<std::string> names;
  for (const SocketKind* k : ExpandKindNames("udp4, stream")) names.push_back(k->name);
  EXPECT_THAT(names, ElementsAre("tcp4", "tcp6", "tcp4_mapped", "unix_stream",
                                 "unix_stream_abstract", "socketpair", "udp4"));
  EXPECT_EQ(ExpandKindNames("dgram").size(), 5u);
  EXPECT_EQ(ExpandKindNames("seqpacket").size(), 3u);
  EXPECT_EQ(ExpandKindNames("unix").size(), 9u);
}

TEST(SocketKinds, CapabilitiesArePerKind) {
  for (const SocketKind& k : SocketKinds()) {
    const bool inet6 = k.name == "tcp6" || k.name == "udp6" || k.name == "tcp4_mapped";
    const bool unix = k.name.find("unix") != std::string::npos ||
                      k.name.find("socketpair") != std::string::npos;
    const bool abstract = k.name.find("abstract") != std::string::npos;
    EXPECT_EQ(std::count(k.needs.begin(), k.needs.end(), "AF_INET6"), inet6) << k.name;
    EXPECT_EQ(std::count(k.needs.begin(), k.needs.end(), "AF_UNIX"), unix) << k.name;
    EXPECT_EQ(std::count(k.needs.begin(), k.needs.end(), "AF_UNIX_ABSTRACT"), abstract) << k.name;
  }
}

TEST(SocketKinds, EveryPrologueParsesAndBindsAAndB) {
  for (const SocketKind& k : SocketKinds()) {
    Case c = ParseOne(Steps("  kinds: " + k.name + "\n  >>> a.close()\n  >>> b.close()\n"));
    EXPECT_EQ(c.id, "t.c." + k.name);
    EXPECT_EQ(c.steps.size(), k.prologue.size() + 2) << k.name;
  }
  // Filesystem and abstract AF_UNIX names live under the case's own directory.
  EXPECT_EQ(FindSocketKind("unix_dgram")->prologue[1], "a.bind(tmpdir + \"/a\")");
  EXPECT_EQ(FindSocketKind("unix_stream_abstract")->prologue[1],
            "_listener.bind(\"\\0\" + tmpdir + \"/listener\")");
}

TEST(SocketKinds, AAndBAreAssignedSoTheyCannotBeCaptured) {
  EXPECT_EQ(ParseError(Steps("  kinds: tcp4\n  >>> a.fileno()\n  $a\n")),
            "t.cases:5: 'a' is assigned at line 3; it cannot also be captured with $a");
  // Without kinds, a and b are unbound.
  EXPECT_THAT(ParseError(Steps("  >>> a.fileno()\n")), HasSubstr("name 'a' is not defined"));
}

TEST(SocketKinds, InstanceIdsMustNotCollide) {
  EXPECT_EQ(ParseError("case t.x.tcp4\n  doc: 001 \"x\"\n  >>> 1\n  1\n"
                       "case t.x\n  doc: 001 \"x\"\n  kinds: tcp4\n  >>> 1\n  1\n"),
            "t.cases:7: the instance 't.x.tcp4' of kind 'tcp4' has the id of the case at "
            "t.cases:1");
}

// ---------------------------------------------------------------------------------------------
// Malformed input: every error names the line and what was expected there
// ---------------------------------------------------------------------------------------------

struct Malformed {
  const char* name;
  const char* text;
  const char* error;
};

class MalformedInput : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedInput, FailsWithFileLineAndWhatWasExpected) {
  EXPECT_EQ(ParseError(GetParam().text), GetParam().error);
}

constexpr char kHead[] = "case t.c\n  doc: 001 \"x\"\n";
#define CASE_WITH(steps) "case t.c\n  doc: 001 \"x\"\n" steps

INSTANTIATE_TEST_SUITE_P(
    Lines, MalformedInput,
    ::testing::Values(
        Malformed{"TopLevelJunk", "hello\n",
                  "t.cases:1: expected 'case <id>' (headers and steps are indented under it), got "
                  "'hello'"},
        Malformed{"IndentedBeforeCase", "  >>> x\n",
                  "t.cases:1: expected 'case <id>' before indented lines, got '>>> x'"},
        Malformed{"CaseWithoutId", "case\n",
                  "t.cases:1: expected a case id of lower-case dotted words, such as "
                  "'inet.aton.two_part_shorthand', after 'case', got ''"},
        Malformed{"OneWordId", "case t\n",
                  "t.cases:1: expected a case id of lower-case dotted words, such as "
                  "'inet.aton.two_part_shorthand', after 'case', got 't'"},
        Malformed{"EmptyIdPart", "case t..x\n",
                  "t.cases:1: expected a case id of lower-case dotted words, such as "
                  "'inet.aton.two_part_shorthand', after 'case', got 't..x'"},
        Malformed{"BadDocNumber", "case t.c\n  doc: 2 \"x\"\n",
                  "t.cases:2: expected a three-digit seed document number such as 002 after "
                  "'doc:', got '2 \"x\"'"},
        Malformed{"UnquotedDocFragment", "case t.c\n  doc: 002 also accepts\n",
                  "t.cases:2: expected the quoted sentence fragment the case checks after 'doc: "
                  "002', got 'also accepts'"},
        Malformed{"EmptyDocFragment", "case t.c\n  doc: 002 ' '\n",
                  "t.cases:2: the 'doc:' fragment is empty"},
        Malformed{"EmptyNeeds", CASE_WITH("  needs:\n"),
                  "t.cases:3: expected capability names after 'needs:'"},
        Malformed{"RepeatedNeed", CASE_WITH("  needs: root, root\n"),
                  "t.cases:3: capability 'root' is listed twice"},
        Malformed{"EmptyDivergence", CASE_WITH("  divergence:\n"),
                  "t.cases:3: expected text after 'divergence:'"},
        Malformed{"UnknownKind", CASE_WITH("  kinds: tcp4, sctp\n"),
                  "t.cases:3: unknown socket kind 'sctp' (known: stream, dgram, seqpacket, tcp, "
                  "udp, unix, tcp4, tcp6, tcp4_mapped, unix_stream, unix_stream_abstract, "
                  "socketpair, udp4, udp6, unix_dgram, unix_dgram_abstract, socketpair_dgram, "
                  "unix_seqpacket, unix_seqpacket_abstract, socketpair_seqpacket) after 'kinds:'"},
        Malformed{"KindTwice", CASE_WITH("  kinds: stream, tcp6\n"),
                  "t.cases:3: socket kind 'tcp6' is named twice (directly or through a group) "
                  "after 'kinds:'"},
        Malformed{"EmptyKinds", CASE_WITH("  kinds:\n"),
                  "t.cases:3: expected kind names separated by commas after 'kinds:'"},
        Malformed{"TwoKindsLines", CASE_WITH("  kinds: tcp4\n  kinds: udp4\n"),
                  "t.cases:4: a case has one 'kinds:' line"},
        Malformed{"KindsAfterAStep", CASE_WITH("  >>> x = 1\n  kinds: tcp4\n"),
                  "t.cases:4: 'kinds:' lines belong before the case's first step"},
        Malformed{"NoSpaceAfterPrompt", CASE_WITH("  >>>x\n"),
                  "t.cases:3: expected a space after '>>>', got '>>>x'"},
        Malformed{"EmptyPrompt", CASE_WITH("  >>>\n"),
                  "t.cases:3: expected a statement after '>>>'"},
        Malformed{"ContinuationLine", CASE_WITH("  >>> htons(\n  ... 1)\n"),
                  "t.cases:3: expected an expression, got end of line"},
        Malformed{"ChainedAssignmentOfValue", CASE_WITH("  >>> a = htons(1) = 1\n"),
                  "t.cases:3: chained assignment is not supported"},
        Malformed{"ContinuationPrompt", CASE_WITH("  >>> ... 1\n"),
                  "t.cases:3: '...' continuation lines are not supported; write the statement on "
                  "one line"},
        Malformed{"ExpectationBeforeStep", CASE_WITH("  1\n"),
                  "t.cases:3: expected 'doc:', 'needs:', 'versions:', 'divergence:' or a '>>>' step, got '1'"},
        Malformed{"Semicolon", CASE_WITH("  >>> s = socket.socket(); s.close()\n"),
                  "t.cases:3: one statement per '>>>' line; ';' is not supported"},
        Malformed{"ChainedAssignment", CASE_WITH("  >>> a = b = 1\n"),
                  "t.cases:3: chained assignment is not supported"},
        Malformed{"AttributeAssignment", CASE_WITH("  >>> s = socket.socket()\n  >>> s.x = 1\n"),
                  "t.cases:4: only names can be assigned ('name = ...' or 'a, b = ...')"},
        Malformed{"OneNameUnpacking", CASE_WITH("  >>> a, = socketpair()\n"),
                  "t.cases:3: unpacking needs at least two names; write 'x = ...' to bind one"},
        Malformed{"RepeatedTarget", CASE_WITH("  >>> a, a = socketpair()\n"),
                  "t.cases:3: name 'a' appears twice in the assignment"},
        Malformed{"UpperCaseVariable", CASE_WITH("  >>> Sock = 1\n"),
                  "t.cases:3: case variables start with a lower-case letter or '_' ('Sock' would "
                  "mean socket.Sock)"},
        Malformed{"BuiltinShadowed", CASE_WITH("  >>> len = 1\n"),
                  "t.cases:3: 'len' is a builtin; a case variable may not shadow it"},
        Malformed{"SocketShadowed", CASE_WITH("  >>> socket = 1\n"),
                  "t.cases:3: 'socket' is a socket module name; a case variable may not shadow it"},
        Malformed{"KeywordAsVariable", CASE_WITH("  >>> lambda = 1\n"),
                  "t.cases:3: 'lambda' is a Python keyword, not a variable name"},
        Malformed{"KeywordInExpression", CASE_WITH("  >>> not socket\n"),
                  "t.cases:3: expected an expression, got the keyword 'not'"},
        Malformed{"UnknownLowerCaseName", CASE_WITH("  >>> inet_atn('1.2')\n"),
                  "t.cases:3: name 'inet_atn' is not defined: it is not bound by an earlier step, "
                  "nor a builtin, nor a socket module name"},
        Malformed{"BinaryMinus", CASE_WITH("  >>> len(b'ab') - 1\n"),
                  "t.cases:3: binary '-' is not supported (only '+' and '*')"},
        Malformed{"Comparison", CASE_WITH("  >>> htons(1) == 256\n"),
                  "t.cases:3: expected the end of the statement, got '=='"},
        Malformed{"Power", CASE_WITH("  >>> htonl(2 ** 32)\n"),
                  "t.cases:3: binary '**' is not supported (only '+' and '*')"},
        Malformed{"Division", CASE_WITH("  >>> len(b'ab') / 2\n"),
                  "t.cases:3: binary '/' is not supported (only '+' and '*')"},
        Malformed{"Dict", CASE_WITH("  >>> len({})\n"),
                  "t.cases:3: dict and set displays are not supported"},
        Malformed{"SliceStep", CASE_WITH("  >>> b'abc'[::2]\n"),
                  "t.cases:3: slice steps are not supported"},
        Malformed{"EmptySubscript", CASE_WITH("  >>> b'abc'[]\n"),
                  "t.cases:3: expected an expression, got ']'"},
        Malformed{"PositionalAfterKeyword", CASE_WITH("  >>> socket.socket(family=AF_INET, 1)\n"),
                  "t.cases:3: positional argument follows keyword argument"},
        Malformed{"RepeatedKeyword", CASE_WITH("  >>> socket.socket(family=1, family=2)\n"),
                  "t.cases:3: keyword argument repeated: 'family'"},
        Malformed{"StarArgs", CASE_WITH("  >>> socket.socket(*x)\n"),
                  "t.cases:3: argument unpacking ('*', '**') is not supported"},
        Malformed{"UnclosedCall", CASE_WITH("  >>> htons(1\n"),
                  "t.cases:3: expected ',' or ')' in the argument list, got end of line"},
        Malformed{"AttributeNotName", CASE_WITH("  >>> socket.1\n"),
                  "t.cases:3: expected the end of the statement, got '.1'"},
        Malformed{"UnexpectedCharacter", CASE_WITH("  >>> htons(1) ? 2\n"),
                  "t.cases:3: unexpected character '?'"},
        Malformed{"UnterminatedString", CASE_WITH("  >>> inet_aton('1.2)\n"),
                  "t.cases:3: unterminated string literal \"'1.2)\""},
        Malformed{"InvalidEscape", CASE_WITH("  >>> inet_aton('\\d')\n"),
                  "t.cases:3: invalid escape sequence '\\d' in \"'\\d')\""},
        Malformed{"TruncatedHexEscape", CASE_WITH("  >>> b'\\x4'\n"),
                  "t.cases:3: truncated \\xXX escape in \"b'\\x4'\""},
        Malformed{"UnicodeEscapeInBytes", CASE_WITH("  >>> b'\\u0041'\n"),
                  "t.cases:3: invalid escape sequence '\\u' in bytes"},
        Malformed{"NonAsciiBytes", CASE_WITH("  >>> b'\xc3\xa9'\n"),
                  "t.cases:3: bytes can only contain ASCII literal characters: \"b'\xc3\xa9'\""},
        Malformed{"Surrogate", CASE_WITH("  >>> '\\ud800'\n"),
                  "t.cases:3: surrogate code points are not supported in str literals"},
        Malformed{"FString", CASE_WITH("  >>> f'{x}'\n"),
                  "t.cases:3: f-strings are not supported in statements (an f-string is a value "
                  "pattern of an expectation line)"},
        Malformed{"RawFString", CASE_WITH("  >>> x = 1\n  rf'{x}'\n"),
                  "t.cases:4: raw f-strings are not supported"},
        Malformed{"FStringFieldNotCaptured", CASE_WITH("  >>> repr(1)\n  f'{x}'\n"),
                  "t.cases:4: the f-string field {x} names no value captured earlier in the case "
                  "(capture it with $x on an earlier step)"},
        Malformed{"FStringFieldAssigned", CASE_WITH("  >>> x = 1\n  >>> repr(1)\n  f'{x}'\n"),
                  "t.cases:5: the f-string field {x} names an assigned variable; a field names a "
                  "value captured earlier with $x, which the runner knows"},
        Malformed{"FStringExpression", CASE_WITH("  >>> repr(1)\n  $x\n  >>> repr(1)\n  f'{x+1}'\n"),
                  "t.cases:6: expected {name}, {name!r}, {name.name} or {name.value} in an "
                  "f-string pattern, got '{x+1}' (a field names a value captured earlier in the "
                  "case)"},
        Malformed{"FStringLoneBrace", CASE_WITH("  >>> repr(1)\n  f'a}'\n"),
                  "t.cases:4: a single '}' is not allowed in an f-string pattern (write '}}')"},
        Malformed{
            "TripleQuotes", CASE_WITH("  >>> '''x'''\n"),
            "t.cases:3: triple-quoted strings are not supported (a case line holds one line)"},
        Malformed{"LeadingZeros", CASE_WITH("  >>> htons(010)\n"),
                  "t.cases:3: leading zeros in decimal integer literals are not permitted: '010'"},
        Malformed{"ImaginaryNumber", CASE_WITH("  >>> 1j\n"),
                  "t.cases:3: invalid number literal '1j'"},
        Malformed{"DoubleUnderscoreInNumber", CASE_WITH("  >>> 1__0\n"),
                  "t.cases:3: invalid number literal '1__0'"},
        Malformed{"TwoExpectationLines", CASE_WITH("  >>> htons(1)\n  256\n  257\n"),
                  "t.cases:5: expected an 'elapsed:' line, a '| ' alternative, a '>>>' step or a "
                  "new 'case', got '257'"},
        Malformed{"GarbageExpectation", CASE_WITH("  >>> htons(1)\n  elapsed 0.1\n"),
                  "t.cases:4: expected an expectation line, a '>>>' step or a new 'case', got "
                  "'elapsed 0.1'"},
        Malformed{"Ellipsis", CASE_WITH("  >>> socket.socket()\n  ...\n"),
                  "t.cases:4: '...' is not part of the case language: statements fit on one line, "
                  "and there is no wildcard (capture nondeterministic values with $name)"},
        Malformed{"BareConstant", CASE_WITH("  >>> socket.socket().family\n  AF_INET\n"),
                  "t.cases:4: expected a value, got 'AF_INET' (names are not values: write an enum "
                  "member as Python prints it, such as <AddressFamily.AF_INET: 2>, and capture "
                  "unknown values with $name)"},
        Malformed{"MalformedEnum", CASE_WITH("  >>> socket.socket().family\n  <AF_INET: 2>\n"),
                  "t.cases:4: expected an enum member as Python prints it, such as "
                  "<AddressFamily.AF_INET: 2>"},
        Malformed{"TrailingJunkAfterValue", CASE_WITH("  >>> htons(1)\n  256 257\n"),
                  "t.cases:4: expected the end of the value, got '257' (a step has one expectation "
                  "line; add alternatives with '| ')"},
        Malformed{"ParenthesisedValue", CASE_WITH("  >>> htons(1)\n  (256)\n"),
                  "t.cases:4: a parenthesised value is not a tuple; Python prints a 1-tuple as "
                  "(x,)"},
        Malformed{"UnclosedTuple", CASE_WITH("  >>> htons(1)\n  (1, 2\n"),
                  "t.cases:4: expected ',' or ')', got end of line"},
        Malformed{"BadBytearray", CASE_WITH("  >>> htons(1)\n  bytearray('x')\n"),
                  "t.cases:4: expected bytearray(b'...')"},
        Malformed{"CaptureWithoutName", CASE_WITH("  >>> htons(1)\n  $\n"),
                  "t.cases:4: expected a capture name after '$', got end of line"},
        Malformed{"CaptureWithoutType", CASE_WITH("  >>> htons(1)\n  $n:\n"),
                  "t.cases:4: expected a type name after '$n:', got end of line"},
        Malformed{
            "CaptureShadowsModuleName", CASE_WITH("  >>> htons(1)\n  $timeout\n"),
            "t.cases:4: 'timeout' is a socket module name; a case variable may not shadow it"},
        Malformed{"CaptureOfAssignedName", CASE_WITH("  >>> n = 1\n  >>> htons(1)\n  $n\n"),
                  "t.cases:5: 'n' is assigned at line 3; it cannot also be captured with $n"},
        Malformed{"AssignmentOfCapturedName", CASE_WITH("  >>> htons(1)\n  $n\n  >>> n = 2\n"),
                  "t.cases:5: 'n' is captured with $n at line 4; it cannot also be assigned"},
        Malformed{"CaptureUsedInItsOwnStep", CASE_WITH("  >>> htons(n)\n  $n\n"),
                  "t.cases:3: name 'n' is not defined: it is not bound by an earlier step, nor a "
                  "builtin, nor a socket module name"},
        Malformed{"CaptureWithAlternatives",
                  CASE_WITH("  >>> socket.socket().getsockname()\n  ('0.0.0.0', $port)\n"
                            "  | OSError(errno=EBADF)\n"),
                  "t.cases:5: a step that binds a new $name cannot have '| ' alternatives"},
        Malformed{"AlternativeBindsCapture",
                  CASE_WITH("  >>> htons(1)\n  OSError(errno=EBADF)\n  | $n\n"),
                  "t.cases:5: a step that binds a new $name cannot have '| ' alternatives"},
        Malformed{"AlternativeFirst", CASE_WITH("  >>> htons(1)\n  | 256\n"),
                  "t.cases:4: a '| ' alternative must follow an expectation line"},
        Malformed{"AlternativeWithoutSpace", CASE_WITH("  >>> htons(1)\n  256\n  |257\n"),
                  "t.cases:5: expected '| <expectation>', got '|257'"},
        Malformed{"AlternativeAfterElapsed",
                  CASE_WITH("  >>> htons(1)\n  256\n  elapsed: < 1\n  | 257\n"),
                  "t.cases:6: expected a '>>>' step or a new 'case' after 'elapsed:', got '| 257'"},
        Malformed{"ValueAfterAssignment", CASE_WITH("  >>> n = htons(1)\n  256\n"),
                  "t.cases:4: an assignment prints nothing; expected an exception, 'elapsed:' or a "
                  "new step, got '256'"},
        Malformed{"ExceptionWithEmptyMessage", CASE_WITH("  >>> htons(-1)\n  OverflowError:\n"),
                  "t.cases:4: expected ': <message>' after 'OverflowError' (an exception whose "
                  "str() is empty is written as the bare class name)"},
        Malformed{"ExceptionMessageOnlyComment",
                  CASE_WITH("  >>> htons(-1)\n  OverflowError:   # what?\n"),
                  "t.cases:4: expected a message after 'OverflowError:'"},
        Malformed{"ExceptionWithJunk", CASE_WITH("  >>> htons(-1)\n  OverflowError too big\n"),
                  "t.cases:4: expected ': message' or '(errno=NAME)' after exception class "
                  "'OverflowError'"},
        Malformed{"ExceptionWithBadParenthesis", CASE_WITH("  >>> htons(-1)\n  OSError(9)\n"),
                  "t.cases:4: expected '(errno=NAME)' after 'OSError', got '(9)'"},
        Malformed{"UnknownErrnoName", CASE_WITH("  >>> htons(-1)\n  OSError(errno=EBDAF)\n"),
                  "t.cases:4: unknown errno name 'EBDAF' (expected a name such as EBADF or "
                  "EAI_NONAME)"},
        Malformed{"JunkAfterErrno", CASE_WITH("  >>> htons(-1)\n  OSError(errno=EBADF): x\n"),
                  "t.cases:4: expected the end of the line after '(errno=EBADF)', got ': x'"},
        Malformed{"ElapsedBeforeStep", CASE_WITH("  elapsed: 0.1\n"),
                  "t.cases:3: an 'elapsed:' line must follow a '>>>' step"},
        Malformed{"ElapsedTwice", CASE_WITH("  >>> htons(1)\n  256\n  elapsed: 1\n  elapsed: 1\n"),
                  "t.cases:6: a step has at most one 'elapsed:' line"},
        Malformed{"ElapsedNotANumber", CASE_WITH("  >>> htons(1)\n  elapsed: soon\n"),
                  "t.cases:4: expected seconds after 'elapsed:' (such as 0.1 or < 0.05), got "
                  "'soon'"},
        Malformed{"ElapsedNegative", CASE_WITH("  >>> htons(1)\n  elapsed: -1\n"),
                  "t.cases:4: expected seconds after 'elapsed:' (such as 0.1 or < 0.05), got '-'"},
        Malformed{"ElapsedBelowZero", CASE_WITH("  >>> htons(1)\n  elapsed: < 0\n"),
                  "t.cases:4: 'elapsed: <' needs a positive bound"},
        Malformed{"ElapsedJunk", CASE_WITH("  >>> htons(1)\n  elapsed: 1 s\n"),
                  "t.cases:4: expected the end of the line after the seconds, got 's'"},
        Malformed{"AfterWithoutColon", CASE_WITH("  after 0.1 b.send(b'x')\n"),
                  "t.cases:3: expected 'after <seconds>: <statement>', got \"after 0.1 "
                  "b.send(b'x')\""},
        Malformed{"AfterHugeDelay", CASE_WITH("  after 1e300: htons(1)\n"),
                  "t.cases:3: '1e300' seconds is longer than the 600 a case may wait"},
        Malformed{"ElapsedHuge", CASE_WITH("  >>> htons(1)\n  elapsed: 86400\n"),
                  "t.cases:4: '86400' seconds is longer than the 600 a case may wait"},
        Malformed{"AfterNegativeDelay", CASE_WITH("  after -1: htons(1)\n"),
                  "t.cases:3: expected 'after <seconds>: <statement>', got 'after -1: htons(1)'"},
        Malformed{"AfterAssigns", CASE_WITH("  after 0.1: n = htons(1)\n"),
                  "t.cases:3: an 'after' action cannot assign (it runs concurrently with later "
                  "steps)"},
        Malformed{"AfterWithExpectation", CASE_WITH("  after 0.1: htons(1)\n  256\n"),
                  "t.cases:4: an 'after' action takes no expectation lines (it must succeed), got "
                  "'256'"},
        Malformed{"AfterWithElapsed", CASE_WITH("  after 0.1: htons(1)\n  elapsed: 1\n"),
                  "t.cases:4: an 'after' action takes no 'elapsed:' line"},
        Malformed{"InvalidUtf8", CASE_WITH("  >>> '\xff'\n"),
                  "t.cases:3: the line is not valid UTF-8"}),
    [](const ::testing::TestParamInfo<Malformed>& info) { return std::string(info.param.name); });

#undef CASE_WITH

// ---------------------------------------------------------------------------------------------
// Malformed files: the fixtures in conformance/language/testdata. Each starts with a comment
// "# error: <line>: <message>" giving the error it must raise.
// ---------------------------------------------------------------------------------------------

TEST(MalformedFiles, EachFixtureFailsWithItsDocumentedError) {
  int fixtures = 0;
  for (const auto& entry : fs::directory_iterator("conformance/language/testdata")) {
    std::string path = entry.path().string();
    if (entry.path().extension() != ".cases") continue;
    ++fixtures;
    std::ifstream in(path, std::ios::binary);
    std::string first_line;
    std::getline(in, first_line);
    ASSERT_EQ(first_line.rfind("# error: ", 0), 0u) << path << " lacks its '# error: ' line";
    std::string expected = path + ":" + first_line.substr(9);
    try {
      ParseCaseFile(path);
      ADD_FAILURE() << path << " parsed, expected " << expected;
    } catch (const CaseParseError& e) {
      EXPECT_EQ(e.what(), expected);
      EXPECT_EQ(e.file(), path);
      EXPECT_GT(e.line(), 0) << path;
    }
  }
  EXPECT_GE(fixtures, 12);
}

TEST(MalformedFiles, CaseWithoutDocFailsAtItsCaseLine) {
  EXPECT_EQ(ParseError("case t.a\n  >>> htons(1)\n  256\n\ncase t.b\n  doc: 001 \"x\"\n"),
            "t.cases:1: case 't.a' has no 'doc:' line (every case cites the sentence it checks)");
  EXPECT_EQ(ParseError("case t.a\n  doc: 001 \"x\"\n"), "t.cases:1: case 't.a' has no '>>>' steps");
}

TEST(MalformedFiles, HeaderAfterAStep) {
  EXPECT_EQ(ParseError(std::string(kHead) + "  >>> htons(1)\n  256\n  needs: root\n"),
            "t.cases:5: 'needs:' lines belong before the case's first step");
}

TEST(MalformedFiles, UnknownCapabilityListsTheKnownOnes) {
  EXPECT_EQ(ParseError(std::string(kHead) + "  needs: AF_INET6, IPV6\n"),
            "t.cases:3: unknown capability 'IPV6' (known: AF_ALG, AF_CAN, AF_INET6, AF_NETLINK, "
            "AF_PACKET, AF_TIPC, AF_UNIX, AF_UNIX_ABSTRACT, AF_VSOCK, SCM_RIGHTS, SO_REUSEPORT, "
            "nonroot, root, signals)");
}

TEST(MalformedFiles, IdsMustStartWithTheArea) {
  EXPECT_EQ(ParseError("case inet.aton.x\n"),
            "t.cases:1: case id 'inet.aton.x' must start with the file's area 't.'");
  EXPECT_EQ(ParseError("case tt.x\n"),
            "t.cases:1: case id 'tt.x' must start with the file's area 't.'");
}

TEST(MalformedFiles, DuplicateIdsInOneFile) {
  std::string c = std::string("case t.a\n  doc: 001 \"x\"\n  >>> f = 1\n");
  EXPECT_EQ(ParseError(c + c), "t.cases:4: duplicate case id 't.a' (first at t.cases:1)");
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "case_parser_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string path = path_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CaseTables, IdsAndTestNamesAreUniqueAcrossFiles) {
  TempDir dir;
  std::string a = dir.Write("a.cases", "case a.x_y\n  doc: 001 \"x\"\n  >>> f = 1\n");
  std::string b = dir.Write("a.cases.b", "");  // not a case file name; never read
  std::string c = dir.Write("a_x.cases", "case a_x.y\n  doc: 001 \"x\"\n  >>> f = 1\n");
  try {
    ParseCaseFiles({a, c});
    ADD_FAILURE() << "parsed";
  } catch (const CaseParseError& e) {
    EXPECT_EQ(e.what(),
              c + ":1: case id 'a_x.y' gives the same test name 'AXY' as 'a.x_y' at " + a + ":1");
  }
  try {
    ParseCaseFiles({a, a});
    ADD_FAILURE() << "parsed";
  } catch (const CaseParseError& e) {
    EXPECT_EQ(e.what(), a + ":1: duplicate case id 'a.x_y' (first at " + a + ":1)");
  }
  EXPECT_EQ(ParseCaseFiles({a}).size(), 1u);
}

// A FIFO or a device named *.cases must not block the runner or grow without bound.
TEST(CaseTables, OnlyRegularFilesAreRead) {
  TempDir dir;
  const std::string fifo = dir.path() + "/pipe.cases";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string device = dir.path() + "/zero.cases";
  ASSERT_EQ(::symlink("/dev/zero", device.c_str()), 0);
  for (const std::string& path : {fifo, device, dir.path()}) {
    try {
      ParseCaseFile(path);
      ADD_FAILURE() << path << " parsed";
    } catch (const CaseParseError& e) {
      EXPECT_EQ(e.message(), "not a regular file") << path;
    }
  }
}

// Duplicate ids were found by scanning the file's cases so far: quadratic in the case count.
TEST(CaseTables, ManyCasesParseAndADuplicateIsStillFound) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "case t.c" + std::to_string(i) + "\n  doc: 001 \"x\"\n  >>> x = 1\n";
  }
  EXPECT_EQ(ParseCaseText("t.cases", text).cases.size(), 20000u);
  text += "case t.c7\n  doc: 001 \"x\"\n  >>> x = 1\n";
  EXPECT_EQ(ParseError(text), "t.cases:60001: duplicate case id 't.c7' (first at t.cases:22)");
}

TEST(CaseTables, UnreadableFileSaysSo) {
  try {
    ParseCaseFile("/nonexistent/x.cases");
    ADD_FAILURE() << "parsed";
  } catch (const CaseParseError& e) {
    EXPECT_EQ(e.what(),
              std::string("/nonexistent/x.cases: cannot read: No such file or directory"));
    EXPECT_EQ(e.line(), 0);
  }
}

TEST(CaseTables, TestNamesAreCamelCaseSentences) {
  EXPECT_EQ(TestNameForCaseId("inet.aton.two_part_shorthand"), "InetAtonTwoPartShorthand");
  EXPECT_EQ(TestNameForCaseId("socket.recv_into.v2"), "SocketRecvIntoV2");
}

TEST(DocRefs, FragmentsAreFoundWithWhitespaceAndQuotesFolded) {
  TempDir dir;
  dir.Write("001_abc.txt", "The socket\u2019s own  address.\nThis is\n   useful “here”.\n");
  dir.Write("notes.txt", "ignored");
  std::vector<Case> cases = {
      ParseCaseText(
          "t.cases",
          "case t.c\n  doc: 001 \"socket's own address. This is useful\"\n"
          "  doc: 001 'useful \"here\"'\n  doc: 001 \"not there\"\n  doc: 007 \"x\"\n  >>> f = 1\n")
          .cases.at(0)};
  EXPECT_THAT(VerifyDocRefs(cases, dir.path()),
              ElementsAre("t.cases:4: seed 001 does not contain \"not there\"",
                          "t.cases:5: no seed document 007_*.txt in " + dir.path()));
}

TEST(Names, ModuleNamesBuiltinsAndCapabilities) {
  EXPECT_TRUE(IsSocketModuleName("AF_INET"));
  EXPECT_TRUE(IsSocketModuleName("SocketKind"));
  EXPECT_TRUE(IsSocketModuleName("create_connection"));
  EXPECT_FALSE(IsSocketModuleName("OSError"));  // a builtin
  EXPECT_FALSE(IsSocketModuleName("buf"));
  EXPECT_FALSE(IsSocketModuleName("socket"));  // the module itself, not one of its names
  EXPECT_THAT(BuiltinNames(), ::testing::Contains("memoryview"));
  EXPECT_THAT(KnownCapabilities(), ::testing::Contains("SCM_RIGHTS"));
}

}  // namespace
}  // namespace sockref::conformance
