// utf8.h (internal): reading UTF-8 the way Python's strict decoder reads it, for the
// codecs that must tell a Python str from bytes (address.cc, idna.cc, netdb.cc).
//
//   char32_t c;
//   std::size_t n = utf8_internal::DecodeOne("\xc3\xa9", 0, &c);  // n == 2, c == U'é'
//   utf8_internal::IsValid("\xc0\xa0");                             // false: overlong
//
// Header-only: the address codec checks every host name with IsValid() on each
// sendto(), where an out-of-line call per code point shows in the benchmark gate.
#ifndef SOCKREF_IMPL_INTERNAL_UTF8_H_
#define SOCKREF_IMPL_INTERNAL_UTF8_H_

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace sockref::utf8_internal {

// DecodeOne decodes the code point that starts at s[i] as Python's strict UTF-8
// decoder accepts it (no overlong forms, no surrogates, nothing above U+10FFFF) and
// stores it in *out. Returns the number of bytes it takes, or 0 (leaving *out
// unchanged) when the bytes at i do not start a valid sequence.
// REQUIRES: i < s.size().
inline std::size_t DecodeOne(std::string_view s, std::size_t i, char32_t* out) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *out = b0;
    return 1;
  }
  std::size_t n;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *out = cp;
  return n;
}

// IsValid returns whether all of `s` is valid UTF-8, i.e. whether a Python str
// could hold it.
inline bool IsValid(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    const std::size_t n = DecodeOne(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// IsAscii returns whether every byte of `s` is below 0x80.
inline bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace sockref::utf8_internal

#endif  // SOCKREF_IMPL_INTERNAL_UTF8_H_
