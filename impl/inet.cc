#include "impl/inet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "impl/error.h"

namespace sockref {
namespace {

// CString returns `text` as a NUL-terminated string for the C library. Python's
// "s" argument conversion refuses a str with an embedded NUL rather than letting
// the C function see a truncated string, and so does this.
std::string CString(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    throw ValueError("embedded null character");
  }
  return std::string(text);
}

}  // namespace

Bytes inet_aton(std::string_view ip_string) {
  const std::string text = CString(ip_string);
  in_addr packed{};
  if (::inet_aton(text.c_str(), &packed) == 0) {
    throw OSError(std::string("illegal IP address string passed to inet_aton"));
  }
  return Bytes(reinterpret_cast<const char*>(&packed), sizeof(packed));
}

std::string inet_ntoa(ConstBuffer packed_ip) {
  in_addr packed{};
  if (packed_ip.size() != sizeof(packed)) {
    throw OSError(std::string("packed IP wrong length for inet_ntoa"));
  }
  std::memcpy(&packed, packed_ip.data(), sizeof(packed));
  // glibc's inet_ntoa() writes into a thread-local buffer, so this is thread-safe;
  // the copy into the result is taken before anything else can reuse it.
  return std::string(::inet_ntoa(packed));
}

Bytes inet_pton(int address_family, std::string_view ip_string) {
  const std::string text = CString(ip_string);
  in6_addr packed{};  // large enough for either family
  const int result = ::inet_pton(address_family, text.c_str(), &packed);
  if (result < 0) ThrowLastOSError();  // EAFNOSUPPORT: any family but AF_INET/AF_INET6
  if (result == 0) {
    throw OSError(std::string("illegal IP address string passed to inet_pton"));
  }
  return Bytes(reinterpret_cast<const char*>(&packed),
               address_family == AF_INET ? sizeof(in_addr) : sizeof(in6_addr));
}

std::string inet_ntop(int address_family, ConstBuffer packed_ip) {
  std::size_t expected_length;
  if (address_family == AF_INET) {
    expected_length = sizeof(in_addr);
  } else if (address_family == AF_INET6) {
    expected_length = sizeof(in6_addr);
  } else {
    throw ValueError("unknown address family " + std::to_string(address_family));
  }
  if (packed_ip.size() != expected_length) {
    throw ValueError("invalid length of packed IP address string");
  }
  // inet_ntop() may read the address with aligned loads, so it gets an aligned copy
  // rather than the caller's buffer.
  in6_addr packed{};
  std::memcpy(&packed, packed_ip.data(), expected_length);
  char text[INET6_ADDRSTRLEN];
  if (::inet_ntop(address_family, &packed, text, sizeof(text)) == nullptr) {
    ThrowLastOSError();  // not expected: the buffer fits every address of both families
  }
  return std::string(text);
}

}  // namespace sockref
