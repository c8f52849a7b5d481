#include "conformance/language/case_parser.h"
#include "conformance/language/utf8.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include "conformance/language/value.h"
#include "conformance/language/ast.h"

namespace sockref::conformance {
namespace {

// ===== Name tables =====

// Lower-case names the socket module documents (functions, classes, exceptions, flags). A bare
// use of one means socket.<name>; upper-case names (constants, enum classes) always do.
const std::set<std::string, std::less<>>& LowerCaseModuleNames() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "close",
      "create_connection",
      "create_server",
      "error",
      "fromfd",
      "fromshare",
      "gaierror",
      "getaddrinfo",
      "getdefaulttimeout",
      "getfqdn",
      "gethostbyaddr",
      "gethostbyname",
      "gethostbyname_ex",
      "gethostname",
      "getnameinfo",
      "getprotobyname",
      "getservbyname",
      "getservbyport",
      "has_dualstack_ipv6",
      "has_ipv6",
      "herror",
      "htonl",
      "htons",
      "if_indextoname",
      "if_nameindex",
      "if_nametoindex",
      "inet_aton",
      "inet_ntoa",
      "inet_ntop",
      "inet_pton",
      "ntohl",
      "ntohs",
      "recv_fds",
      "send_fds",
      "setdefaulttimeout",
      "sethostname",
      "socketpair",
      "timeout",
  };
  return *names;
}

const std::set<std::string, std::less<>>& PythonKeywords() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "and",    "as",   "assert", "async",  "await",  "break",   "class",    "continue",
      "def",    "del",  "elif",   "else",   "except", "finally", "for",      "from",
      "global", "if",   "import", "in",     "is",     "lambda",  "nonlocal", "not",
      "or",     "pass", "raise",  "return", "try",    "while",   "with",     "yield",
  };
  return *names;
}

// The errno names Linux and Python's errno module know, plus getaddrinfo's EAI_* codes (which
// socket.gaierror carries). `(errno=NAME)` must name one of these.
const std::set<std::string, std::less<>>& ErrnoNames() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "E2BIG",        "EACCES",          "EADDRINUSE",      "EADDRNOTAVAIL",
      "EADV",         "EAFNOSUPPORT",    "EAGAIN",          "EALREADY",
      "EBADE",        "EBADF",           "EBADFD",          "EBADMSG",
      "EBADR",        "EBADRQC",         "EBADSLT",         "EBFONT",
      "EBUSY",        "ECANCELED",       "ECHILD",          "ECHRNG",
      "ECOMM",        "ECONNABORTED",    "ECONNREFUSED",    "ECONNRESET",
      "EDEADLK",      "EDEADLOCK",       "EDESTADDRREQ",    "EDOM",
      "EDOTDOT",      "EDQUOT",          "EEXIST",          "EFAULT",
      "EFBIG",        "EHOSTDOWN",       "EHOSTUNREACH",    "EIDRM",
      "EILSEQ",       "EINPROGRESS",     "EINTR",           "EINVAL",
      "EIO",          "EISCONN",         "EISDIR",          "EISNAM",
      "EKEYEXPIRED",  "EKEYREJECTED",    "EKEYREVOKED",     "EL2HLT",
      "EL2NSYNC",     "EL3HLT",          "EL3RST",          "ELIBACC",
      "ELIBBAD",      "ELIBEXEC",        "ELIBMAX",         "ELIBSCN",
      "ELNRNG",       "ELOOP",           "EMEDIUMTYPE",     "EMFILE",
      "EMLINK",       "EMSGSIZE",        "EMULTIHOP",       "ENAMETOOLONG",
      "ENAVAIL",      "ENETDOWN",        "ENETRESET",       "ENETUNREACH",
      "ENFILE",       "ENOANO",          "ENOBUFS",         "ENOCSI",
      "ENODATA",      "ENODEV",          "ENOENT",          "ENOEXEC",
      "ENOKEY",       "ENOLCK",          "ENOLINK",         "ENOMEDIUM",
      "ENOMEM",       "ENOMSG",          "ENONET",          "ENOPKG",
      "ENOPROTOOPT",  "ENOSPC",          "ENOSR",           "ENOSTR",
      "ENOSYS",       "ENOTBLK",         "ENOTCONN",        "ENOTDIR",
      "ENOTEMPTY",    "ENOTNAM",         "ENOTRECOVERABLE", "ENOTSOCK",
      "ENOTSUP",      "ENOTTY",          "ENOTUNIQ",        "ENXIO",
      "EOPNOTSUPP",   "EOVERFLOW",       "EOWNERDEAD",      "EPERM",
      "EPFNOSUPPORT", "EPIPE",           "EPROTO",          "EPROTONOSUPPORT",
      "EPROTOTYPE",   "ERANGE",          "EREMCHG",         "EREMOTE",
      "EREMOTEIO",    "ERESTART",        "ERFKILL",         "EROFS",
      "ESHUTDOWN",    "ESOCKTNOSUPPORT", "ESPIPE",          "ESRCH",
      "ESRMNT",       "ESTALE",          "ESTRPIPE",        "ETIME",
      "ETIMEDOUT",    "ETOOMANYREFS",    "ETXTBSY",         "EUCLEAN",
      "EUNATCH",      "EUSERS",          "EWOULDBLOCK",     "EXDEV",
      "EXFULL",       "EAI_ADDRFAMILY",  "EAI_AGAIN",       "EAI_BADFLAGS",
      "EAI_FAIL",     "EAI_FAMILY",      "EAI_MEMORY",      "EAI_NODATA",
      "EAI_NONAME",   "EAI_OVERFLOW",    "EAI_SERVICE",     "EAI_SOCKTYPE",
      "EAI_SYSTEM",
  };
  return *names;
}

