// ast.h: what a conformance case means once parsed (the case language is CASES.md).
//
// case_parser.h turns a `.cases` file into `Case`s: each a list of `Step`s, each a `Statement`
// to run and the `Expected` outcomes it accepts. Plain data; the protocol (//conformance/protocol)
// encodes it for drivers and the runner (//conformance/runner) judges what drivers reply.
//
//   for (const Step& step : c.steps) std::cout << step.source << " -> " << Describe(step.expected[0]);
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_AST_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_AST_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/language/python_version.h"
#include "conformance/language/value.h"

namespace sockref::conformance {

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

// ExprKind is the closed set of expression forms the case language has (CASES.md, "Statements").
enum class ExprKind {
  kLiteral,  // literal: None, True, 3, -1.5, 'text', b'\x00'
  kName,     // a case variable, a builtin, or `socket` itself (module names become kAttr)
  kAttr,     // operands[0].name
  kCall,     // operands[0](operands[1..]), the last keyword_names.size() passed by keyword
  kTuple,    // (operands...)
  kList,     // [operands...]
  kIndex,    // operands[0][operands[1]]
  kSlice,    // operands[0][operands[1]:operands[2]]; an absent bound is kOmitted
  kBinOp,    // operands[0] name operands[1], name "+" or "*"
  kNeg,      // -operands[0] (negative number literals are folded into kLiteral)
  kOmitted,  // an absent slice bound
};

// Expr is one node of a statement's expression tree. Which fields matter depends on `kind`
// (see ExprKind); the others stay empty.
struct Expr {
  ExprKind kind = ExprKind::kOmitted;
  Value literal;                           // kLiteral
  std::string name;                        // kName, kAttr (attribute), kBinOp (operator)
  std::vector<Expr> operands;              // see ExprKind
  std::vector<std::string> keyword_names;  // kCall
};

// Statement is one `>>>` or `after` line: an expression, a binding `name = expr`, or an
// unpacking `a, b = expr`.
struct Statement {
  std::vector<std::string> targets;  // empty: expression; one name: binding; more: unpacking
  Expr expr;
};

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

// FormatPart is one piece of an f-string pattern: literal text, or a replacement field
// `{name}` (`{name!r}` when `repr`) naming a value the case captured earlier, or
// `{name.name}` / `{name.value}`, the member name or integer of a captured enum member.
struct FormatPart {
  std::string text;       // literal text, when `name` is empty
  std::string name;       // the capture a field substitutes
  std::string attribute;  // "", "name" or "value" (an enum member's)
  bool repr = false;      // `{name!r}`: repr() of the value rather than str()
};

// Pattern is an expected value: a literal value, a tuple or list of patterns, a capture
// `$name` / `$name:type` that matches any value (of that type) the first time and must equal
// the first match after that, or an f-string `f'<socket.socket fd={fd}, ...>'`: a str equal to
// the f-string formatted with the values the case captured so far.
struct Pattern {
  enum class Kind { kValue, kTuple, kList, kCapture, kFormat };
  Kind kind = Kind::kValue;
  Value value;                 // kValue
  std::vector<Pattern> items;  // kTuple, kList
  std::string capture;         // kCapture: the variable it binds
  std::string capture_type;    // kCapture: required Value::type_name(), empty for any
  std::vector<FormatPart> format;  // kFormat
};

// Repr returns the pattern as a case file spells it: ('127.0.0.1', $port:int).
std::string Repr(const Pattern& p);

// StrOfValue returns Python's str() of a value: a str's own text; an enum member's integer, as
// Python 3.11 prints IntEnum and IntFlag members; repr() for everything else.
std::string StrOfValue(const Value& v);

// ExpandFormat returns the text an f-string pattern stands for, given the values bound to
// captured names; nullopt when a field names a capture not in `bound`, or asks for `.name` or
// `.value` of a value that is not an enum member.
// REQUIRES: p.kind == Pattern::Kind::kFormat.
std::optional<std::string> ExpandFormat(const Pattern& p, const std::map<std::string, Value>& bound);

// Expected is one acceptable outcome of a step: a value matching `value`, or an exception of
// class `exception` whose str() is `message`, or whose errno is named `errno_name`.
struct Expected {
  enum class Kind { kValue, kRaised };
  Kind kind = Kind::kValue;
  Pattern value;                          // kValue
  std::string exception;                  // kRaised: "OSError", "socket.gaierror"
  std::optional<std::string> message;     // kRaised: exact str(exc), "" for a bare class name
  std::optional<std::string> errno_name;  // kRaised: instead of message: "EBADF"
  int line = 0;
};

// Describe returns the expectation as a case file spells it: "OSError: [Errno 9] Bad file
// descriptor", "ConnectionRefusedError(errno=ECONNREFUSED)", "b'x'".
std::string Describe(const Expected& e);

// Timing is an `elapsed:` line: the step takes about `seconds` (kAbout), or returns in less
// than `seconds` (kBelow). See MatchElapsed for the tolerance.
struct Timing {
  enum class Kind { kAbout, kBelow };
  Kind kind = Kind::kAbout;
  double seconds = 0;
  int line = 0;
};

// Capture says where in a step's result a new `$name` binds: `path` indexes nested tuples and
// lists from the outside in; an empty path is the whole result.
struct Capture {
  std::string name;
  std::vector<std::size_t> path;
};

// VersionedExpectation is a group of version-qualified expectation lines (`[3.6-3.9] False`):
// what the step does in those versions instead of its unqualified expectations.
struct VersionedExpectation {
  VersionRange versions;
  std::vector<Expected> expected;  // one, plus its `| ` alternatives
  int line = 0;
  std::string reason;  // the line's comment, where it cites why the behaviour changed
};

// Step is one `>>>` statement (or `after` background action) with what it must do.
struct Step {
  int line = 0;
  std::string source;  // the statement as written, for reports
  Statement statement;
  std::optional<double> background_delay;  // set for `after <seconds>:` steps
  // The acceptable outcomes. The parser fills in doctest's default: an expression statement
  // with no expectation line must return None. Empty means any successful outcome (an
  // assignment or a background action without expectation lines).
  std::vector<Expected> expected;
  // Where a version did otherwise: disjoint ranges, each replacing `expected` in its versions.
  std::vector<VersionedExpectation> by_version;
  std::optional<Timing> elapsed;
  std::vector<Capture> captures;  // the step's first occurrences of each $name
};

// DocRef is a `doc:` line: the seed document (by its three-digit prefix, "002") and the
// sentence fragment of it the case checks.
struct DocRef {
  std::string seed;
  std::string fragment;
  int line = 0;
};

// Case is one `case <id>` block.
struct Case {
  std::string id;  // "inet.aton.two_part_shorthand"
  std::string file;
  int line = 0;
  std::vector<DocRef> docs;
  std::vector<std::string> needs;  // capability names, see PROTOCOL.md
  std::string divergence;          // empty unless a known doc-vs-CPython divergence is noted
  // A `versions:` header: the Python versions the case applies to (the behaviour does not
  // exist in the others). nullopt: every version the table records.
  std::optional<VersionRange> versions;
  std::vector<Step> steps;
};

// TestNameForCaseId returns a GoogleTest-friendly CamelCase name for a case id:
// "inet.aton.two_part_shorthand" -> "InetAtonTwoPartShorthand". The parser rejects case
// tables in which two ids give the same name.
std::string TestNameForCaseId(std::string_view id);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_AST_H_
