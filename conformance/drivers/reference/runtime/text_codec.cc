// text_codec.cc: the codecs behind text-mode makefile() files. The UTF-8 decoder classifies
// malformed input as CPython's does (Objects/stringlib/codecs.h), because the error message and
// the span a "replace" turns into one U+FFFD both depend on it.
#include "conformance/drivers/reference/runtime/text_codec.h"
#include "conformance/language/utf8.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "conformance/drivers/reference/runtime/errors.h"

namespace sockref::conformance::reference {
namespace {

constexpr std::string_view kReplacementCharacter = "\xef\xbf\xbd";  // U+FFFD

enum class Handler { kStrict, kIgnore, kReplace };

// HandlerFor returns the error handler `errors` names. It is looked up only when an error
// occurs, as Python does, so an unknown name costs nothing until then.
Handler HandlerFor(std::string_view errors) {
  if (errors == "strict") return Handler::kStrict;
  if (errors == "ignore") return Handler::kIgnore;
  if (errors == "replace") return Handler::kReplace;
  for (std::string_view known : {"backslashreplace", "namereplace", "surrogateescape",
                                 "surrogatepass", "xmlcharrefreplace"}) {
    if (errors == known) {
      throw Unsupported("errors='" + std::string(errors) +
                        "': the reference driver's codecs implement 'strict', 'ignore' and "
                        "'replace' only");
    }
  }
  throw PyException("LookupError", "unknown error handler name '" + std::string(errors) + "'");
}

bool IsContinuation(unsigned char c) { return (c & 0xc0) == 0x80; }


// CodePointsOf returns the characters of valid UTF-8 `text`.
std::vector<std::uint32_t> CodePointsOf(std::string_view text) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    std::uint32_t cp = n == 1 ? c : c & (0x3f >> (n - 1));
    for (int k = 1; k < n && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    }
    out.push_back(cp);
    i += static_cast<std::size_t>(n);
  }
  return out;
}

[[noreturn]] void ThrowDecodeError(Codec codec, std::string_view data, std::size_t start,
                                   std::size_t end, std::string_view reason) {
  char where[96];
  if (end == start + 1) {
    std::snprintf(where, sizeof where, "byte 0x%02x in position %zu",
                  static_cast<unsigned char>(data[start]), start);
  } else {
    std::snprintf(where, sizeof where, "bytes in position %zu-%zu", start, end - 1);
  }
  throw PyException("UnicodeDecodeError", "'" + std::string(CodecName(codec)) +
                                              "' codec can't decode " + where + ": " +
                                              std::string(reason));
}

// PyCharEscape returns how UnicodeEncodeError's message quotes one character: \xe9, \u20ac or
// \U0001f600.
std::string PyCharEscape(std::uint32_t cp) {
  char buf[16];
  if (cp <= 0xff) {
    std::snprintf(buf, sizeof buf, "\\x%02x", cp);
  } else if (cp <= 0xffff) {
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  } else {
    std::snprintf(buf, sizeof buf, "\\U%08x", cp);
  }
  return buf;
}

// CheckUtf8 classifies the sequence at data[i] (not ASCII) as CPython's utf8_decode does: valid,
// incomplete (the data ends inside it), an invalid start byte, or an invalid continuation
// byte after `length` good bytes (1 to 3), which are the span an error covers.
struct Utf8Check {
  enum Kind { kValid, kIncomplete, kInvalidStart, kInvalidContinuation };
  Kind kind;
  std::size_t length;  // kValid: the sequence's bytes; kInvalidContinuation: the span
};

Utf8Check CheckUtf8(std::string_view data, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(data[i + k]); };
  const std::size_t left = data.size() - i;
  const unsigned char c = at(0);
  if (c < 0xc2 || c > 0xf4) return {Utf8Check::kInvalidStart, 1};
  if (c < 0xe0) {
    if (left < 2) return {Utf8Check::kIncomplete, 0};
    if (!IsContinuation(at(1))) return {Utf8Check::kInvalidContinuation, 1};
    return {Utf8Check::kValid, 2};
  }
  // The second byte's range is narrower after E0 (no overlong forms), ED (no surrogates),
  // F0 (no overlong forms) and F4 (nothing beyond U+10FFFF).
  auto bad_second = [&](unsigned char c2) {
    if (!IsContinuation(c2)) return true;
    if (c < 0xf0) return c2 < 0xa0 ? c == 0xe0 : c == 0xed;
    return c2 < 0x90 ? c == 0xf0 : c == 0xf4;
  };
  const std::size_t need = c < 0xf0 ? 3 : 4;
  for (std::size_t k = 1; k < need; ++k) {
    if (k >= left) return {Utf8Check::kIncomplete, 0};
    if (k == 1 ? bad_second(at(1)) : !IsContinuation(at(k))) {
      return {Utf8Check::kInvalidContinuation, k};
    }
  }
  return {Utf8Check::kValid, need};
}

}  // namespace

