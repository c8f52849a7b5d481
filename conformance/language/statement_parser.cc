#include "conformance/language/statement_parser.h"

#include <string>
#include <utility>

#include "conformance/language/parse_support.h"
#include "conformance/language/python_names.h"
#include "conformance/language/value.h"

namespace sockref::conformance::language_internal {
namespace {

class StatementParser {
 public:
  StatementParser(const std::vector<Token>& tokens, std::size_t start, const Scope& scope)
      : tokens_(tokens), pos_(start), scope_(scope) {}

  Statement ParseStatement() {
    Statement s;
    // name [, name]* '=' ... is an assignment; anything else an expression.
    std::size_t i = pos_;
    std::vector<std::string> names;
    while (tokens_[i].kind == Tok::kName) {
      names.push_back(tokens_[i].value);
      ++i;
      if (!IsOp(tokens_[i], ",")) break;
      ++i;
    }
    if (!names.empty() && IsOp(tokens_[i], "=")) {
      if (IsOp(tokens_[i - 1], ",")) {
        Fail(names.size() == 1 ? "unpacking needs at least two names; write 'x = ...' to bind one"
                               : "expected a name before '='");
      }
      s.targets = names;
      pos_ = i + 1;
      for (std::size_t j = pos_; tokens_[j].kind != Tok::kEnd; ++j) {
        if (IsOp(tokens_[j], "(") || IsOp(tokens_[j], "[")) break;  // keyword arguments follow
        if (IsOp(tokens_[j], "=")) Fail("chained assignment is not supported");
      }
    }
    s.expr = ParseTupleOrExpr();
    const Token& t = Peek();
    if (IsOp(t, "=")) {
      Fail(s.targets.empty() ? "only names can be assigned ('name = ...' or 'a, b = ...')"
                             : "chained assignment is not supported");
    }
    if (t.kind == Tok::kOp && t.value == ";")
      Fail("one statement per '>>>' line; ';' is not supported");
    if (t.kind != Tok::kEnd) Fail("expected the end of the statement, got " + Describe(t));
    return s;
  }

 private:
  static bool IsOp(const Token& t, std::string_view op) {
    return t.kind == Tok::kOp && t.value == op;
  }
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }
  void Expect(std::string_view op, std::string_view what) {
    if (!IsOp(Peek(), op)) Fail("expected " + std::string(what) + ", got " + Describe(Peek()));
    ++pos_;
  }

  // tuple_or_expr: sum (',' sum)* [','] -- a bare tuple as in `a, b = 1, 2`.
  Expr ParseTupleOrExpr() {
    Expr first = ParseSum();
    if (!IsOp(Peek(), ",")) return first;
    Expr tuple;
    tuple.kind = ExprKind::kTuple;
    tuple.operands.push_back(std::move(first));
    while (IsOp(Peek(), ",")) {
      ++pos_;
      if (Peek().kind == Tok::kEnd || IsOp(Peek(), "=")) break;
      tuple.operands.push_back(ParseSum());
    }
    return tuple;
  }

  Expr ParseSum() {
    // Every nested expression (in parentheses, brackets, arguments, subscripts) starts here.
    NestingGuard nesting(depth_, "expression");
    Expr left = ParseTerm();
    ChainDepth chain(depth_);
    while (IsOp(Peek(), "+")) {
      chain.Link("expression");
      ++pos_;
      left = BinOp("+", std::move(left), ParseTerm());
    }
    if (Peek().kind == Tok::kOp) {
      static constexpr std::string_view kUnsupported[] = {"-",  "**", "/", "//", "%", "@",
                                                          "<<", ">>", "&", "|",  "^"};
      for (std::string_view op : kUnsupported) {
        if (Peek().value == op) {
          Fail("binary '" + std::string(op) + "' is not supported (only '+' and '*')");
        }
      }
    }
    return left;
  }

  Expr ParseTerm() {
    Expr left = ParseUnary();
    ChainDepth chain(depth_);
    while (IsOp(Peek(), "*")) {
      chain.Link("expression");
      ++pos_;
      left = BinOp("*", std::move(left), ParseUnary());
    }
    return left;
  }

