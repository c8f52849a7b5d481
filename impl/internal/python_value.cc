#include "impl/internal/python_value.h"

#include <cstddef>
#include <string_view>

#include "impl/internal/utf8.h"

namespace sockref::python_internal {
namespace {

void AppendHex(std::string& out, unsigned value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

char QuoteFor(std::string_view s) {
  // Python prefers single quotes, and switches only to avoid escaping a '.
  return s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"'
                                                                                         : '\'';
}

// AppendCommonEscape writes the escapes str and bytes reprs share, or returns false.
bool AppendCommonEscape(std::string& out, char32_t c, char quote) {
  if (c == static_cast<char32_t>(quote) || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c == '\t') {
    out += "\\t";
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else {
    return false;
  }
  return true;
}

std::string ReprBytes(std::string_view s) {
  const char quote = QuoteFor(s);
  std::string out = "b";
  out += quote;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (AppendCommonEscape(out, c, quote)) continue;
    if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      AppendHex(out, c, 2);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

// IsPrintable approximates Python's str.isprintable() for one non-ASCII code point:
// controls, separators, format characters, surrogates and private-use characters are
// not printable. It covers the ranges those categories occupy in the Latin, general
// punctuation and specials blocks; rarer format characters print as themselves.
bool IsPrintable(char32_t c) {
  if (c < 0xA1) return false;  // C1 controls and U+00A0 NO-BREAK SPACE
  if (c == 0xAD || c == 0x061C || c == 0x1680 || c == 0x180E || c == 0x3000 || c == 0xFEFF) {
    return false;
  }
  if ((c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
      (c >= 0x205F && c <= 0x206F) || (c >= 0xD800 && c <= 0xF8FF) ||
      (c >= 0xFFF9 && c <= 0xFFFB) || c == 0xFFFE || c == 0xFFFF) {
    return false;
  }
  return true;
}

// ReprStr prints text as Python's repr() of the str that os.fsdecode() makes of it:
// bytes that are not UTF-8 show as the surrogates '\udcXX'.
std::string ReprStr(std::string_view s) {
  const char quote = QuoteFor(s);
  std::string out(1, quote);
  for (std::size_t i = 0; i < s.size();) {
    char32_t c;
    std::size_t n = utf8_internal::DecodeOne(s, i, &c);
    if (n == 0) {
      c = 0xDC00 + static_cast<unsigned char>(s[i]);
      n = 1;
    }
    if (AppendCommonEscape(out, c, quote)) {
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      AppendHex(out, c, 2);
    } else if (c < 0x7f || IsPrintable(c)) {
      out.append(s.substr(i, n));
    } else if (c <= 0xff) {
      out += "\\x";
      AppendHex(out, c, 2);
    } else if (c <= 0xffff) {
      out += "\\u";
      AppendHex(out, c, 4);
    } else {
      out += "\\U";
      AppendHex(out, c, 8);
    }
    i += n;
  }
  out += quote;
  return out;
}

std::string ReprInt(PyInt v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string digits;
  while (v != 0) {
    const int d = static_cast<int>(v % 10);
    digits += static_cast<char>('0' + (negative ? -d : d));
    v /= 10;
  }
  if (negative) digits += '-';
  return {digits.rbegin(), digits.rend()};
}

}  // namespace

std::string TypeName(const PyValue& v) {
  switch (v.type) {
    case PyValue::Type::kNone:
      return "NoneType";
    case PyValue::Type::kInt:
      return "int";
    case PyValue::Type::kStr:
      return "str";
    case PyValue::Type::kBytes:
      return "bytes";
    case PyValue::Type::kTuple:
      return "tuple";
  }
  return "object";
}

std::string Repr(const PyValue& v) {
  switch (v.type) {
    case PyValue::Type::kNone:
      return "None";
    case PyValue::Type::kInt:
      return ReprInt(v.number);
    case PyValue::Type::kStr:
      return ReprStr(v.text);
    case PyValue::Type::kBytes:
      return ReprBytes(v.text);
    case PyValue::Type::kTuple: {
      std::string out = "(";
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i != 0) out += ", ";
        out += Repr(v.items[i]);
      }
      if (v.items.size() == 1) out += ",";
      return out + ")";
    }
  }
  return "";
}

}  // namespace sockref::python_internal
