// resolver.cc: CPython 3.11's setipaddr() and set_gaierror() (Modules/socketmodule.c).
#include "impl/internal/resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "impl/error.h"

namespace sockref::resolver_internal {
namespace {

// CopyFirst copies the first address of `list` into `out`, truncated to out_size.
void CopyFirst(const AddrInfoList& list, sockaddr* out, std::size_t out_size) {
  std::memcpy(out, list->ai_addr, std::min<std::size_t>(out_size, list->ai_addrlen));
}

}  // namespace

void RaiseGaiError(int error, int saved_errno) {
  if (error == EAI_SYSTEM) {
    // PyErr_SetFromErrno(): "Sometimes errno didn't get set".
    if (saved_errno == 0) ThrowOSError(0, "Error");
    ThrowOSError(saved_errno);
  }
  throw gaierror(error);
}

AddrInfoList GetAddrInfo(const char* host, const char* service, int family, int type, int proto,
                         int flags) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_protocol = proto;
  hints.ai_flags = flags;
  addrinfo* result = nullptr;
  const int error = ::getaddrinfo(host, service, &hints, &result);
  if (error != 0) RaiseGaiError(error, errno);
  return AddrInfoList(result);
}

void SetIpAddr(const std::string& name, sockaddr* out, std::size_t out_size, int af) {
  std::memset(out, 0, out_size);
  if (name.empty()) {
    // Any socket type will do; SOCK_DGRAM only avoids one entry per type.
    const AddrInfoList list = GetAddrInfo(nullptr, "0", af, SOCK_DGRAM, 0, AI_PASSIVE);
    if (list->ai_family != AF_INET && list->ai_family != AF_INET6) {
      throw OSError(std::string("unsupported address family"));
    }
    if (list->ai_next != nullptr) {
      throw OSError(std::string("wildcard resolved to multiple address"));
    }
    CopyFirst(list, out, out_size);
    return;
  }
  if (name == "255.255.255.255" || name == "<broadcast>") {
    if (af != AF_INET && af != AF_UNSPEC) throw OSError(std::string("address family mismatched"));
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    *sin = sockaddr_in{};
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
    return;
  }
  if (af == AF_UNSPEC || af == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    *sin = sockaddr_in{};
    if (::inet_pton(AF_INET, name.c_str(), &sin->sin_addr) > 0) {
      sin->sin_family = AF_INET;
      return;
    }
  }
  // A "%zone" suffix needs getaddrinfo() to turn an interface name into an index.
  if ((af == AF_UNSPEC || af == AF_INET6) && name.find('%') == std::string::npos) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
    *sin6 = sockaddr_in6{};
    if (::inet_pton(AF_INET6, name.c_str(), &sin6->sin6_addr) > 0) {
      sin6->sin6_family = AF_INET6;
      return;
    }
  }
  const AddrInfoList list = GetAddrInfo(name.c_str(), nullptr, af, 0, 0, 0);
  CopyFirst(list, out, out_size);
  if (out->sa_family != AF_INET && out->sa_family != AF_INET6) {
    throw OSError(std::string("unknown address family"));
  }
}

}  // namespace sockref::resolver_internal
