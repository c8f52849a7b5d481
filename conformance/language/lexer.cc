#include "conformance/language/lexer.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "conformance/language/parse_support.h"
#include "conformance/language/utf8.h"

namespace sockref::conformance::language_internal {
namespace {

// kMaxIntDigits bounds an integer literal: CPython (3.11+) refuses int/str conversions of more
// than 4300 digits. The case language applies it to every base, which bounds the work per
// literal, so lexing a file stays linear in its size.
constexpr std::size_t kMaxIntDigits = 4300;

// PrefixedToDecimal converts the digits of a 0x/0o/0b literal (no separators, each valid in
// `base`) to decimal. Converting to decimal is inherently superlinear in the digits, so its
// constant is what matters: the value is kept in base-1e9 limbs and takes as many input digits
// per pass as fit in 32 bits (7 hex, 10 octal, 31 binary), about 60 times fewer passes over 9
// times fewer cells than one decimal digit per cell and one input digit per pass (a 4300-digit
// hex literal took 0.27 s that way; a 16 MiB file of them, 17 minutes).
std::string PrefixedToDecimal(const std::string& digits, int base, int (*digit_value)(char)) {
  constexpr std::uint64_t kLimb = 1000000000;  // each limb holds 9 decimal digits
  const int per_chunk = base == 16 ? 7 : base == 8 ? 10 : 31;
  std::vector<std::uint32_t> limbs;  // little-endian; empty means 0
  for (std::size_t i = 0; i < digits.size();) {
    std::uint64_t chunk = 0, scale = 1;
    for (int k = 0; k < per_chunk && i < digits.size(); ++k, ++i) {
      chunk = chunk * std::uint64_t(base) + std::uint64_t(digit_value(digits[i]));
      scale *= std::uint64_t(base);
    }
    // limb * scale + carry < 1e9 * 2^31 + 2^32: fits in 64 bits.
    std::uint64_t carry = chunk;
    for (std::uint32_t& limb : limbs) {
      const std::uint64_t v = std::uint64_t(limb) * scale + carry;
      limb = std::uint32_t(v % kLimb);
      carry = v / kLimb;
    }
    for (; carry > 0; carry /= kLimb) limbs.push_back(std::uint32_t(carry % kLimb));
  }
  if (limbs.empty()) return "0";
  std::string out = std::to_string(limbs.back());
  for (auto it = limbs.rbegin() + 1; it != limbs.rend(); ++it) {
    const std::string part = std::to_string(*it);
    out.append(9 - part.size(), '0');
    out += part;
  }
  return out;
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

  // ReadDigits reads digits (as `is_digit` says) with single '_' separators between them, from
  // the literal that began at `start`, and returns the digits without separators.
  template <typename IsDigitFn>
  std::string ReadDigits(std::size_t start, IsDigitFn is_digit) {
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
    if (!out.empty() && last_underscore) {
      Fail("invalid number literal " + Quote(text_.substr(start)));
    }
    if (out.size() > kMaxIntDigits) {
      Fail("an integer literal of " + std::to_string(out.size()) + " digits is longer than the " +
           std::to_string(kMaxIntDigits) + " the case language reads (CPython's own limit for " +
           "int/str conversion)");
    }
    return out;
  }

  // FinishNumber fails when letters or digits run on after a number literal, and records the
  // literal's text.
  void FinishNumber(std::size_t start, Token& t) {
    if (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
      std::size_t end = pos_;
      while (end < text_.size() && IsIdentChar(text_[end])) ++end;
      Fail("invalid number literal " + Quote(text_.substr(start, end - start)));
    }
    t.text = std::string(text_.substr(start, pos_ - start));
  }

  bool AtPrefixedInt() const {
    return text_[pos_] == '0' && pos_ + 1 < text_.size() &&
           std::string_view("xXoObB").find(text_[pos_ + 1]) != std::string_view::npos;
  }

  // LexPrefixedInt reads 0x.., 0o.. or 0b.. into its decimal value.
  void LexPrefixedInt(std::size_t start, Token& t) {
    const char kind = char(std::tolower(static_cast<unsigned char>(text_[pos_ + 1])));
    const int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
    pos_ += 2;
    if (pos_ < text_.size() && text_[pos_] == '_') ++pos_;  // 0x_ff is valid Python
    const std::string ds = ReadDigits(start, [base](char ch) {
      const int d = HexDigit(ch);
      return d >= 0 && d < base;
    });
    if (ds.empty()) Fail("invalid number literal " + Quote(text_.substr(start, pos_ - start + 1)));
    FinishNumber(start, t);
    t.kind = Tok::kInt;
    t.value = PrefixedToDecimal(ds, base, HexDigit);
  }

  void LexNumber(Token& t) {
    const std::size_t start = pos_;
    if (AtPrefixedInt()) return LexPrefixedInt(start, t);
    std::string number = ReadDigits(start, IsDigit);
    bool is_float = false;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_float = true;
      ++pos_;
      number += ".";
      if (pos_ < text_.size() && IsDigit(text_[pos_])) number += ReadDigits(start, IsDigit);
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      const std::size_t save = pos_;
      ++pos_;
      std::string exponent = "e";
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        exponent += text_[pos_++];
      }
      if (pos_ < text_.size() && IsDigit(text_[pos_])) {
        number += exponent + ReadDigits(start, IsDigit);
        is_float = true;
      } else {
        pos_ = save;  // "1e" is reported by FinishNumber as an invalid literal
      }
    }
    FinishNumber(start, t);
    if (is_float) {
      t.kind = Tok::kFloat;
      // strtod in the "C" locale the parser runs in; Python reads 1e999 as inf, so does strtod.
      t.number = std::strtod(number.c_str(), nullptr);
      return;
    }
    if (number.size() > 1 && number[0] == '0' &&
        number.find_first_not_of('0') != std::string::npos) {
      Fail("leading zeros in decimal integer literals are not permitted: " + Quote(t.text));
    }
    const std::size_t first = number.find_first_not_of('0');
    t.kind = Tok::kInt;
    t.value = first == std::string::npos ? "0" : number.substr(first);
  }

