#include "conformance/language/pattern_parser.h"

#include <cmath>
#include <string>
#include <utility>

#include "impl/errno_names.h"
#include "conformance/language/parse_support.h"
#include "conformance/language/value.h"

namespace sockref::conformance::language_internal {
namespace {

class PatternParser {
 public:
  explicit PatternParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  // CanStart says whether the line's first token can begin a value pattern.
  static bool CanStart(const Token& t) {
    switch (t.kind) {
      case Tok::kInt:
      case Tok::kFloat:
      case Tok::kStr:
      case Tok::kBytes:
      case Tok::kFStr:
        return true;
      case Tok::kName:
        return t.value == "None" || t.value == "True" || t.value == "False" || t.value == "nan" ||
               t.value == "inf" || t.value == "bytearray";
      case Tok::kOp:
        return t.value == "(" || t.value == "[" || t.value == "-" || t.value == "$" ||
               t.value == "<";
      case Tok::kEnd:
        return false;
    }
    return false;
  }

  Pattern ParseLine() {
    Pattern p = ParsePattern();
    if (Peek().kind != Tok::kEnd) {
      Fail("expected the end of the value, got " + Describe(Peek()) +
           " (a step has one expectation line; add alternatives with '| ')");
    }
    return p;
  }

 private:
  static bool IsOp(const Token& t, std::string_view op) {
    return t.kind == Tok::kOp && t.value == op;
  }
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }

  static Pattern Literal(Value v) {
    Pattern p;
    p.value = std::move(v);
    return p;
  }

  Pattern ParsePattern() {
    const Token& t = Next();
    switch (t.kind) {
      case Tok::kInt:
        return Literal(Value::IntFromDecimal(t.value));
      case Tok::kFloat:
        return Literal(Value::Float(t.number));
      case Tok::kStr:
        return Literal(Value::Str(t.value));
      case Tok::kBytes:
        return Literal(Value::Bytes(t.value));
      case Tok::kFStr:
        return ParseFormat(t.value);
      case Tok::kName:
        if (t.value == "None") return Literal(Value::None());
        if (t.value == "True" || t.value == "False") return Literal(Value::Bool(t.value == "True"));
        if (t.value == "nan") return Literal(Value::Float(std::nan("")));
        if (t.value == "inf") return Literal(Value::Float(HUGE_VAL));
        if (t.value == "bytearray") {
          if (!IsOp(Next(), "(")) Fail("expected bytearray(b'...')");
          const Token& data = Next();
          if (data.kind != Tok::kBytes || !IsOp(Next(), ")")) Fail("expected bytearray(b'...')");
          return Literal(Value::ByteArray(data.value));
        }
        Fail("expected a value, got " + Describe(t) +
             " (names are not values; capture unknown values with $name)");
      case Tok::kOp:
        if (t.value == "-") {
          const Token& n = Next();
          if (n.kind == Tok::kInt) return Literal(Value::IntFromDecimal("-" + n.value));
          if (n.kind == Tok::kFloat) return Literal(Value::Float(-n.number));
          if (n.kind == Tok::kName && n.value == "inf") return Literal(Value::Float(-HUGE_VAL));
          Fail("expected a number after '-', got " + Describe(n));
        }
        if (t.value == "(" || t.value == "[") return ParseSequence(t.value == "(");
        if (t.value == "$") return ParseCapture();
        if (t.value == "<") return ParseEnum();
        break;
      case Tok::kEnd:
        break;
    }
    Fail("expected a value, got " + Describe(t));
  }

  Pattern ParseSequence(bool tuple) {
    NestingGuard nesting(depth_, "value");
    std::string_view close = tuple ? ")" : "]";
    Pattern p;
    p.kind = tuple ? Pattern::Kind::kTuple : Pattern::Kind::kList;
    bool comma = false;
    while (!IsOp(Peek(), close)) {
      p.items.push_back(ParsePattern());
      if (IsOp(Peek(), ",")) {
        ++pos_;
        comma = true;
      } else if (!IsOp(Peek(), close)) {
        Fail("expected ',' or '" + std::string(close) + "', got " + Describe(Peek()));
      }
    }
    ++pos_;
    if (tuple && p.items.size() == 1 && !comma) {
      Fail("a parenthesised value is not a tuple; Python prints a 1-tuple as (x,)");
    }
    return p;
  }