  static Expr BinOp(std::string op, Expr left, Expr right) {
    Expr e;
    e.kind = ExprKind::kBinOp;
    e.name = std::move(op);
    e.operands.push_back(std::move(left));
    e.operands.push_back(std::move(right));
    return e;
  }

  Expr ParseUnary() {
    if (!IsOp(Peek(), "-")) return ParsePostfix();
    ++pos_;
    NestingGuard nesting(depth_, "expression");
    Expr operand = ParseUnary();
    // Fold -<number> into a literal, as Python's compiler does, so drivers see plain numbers.
    if (operand.kind == ExprKind::kLiteral && operand.literal.type() == Value::Type::kInt) {
      const std::string& d = operand.literal.int_decimal();
      operand.literal = Value::IntFromDecimal(d[0] == '-' ? d.substr(1) : "-" + d);
      return operand;
    }
    if (operand.kind == ExprKind::kLiteral && operand.literal.type() == Value::Type::kFloat) {
      operand.literal = Value::Float(-operand.literal.as_float());
      return operand;
    }
    Expr e;
    e.kind = ExprKind::kNeg;
    e.operands.push_back(std::move(operand));
    return e;
  }

  Expr ParsePostfix() {
    Expr e = ParseAtom();
    ChainDepth chain(depth_);
    while (true) {
      if (IsOp(Peek(), ".") || IsOp(Peek(), "(") || IsOp(Peek(), "[")) chain.Link("expression");
      if (IsOp(Peek(), ".")) {
        ++pos_;
        const Token& name = Next();
        if (name.kind != Tok::kName)
          Fail("expected an attribute name after '.', got " + Describe(name));
        Expr attr;
        attr.kind = ExprKind::kAttr;
        attr.name = name.value;
        attr.operands.push_back(std::move(e));
        e = std::move(attr);
      } else if (IsOp(Peek(), "(")) {
        ++pos_;
        e = ParseCall(std::move(e));
      } else if (IsOp(Peek(), "[")) {
        ++pos_;
        e = ParseSubscript(std::move(e));
      } else {
        return e;
      }
    }
  }

  Expr ParseCall(Expr callee) {
    Expr call;
    call.kind = ExprKind::kCall;
    call.operands.push_back(std::move(callee));
    std::vector<Expr> keyword_values;
    while (!IsOp(Peek(), ")")) {
      if (IsOp(Peek(), "*") || IsOp(Peek(), "**"))
        Fail("argument unpacking ('*', '**') is not supported");
      if (Peek().kind == Tok::kName && IsOp(tokens_[pos_ + 1], "=")) {
        std::string name = Next().value;
        ++pos_;  // '='
        if (std::find(call.keyword_names.begin(), call.keyword_names.end(), name) !=
            call.keyword_names.end()) {
          Fail("keyword argument repeated: " + Quote(name));
        }
        call.keyword_names.push_back(name);
        keyword_values.push_back(ParseSum());
      } else {
        if (!call.keyword_names.empty()) Fail("positional argument follows keyword argument");
        call.operands.push_back(ParseSum());
      }
      if (IsOp(Peek(), ",")) {
        ++pos_;
      } else if (!IsOp(Peek(), ")")) {
        Fail("expected ',' or ')' in the argument list, got " + Describe(Peek()));
      }
    }
    ++pos_;
    for (Expr& v : keyword_values) call.operands.push_back(std::move(v));
    return call;
  }

  Expr ParseSubscript(Expr object) {
    Expr lower;  // kOmitted unless written
    if (!IsOp(Peek(), ":")) lower = ParseSum();
    if (IsOp(Peek(), "]")) {
      ++pos_;
      if (lower.kind == ExprKind::kOmitted) Fail("expected an index or slice inside '[]'");
      Expr index;
      index.kind = ExprKind::kIndex;
      index.operands.push_back(std::move(object));
      index.operands.push_back(std::move(lower));
      return index;
    }
    Expect(":", "']' or ':' in the subscript");
    Expr upper;
    if (!IsOp(Peek(), "]") && !IsOp(Peek(), ":")) upper = ParseSum();
    if (IsOp(Peek(), ":")) Fail("slice steps are not supported");
    Expect("]", "']' after the slice");
    Expr slice;
    slice.kind = ExprKind::kSlice;
    slice.operands.push_back(std::move(object));
    slice.operands.push_back(std::move(lower));
    slice.operands.push_back(std::move(upper));
    return slice;
  }

