// inet_fuzzer: sockref's inet_aton/inet_ntoa/inet_pton/inet_ntop (impl/inet.h),
// checked three ways on every input:
//   1. differentially against the C library in this process: sockref must accept
//      exactly what glibc's inet_aton()/inet_pton() accept, produce the same bytes,
//      and format packed addresses as glibc's inet_ntop() does;
//   2. against independent models of the grammar inet.h documents (the BSD
//      inet_aton notations, the strict dotted quad, RFC 4291 text, glibc's "::"
//      and dotted-tail formatting), so a change of C library or of implementation
//      that silently changes the documented contract is caught too;
//   3. round trips: ntop(pton(x)) parses back to the same bytes, and ntop's text is
//      a fixed point.
// Every rejection must be the exact Python-mirroring error inet.h documents.
//
// Input: one byte chooses an extra address family for the "wrong family" paths;
// the rest is used both as address text and as packed bytes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "impl/error.h"
#include "impl/inet.h"

namespace {

using sockref::Bytes;
using sockref::fuzz::Printable;

// ----- Independent models of the documented grammar -----------------------------------

bool IsDecimalDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ModelAton is inet.h's description of inet_aton: one to four parts separated by
// dots, each a C integer literal (0x.. hex, 0.. octal, else decimal) that starts with
// a digit; the parts before the last are bytes and the last fills the remaining
// bytes; the text ends at the end or at a whitespace character.
std::optional<Bytes> ModelAton(std::string_view text) {
  std::vector<std::uint64_t> parts;
  std::size_t i = 0;
  while (true) {
    if (i >= text.size() || !IsDecimalDigit(text[i])) return std::nullopt;
    int base = 10;
    if (text[i] == '0') {
      base = 8;
      if (i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
          i + 2 < text.size() && HexValue(text[i + 2]) >= 0) {
        base = 16;
        i += 2;
      }
    }
    std::uint64_t value = 0;
    bool too_big = false;
    while (i < text.size()) {
      const int d = HexValue(text[i]);
      if (d < 0 || d >= base) break;
      value = value * base + d;
      if (value > 0xffffffffu) too_big = true, value = 0x100000000u;
      ++i;
    }
    if (too_big) return std::nullopt;
    parts.push_back(value);
    if (i < text.size() && text[i] == '.') {
      if (parts.size() == 4) return std::nullopt;
      ++i;
      continue;
    }
    break;
  }
  if (i < text.size()) {
    const char c = text[i];
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
    if (!space) return std::nullopt;
  }
  // All parts but the last are single bytes; the last fills what is left.
  std::uint32_t address = 0;
  for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
    if (parts[k] > 0xff) return std::nullopt;
    address |= static_cast<std::uint32_t>(parts[k]) << (24 - 8 * k);
  }
  const std::size_t last_bits = 32 - 8 * (parts.size() - 1);
  const std::uint64_t last = parts.back();
  if (last_bits < 32 && last >= (std::uint64_t{1} << last_bits)) return std::nullopt;
  address |= static_cast<std::uint32_t>(last);
  const char out[4] = {static_cast<char>(address >> 24), static_cast<char>(address >> 16),
                       static_cast<char>(address >> 8), static_cast<char>(address)};
  return Bytes(out, 4);
}

// ModelPton4 is the strict dotted quad: four decimal parts of one to three digits,
// no leading zeros, each at most 255, nothing else.
std::optional<Bytes> ModelPton4(std::string_view text) {
  Bytes out;
  std::size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    std::size_t end = start;
    while (end < text.size() && IsDecimalDigit(text[end])) ++end;
    const std::size_t digits = end - start;
    if (digits == 0 || digits > 3 || (digits > 1 && text[start] == '0')) return std::nullopt;
    int value = 0;
    for (std::size_t k = start; k < end; ++k) value = value * 10 + (text[k] - '0');
    if (value > 255) return std::nullopt;
    out += static_cast<char>(value);
    if (part < 3) {
      if (end >= text.size() || text[end] != '.') return std::nullopt;
      start = end + 1;
    } else if (end != text.size()) {
      return std::nullopt;
    }
  }
  return out;
}