bool IsBuiltinName(std::string_view name) {
  const auto& b = BuiltinNames();
  return std::find(b.begin(), b.end(), name) != b.end();
}

// ===== Errors =====

// LineError is thrown while parsing one line; the file parser adds "file:line: ".
struct LineError {
  std::string message;
};

[[noreturn]] void Fail(std::string message) { throw LineError{std::move(message)}; }

// The statement and value parsers below are recursive descent, so nesting depth is stack
// depth: a line of a few thousand '(' overflowed the stack (found by
// //fuzz:case_parser_fuzzer). kMaxNesting bounds it; CPython's tokenizer stops at 200
// nested parentheses too.
constexpr int kMaxNesting = 200;

// NestingGuard counts one level of nesting for as long as it lives, and fails the line
// once `what` nests more than kMaxNesting levels deep.
class NestingGuard {
 public:
  NestingGuard(int& depth, std::string_view what) : depth_(depth) {
    if (depth_ >= kMaxNesting) {
      Fail(std::string(what) + " nested too deeply: more than " + std::to_string(kMaxNesting) +
           " levels");
    }
    ++depth_;
  }
  ~NestingGuard() { --depth_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  int& depth_;
};

// Quote shows a piece of the input in a message, shortened when long, in single quotes unless
// it contains one (then in double quotes, as Python's repr does).
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string shown(text.substr(0, kMax));
  if (text.size() > kMax) shown += "...";
  bool single = shown.find('\'') != std::string::npos;
  bool dbl = shown.find('"') != std::string::npos;
  char quote = single && !dbl ? '"' : '\'';
  return quote + shown + quote;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsIdentifier(std::string_view s) {
  return !s.empty() && IsIdentStart(s[0]) && std::all_of(s.begin(), s.end(), IsIdentChar);
}

// IsValidUtf8 accepts exactly what JSON text may carry: no overlong forms, no surrogates.
bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int extra = 0;
    unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    } else {
      return false;
    }
    if (s.size() - i <= std::size_t(extra) && extra > 0) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char b = s[i + k];
      if (k == 1 ? (b < low || b > high) : (b & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}


// ===== Lexer =====

enum class Tok { kName, kInt, kFloat, kStr, kBytes, kOp, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;   // as written
  std::string value;  // kName: the name; kInt: canonical decimal; kStr/kBytes: the data; kOp: op
  double number = 0;  // kFloat
  std::size_t column = 0;
};

// MulAdd sets the non-negative decimal `dec` to dec * base + digit (ints have no size limit).
void MulAdd(std::string& dec, int base, int digit) {
  int carry = digit;
  for (auto it = dec.rbegin(); it != dec.rend(); ++it) {
    int v = (*it - '0') * base + carry;
    *it = char('0' + v % 10);
    carry = v / 10;
  }
  while (carry > 0) {
    dec.insert(dec.begin(), char('0' + carry % 10));
    carry /= 10;
  }
  std::size_t first = dec.find_first_not_of('0');
  dec = first == std::string::npos ? "0" : dec.substr(first);
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Tokenize splits the line; a '#' outside a string starts a comment that ends it.
  std::vector<Token> Tokenize() {
    std::vector<Token> out;
    while (true) {
      while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
      Token t;
      t.column = pos_;
      if (pos_ >= text_.size() || text_[pos_] == '#') {
        comment_column_ = pos_;
        out.push_back(t);
        return out;
      }
      char c = text_[pos_];
      if (IsIdentStart(c)) {
        std::size_t start = pos_;
        while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
        std::string word(text_.substr(start, pos_ - start));
        if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"') &&
            IsStringPrefix(word)) {
          LexString(word, start, t);
        } else {
          t.kind = Tok::kName;
          t.value = word;
          t.text = word;
        }
      } else if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
        LexNumber(t);
      } else if (c == '\'' || c == '"') {
        LexString("", pos_, t);
      } else {
        LexOp(t);
      }
      out.push_back(std::move(t));
    }
  }

  // comment_column returns where the text's code ends (its length when there is no comment).
  std::size_t comment_column() const { return comment_column_; }

 private:
  static bool IsStringPrefix(std::string word) {
    for (char& ch : word) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return word == "b" || word == "r" || word == "u" || word == "br" || word == "rb" ||
           word == "f" || word == "fr" || word == "rf";
  }

  void LexOp(Token& t) {
    static constexpr std::string_view kTwoChar[] = {
        "==", "!=", "<=", ">=", "**", "//", "+=", "-=", "*=", "->", ":=", "<<", ">>"};
    for (std::string_view op : kTwoChar) {
      if (text_.substr(pos_, 2) == op) {
        t.kind = Tok::kOp;
        t.text = t.value = std::string(op);
        pos_ += 2;
        return;
      }
    }
    char c = text_[pos_];
    if (std::string_view("()[]{},.=:+*-$<>|/%&^~@!;").find(c) == std::string_view::npos) {
      Fail("unexpected character " + Quote(text_.substr(pos_, 1)));
    }
    t.kind = Tok::kOp;
    t.text = t.value = std::string(1, c);
    ++pos_;
  }

  void LexNumber(Token& t) {
    std::size_t start = pos_;
    auto digits = [&](auto is_digit) {
      std::string out;
      bool last_underscore = true;  // a literal may not start with '_' either
      while (pos_ < text_.size() && (is_digit(text_[pos_]) || text_[pos_] == '_')) {
        if (text_[pos_] == '_') {
          if (last_underscore) Fail("invalid number literal " + Quote(text_.substr(start)));
          last_underscore = true;
        } else {
          out += text_[pos_];
          last_underscore = false;
        }
        ++pos_;
      }
      if (!out.empty() && last_underscore)
        Fail("invalid number literal " + Quote(text_.substr(start)));
      return out;
    };
    auto finish = [&] {
      if (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
        std::size_t end = pos_;
        while (end < text_.size() && IsIdentChar(text_[end])) ++end;
        Fail("invalid number literal " + Quote(text_.substr(start, end - start)));
      }
      t.text = std::string(text_.substr(start, pos_ - start));
    };
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() &&
        std::string_view("xXoObB").find(text_[pos_ + 1]) != std::string_view::npos) {
      char kind = char(std::tolower(static_cast<unsigned char>(text_[pos_ + 1])));
      int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
      pos_ += 2;
      if (pos_ < text_.size() && text_[pos_] == '_') ++pos_;  // 0x_ff is valid Python
      std::string ds = digits([base](char ch) {
        if (base == 16)
          return IsDigit(ch) || (std::tolower(static_cast<unsigned char>(ch)) >= 'a' &&
                                 std::tolower(static_cast<unsigned char>(ch)) <= 'f');
        return ch >= '0' && ch < char('0' + base);
      });
      if (ds.empty())
        Fail("invalid number literal " + Quote(text_.substr(start, pos_ - start + 1)));
      finish();
      std::string dec = "0";
      for (char ch : ds) {
        int d = IsDigit(ch) ? ch - '0' : std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10;
        MulAdd(dec, base, d);
      }
      t.kind = Tok::kInt;
      t.value = dec;
      return;
    }
    std::string number = digits(IsDigit);
    bool is_float = false;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_float = true;
      ++pos_;
      number += ".";
      if (pos_ < text_.size() && IsDigit(text_[pos_])) number += digits(IsDigit);
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t save = pos_;
      ++pos_;
      std::string exponent = "e";
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        exponent += text_[pos_++];
      if (pos_ < text_.size() && IsDigit(text_[pos_])) {
        number += exponent + digits(IsDigit);
        is_float = true;
      } else {
        pos_ = save;  // "1e" is reported by finish() as an invalid literal
      }
    }
    finish();
    if (is_float) {
      t.kind = Tok::kFloat;
      errno = 0;
      // strtod in the "C" locale the parser runs in; Python reads 1e999 as inf, so does strtod.
      t.number = std::strtod(number.c_str(), nullptr);
      return;
    }
    if (number.size() > 1 && number[0] == '0' &&
        number.find_first_not_of('0') != std::string::npos) {
      Fail("leading zeros in decimal integer literals are not permitted: " + Quote(t.text));
    }
    std::size_t first = number.find_first_not_of('0');
    t.kind = Tok::kInt;
    t.value = first == std::string::npos ? "0" : number.substr(first);
  }

  int HexDigit(char c) {
    if (IsDigit(c)) return c - '0';
    c = char(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }

  // LexString reads a (prefixed) one-line string literal with Python's escapes.
  void LexString(std::string prefix, std::size_t start, Token& t) {
    for (char& ch : prefix) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (prefix.find('f') != std::string::npos) Fail("f-strings are not supported");
    bool is_bytes = prefix.find('b') != std::string::npos;
    bool raw = prefix.find('r') != std::string::npos;
    char quote = text_[pos_];
    if (text_.substr(pos_, 3) == std::string(3, quote)) {
      Fail("triple-quoted strings are not supported (a case line holds one line)");
    }
    ++pos_;
    std::string data;
    while (true) {
      if (pos_ >= text_.size()) Fail("unterminated string literal " + Quote(text_.substr(start)));
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (is_bytes && static_cast<unsigned char>(c) >= 0x80) {
        Fail("bytes can only contain ASCII literal characters: " + Quote(text_.substr(start)));
      }
      if (c != '\\') {
        data += c;
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= text_.size())
        Fail("unterminated string literal " + Quote(text_.substr(start)));
      char e = text_[pos_ + 1];
      if (raw) {
        data += c;  // a raw string keeps the backslash, but it still protects the quote
        data += e;
        pos_ += 2;
        continue;
      }
      pos_ += 2;
      switch (e) {
        case '\\':
          data += '\\';
          break;
        case '\'':
          data += '\'';
          break;
        case '"':
          data += '"';
          break;
        case 'a':
          data += '\a';
          break;
        case 'b':
          data += '\b';
          break;
        case 'f':
          data += '\f';
          break;
        case 'n':
          data += '\n';
          break;
        case 'r':
          data += '\r';
          break;
        case 't':
          data += '\t';
          break;
        case 'v':
          data += '\v';
          break;
        case 'x': {
          int hi = pos_ < text_.size() ? HexDigit(text_[pos_]) : -1;
          int lo = pos_ + 1 < text_.size() ? HexDigit(text_[pos_ + 1]) : -1;
          if (hi < 0 || lo < 0) Fail("truncated \\xXX escape in " + Quote(text_.substr(start)));
          pos_ += 2;
          if (is_bytes) {
            data += char(hi * 16 + lo);
          } else {
            AppendUtf8(data, char32_t(hi * 16 + lo));
          }
          break;
        }
        case 'u':
        case 'U': {
          if (is_bytes) Fail("invalid escape sequence '\\" + std::string(1, e) + "' in bytes");
          int width = e == 'u' ? 4 : 8;
          char32_t cp = 0;
          for (int k = 0; k < width; ++k) {
            int d = pos_ < text_.size() ? HexDigit(text_[pos_]) : -1;
            if (d < 0) {
              Fail("truncated \\" + std::string(1, e) + " escape in " + Quote(text_.substr(start)));
            }
            cp = cp * 16 + char32_t(d);
            ++pos_;
          }
          if (cp > 0x10ffff) Fail("illegal Unicode character in " + Quote(text_.substr(start)));
          if (cp >= 0xd800 && cp <= 0xdfff) {
            Fail("surrogate code points are not supported in str literals");
          }
          AppendUtf8(data, cp);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            unsigned value = unsigned(e - '0');
            for (int k = 0;
                 k < 2 && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7'; ++k) {
              value = value * 8 + unsigned(text_[pos_++] - '0');
            }
            if (is_bytes) {
              if (value > 0377) Fail("octal escape value > 0o377 in bytes");
              data += char(value);
            } else {
              AppendUtf8(data, char32_t(value));
            }
            break;
          }
          // Python keeps unknown escapes (with a warning); a case file must say what it means.
          Fail("invalid escape sequence '\\" + std::string(1, e) + "' in " +
               Quote(text_.substr(start)));
      }
    }
    t.kind = is_bytes ? Tok::kBytes : Tok::kStr;
    t.value = std::move(data);
    t.text = std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t comment_column_ = 0;
};

std::string Describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of line";
  return Quote(t.text);
}