  // ParseFormat reads the body of an f-string pattern: text with `{name}` and `{name!r}`
  // fields, `{{` and `}}` standing for braces. Nothing else may be in a field.
  static Pattern ParseFormat(const std::string& body) {
    Pattern p;
    p.kind = Pattern::Kind::kFormat;
    std::string text;
    auto flush = [&] {
      if (!text.empty()) p.format.push_back(FormatPart{std::move(text), "", "", false});
      text.clear();
    };
    for (std::size_t i = 0; i < body.size(); ++i) {
      const char c = body[i];
      if ((c == '{' || c == '}') && i + 1 < body.size() && body[i + 1] == c) {
        text += c;
        ++i;
        continue;
      }
      if (c == '}') Fail("a single '}' is not allowed in an f-string pattern (write '}}')");
      if (c != '{') {
        text += c;
        continue;
      }
      const std::size_t close = body.find('}', i);
      std::string field = body.substr(i + 1, close == std::string::npos ? 0 : close - i - 1);
      bool repr = false;
      if (field.size() > 2 && field.substr(field.size() - 2) == "!r") {
        repr = true;
        field.resize(field.size() - 2);
      }
      std::string attribute;
      if (const std::size_t dot = field.find('.'); dot != std::string::npos) {
        attribute = field.substr(dot + 1);
        field.resize(dot);
      }
      if (close == std::string::npos || !IsIdentifier(field) ||
          (!attribute.empty() && attribute != "name" && attribute != "value")) {
        Fail("expected {name}, {name!r}, {name.name} or {name.value} in an f-string pattern, "
             "got " +
             Quote(body.substr(i, close == std::string::npos ? std::string::npos : close - i + 1)) +
             " (a field names a value captured earlier in the case)");
      }
      flush();
      p.format.push_back(FormatPart{"", field, attribute, repr});
      i = close;
    }
    flush();
    return p;
  }

  Pattern ParseCapture() {
    const Token& name = Next();
    if (name.kind != Tok::kName) Fail("expected a capture name after '$', got " + Describe(name));
    Pattern p;
    p.kind = Pattern::Kind::kCapture;
    p.capture = name.value;
    if (IsOp(Peek(), ":")) {
      ++pos_;
      const Token& type = Next();
      if (type.kind != Tok::kName)
        Fail("expected a type name after '$" + p.capture + ":', got " + Describe(type));
      p.capture_type = type.value;
    }
    return p;
  }

  // <Class.MEMBER: value> or <Class.A|B: value>, exactly as Python prints an enum member.
  Pattern ParseEnum() {
    auto fail = [] {
      Fail("expected an enum member as Python prints it, such as <AddressFamily.AF_INET: 2>");
    };
    const Token& cls = Next();
    if (cls.kind != Tok::kName || !IsOp(Next(), ".")) fail();
    std::string member;
    while (true) {
      const Token& m = Next();
      if (m.kind != Tok::kName) fail();
      member += m.value;
      if (!IsOp(Peek(), "|")) break;
      ++pos_;
      member += "|";
    }
    if (!IsOp(Next(), ":")) fail();
    bool negative = IsOp(Peek(), "-");
    if (negative) ++pos_;
    const Token& value = Next();
    if (value.kind != Tok::kInt || !IsOp(Next(), ">")) fail();
    Value number = Value::IntFromDecimal((negative ? "-" : "") + value.value);
    if (!number.as_int64()) fail();
    return Literal(Value::Enum(cls.value, member, *number.as_int64()));
  }