  Expr ParseAtom() {
    const Token& t = Next();
    Expr e;
    switch (t.kind) {
      case Tok::kInt:
        e.kind = ExprKind::kLiteral;
        e.literal = Value::IntFromDecimal(t.value);
        return e;
      case Tok::kFloat:
        e.kind = ExprKind::kLiteral;
        e.literal = Value::Float(t.number);
        return e;
      case Tok::kStr:
        e.kind = ExprKind::kLiteral;
        e.literal = Value::Str(t.value);
        return e;
      case Tok::kBytes:
        e.kind = ExprKind::kLiteral;
        e.literal = Value::Bytes(t.value);
        return e;
      case Tok::kFStr:
        Fail("f-strings are not supported in statements (an f-string is a value pattern of an "
             "expectation line)");
      case Tok::kName:
        return ResolveName(t.value);
      case Tok::kOp:
        if (t.value == "(" || t.value == "[") return ParseDisplay(t.value == "(");
        if (t.value == "{") Fail("dict and set displays are not supported");
        break;
      case Tok::kEnd:
        break;
    }
    Fail("expected an expression, got " + Describe(t));
  }

  // ParseDisplay reads the rest of (...) or [...]: a tuple, a list, or a parenthesised expr.
  Expr ParseDisplay(bool paren) {
    std::string_view close = paren ? ")" : "]";
    Expr e;
    e.kind = paren ? ExprKind::kTuple : ExprKind::kList;
    bool comma = false;
    while (!IsOp(Peek(), close)) {
      e.operands.push_back(ParseSum());
      if (IsOp(Peek(), ",")) {
        ++pos_;
        comma = true;
      } else if (!IsOp(Peek(), close)) {
        Fail("expected ',' or '" + std::string(close) + "', got " + Describe(Peek()));
      }
    }
    ++pos_;
    if (paren && !comma && e.operands.size() == 1) return std::move(e.operands[0]);
    return e;
  }

  Expr ResolveName(const std::string& name) {
    Expr e;
    if (name == "None" || name == "True" || name == "False") {
      e.kind = ExprKind::kLiteral;
      e.literal = name == "None" ? Value::None() : Value::Bool(name == "True");
      return e;
    }
    if (PythonKeywords().count(name))
      Fail("expected an expression, got the keyword " + Quote(name));
    e.kind = ExprKind::kName;
    e.name = name;
    if (scope_.bound.count(name) || IsBuiltinName(name) || name == "socket") return e;
    if (IsSocketModuleName(name)) {
      // Bare module names become socket.<name>, so a driver only resolves `socket`, builtins
      // and case variables.
      Expr attr;
      attr.kind = ExprKind::kAttr;
      attr.name = name;
      attr.operands.push_back(std::move(e));
      attr.operands[0].name = "socket";
      return attr;
    }
    Fail("name " + Quote(name) +
         " is not defined: it is not bound by an earlier step, nor a builtin, nor a socket module "
         "name");
  }

  const std::vector<Token>& tokens_;
  std::size_t pos_;
  const Scope& scope_;
  int depth_ = 0;  // see NestingGuard
};

}  // namespace

Statement ParseStatementTokens(const std::vector<Token>& tokens, const Scope& scope) {
  return StatementParser(tokens, 0, scope).ParseStatement();
}

void CheckVariableName(const std::string& name) {
  if (!IsIdentifier(name)) Fail("expected a variable name, got " + Quote(name));
  if (name == "None" || name == "True" || name == "False" || PythonKeywords().count(name)) {
    Fail(Quote(name) + " is a Python keyword, not a variable name");
  }
  if (!(name[0] >= 'a' && name[0] <= 'z') && name[0] != '_') {
    Fail("case variables start with a lower-case letter or '_' (" + Quote(name) +
         " would mean socket." + name + ")");
  }
  if (name == "socket" || IsSocketModuleName(name)) {
    Fail(Quote(name) + " is a socket module name; a case variable may not shadow it");
  }
  if (IsBuiltinName(name)) Fail(Quote(name) + " is a builtin; a case variable may not shadow it");
}

}  // namespace sockref::conformance::language_internal