// ===== Statements =====

// Scope is what a case has bound so far: names usable in later steps.
struct Scope {
  std::set<std::string, std::less<>> bound;
};

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
    while (IsOp(Peek(), "+")) {
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
    while (IsOp(Peek(), "*")) {
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
    while (true) {
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

// CheckVariableName fails unless `name` may be bound by a case (by assignment or capture).
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

// ===== Expectations =====

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
    if (!ErrnoNames().count(errno_name)) {
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

// ParseExpectation reads a value pattern or an exception line (`| ` already removed).
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
  std::vector<Token> tokens = Lexer(line).Tokenize();
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

// ParseSeconds reads a non-negative number of seconds from the tokens at `pos`.
double ParseSeconds(const std::vector<Token>& tokens, std::size_t pos, std::string_view what) {
  const Token& t = tokens[pos];
  if (t.kind == Tok::kInt) {
    Value v = Value::IntFromDecimal(t.value);
    if (!v.as_int64()) Fail("expected " + std::string(what) + ", got " + Describe(t));
    return double(*v.as_int64());
  }
  if (t.kind == Tok::kFloat && std::isfinite(t.number)) return t.number;
  Fail("expected " + std::string(what) + ", got " + Describe(t));
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

// ===== Files =====

std::string AreaOf(std::string_view path) {
  std::string_view name = path;
  if (std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  if (name.size() > 6 && name.substr(name.size() - 6) == ".cases") name.remove_suffix(6);
  return std::string(name);
}

bool IsCaseId(std::string_view id) {
  std::size_t parts = 0;
  std::size_t i = 0;
  while (true) {
    if (i >= id.size() || !(id[i] >= 'a' && id[i] <= 'z')) return false;
    while (i < id.size() && ((id[i] >= 'a' && id[i] <= 'z') || IsDigit(id[i]) || id[i] == '_')) ++i;
    ++parts;
    if (i == id.size()) return parts >= 2;
    if (id[i] != '.') return false;
    ++i;
  }
}

class FileParser {
 public:
  FileParser(std::string_view path, std::string_view text) : text_(text) {
    file_.path = std::string(path);
    file_.area = AreaOf(path);
  }

  CaseFile Parse() {
    if (StartsWith(text_, "\xEF\xBB\xBF")) text_.remove_prefix(3);  // a UTF-8 byte order mark
    int line_number = 0;
    std::size_t start = 0;
    while (start < text_.size()) {
      std::size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      ++line_number;
      line_ = line_number;
      try {
        ParseLine(text_.substr(start, end - start));
      } catch (const LineError& e) {
        throw CaseParseError(file_.path, line_, e.message);
      }
      start = end + 1;
    }
    try {
      FinishCase();
    } catch (const LineError& e) {
      throw CaseParseError(file_.path, line_, e.message);
    }
    return std::move(file_);
  }

 private:
  void ParseLine(std::string_view raw) {
    if (!IsValidUtf8(raw)) Fail("the line is not valid UTF-8");
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') return;
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (!indented) {
      if (!StartsWith(line, "case ") && line != "case") {
        Fail("expected 'case <id>' (headers and steps are indented under it), got " + Quote(line));
      }
      StartCase(line);
      return;
    }
    if (!in_case_) Fail("expected 'case <id>' before indented lines, got " + Quote(line));
    if (StartsWith(line, ">>>")) return StartStep(line);
    if (StartsWith(line, "after ")) return StartBackgroundStep(line);
    if (StartsWith(line, "doc:") || StartsWith(line, "needs:") || StartsWith(line, "divergence:")) {
      return ParseHeader(line);
    }
    if (StartsWith(line, "elapsed:")) return ParseElapsed(line);
    if (StartsWith(line, "|")) return ParseAlternative(line);
    ParseOutcomeLine(line);
  }

  // ----- cases -----

  void StartCase(std::string_view line) {
    FinishCase();
    std::string_view id = Trim(line.substr(4));
    if (std::size_t hash = id.find('#'); hash != std::string_view::npos)
      id = Trim(id.substr(0, hash));
    if (!IsCaseId(id)) {
      Fail(
          "expected a case id of lower-case dotted words, such as 'inet.aton.two_part_shorthand', "
          "after 'case', got " +
          Quote(id));
    }
    if (!StartsWith(id, file_.area + ".")) {
      Fail("case id " + Quote(id) + " must start with the file's area '" + file_.area + ".'");
    }
    for (const Case& other : file_.cases) {
      if (other.id == id) {
        Fail("duplicate case id " + Quote(id) + " (first at " + other.file + ":" +
             std::to_string(other.line) + ")");
      }
    }
    current_ = Case{};
    current_.id = std::string(id);
    current_.file = file_.path;
    current_.line = line_;
    in_case_ = true;
    scope_ = Scope{};
    assigned_.clear();
    captured_.clear();
    step_ = nullptr;
  }

  void FinishCase() {
    if (!in_case_) return;
    FinishStep();
    if (current_.docs.empty()) {
      line_ = current_.line;
      Fail("case " + Quote(current_.id) +
           " has no 'doc:' line (every case cites the sentence it checks)");
    }
    if (current_.steps.empty()) {
      line_ = current_.line;
      Fail("case " + Quote(current_.id) + " has no '>>>' steps");
    }
    file_.cases.push_back(std::move(current_));
    in_case_ = false;
  }

  // ----- headers -----

  void ParseHeader(std::string_view line) {
    std::size_t colon = line.find(':');
    std::string keyword(line.substr(0, colon));
    if (!current_.steps.empty()) {
      Fail("'" + keyword + ":' lines belong before the case's first step");
    }
    std::string_view rest = Trim(line.substr(colon + 1));
    if (keyword == "doc") {
      DocRef doc;
      doc.line = line_;
      if (rest.size() < 4 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || !IsDigit(rest[2]) ||
          (rest[3] != ' ' && rest[3] != '\t')) {
        Fail("expected a three-digit seed document number such as 002 after 'doc:', got " +
             Quote(rest));
      }
      doc.seed = std::string(rest.substr(0, 3));
      std::vector<Token> tokens = Lexer(rest.substr(4)).Tokenize();
      if (tokens[0].kind != Tok::kStr || tokens[1].kind != Tok::kEnd) {
        Fail("expected the quoted sentence fragment the case checks after 'doc: " + doc.seed +
             "', got " + Quote(Trim(rest.substr(4))));
      }
      doc.fragment = tokens[0].value;
      if (Trim(doc.fragment).empty()) Fail("the 'doc:' fragment is empty");
      current_.docs.push_back(std::move(doc));
    } else if (keyword == "needs") {
      if (std::size_t hash = rest.find('#'); hash != std::string_view::npos)
        rest = Trim(rest.substr(0, hash));
      if (rest.empty()) Fail("expected capability names after 'needs:'");
      while (true) {
        std::size_t comma = rest.find(',');
        std::string name(Trim(rest.substr(0, comma)));
        const auto& known = KnownCapabilities();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          std::string list;
          for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
          Fail("unknown capability " + Quote(name) + " (known: " + list + ")");
        }
        if (std::find(current_.needs.begin(), current_.needs.end(), name) != current_.needs.end()) {
          Fail("capability " + Quote(name) + " is listed twice");
        }
        current_.needs.push_back(name);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
    } else {
      if (rest.empty()) Fail("expected text after 'divergence:'");
      if (!current_.divergence.empty()) current_.divergence += ' ';
      current_.divergence += std::string(rest);
    }
  }

  // ----- steps -----

  void FinishStep() {
    if (step_ == nullptr) return;
    // doctest: an expression statement with no output line must return None.
    if (step_->expected.empty() && step_->statement.targets.empty() && !step_->background_delay) {
      Expected none;
      none.kind = Expected::Kind::kValue;
      none.line = step_->line;
      step_->expected.push_back(std::move(none));
    }
    step_ = nullptr;
  }

  Statement ParseStatementText(std::string_view text, std::string* source) {
    Lexer lexer(text);
    std::vector<Token> tokens = lexer.Tokenize();
    *source = std::string(Trim(text.substr(0, lexer.comment_column())));
    if (tokens[0].kind == Tok::kEnd) Fail("expected a statement, got end of line");
    return StatementParser(tokens, 0, scope_).ParseStatement();
  }

  void StartStep(std::string_view line) {
    FinishStep();
    std::string_view rest = line.substr(3);
    if (Trim(rest).empty()) Fail("expected a statement after '>>>'");
    if (rest[0] != ' ') Fail("expected a space after '>>>', got " + Quote(line));
    if (StartsWith(Trim(rest), "..."))
      Fail("'...' continuation lines are not supported; write the statement on one line");
    Step step;
    step.line = line_;
    step.statement = ParseStatementText(rest, &step.source);
    for (const std::string& name : step.statement.targets) {
      CheckVariableName(name);
      if (auto it = captured_.find(name); it != captured_.end()) {
        Fail(Quote(name) + " is captured with $" + name + " at line " + std::to_string(it->second) +
             "; it cannot also be assigned");
      }
      if (std::count(step.statement.targets.begin(), step.statement.targets.end(), name) > 1) {
        Fail("name " + Quote(name) + " appears twice in the assignment");
      }
      assigned_.emplace(name, line_);
    }
    for (const std::string& name : step.statement.targets) scope_.bound.insert(name);
    current_.steps.push_back(std::move(step));
    step_ = &current_.steps.back();
    step_has_outcome_line_ = false;
  }

  void StartBackgroundStep(std::string_view line) {
    FinishStep();
    std::string_view rest = line.substr(6);
    std::size_t colon = rest.find(':');
    auto fail = [&] { Fail("expected 'after <seconds>: <statement>', got " + Quote(line)); };
    if (colon == std::string_view::npos) fail();
    std::vector<Token> delay_tokens = Lexer(rest.substr(0, colon)).Tokenize();
    if (delay_tokens.size() != 2) fail();
    Step step;
    step.line = line_;
    step.background_delay = ParseSeconds(delay_tokens, 0, "a delay in seconds after 'after'");
    step.statement = ParseStatementText(rest.substr(colon + 1), &step.source);
    if (!step.statement.targets.empty()) {
      Fail("an 'after' action cannot assign (it runs concurrently with later steps)");
    }
    current_.steps.push_back(std::move(step));
    step_ = &current_.steps.back();
    step_has_outcome_line_ = false;
  }

  // ----- expectation lines -----

  Step& StepForExpectation(std::string_view line) {
    if (step_ == nullptr) {
      Fail("expected 'doc:', 'needs:', 'divergence:' or a '>>>' step, got " + Quote(line));
    }
    if (step_->background_delay) {
      Fail("an 'after' action takes no expectation lines (it must succeed), got " + Quote(line));
    }
    if (step_->elapsed)
      Fail("expected a '>>>' step or a new 'case' after 'elapsed:', got " + Quote(line));
    return *step_;
  }

  void ParseOutcomeLine(std::string_view line) {
    Step& step = StepForExpectation(line);
    if (step_has_outcome_line_) {
      Fail("expected an 'elapsed:' line, a '| ' alternative, a '>>>' step or a new 'case', got " +
           Quote(line));
    }
    Expected e =
        ParseExpectation(line, "expected an expectation line, a '>>>' step or a new 'case'");
    AddExpected(step, std::move(e), /*alternative=*/false);
    step_has_outcome_line_ = true;
  }

  void ParseAlternative(std::string_view line) {
    Step& step = StepForExpectation(line);
    if (!step_has_outcome_line_) {
      Fail("a '| ' alternative must follow an expectation line");
    }
    if (line.size() < 3 || line[1] != ' ') Fail("expected '| <expectation>', got " + Quote(line));
    Expected e = ParseExpectation(Trim(line.substr(2)),
                                  "expected a value or 'Exception: message' after '| '");
    AddExpected(step, std::move(e), /*alternative=*/true);
  }

  void AddExpected(Step& step, Expected e, bool alternative) {
    e.line = line_;
    if (e.kind == Expected::Kind::kValue && !step.statement.targets.empty()) {
      Fail("an assignment prints nothing; expected an exception, 'elapsed:' or a new step, got " +
           Quote(Repr(e.value)));
    }
    // The first $name in a case binds it (the driver stores the value under that name); later
    // ones only compare. A binding must not depend on which alternative matched, so a step that
    // binds cannot have alternatives.
    std::vector<Capture> fresh;
    if (e.kind == Expected::Kind::kValue) {
      std::vector<std::size_t> path;
      ForEachCapture(e.value, path, [&](const Pattern& p, const std::vector<std::size_t>& at) {
        CheckVariableName(p.capture);
        if (!p.capture_type.empty() && !IsIdentifier(p.capture_type)) {
          Fail("expected a type name after '$" + p.capture + ":'");
        }
        if (auto it = assigned_.find(p.capture); it != assigned_.end()) {
          Fail(Quote(p.capture) + " is assigned at line " + std::to_string(it->second) +
               "; it cannot also be captured with $" + p.capture);
        }
        bool seen = captured_.count(p.capture) > 0 ||
                    std::any_of(fresh.begin(), fresh.end(),
                                [&](const Capture& c) { return c.name == p.capture; });
        if (!seen) fresh.push_back(Capture{p.capture, at});
      });
    }
    if (alternative && (!fresh.empty() || !step.captures.empty())) {
      Fail("a step that binds a new $name cannot have '| ' alternatives");
    }
    for (Capture& c : fresh) {
      captured_.emplace(c.name, line_);
      scope_.bound.insert(c.name);
      step.captures.push_back(std::move(c));
    }
    step.expected.push_back(std::move(e));
  }

  void ParseElapsed(std::string_view line) {
    if (step_ == nullptr) Fail("an 'elapsed:' line must follow a '>>>' step");
    if (step_->background_delay) Fail("an 'after' action takes no 'elapsed:' line");
    if (step_->elapsed) Fail("a step has at most one 'elapsed:' line");
    std::vector<Token> tokens = Lexer(line.substr(8)).Tokenize();
    Timing timing;
    timing.line = line_;
    std::size_t pos = 0;
    if (tokens[0].kind == Tok::kOp && tokens[0].value == "<") {
      timing.kind = Timing::Kind::kBelow;
      pos = 1;
    }
    timing.seconds = ParseSeconds(tokens, pos, "seconds after 'elapsed:' (such as 0.1 or < 0.05)");
    if (tokens[pos + 1].kind != Tok::kEnd) {
      Fail("expected the end of the line after the seconds, got " + Describe(tokens[pos + 1]));
    }
    if (timing.kind == Timing::Kind::kBelow && timing.seconds <= 0) {
      Fail("'elapsed: <' needs a positive bound");
    }
    step_->elapsed = timing;
  }

  std::string_view text_;
  CaseFile file_;
  int line_ = 0;
  bool in_case_ = false;
  Case current_;
  Step* step_ = nullptr;                // the step expectation lines attach to, if any
  bool step_has_outcome_line_ = false;  // of step_
  Scope scope_;
  std::map<std::string, int> assigned_;  // name -> first line assigning it
  std::map<std::string, int> captured_;  // name -> line of its first $capture
};

// NormalizeForSearch folds what differs between a seed and a case author's keyboard: runs of
// whitespace (seeds are flattened and re-wrapped) and typographic quotes (’ “ ”).
std::string NormalizeForSearch(std::string_view s) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    std::string_view rest = s.substr(i, 3);
    if (rest == "\xE2\x80\x98" || rest == "\xE2\x80\x99") {
      out += '\'';
      i += 2;
    } else if (rest == "\xE2\x80\x9C" || rest == "\xE2\x80\x9D") {
      out += '"';
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

CaseParseError::CaseParseError(std::string file, int line, std::string message)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                         message),
      file_(std::move(file)),
      line_(line),
      message_(std::move(message)) {}

CaseFile ParseCaseText(std::string_view path, std::string_view text) {
  return FileParser(path, text).Parse();
}

CaseFile ParseCaseFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CaseParseError(path, 0, std::string("cannot read: ") + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw CaseParseError(path, 0, std::string("cannot read: ") + std::strerror(errno));
  return ParseCaseText(path, buffer.str());
}

std::vector<Case> ParseCaseFiles(const std::vector<std::string>& paths) {
  std::vector<Case> out;
  std::map<std::string, const Case*> by_id;
  std::map<std::string, const Case*> by_test_name;
  std::vector<CaseFile> files;
  for (const std::string& path : paths) files.push_back(ParseCaseFile(path));
  for (const CaseFile& f : files) {
    for (const Case& c : f.cases) {
      auto where = [](const Case* other) {
        return other->file + ":" + std::to_string(other->line);
      };
      if (auto it = by_id.find(c.id); it != by_id.end()) {
        throw CaseParseError(
            c.file, c.line,
            "duplicate case id " + Quote(c.id) + " (first at " + where(it->second) + ")");
      }
      std::string test_name = TestNameForCaseId(c.id);
      if (auto it = by_test_name.find(test_name); it != by_test_name.end()) {
        throw CaseParseError(c.file, c.line,
                             "case id " + Quote(c.id) + " gives the same test name '" + test_name +
                                 "' as " + Quote(it->second->id) + " at " + where(it->second));
      }
      by_id.emplace(c.id, &c);
      by_test_name.emplace(test_name, &c);
    }
  }
  for (CaseFile& f : files) {
    for (Case& c : f.cases) out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> VerifyDocRefs(const std::vector<Case>& cases,
                                       const std::string& seeds_dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> seeds;  // seed number -> normalised text
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(seeds_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() < 8 || name[3] != '_' || name.substr(name.size() - 4) != ".txt") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    seeds[name.substr(0, 3)] = NormalizeForSearch(buffer.str());
  }
  std::vector<std::string> problems;
  if (ec) {
    problems.push_back(seeds_dir + ": cannot list: " + ec.message());
    return problems;
  }
  for (const Case& c : cases) {
    for (const DocRef& d : c.docs) {
      std::string where = c.file + ":" + std::to_string(d.line) + ": ";
      auto it = seeds.find(d.seed);
      if (it == seeds.end()) {
        problems.push_back(where + "no seed document " + d.seed + "_*.txt in " + seeds_dir);
      } else if (it->second.find(NormalizeForSearch(d.fragment)) == std::string::npos) {
        problems.push_back(where + "seed " + d.seed + " does not contain \"" + d.fragment + "\"");
      }
    }
  }
  return problems;
}

const std::vector<std::string>& KnownCapabilities() {
  static const auto* names = new std::vector<std::string>{
      "AF_INET6", "AF_UNIX", "AF_UNIX_ABSTRACT", "SCM_RIGHTS", "SO_REUSEPORT", "nonroot", "root",
  };
  return *names;
}

const std::vector<std::string>& BuiltinNames() {
  static const auto* names = new std::vector<std::string>{
      // Values and their sizes.
      "array",
      "bytearray",
      "bytes",
      "len",
      "memoryview",
      // Class relationships the documentation states ("socket.timeout: a subclass of OSError").
      "isinstance",
      "issubclass",
      // The exception classes, as arguments of isinstance/issubclass.
      "BlockingIOError",
      "BrokenPipeError",
      "ConnectionAbortedError",
      "ConnectionError",
      "ConnectionRefusedError",
      "ConnectionResetError",
      "FileExistsError",
      "FileNotFoundError",
      "InterruptedError",
      "OSError",
      "OverflowError",
      "PermissionError",
      "TimeoutError",
      "TypeError",
      "ValueError",
  };
  return *names;
}

bool IsSocketModuleName(std::string_view name) {
  if (name.empty() || IsBuiltinName(name)) return false;
  if (name[0] >= 'A' && name[0] <= 'Z') return IsIdentifier(name);
  return LowerCaseModuleNames().count(name) > 0;
}

}  // namespace sockref::conformance
