// resolver.h (internal): CPython's host-to-address resolution, the one copy that
// the address codec (getsockaddrarg(): bind, connect, sendto, ...) and netdb
// (gethostbyname(), gethostbyaddr(), getaddrinfo(), getnameinfo()) share.
//
//   sockaddr_storage ss{};
//   resolver_internal::SetIpAddr("localhost", reinterpret_cast<sockaddr*>(&ss),
//                                sizeof(ss), AF_INET);  // ss holds 127.0.0.1
//   resolver_internal::AddrInfoList list =
//       resolver_internal::GetAddrInfo("::1", "80", AF_UNSPEC, SOCK_STREAM, 0, 0);
#ifndef SOCKREF_IMPL_INTERNAL_RESOLVER_H_
#define SOCKREF_IMPL_INTERNAL_RESOLVER_H_

#include <netdb.h>
#include <sys/socket.h>

#include <cstddef>
#include <memory>
#include <string>

namespace sockref::resolver_internal {

// AddrInfoList owns the list getaddrinfo(3) returned and frees it with
// freeaddrinfo(3).
struct AddrInfoDeleter {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};
using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// RaiseGaiError raises what CPython's set_gaierror() raises for the EAI_* code
// `error` of a failed getaddrinfo()/getnameinfo(): gaierror(error), "[Errno -2] Name
// or service not known"; except that EAI_SYSTEM raises the OSError subclass of
// `saved_errno`, the errno the failed call left (CPython's set_error() reads it
// right after the call: Py_END_ALLOW_THREADS preserves errno). As in CPython's
// PyErr_SetFromErrno(), an errno of 0 gives OSError(0, "Error"), "[Errno 0] Error".
[[noreturn]] void RaiseGaiError(int error, int saved_errno);

// GetAddrInfo calls getaddrinfo(host, service) with those hints (null host or
// service as in getaddrinfo(3)) and returns the list it made, never empty.
// Raises: RaiseGaiError's errors when the call fails.
AddrInfoList GetAddrInfo(const char* host, const char* service, int family, int type, int proto,
                         int flags);

// SetIpAddr fills `out` (out_size bytes, zeroed first) with the address of `name`
// for family `af` (AF_INET, AF_INET6 or AF_UNSPEC), as CPython's setipaddr():
//   ""                               the wildcard: getaddrinfo(NULL, "0", AI_PASSIVE)
//   "<broadcast>", "255.255.255.255" INADDR_BROADCAST (AF_INET and AF_UNSPEC only)
//   a numeric address                parsed without a lookup (IPv6 only without a
//                                    "%zone": getaddrinfo() maps the interface)
//   anything else                    getaddrinfo(name, NULL) with ai_family = af
// Addresses from getaddrinfo() are copied truncated to out_size bytes.
// REQUIRES: out_size >= sizeof(sockaddr_in) for AF_INET, >= sizeof(sockaddr_in6)
// otherwise.
// Raises: RaiseGaiError's errors; OSError("unsupported address family") and
// OSError("wildcard resolved to multiple address") for "";
// OSError("address family mismatched") for a broadcast name on AF_INET6;
// OSError("unknown address family") when getaddrinfo() answers neither AF_INET
// nor AF_INET6.
void SetIpAddr(const std::string& name, sockaddr* out, std::size_t out_size, int af);

}  // namespace sockref::resolver_internal

#endif  // SOCKREF_IMPL_INTERNAL_RESOLVER_H_
