// utf8.h: UTF-8 encoding of one code point, shared by the case parser, the AST's
// repr and the reference driver's text codec.
//
//   std::string s;
//   AppendUtf8(s, U'é');  // s == "\xc3\xa9"
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_UTF8_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_UTF8_H_

#include <string>

namespace sockref::conformance {

// AppendUtf8 appends code point `cp` (at most U+10FFFF) to `out` as UTF-8.
// Surrogates are encoded as their three bytes, as Python's "surrogatepass" would.
inline void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

// Utf8SequenceLength returns the length of the well-formed UTF-8 sequence at s[i] (1 to 4), or
// 0 when the bytes there are not one: overlong forms and surrogates are not, as JSON text may
// carry neither.
inline std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const unsigned char c = s[i];
  std::size_t extra = 0;
  unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
  if (c < 0x80) {
    return 1;
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
    return 0;
  }
  if (s.size() - i <= extra) return 0;
  for (std::size_t k = 1; k <= extra; ++k) {
    const unsigned char b = s[i + k];
    if (k == 1 ? (b < low || b > high) : (b & 0xc0) != 0x80) return 0;
  }
  return extra + 1;
}

// IsValidUtf8 accepts exactly what JSON text may carry: no overlong forms, no surrogates.
inline bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// SanitizedUtf8 returns `s` with every byte that does not start a well-formed sequence replaced
// by U+FFFD, as Python's errors="replace" does: text from an untrusted driver (its stderr, a
// garbage line) becomes safe to put in a JSON report.
inline std::string SanitizedUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_UTF8_H_
