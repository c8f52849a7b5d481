// case_ast.h: what a conformance case means once parsed, and how it travels as JSON.
//
// case_parser.h turns a `.cases` file (the language is CASES.md) into `Case`s. A runner sends
// each step to an implementation's driver as JSON (the protocol is PROTOCOL.md), decodes the
// reply into an `Outcome`, and asks this header whether the step accepts it:
//
//   Bindings bindings;  // one per case: what $name captures matched so far
//   for (size_t i = 0; i < c.steps.size(); ++i) {
//     const Step& step = c.steps[i];
//     nlohmann::json reply = driver.Call(ExecRequest(step, i + 1));  // the runner's job
//     Outcome outcome = OutcomeFromJson(reply.at("outcome"));
//     if (auto why = MatchOutcome(step, outcome, bindings)) Fail(step.line, *why);
//     if (step.elapsed) {
//       if (auto why = MatchElapsed(*step.elapsed, reply.at("elapsed"), TimeMultiplierFromEnv()))
//         Fail(step.elapsed->line, *why);
//     }
//   }
//
// Everything here is plain data plus pure functions; nothing talks to a driver.
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_CASE_AST_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_CASE_AST_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sockref::conformance {

// The protocol version this header encodes; drivers answer `hello` with it.
inline constexpr std::string_view kProtocolVersion = "sockref-driver/1";

// ProtocolError is thrown by the *FromJson decoders when a JSON document does not have the
// shape PROTOCOL.md gives it. what() names the offending part.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

// Value is a Python value as the protocol carries it: None, bool, int (any size), float, str,
// bytes, bytearray, tuple, list, an enum member (AF_INET), or an opaque object (a socket, a
// memoryview) known only by its type name and repr, or a value the driver did not send
// (Omitted: the runner had said nothing would look at it).
//
// Equality (operator==) is doctest's: two values are equal when Python would print the same
// repr for them. So 1, 1.0 and True differ; (1,) and [1] differ; b'a' and bytearray(b'a')
// differ; nan equals nan and 0.0 differs from -0.0. Objects are equal when type name and repr
// are.
class Value {
 public:
  enum class Type {
    kNone,
    kBool,
    kInt,
    kFloat,
    kStr,
    kBytes,
    kByteArray,
    kTuple,
    kList,
    kEnum,
    kObject,
  };

  // A default Value is None.
  Value() = default;

  static Value None() { return Value(); }
  static Value Bool(bool b);
  static Value Int(std::int64_t i);
  // IntFromDecimal returns the int written in `decimal` (an optional '-' then digits, any
  // length). Throws ProtocolError when `decimal` is not of that form.
  static Value IntFromDecimal(std::string_view decimal);
  static Value Float(double d);
  // Str holds UTF-8 text.
  static Value Str(std::string utf8);
  static Value Bytes(std::string data);
  static Value ByteArray(std::string data);
  static Value Tuple(std::vector<Value> items);
  static Value List(std::vector<Value> items);
  // Enum is a member of an int enum or flag class: Enum("AddressFamily", "AF_INET", 2). A flag
  // combination is named with '|' ("MSG_PEEK|MSG_WAITALL"); such names compare as sets.
  static Value Enum(std::string enum_class, std::string member, std::int64_t value);
  // Object is anything else: Object("socket", "<socket.socket fd=3, ...>").
  static Value Object(std::string type_name, std::string repr);
  // Omitted is a value a driver left out of its reply because the `exec` request said
  // "want_value": false (PROTOCOL.md): only its type name and, for str, bytes, bytearray,
  // tuple and list, its len() are known. It is an object (type() == kObject, omitted() true)
  // whose repr says so: "<bytes of len 10000000, not sent>".
  static Value Omitted(std::string type_name, std::optional<std::uint64_t> length);

  Type type() const { return type_; }
  // type_name returns the Python type name: "NoneType", "bool", "int", "float", "str", "bytes",
  // "bytearray", "tuple", "list", the enum class, or the object's type. `$x:T` compares T to it.
  std::string type_name() const;

  // REQUIRES: type() == kBool.
  bool as_bool() const { return bool_; }
  // REQUIRES: type() == kInt. The canonical decimal spelling ("-12", "0").
  const std::string& int_decimal() const { return text_; }
  // REQUIRES: type() == kInt. The value when it fits in int64, else nullopt.
  std::optional<std::int64_t> as_int64() const;
  // REQUIRES: type() == kFloat.
  double as_float() const { return float_; }
  // REQUIRES: type() is kStr (UTF-8), kBytes or kByteArray (raw bytes).
  const std::string& data() const { return text_; }
  // REQUIRES: type() is kTuple or kList.
  const std::vector<Value>& items() const { return items_; }
  // REQUIRES: type() == kEnum. The member name ("AF_INET") and its integer value.
  const std::string& enum_member() const { return text_; }
  std::int64_t enum_value() const { return enum_value_; }
  // REQUIRES: type() == kObject. Python's repr() of the object.
  const std::string& object_repr() const { return text_; }
  // omitted says whether this is an Omitted value; omitted_length is its len(), if known.
  bool omitted() const { return omitted_; }
  std::optional<std::uint64_t> omitted_length() const { return omitted_length_; }

  friend bool operator==(const Value& a, const Value& b);

 private:
  Type type_ = Type::kNone;
  bool bool_ = false;
  double float_ = 0;
  std::int64_t enum_value_ = 0;
  std::string text_;       // int digits, str/bytes data, enum member, object repr
  std::string type_name_;  // enum class or object type
  std::vector<Value> items_;
  bool omitted_ = false;
  std::optional<std::uint64_t> omitted_length_;
};

// Repr returns what Python's repr() prints for `v`: b'\x01', 'a', (1,), <AddressFamily.AF_INET: 2>.
std::string Repr(const Value& v);

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

// Pattern is an expected value: a literal value, a tuple or list of patterns, or a capture
// `$name` / `$name:type` that matches any value (of that type) the first time and must equal
// the first match after that.
struct Pattern {
  enum class Kind { kValue, kTuple, kList, kCapture };
  Kind kind = Kind::kValue;
  Value value;                 // kValue
  std::vector<Pattern> items;  // kTuple, kList
  std::string capture;         // kCapture: the variable it binds
  std::string capture_type;    // kCapture: required Value::type_name(), empty for any
};

// Repr returns the pattern as a case file spells it: ('127.0.0.1', $port:int).
std::string Repr(const Pattern& p);

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
  std::vector<Step> steps;
};