// ParseGroups parses one side of "::" (or the whole text): hex groups of one to four
// digits separated by single colons, the last of which may instead be a dotted quad
// when `tail_may_be_quad`. Appends 2 bytes per group (4 for the quad).
bool ParseGroups(std::string_view side, bool tail_may_be_quad, Bytes* out) {
  if (side.empty()) return true;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = side.find(':', start);
    const std::string_view piece =
        side.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    const bool last = colon == std::string_view::npos;
    if (last && tail_may_be_quad && piece.find('.') != std::string_view::npos) {
      const std::optional<Bytes> quad = ModelPton4(piece);
      if (!quad) return false;
      *out += *quad;
      return true;
    }
    if (piece.empty() || piece.size() > 4) return false;
    unsigned value = 0;
    for (char c : piece) {
      const int d = HexValue(c);
      if (d < 0) return false;
      value = value * 16 + d;
    }
    *out += static_cast<char>(value >> 8);
    *out += static_cast<char>(value & 0xff);
    if (last) return true;
    start = colon + 1;
  }
}

// ModelPton6 is RFC 4291 text: eight groups, or fewer with one "::" standing for at
// least one zero group, the last 32 bits optionally a dotted quad; no zone id.
std::optional<Bytes> ModelPton6(std::string_view text) {
  const std::size_t gap = text.find("::");
  Bytes head;
  Bytes tail;
  if (gap == std::string_view::npos) {
    if (!ParseGroups(text, true, &head) || head.size() != 16) return std::nullopt;
    return head;
  }
  const std::string_view left = text.substr(0, gap);
  const std::string_view right = text.substr(gap + 2);
  if (right.find("::") != std::string_view::npos) return std::nullopt;
  if (!ParseGroups(left, false, &head) || !ParseGroups(right, true, &tail)) return std::nullopt;
  if (head.size() + tail.size() > 14) return std::nullopt;  // "::" is at least one group
  return head + Bytes(16 - head.size() - tail.size(), '\0') + tail;
}

std::string Quad(const unsigned char* b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
         std::to_string(b[3]);
}

// ModelNtop6 formats 16 bytes as inet.h documents: lower-case hex without leading
// zeros; the first longest run of two or more zero groups as "::"; a dotted-quad
// tail for ::ffff:a.b.c.d and for ::a.b.c.d when the seventh group is non-zero.
std::string ModelNtop6(const unsigned char* b) {
  unsigned groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = (b[2 * i] << 8) | b[2 * i + 1];
  int best_start = -1;
  int best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i >= 2 && j - i > best_length) best_start = i, best_length = j - i;
    i = j;
  }
  const bool mapped = best_start == 0 && best_length == 5 && groups[5] == 0xffff;
  const bool compatible = best_start == 0 && best_length == 6;
  std::string out;
  if (mapped || compatible) return std::string(mapped ? "::ffff:" : "::") + Quad(b + 12);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::string digits;
    for (unsigned v = groups[i]; v != 0; v >>= 4) digits.insert(digits.begin(), kHex[v & 0xf]);
    out += digits.empty() ? "0" : digits;
  }
  return out;
}

// ----- Outcomes ---------------------------------------------------------------------------

// Result is what one sockref call did: the text or bytes it returned, or the Python
// class and message it raised.
struct Result {
  bool ok = false;
  std::string value;
  std::string python_class;
  std::string message;
  std::optional<int> errno_value;
};

template <typename Call>
Result Run(Call call) {
  Result r;
  try {
    r.value = call();
    r.ok = true;
  } catch (const sockref::OSError& e) {
    r.python_class = std::string(e.python_name());
    r.message = std::string(e.message());
    r.errno_value = e.errno_value();
  } catch (const sockref::PythonException& e) {
    r.python_class = std::string(e.python_name());
    r.message = std::string(e.message());
  }
  // Anything else (std::out_of_range, std::length_error, ...) escapes and is a crash.
  return r;
}

