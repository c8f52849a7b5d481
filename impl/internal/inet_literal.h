// inet_literal.h: the AF_INET address codec's fast path for IPv4 literals.
//
// sendto() encodes its address on every call and recvfrom() decodes the
// sender's on every datagram, almost always an (IPv4 literal, port) pair. These
// do exactly what EncodeAddress()/DecodeAddress() would for such an address,
// without building its Python value, resolving, or formatting with sprintf.
// Implementation detail of //impl:address and //impl:socket.
#ifndef SOCKREF_IMPL_INTERNAL_INET_LITERAL_H_
#define SOCKREF_IMPL_INTERNAL_INET_LITERAL_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <variant>

#include "impl/address.h"

namespace sockref::address_internal {

// ParseDottedQuad is glibc's inet_pton4() (what SetIpAddr tries first for
// AF_INET): exactly four decimal parts of 0-255 without leading zeros. Returns
// false for anything else, leaving *out unchanged.
inline bool ParseDottedQuad(std::string_view text, in_addr* out) {
  auto digit = [](const char* p) { return static_cast<unsigned>(*p - '0'); };
  const char* p = text.data();
  const char* const end = p + text.size();
  auto is_digit = [&](const char* q) { return q != end && digit(q) <= 9; };
  std::uint8_t parts[4];
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return false;
      ++p;
    }
    if (!is_digit(p)) return false;
    unsigned value = digit(p++);
    if (is_digit(p)) {
      if (value == 0) return false;  // a leading zero
      value = value * 10 + digit(p++);
      if (is_digit(p)) {
        value = value * 10 + digit(p++);
        if (value > 255) return false;
      }
    }
    parts[i] = static_cast<std::uint8_t>(value);
  }
  if (p != end) return false;
  std::memcpy(&out->s_addr, parts, sizeof parts);
  return true;
}

// EncodeInetLiteral writes to *out what EncodeAddress() gives an AF_INET socket
// for `address` when it is an InetAddress whose host is an IPv4 literal and
// whose port is 0-65535, and returns true. Returns false for every other
// address, which must take EncodeAddress() (with its errors); *out is then
// unspecified.
inline bool EncodeInetLiteral(const Address& address, sockaddr_in* out) {
  const auto* inet = std::get_if<InetAddress>(&address);
  if (inet == nullptr || inet->port < 0 || inet->port > 0xffff) return false;
  *out = sockaddr_in{};
  if (!ParseDottedQuad(inet->host, &out->sin_addr)) return false;
  out->sin_family = AF_INET;
  out->sin_port = htons(static_cast<std::uint16_t>(inet->port));
  return true;
}

// DecodeInetInto sets `out` to what DecodeAddress(addr, length, proto) returns
// when addr is a whole sockaddr_in (AF_INET, length >= sizeof(sockaddr_in)),
// building the InetAddress in place, and returns true; returns false, leaving
// `out` alone, for any other address. Defined in address_decode.cc.
bool DecodeInetInto(const sockaddr* addr, socklen_t length, Address& out);

}  // namespace sockref::address_internal

#endif  // SOCKREF_IMPL_INTERNAL_INET_LITERAL_H_