// TestNameForCaseId returns a GoogleTest-friendly CamelCase name for a case id:
// "inet.aton.two_part_shorthand" -> "InetAtonTwoPartShorthand". The parser rejects case
// tables in which two ids give the same name.
std::string TestNameForCaseId(std::string_view id);

// ---------------------------------------------------------------------------------------------
// JSON encodings (PROTOCOL.md)
// ---------------------------------------------------------------------------------------------

// ValueToJson / ValueFromJson convert between a Value and its protocol encoding. ValueFromJson
// throws ProtocolError on anything PROTOCOL.md does not define.
nlohmann::json ValueToJson(const Value& v);
Value ValueFromJson(const nlohmann::json& j);

// ExprToJson / StatementToJson give the AST a driver evaluates; the *FromJson inverses throw
// ProtocolError on malformed input (for a driver or adapter written in C++).
nlohmann::json ExprToJson(const Expr& e);
Expr ExprFromJson(const nlohmann::json& j);
nlohmann::json StatementToJson(const Statement& s);
Statement StatementFromJson(const nlohmann::json& j);

// ExecRequest returns the `exec` message for `step`, numbered `number` (1-based) in its case.
// It says "want_value": false when nothing looks at the step's value (ValueIsUnchecked), so a
// driver may answer with an Omitted value instead of, say, 10 MB of base64.
nlohmann::json ExecRequest(const Step& step, int number);

// ValueIsUnchecked says whether no expectation of `step` looks at the value it returns: a
// background action, or an assignment without expectation lines or captures.
bool ValueIsUnchecked(const Step& step);