std::string Describe(const Result& r) {
  if (r.ok) return "returned " + Printable(r.value);
  return "raised " + r.python_class + "(" + Printable(r.message) + ")";
}

void ExpectValue(const Result& r, const Bytes& want, const std::string& what) {
  FUZZ_CHECK(r.ok && r.value == want, what + ": expected " + Printable(want) + ", " + Describe(r));
}

void ExpectError(const Result& r, const char* python_class, const std::string& message,
                 std::optional<int> errno_value, const std::string& what) {
  FUZZ_CHECK(!r.ok && r.python_class == python_class && r.message == message &&
                 r.errno_value == errno_value,
             what + ": expected " + python_class + "(" + Printable(message) + "), " + Describe(r));
}

// ----- The checks -----------------------------------------------------------------------------

constexpr const char* kAtonError = "illegal IP address string passed to inet_aton";
constexpr const char* kPtonError = "illegal IP address string passed to inet_pton";

void CheckAton(const std::string& text) {
  const std::string what = "inet_aton(" + Printable(text) + ")";
  const Result r = Run([&] { return sockref::inet_aton(text); });
  if (text.find('\0') != std::string::npos) {
    ExpectError(r, "ValueError", "embedded null character", std::nullopt, what);
    return;
  }
  in_addr libc{};
  const bool libc_ok = ::inet_aton(text.c_str(), &libc) != 0;
  const std::optional<Bytes> model = ModelAton(text);
  FUZZ_CHECK(libc_ok == model.has_value(),
             what + ": glibc " + (libc_ok ? "accepts" : "rejects") + " but the model " +
                 (model ? "accepts" : "rejects"));
  if (!libc_ok) {
    ExpectError(r, "OSError", kAtonError, std::nullopt, what);
    return;
  }
  const Bytes libc_bytes(reinterpret_cast<const char*>(&libc), 4);
  FUZZ_CHECK(*model == libc_bytes, what + ": glibc gives " + Printable(libc_bytes) +
                                       ", the model " + Printable(*model));
  ExpectValue(r, libc_bytes, what);
}

// CheckPton checks inet_pton(family, text) for AF_INET and AF_INET6 and returns the
// packed bytes when the text is accepted.
std::optional<Bytes> CheckPton(int family, const std::string& text) {
  const std::string what = "inet_pton(" + std::to_string(family) + ", " + Printable(text) + ")";
  const Result r = Run([&] { return sockref::inet_pton(family, text); });
  if (text.find('\0') != std::string::npos) {
    ExpectError(r, "ValueError", "embedded null character", std::nullopt, what);
    return std::nullopt;
  }
  unsigned char libc[16] = {};
  const int rc = ::inet_pton(family, text.c_str(), libc);
  const std::size_t size = family == AF_INET ? 4 : 16;
  const std::optional<Bytes> model = family == AF_INET ? ModelPton4(text) : ModelPton6(text);
  FUZZ_CHECK((rc == 1) == model.has_value(), what + ": glibc returns " + std::to_string(rc) +
                                                 " but the model " +
                                                 (model ? "accepts" : "rejects"));
  if (rc != 1) {
    ExpectError(r, "OSError", kPtonError, std::nullopt, what);
    return std::nullopt;
  }
  const Bytes libc_bytes(reinterpret_cast<const char*>(libc), size);
  FUZZ_CHECK(*model == libc_bytes, what + ": glibc gives " + Printable(libc_bytes) +
                                       ", the model " + Printable(*model));
  ExpectValue(r, libc_bytes, what);
  return libc_bytes;
}