  const std::vector<Token>& tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // see NestingGuard
};

// LooksLikeExceptionClass says whether a bare name is spelled like an exception class, so that
// a stray constant (AF_INET) is not taken for an exception whose message is empty.
bool LooksLikeExceptionClass(std::string_view name) {
  if (name.empty() || !(name[0] >= 'A' && name[0] <= 'Z')) return false;
  for (std::string_view suffix :
       {"Error", "Exception", "Warning", "Interrupt", "Exit", "Iteration"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      return true;
  }
  return false;
}

// LooksLikeException says whether an expectation line names an exception class: a dotted name
// whose last part is capitalised ("OSError") or that is module-qualified ("socket.gaierror"),
// followed by nothing, ':' or '('.
bool LooksLikeException(std::string_view line, std::size_t* name_end) {
  std::size_t i = 0;
  std::size_t parts = 0;
  std::size_t last_start = 0;
  while (true) {
    if (i >= line.size() || !IsIdentStart(line[i])) return false;
    last_start = i;
    while (i < line.size() && IsIdentChar(line[i])) ++i;
    ++parts;
    if (i < line.size() && line[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  std::string_view name = line.substr(0, i);
  if (name == "None" || name == "True" || name == "False" || name == "nan" || name == "inf" ||
      name == "bytearray") {
    return false;
  }
  if (i < line.size() && line[i] != ':' && line[i] != '(' && line[i] != ' ' && line[i] != '#') {
    return false;  // e.g. b'...' (a string prefix) or something else entirely
  }
  *name_end = i;
  return parts > 1 || LooksLikeExceptionClass(line.substr(last_start, i - last_start));
}

Expected ParseException(std::string_view line, std::size_t name_end) {
  Expected e;
  e.kind = Expected::Kind::kRaised;
  e.exception = std::string(line.substr(0, name_end));
  std::string_view rest = line.substr(name_end);
  if (Trim(rest).empty() || Trim(rest)[0] == '#') {
    e.message = "";  // a bare class name: the exception's str() is empty, as in a traceback
    return e;
  }
  if (rest[0] == ':') {
    if (rest.size() < 2 || rest[1] != ' ' || Trim(rest.substr(1)).empty()) {
      Fail("expected ': <message>' after " + Quote(e.exception) +
           " (an exception whose str() is empty is written as the bare class name)");
    }
    // The message runs to the end of the line or to an inline comment, which (as PEP 8 writes
    // them) starts with two spaces and '#': messages keep any other '#'.
    std::string_view message = rest.substr(2);
    if (std::size_t comment = message.find("  #"); comment != std::string_view::npos) {
      message = message.substr(0, comment);
    }
    e.message = std::string(Trim(message));
    if (e.message->empty()) Fail("expected a message after " + Quote(e.exception + ":"));
    return e;
  }
  if (rest[0] == '(') {
    std::size_t close = rest.find(')');
    std::string_view inside = close == std::string_view::npos ? "" : rest.substr(1, close - 1);
    if (!StartsWith(inside, "errno=")) {
      Fail("expected '(errno=NAME)' after " + Quote(e.exception) + ", got " + Quote(rest));
    }
    std::string errno_name(Trim(inside.substr(6)));
    if (!sockref::ErrnoValue(errno_name) && !sockref::EaiValue(errno_name)) {
      Fail("unknown errno name " + Quote(errno_name) +
           " (expected a name such as EBADF or EAI_NONAME)");
    }
    std::string_view after = Trim(rest.substr(close + 1));
    if (!after.empty() && after[0] != '#') {
      Fail("expected the end of the line after " + Quote(rest.substr(0, close + 1)) + ", got " +
           Quote(after));
    }
    e.errno_name = errno_name;
    return e;
  }
  Fail("expected ': message' or '(errno=NAME)' after exception class " + Quote(e.exception));
}

}  // namespace

Expected ParseExpectation(std::string_view line, std::string_view generic_error) {
  std::size_t name_end = 0;
  if (LooksLikeException(line, &name_end)) {
    Expected e = ParseException(line, name_end);
    return e;
  }
  if (StartsWith(line, "...")) {
    Fail(
        "'...' is not part of the case language: statements fit on one line, and there is no "
        "wildcard (capture nondeterministic values with $name)");
  }
  std::vector<Token> tokens = Tokenize(line);
  if (tokens[0].kind == Tok::kName && tokens[0].value[0] >= 'A' && tokens[0].value[0] <= 'Z' &&
      !PatternParser::CanStart(tokens[0])) {
    Fail("expected a value, got " + Quote(tokens[0].value) +
         " (names are not values: write an enum member as Python prints it, such as "
         "<AddressFamily.AF_INET: 2>, and capture unknown values with $name)");
  }
  if (!PatternParser::CanStart(tokens[0]))
    Fail(std::string(generic_error) + ", got " + Quote(line));
  Expected e;
  e.kind = Expected::Kind::kValue;
  e.value = PatternParser(tokens).ParseLine();
  return e;
}

double ParseSeconds(const std::vector<Token>& tokens, std::size_t pos, std::string_view what) {
  const Token& t = tokens[pos];
  double seconds = -1;
  if (t.kind == Tok::kInt) {
    Value v = Value::IntFromDecimal(t.value);
    if (v.as_int64()) seconds = double(*v.as_int64());
  } else if (t.kind == Tok::kFloat && std::isfinite(t.number)) {
    seconds = t.number;
  }
  if (seconds < 0) Fail("expected " + std::string(what) + ", got " + Describe(t));
  // A case waits seconds, not hours; far larger values would overflow the drivers' clocks.
  if (seconds > kMaxCaseSeconds) {
    Fail(Quote(t.text) + " seconds is longer than the " +
         std::to_string(static_cast<int>(kMaxCaseSeconds)) + " a case may wait");
  }
  return seconds;
}

void ForEachCapture(const Pattern& p, std::vector<std::size_t>& path,
                    const std::function<void(const Pattern&, const std::vector<std::size_t>&)>& f) {
  if (p.kind == Pattern::Kind::kCapture) f(p, path);
  for (std::size_t i = 0; i < p.items.size(); ++i) {
    path.push_back(i);
    ForEachCapture(p.items[i], path, f);
    path.pop_back();
  }
}

}  // namespace sockref::conformance::language_internal