// PatternToJson, ExpectedToJson, StepToJson and CaseToJson give the whole parsed case, as
// dump_cases prints it (CASES.md, "Tools").
nlohmann::json PatternToJson(const Pattern& p);
nlohmann::json ExpectedToJson(const Expected& e);
nlohmann::json StepToJson(const Step& s);
nlohmann::json CaseToJson(const Case& c);

// ---------------------------------------------------------------------------------------------
// Outcomes and matching
// ---------------------------------------------------------------------------------------------

// RaisedException is an exception as a driver reports it.
struct RaisedException {
  std::string type;              // traceback spelling: "OSError", "socket.gaierror"
  std::vector<std::string> mro;  // the same spelling for each class of type.__mro__
  std::optional<std::int64_t> errno_value;
  std::optional<std::string> errno_name;
  std::string str;  // str(exc)
};

// Outcome is what one step did in a driver: returned a value, raised, or could not be tried
// because the implementation lacks a name the step uses (distinct from raising).
struct Outcome {
  enum class Kind { kValue, kRaised, kUnsupported };
  Kind kind = Kind::kValue;
  Value value;              // kValue
  RaisedException raised;   // kRaised
  std::string unsupported;  // kUnsupported: what is missing
};

// OutcomeFromJson decodes the "outcome" member of an exec reply; throws ProtocolError.
Outcome OutcomeFromJson(const nlohmann::json& j);
nlohmann::json OutcomeToJson(const Outcome& o);

// Describe returns the outcome as Python's REPL would show it: "b'x'", "OSError: [Errno 9] Bad
// file descriptor", or "unsupported: module 'socket' has no attribute 'x'".
std::string Describe(const Outcome& o);

// Bindings maps each `$name` already captured in a case to the value it matched.
using Bindings = std::map<std::string, Value>;

// MatchOutcome returns nullopt when `step` accepts `outcome`, after adding the step's new
// captures to `bindings`; otherwise a sentence saying what was expected and what happened
// (`bindings` unchanged). An unsupported outcome never matches. Errno names compare after
// folding aliases (EWOULDBLOCK is EAGAIN, EOPNOTSUPP is ENOTSUP, EDEADLK is EDEADLOCK).
std::optional<std::string> MatchOutcome(const Step& step, const Outcome& outcome,
                                        Bindings& bindings);

// The timing policy of CASES.md. A step expected to take T seconds passes when
//   T - lead - kEarlySlack <= elapsed <= T + max(kAbsoluteTolerance, kRelativeTolerance * T) * M,
// and `elapsed: < T` passes when elapsed < T * M, M being the time multiplier. `lead` is 0
// unless a background action of the case was still waiting out its delay when the step
// started: then it is how long before the step's clock started that action's delay began
// (the runner's StepRecord::lead), since a step that the action wakes is due `lead` seconds
// sooner than T after its own start.
inline constexpr double kAbsoluteTolerance = 0.05;     // seconds
inline constexpr double kRelativeTolerance = 0.5;      // of the expected interval
inline constexpr double kEarlySlack = 0.005;           // seconds a timeout may fire early
inline constexpr double kDefaultWatchdogSeconds = 10;  // per case, times M

// MatchElapsed returns nullopt when `elapsed_seconds` satisfies `timing` under multiplier
// `multiplier` and a head start of `lead_seconds` (both as in the policy above), otherwise a
// sentence giving the accepted range.
std::optional<std::string> MatchElapsed(const Timing& timing, double elapsed_seconds,
                                        double multiplier, double lead_seconds = 0);

// TimeMultiplierFromEnv returns SOCKREF_TIME_MULTIPLIER (a positive number; default 1 when
// unset). Throws std::invalid_argument when it is set to anything else.
double TimeMultiplierFromEnv();

// CanonicalErrnoName folds the Linux errno aliases onto the name Python's errno.errorcode uses.
std::string_view CanonicalErrnoName(std::string_view name);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_CASE_AST_H_