std::optional<Codec> LookupCodec(std::string_view encoding) {
  // As encodings.normalize_encoding: lower case, and every run of characters other than
  // letters, digits and '.' becomes one '_'.
  std::string name;
  bool gap = false;
  for (const char ch : encoding) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '.') {
      if (gap && !name.empty()) name += '_';
      gap = false;
      name += static_cast<char>(std::tolower(c));
    } else {
      gap = true;
    }
  }
  for (std::string_view alias :
       {"utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001", "locale"}) {
    if (name == alias) return Codec::kUtf8;
  }
  for (std::string_view alias :
       {"latin_1", "latin1", "latin", "l1", "iso_8859_1", "iso8859_1", "iso8859", "8859", "cp819",
        "ibm819", "csisolatin1", "iso_ir_100", "iso_8859_1_1987"}) {
    if (name == alias) return Codec::kLatin1;
  }
  for (std::string_view alias :
       {"ascii", "us_ascii", "us", "646", "cp367", "ibm367", "csascii", "iso646_us", "iso_ir_6",
        "ansi_x3.4_1968", "ansi_x3_4_1968", "ansi_x3.4_1986", "iso_646.irv_1991"}) {
    if (name == alias) return Codec::kAscii;
  }
  return std::nullopt;
}

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUtf8:
      return "utf-8";
    case Codec::kLatin1:
      return "latin-1";
    case Codec::kAscii:
      return "ascii";
  }
  return "?";
}

Decoder::Decoder(Codec codec, std::string errors) : codec_(codec), errors_(std::move(errors)) {}

std::string Decoder::Decode(std::string_view input, bool final) {
  const std::string data = held_ + std::string(input);
  std::string out;
  out.reserve(data.size());
  std::size_t i = 0;
  // Error handles one malformed span [i, end): raises, or skips or replaces it.
  auto error = [&](std::size_t end, std::string_view reason) {
    const Handler h = HandlerFor(errors_);
    if (h == Handler::kStrict) ThrowDecodeError(codec_, data, i, end, reason);
    if (h == Handler::kReplace) out += kReplacementCharacter;
    i = end;
  };
  while (i < data.size()) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (codec_ == Codec::kLatin1) {
      AppendUtf8(out, c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (codec_ == Codec::kAscii) {
      error(i + 1, "ordinal not in range(128)");
      continue;
    }
    const Utf8Check check = CheckUtf8(data, i);
    switch (check.kind) {
      case Utf8Check::kValid:
        out.append(data, i, check.length);
        i += check.length;
        break;
      case Utf8Check::kIncomplete:
        if (!final) {  // wait for the rest of the sequence
          held_ = data.substr(i);
          return out;
        }
        error(data.size(), "unexpected end of data");
        break;
      case Utf8Check::kInvalidStart:
        error(i + 1, "invalid start byte");
        break;
      case Utf8Check::kInvalidContinuation: {
        // CPython holds back a truncated surrogate (ED A0..BF at the very end) as if it were
        // incomplete; the next call then reports its first byte.
        const auto c2 = i + 1 < data.size() ? static_cast<unsigned char>(data[i + 1]) : 0;
        if (!final && c == 0xed && data.size() - i == 2 && c2 >= 0xa0 && c2 <= 0xbf) {
          held_ = data.substr(i);
          return out;
        }
        error(i + check.length, "invalid continuation byte");
        break;
      }
    }
  }
  held_.clear();
  return out;
}

std::string Encode(Codec codec, std::string_view errors, std::string_view text) {
  if (codec == Codec::kUtf8) return std::string(text);  // str objects never hold surrogates
  const std::uint32_t limit = codec == Codec::kLatin1 ? 0x100 : 0x80;
  const std::vector<std::uint32_t> chars = CodePointsOf(text);
  std::string out;
  out.reserve(chars.size());
  for (std::size_t i = 0; i < chars.size();) {
    if (chars[i] < limit) {
      out += static_cast<char>(chars[i]);
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < chars.size() && chars[end] >= limit) ++end;
    const Handler h = HandlerFor(errors);
    if (h == Handler::kStrict) {
      const std::string where =
          end == i + 1
              ? "character '" + PyCharEscape(chars[i]) + "' in position " + std::to_string(i)
              : "characters in position " + std::to_string(i) + "-" + std::to_string(end - 1);
      throw PyException("UnicodeEncodeError",
                        "'" + std::string(CodecName(codec)) + "' codec can't encode " + where +
                            ": ordinal not in range(" + std::to_string(limit) + ")");
    }
    if (h == Handler::kReplace) out.append(end - i, '?');
    i = end;
  }
  return out;
}

std::string NewlineDecoder::Decode(std::string text, bool final) {
  if (pending_cr_ && (final || !text.empty())) {
    text.insert(text.begin(), '\r');
    pending_cr_ = false;
  }
  if (!final && !text.empty() && text.back() == '\r') {
    text.pop_back();
    pending_cr_ = true;
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      seen_ |= kSeenLf;
      out += '\n';
    } else if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      seen_ |= kSeenCrLf;
      out += translate_ ? "\n" : "\r\n";
      ++i;
    } else if (text[i] == '\r') {
      seen_ |= kSeenCr;
      out += translate_ ? '\n' : '\r';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::size_t CodePoints(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += !IsContinuation(static_cast<unsigned char>(c));
  return n;
}

std::size_t CodePointOffset(std::string_view text, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!IsContinuation(static_cast<unsigned char>(text[i])) && seen++ == n) return i;
  }
  return text.size();
}

}  // namespace sockref::conformance::reference
