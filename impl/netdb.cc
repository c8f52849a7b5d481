// netdb.cc: name resolution as CPython 3.11's socket module does it (netdb.h). The
// host-name resolution it shares with the address codec, setipaddr(), is
// internal/resolver.cc.
#include "impl/netdb.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <type_traits>
#include <vector>

#include "impl/error.h"
#include "impl/idna.h"
#include "impl/internal/resolver.h"
#include "impl/internal/utf8.h"

namespace sockref {
namespace {

using resolver_internal::AddrInfoList;
using resolver_internal::GetAddrInfo;
using resolver_internal::RaiseGaiError;
using resolver_internal::SetIpAddr;

// ---------------------------------------------------------------------------
// Python-side argument conversions.

// CPython's getaddrinfo() and gethostby*() let a failure of the "idna" codec
// propagate: a UnicodeError whose str() wraps the codec's reason.
std::string EncodeHostName(std::string_view name) {
  try {
    return EncodeIdna(name);
  } catch (const IdnaError& e) {
    throw UnicodeError("encoding with 'idna' codec failed (UnicodeError: " +
                       std::string(e.reason()) + ")");
  }
}

// CheckBytesHostArgument is the "et" unit on bytes: no codec, but no NUL either.
const std::string& CheckBytesHostArgument(const BytesHost& name, std::string_view function) {
  if (name.bytes.find('\0') != std::string::npos) {
    throw TypeError(std::string(function) +
                    "() argument 1 must be encoded string without null bytes, not bytes");
  }
  return name.bytes;
}

// EncodeHostArgument is CPython's "et" conversion with the "idna" encoding, used by
// the gethostby*() functions: encode, then refuse NUL bytes.
std::string EncodeHostArgument(std::string_view name, std::string_view function) {
  std::string encoded = EncodeHostName(name);
  if (encoded.find('\0') != std::string::npos) {
    throw TypeError(std::string(function) +
                    "() argument 1 must be encoded string without null bytes, not str");
  }
  return encoded;
}

// CheckStrArgument is CPython's "s" conversion: a str with a NUL is refused.
void CheckStrArgument(std::string_view value) {
  if (value.find('\0') != std::string_view::npos) throw ValueError("embedded null character");
}

// ToCInt is CPython's "i" conversion of a Python int.
int ToCInt(std::int64_t value) {
  if (value > INT_MAX) throw OverflowError("signed integer is greater than maximum");
  if (value < INT_MIN) throw OverflowError("signed integer is less than minimum");
  return static_cast<int>(value);
}

// ---------------------------------------------------------------------------
// Host entries (resolver.h resolves the names).

std::string AddressText(int af, const void* address) {
  char text[INET6_ADDRSTRLEN];
  if (::inet_ntop(af, address, text, sizeof(text)) == nullptr) ThrowLastOSError();
  return text;
}

// HostEntryFrom converts a gethostby*_r() result as CPython's gethost_common()
// does. `h_error` is the code the lookup stored through its h_errnop argument.
// CPython reads the thread's h_errno instead, which glibc leaves untouched for some
// failures (gethostbyname_ex("<broadcast>")), so CPython can report a stale code
// from an earlier lookup there; where glibc sets both they agree.
HostEntry HostEntryFrom(const hostent* h, int h_error, int af) {
  if (h == nullptr) throw herror(h_error);
  if (h->h_addrtype != af) ThrowOSError(EAFNOSUPPORT);
  if (af != AF_INET && af != AF_INET6) throw OSError(std::string("unsupported address family"));
  HostEntry entry;
  entry.hostname = h->h_name;
  // h_aliases may be NULL on some C libraries (CPython's SF #1511317).
  for (char** alias = h->h_aliases; alias != nullptr && *alias != nullptr; ++alias) {
    entry.aliases.emplace_back(*alias);
  }
  for (char** address = h->h_addr_list; *address != nullptr; ++address) {
    entry.addresses.push_back(AddressText(af, *address));
  }
  return entry;
}

// CPython's buffer for the reentrant gethostby*() calls; a bigger entry fails as
// it does in CPython.
constexpr std::size_t kHostBufferSize = 16384;

// CallWithGrowingBuffer runs a getXbyY_r() style `call(buffer, size)` that
// returns ERANGE when the buffer is too small; the other databases in CPython use
// the non-reentrant calls, which have no size limit.
template <typename Call>
int CallWithGrowingBuffer(std::vector<char>& buffer, Call&& call) {
  buffer.resize(1024);
  while (true) {
    const int rc = call(buffer.data(), buffer.size());
    if (rc != ERANGE || buffer.size() >= (1u << 24)) return rc;
    buffer.resize(buffer.size() * 2);
  }
}

// ---------------------------------------------------------------------------
// Python's str.strip(): the whitespace code points of str.isspace(), in UTF-8.

bool IsPythonSpace(char32_t c) {
  switch (c) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x1f:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

// PythonStrip is str.strip() of the str `s` holds as UTF-8. Bytes that are not
// UTF-8 (an overlong form of a space, say) are not whitespace.
std::string_view PythonStrip(std::string_view s) {
  char32_t c;
  while (!s.empty()) {
    const std::size_t n = utf8_internal::DecodeOne(s, 0, &c);
    if (n == 0 || !IsPythonSpace(c)) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    // Step back over continuation bytes to the start of the last code point.
    std::size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 &&
           (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) {
      --start;
    }
    const std::size_t n = utf8_internal::DecodeOne(s, start, &c);
    if (n != s.size() - start || !IsPythonSpace(c)) break;
    s.remove_suffix(n);
  }
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------

namespace {

// ResolveEncoded is getaddrinfo() once the host is bytes (encoded, or given as bytes).
std::vector<AddrInfo> ResolveEncoded(const std::string* encoded_host, const PortSpec& port,
                                     int family, int type, int proto, int flags) {
  // CPython hands the bytes over as a C string: a NUL ends the name.
  const char* host_ptr = encoded_host != nullptr ? encoded_host->c_str() : nullptr;
  std::string port_text;
  const char* port_ptr = nullptr;
  if (const auto* number = std::get_if<std::int64_t>(&port)) {
    port_text = std::to_string(*number);
    port_ptr = port_text.c_str();
  } else if (const auto* service = std::get_if<std::string>(&port)) {
    port_ptr = service->c_str();
  }
  AddrInfoList list = GetAddrInfo(host_ptr, port_ptr, family, type, proto, flags);
  std::vector<AddrInfo> result;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    // CPython decodes with the caller's proto argument, not ai_protocol.
    result.push_back(AddrInfo{ai->ai_family, ai->ai_socktype, ai->ai_protocol,
                              ai->ai_canonname != nullptr ? ai->ai_canonname : "",
                              DecodeAddress(ai->ai_addr, ai->ai_addrlen, proto)});
  }
  return result;
}

}  // namespace

std::vector<AddrInfo> getaddrinfo(const std::optional<std::string>& host, const PortSpec& port,
                                  int family, int type, int proto, int flags) {
  if (!host) return ResolveEncoded(nullptr, port, family, type, proto, flags);
  const std::string encoded = EncodeHostName(*host);
  return ResolveEncoded(&encoded, port, family, type, proto, flags);
}

std::vector<AddrInfo> getaddrinfo(const BytesHost& host, const PortSpec& port, int family,
                                  int type, int proto, int flags) {
  return ResolveEncoded(&host.bytes, port, family, type, proto, flags);
}

std::pair<std::string, std::string> getnameinfo(const Address& sockaddr, int flags) {
  // The fields of Python's tuple after its "si|II" parse, in that order.
  struct Parsed {
    std::string host;
    std::int64_t port = 0;
    std::int64_t flowinfo = 0;
    std::int64_t scope_id = 0;
    int tuple_size = 0;
  };
  const Parsed parsed = std::visit(
      [](const auto& a) -> Parsed {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, InetAddress>) {
          return {a.host, a.port, 0, 0, 2};
        } else if constexpr (std::is_same_v<T, Inet6Address>) {
          return {a.host, a.port, a.flowinfo, a.scope_id, 4};
        } else if constexpr (std::is_same_v<T, NoAddress> || std::is_same_v<T, UnixAddress>) {
          // None, str and bytes are not tuples.
          throw TypeError("getnameinfo() argument 1 must be a tuple");
        } else {
          // The other families' tuples do not start with (str, int) or are too long.
          throw TypeError("getnameinfo(): illegal sockaddr argument");
        }
      },
      sockaddr);
  CheckStrArgument(parsed.host);
  const int port = ToCInt(parsed.port);
  // "I" keeps the low 32 bits without complaint; only then is flowinfo checked.
  const auto flowinfo = static_cast<std::uint32_t>(parsed.flowinfo);
  const auto scope_id = static_cast<std::uint32_t>(parsed.scope_id);
  if (flowinfo > 0xfffff) throw OverflowError("getnameinfo(): flowinfo must be 0-1048575.");

  char service[NI_MAXSERV];
  std::snprintf(service, sizeof(service), "%d", port);
  // SOCK_DGRAM keeps the numeric port acceptable; AI_NUMERICHOST forbids lookups.
  AddrInfoList list =
      GetAddrInfo(parsed.host.c_str(), service, AF_UNSPEC, SOCK_DGRAM, 0, AI_NUMERICHOST);
  if (list->ai_next != nullptr) {
    throw OSError(std::string("sockaddr resolved to multiple addresses"));
  }
  if (list->ai_family == AF_INET && parsed.tuple_size != 2) {
    throw OSError(std::string("IPv4 sockaddr must be 2 tuple"));
  }
  if (list->ai_family == AF_INET6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(list->ai_addr);
    sin6->sin6_flowinfo = htonl(flowinfo);
    sin6->sin6_scope_id = scope_id;
  }
  char host[NI_MAXHOST];
  const int error = ::getnameinfo(list->ai_addr, list->ai_addrlen, host, sizeof(host), service,
                                  sizeof(service), flags);
  if (error != 0) RaiseGaiError(error, errno);
  return {host, service};
}

namespace {

std::string HostByName(const std::string& encoded) {
  sockaddr_storage address{};
  SetIpAddr(encoded, reinterpret_cast<sockaddr*>(&address), sizeof(address), AF_INET);
  return AddressText(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr);
}

HostEntry HostByNameEx(const std::string& encoded) {
  sockaddr_storage address{};
  SetIpAddr(encoded, reinterpret_cast<sockaddr*>(&address), sizeof(address), AF_INET);
  // Like CPython, look the name itself up (not the address SetIpAddr found).
  hostent entry;
  hostent* h = nullptr;
  int h_error = 0;
  std::vector<char> buffer(kHostBufferSize);
  ::gethostbyname_r(encoded.c_str(), &entry, buffer.data(), buffer.size() - 1, &h, &h_error);
  return HostEntryFrom(h, h_error, address.ss_family);
}

HostEntry HostByAddr(const std::string& encoded) {
  sockaddr_storage address{};
  SetIpAddr(encoded, reinterpret_cast<sockaddr*>(&address), sizeof(address), AF_UNSPEC);
  const int af = address.ss_family;
  const void* raw;
  socklen_t raw_length;
  if (af == AF_INET) {
    raw = &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr;
    raw_length = sizeof(in_addr);
  } else if (af == AF_INET6) {
    raw = &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr;
    raw_length = sizeof(in6_addr);
  } else {
    throw OSError(std::string("unsupported address family"));
  }
  hostent entry;
  hostent* h = nullptr;
  int h_error = 0;
  std::vector<char> buffer(kHostBufferSize);
  ::gethostbyaddr_r(raw, raw_length, af, &entry, buffer.data(), buffer.size() - 1, &h, &h_error);
  return HostEntryFrom(h, h_error, af);
}

}  // namespace

std::string gethostbyname(std::string_view name) {
  return HostByName(EncodeHostArgument(name, "gethostbyname"));
}

std::string gethostbyname(const BytesHost& name) {
  return HostByName(CheckBytesHostArgument(name, "gethostbyname"));
}

HostEntry gethostbyname_ex(std::string_view name) {
  return HostByNameEx(EncodeHostArgument(name, "gethostbyname_ex"));
}

HostEntry gethostbyname_ex(const BytesHost& name) {
  return HostByNameEx(CheckBytesHostArgument(name, "gethostbyname_ex"));
}

HostEntry gethostbyaddr(std::string_view ip_address) {
  return HostByAddr(EncodeHostArgument(ip_address, "gethostbyaddr"));
}

HostEntry gethostbyaddr(const BytesHost& ip_address) {
  return HostByAddr(CheckBytesHostArgument(ip_address, "gethostbyaddr"));
}

std::string gethostname() {
  char name[1024];
  if (::gethostname(name, sizeof(name) - 1) < 0) ThrowLastOSError();
  name[sizeof(name) - 1] = '\0';
  return name;
}

void sethostname(std::string_view name) {
  if (::sethostname(name.data(), name.size()) != 0) ThrowLastOSError();
}

std::string getfqdn(std::string_view name) {
  std::string result(PythonStrip(name));
  if (result.empty() || result == "0.0.0.0" || result == "::") result = gethostname();
  HostEntry entry;
  try {
    entry = gethostbyaddr(result);
  } catch (const OSError&) {
    // socket.error, with gaierror and herror: the name is returned unchanged.
    return result;
  }
  if (entry.hostname.find('.') != std::string::npos) return entry.hostname;
  for (const std::string& alias : entry.aliases) {
    if (alias.find('.') != std::string::npos) return alias;
  }
  return entry.hostname;
}

int getprotobyname(std::string_view name) {
  CheckStrArgument(name);
  const std::string c_name(name);
  protoent entry;
  protoent* found = nullptr;
  std::vector<char> buffer;
  CallWithGrowingBuffer(buffer, [&](char* data, std::size_t size) {
    return ::getprotobyname_r(c_name.c_str(), &entry, data, size, &found);
  });
  if (found == nullptr) throw OSError(std::string("protocol not found"));
  return found->p_proto;
}

int getservbyname(std::string_view name, const std::optional<std::string>& proto) {
  CheckStrArgument(name);
  if (proto.has_value()) CheckStrArgument(*proto);
  const std::string c_name(name);
  servent entry;
  servent* found = nullptr;
  std::vector<char> buffer;
  CallWithGrowingBuffer(buffer, [&](char* data, std::size_t size) {
    return ::getservbyname_r(c_name.c_str(), proto ? proto->c_str() : nullptr, &entry, data, size,
                             &found);
  });
  if (found == nullptr) throw OSError(std::string("service/proto not found"));
  return ntohs(static_cast<std::uint16_t>(found->s_port));
}

std::string getservbyport(std::int64_t port, const std::optional<std::string>& proto) {
  const int c_port = ToCInt(port);
  if (proto.has_value()) CheckStrArgument(*proto);
  if (c_port < 0 || c_port > 0xffff) {
    throw OverflowError("getservbyport: port must be 0-65535.");
  }
  servent entry;
  servent* found = nullptr;
  std::vector<char> buffer;
  CallWithGrowingBuffer(buffer, [&](char* data, std::size_t size) {
    return ::getservbyport_r(htons(static_cast<std::uint16_t>(c_port)),
                             proto ? proto->c_str() : nullptr, &entry, data, size, &found);
  });
  if (found == nullptr) throw OSError(std::string("port/proto not found"));
  return found->s_name;
}

}  // namespace sockref