  static int HexDigit(char c) {
    if (IsDigit(c)) return c - '0';
    c = char(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }

  // LexString reads a (prefixed) one-line string literal with Python's escapes.
  void LexString(std::string prefix, std::size_t start, Token& t) {
    for (char& ch : prefix) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    const bool is_format = prefix.find('f') != std::string::npos;
    if (is_format && prefix != "f") Fail("raw f-strings are not supported");
    const bool is_bytes = prefix.find('b') != std::string::npos;
    const bool raw = prefix.find('r') != std::string::npos;
    const char quote = text_[pos_];
    if (text_.substr(pos_, 3) == std::string(3, quote)) {
      Fail("triple-quoted strings are not supported (a case line holds one line)");
    }
    ++pos_;
    std::string data;
    while (true) {
      if (pos_ >= text_.size()) Fail("unterminated string literal " + Quote(text_.substr(start)));
      const char c = text_[pos_];
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
      const char e = text_[pos_ + 1];
      pos_ += 2;
      if (raw) {
        data += c;  // a raw string keeps the backslash, but it still protects the quote
        data += e;
        continue;
      }
      LexEscape(e, is_bytes, start, data);
    }
    t.kind = is_format ? Tok::kFStr : is_bytes ? Tok::kBytes : Tok::kStr;
    t.value = std::move(data);
    t.text = std::string(text_.substr(start, pos_ - start));
  }

  // SimpleEscape returns what the one-character escape \e stands for, or -1.
  static int SimpleEscape(char e) {
    static constexpr std::string_view kFrom = "\\'\"abfnrtv";
    static constexpr std::string_view kTo = "\\'\"\a\b\f\n\r\t\v";
    const std::size_t at = kFrom.find(e);
    return at == std::string_view::npos ? -1 : kTo[at];
  }

  // LexEscape appends what the escape \e (already consumed) means, reading its digits.
  void LexEscape(char e, bool is_bytes, std::size_t start, std::string& data) {
    if (const int simple = SimpleEscape(e); simple >= 0) {
      data += char(simple);
    } else if (e == 'x') {
      const int hi = pos_ < text_.size() ? HexDigit(text_[pos_]) : -1;
      const int lo = pos_ + 1 < text_.size() ? HexDigit(text_[pos_ + 1]) : -1;
      if (hi < 0 || lo < 0) Fail("truncated \\xXX escape in " + Quote(text_.substr(start)));
      pos_ += 2;
      AppendCodeUnit(is_bytes, unsigned(hi * 16 + lo), data);
    } else if (e == 'u' || e == 'U') {
      if (is_bytes) Fail("invalid escape sequence '\\" + std::string(1, e) + "' in bytes");
      AppendUtf8(data, LexUnicodeEscape(e, start));
    } else if (e >= '0' && e <= '7') {
      unsigned value = unsigned(e - '0');
      for (int k = 0; k < 2 && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7';
           ++k) {
        value = value * 8 + unsigned(text_[pos_++] - '0');
      }
      if (is_bytes && value > 0377) Fail("octal escape value > 0o377 in bytes");
      AppendCodeUnit(is_bytes, value, data);
    } else {
      // Python keeps unknown escapes (with a warning); a case file must say what it means.
      Fail("invalid escape sequence '\\" + std::string(1, e) + "' in " +
           Quote(text_.substr(start)));
    }
  }

  // LexUnicodeEscape reads the 4 (\u) or 8 (\U) hex digits of a code point.
  char32_t LexUnicodeEscape(char e, std::size_t start) {
    const int width = e == 'u' ? 4 : 8;
    char32_t cp = 0;
    for (int k = 0; k < width; ++k) {
      const int d = pos_ < text_.size() ? HexDigit(text_[pos_]) : -1;
      if (d < 0)
        Fail("truncated \\" + std::string(1, e) + " escape in " + Quote(text_.substr(start)));
      cp = cp * 16 + char32_t(d);
      ++pos_;
    }
    if (cp > 0x10ffff) Fail("illegal Unicode character in " + Quote(text_.substr(start)));
    if (cp >= 0xd800 && cp <= 0xdfff)
      Fail("surrogate code points are not supported in str literals");
    return cp;
  }

  // AppendCodeUnit appends a numeric escape: a byte in bytes, a code point in str.
  static void AppendCodeUnit(bool is_bytes, unsigned value, std::string& data) {
    if (is_bytes) {
      data += char(value);
    } else {
      AppendUtf8(data, char32_t(value));
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t comment_column_ = 0;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view text, std::size_t* code_end) {
  Lexer lexer(text);
  std::vector<Token> tokens = lexer.Tokenize();
  if (code_end != nullptr) *code_end = lexer.comment_column();
  return tokens;
}

std::string Describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of line";
  return Quote(t.text);
}

}  // namespace sockref::conformance::language_internal
