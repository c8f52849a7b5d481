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

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_UTF8_H_