// CheckNtop checks inet_ntop(family, packed) for any family and length, and returns
// the text when sockref formats the address.
std::optional<std::string> CheckNtop(int family, const Bytes& packed) {
  const std::string what =
      "inet_ntop(" + std::to_string(family) + ", " + Printable(packed) + ")";
  const Result r = Run([&] { return sockref::inet_ntop(family, packed); });
  if (family != AF_INET && family != AF_INET6) {
    ExpectError(r, "ValueError", "unknown address family " + std::to_string(family), std::nullopt,
                what);
    return std::nullopt;
  }
  const std::size_t size = family == AF_INET ? 4 : 16;
  if (packed.size() != size) {
    ExpectError(r, "ValueError", "invalid length of packed IP address string", std::nullopt, what);
    return std::nullopt;
  }
  alignas(in6_addr) unsigned char aligned[16] = {};
  std::memcpy(aligned, packed.data(), size);
  char text[INET6_ADDRSTRLEN] = {};
  FUZZ_CHECK(::inet_ntop(family, aligned, text, sizeof text) != nullptr,
             what + ": glibc fails: " + std::strerror(errno));
  const std::string model = family == AF_INET ? Quad(aligned) : ModelNtop6(aligned);
  FUZZ_CHECK(model == text,
             what + ": glibc writes " + Printable(text) + ", the model " + Printable(model));
  ExpectValue(r, text, what);
  return std::string(text);
}

void CheckNtoa(const Bytes& packed) {
  const std::string what = "inet_ntoa(" + Printable(packed) + ")";
  const Result r = Run([&] { return sockref::inet_ntoa(packed); });
  if (packed.size() != 4) {
    ExpectError(r, "OSError", "packed IP wrong length for inet_ntoa", std::nullopt, what);
    return;
  }
  in_addr a;
  std::memcpy(&a, packed.data(), 4);
  const std::string libc = ::inet_ntoa(a);
  FUZZ_CHECK(libc == Quad(reinterpret_cast<const unsigned char*>(packed.data())),
             what + ": glibc writes " + Printable(libc));
  ExpectValue(r, libc, what);
}

// CheckRoundTrip: text accepted by pton formats to text that parses to the same bytes
// and formats to itself.
void CheckRoundTrip(int family, const Bytes& packed) {
  const std::optional<std::string> text = CheckNtop(family, packed);
  FUZZ_CHECK(text.has_value(), "inet_ntop rejected what inet_pton returned");
  const std::optional<Bytes> again = CheckPton(family, *text);
  FUZZ_CHECK(again == packed, "inet_pton(" + std::to_string(family) + ", " + Printable(*text) +
                                  ") does not give back " + Printable(packed));
  FUZZ_CHECK(CheckNtop(family, *again) == text, "inet_ntop is not a fixed point on " + *text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sockref::fuzz::FuzzInput in(data, size);
  // Mostly the two real families, sometimes anything at all (AF_UNIX, -1, 1000, ...).
  const std::uint8_t selector = in.Byte();
  const int other_family =
      selector < 0xf0 ? (selector % 2 ? AF_INET6 : AF_INET) : static_cast<int>(in.Integral<int>());
  const std::string text = in.RemainingBytes();

  CheckAton(text);
  for (int family : {AF_INET, AF_INET6}) {
    if (std::optional<Bytes> packed = CheckPton(family, text)) CheckRoundTrip(family, *packed);
  }
  if (other_family != AF_INET && other_family != AF_INET6) {
    const std::string what = "inet_pton(" + std::to_string(other_family) + ", " + Printable(text) + ")";
    const Result r = Run([&] { return sockref::inet_pton(other_family, text); });
    if (text.find('\0') != std::string::npos) {
      ExpectError(r, "ValueError", "embedded null character", std::nullopt, what);
    } else {
      ExpectError(r, "OSError", "[Errno 97] Address family not supported by protocol",
                  EAFNOSUPPORT, what);
    }
  }

  // The same bytes as packed addresses: the whole text (usually a wrong length) and
  // its first 4 and 16 bytes, which always reach the formatter.
  CheckNtoa(text);
  CheckNtop(other_family, text);
  for (int family : {AF_INET, AF_INET6}) {
    const std::size_t n = family == AF_INET ? 4 : 16;
    CheckNtop(family, text);
    Bytes packed = text.substr(0, n);
    packed.resize(n, '\0');
    CheckRoundTrip(family, packed);
    if (family == AF_INET) CheckNtoa(packed);
  }
  return 0;
}
