// netdb.h: name resolution as Python's socket module does it: getaddrinfo(),
// getnameinfo(), the gethostby*() family, gethostname()/sethostname(), getfqdn(),
// and the protocol and service databases.
//
//   for (const sockref::AddrInfo& ai :
//        sockref::getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM)) {
//     // ai.sockaddr holds InetAddress{"127.0.0.1", 80}
//   }
//   auto [host, service] = sockref::getnameinfo(sockref::InetAddress{"127.0.0.1", 80},
//                                               NI_NUMERICHOST);  // "127.0.0.1", "http"
//   int tcp = sockref::getprotobyname("tcp");                       // 6
//
// Every function checks its arguments in CPython 3.11's order and raises what
// CPython raises, with the same message: gaierror for getaddrinfo()/getnameinfo()
// failures ("[Errno -2] Name or service not known"), herror for the gethostby*()
// lookups ("[Errno 1] Unknown host"), OSError with CPython's fixed strings for the
// databases ("protocol not found"), and ValueError/TypeError/OverflowError for
// arguments Python would reject. An EAI_SYSTEM failure is raised as the OSError of
// errno, as CPython does.
//
// Strings are bytes (UTF-8 for text). Host names are the `str` Python would be
// given: they go through Python's "idna" codec first (EncodeIdna in idna.h, which
// says where it departs from Python's). For ASCII names that only checks label
// lengths; non-ASCII labels are punycoded ("bücher" -> "xn--bcher-kva"). Codec
// failures are UnicodeError in CPython, a subclass of ValueError; sockref raises
// ValueError with CPython's message ("encoding with 'idna' codec failed
// (UnicodeError: label empty or too long)").
#ifndef SOCKREF_IMPL_NETDB_H_
#define SOCKREF_IMPL_NETDB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "impl/address.h"

namespace sockref {

// AddrInfo is one entry of getaddrinfo()'s list: Python's
// (family, type, proto, canonname, sockaddr) tuple.
struct AddrInfo {
  int family = 0;
  int type = 0;
  int proto = 0;
  std::string canonname;  // "" unless AI_CANONNAME was given (first entry only)
  Address sockaddr;       // InetAddress or Inet6Address
  friend bool operator==(const AddrInfo&, const AddrInfo&) = default;
};

// PortSpec is getaddrinfo()'s `port` argument: None (std::monostate), an int,
// or a service name / numeric string (Python's str or bytes).
using PortSpec = std::variant<std::monostate, std::int64_t, std::string>;

// BytesHost is a host name given as bytes or bytearray. CPython hands those to the
// resolver as they are, without the "idna" codec: getaddrinfo(b"a..b", 80) is a
// gaierror where getaddrinfo("a..b", 80) is a UnicodeError. Every function taking
// a host name has a BytesHost overload.
struct BytesHost {
  std::string bytes;
};

// getaddrinfo resolves `host` (std::nullopt is Python's None) and `port` into a
// list of addresses, in the resolver's order. family/type/proto/flags are
// AF_*, SOCK_*, IPPROTO_* and AI_* values; 0 means "any".
// An int port is passed as its decimal text, as CPython does, so the resolver
// wraps it modulo 65536 (70000 -> 4464) and rejects negatives with EAI_SERVICE.
// Raises: UnicodeError (a ValueError) for a host name with an empty or over-long
// label, "encoding with 'idna' codec failed (UnicodeError: label empty or too long)";
// gaierror with the resolver's EAI_* code (e.g. "[Errno -2] Name or service not
// known" for an unknown name or a name under AI_NUMERICHOST, "[Errno -8] Servname
// not supported for ai_socktype", "[Errno -6] ai_family not supported");
// the OSError of errno for EAI_SYSTEM.
// A host or port containing a NUL byte is cut at the NUL, as in CPython.
std::vector<AddrInfo> getaddrinfo(const std::optional<std::string>& host, const PortSpec& port,
                                  int family = 0, int type = 0, int proto = 0, int flags = 0);
std::vector<AddrInfo> getaddrinfo(const BytesHost& host, const PortSpec& port, int family = 0,
                                  int type = 0, int proto = 0, int flags = 0);

// getnameinfo translates a numeric socket address into (host, service) strings,
// with NI_* `flags`. `sockaddr` plays Python's tuple: InetAddress is the 2-tuple
// (host, port), Inet6Address the 4-tuple (host, port, flowinfo, scope_id). The
// host must be numeric (CPython resolves it with AI_NUMERICHOST); the service is
// the port's name, or its decimal text under NI_NUMERICSERV or when unnamed.
// flowinfo and scope_id are reduced modulo 2**32 first, as CPython's "I" format
// does.
// Raises: TypeError("getnameinfo() argument 1 must be a tuple") for NoAddress and
// UnixAddress (None and str/bytes in Python); TypeError("getnameinfo(): illegal
// sockaddr argument") for the other tuple-shaped families; ValueError("embedded
// null character") for a NUL in the host; OverflowError("signed integer is
// greater than maximum"/"... less than minimum") for a port outside C int;
// OverflowError("getnameinfo(): flowinfo must be 0-1048575."); gaierror from
// resolving the host (e.g. "[Errno -2] Name or service not known" for a name)
// or from getnameinfo(3) ("[Errno -1] Bad value for ai_flags");
// OSError("IPv4 sockaddr must be 2 tuple") for an IPv4 host in an Inet6Address;
// OSError("sockaddr resolved to multiple addresses").
std::pair<std::string, std::string> getnameinfo(const Address& sockaddr, int flags);

// HostEntry is Python's (hostname, aliaslist, ipaddrlist) triple.
struct HostEntry {
  std::string hostname;
  std::vector<std::string> aliases;
  std::vector<std::string> addresses;  // dotted quads or IPv6 text
  friend bool operator==(const HostEntry&, const HostEntry&) = default;
};

// gethostbyname returns the IPv4 address of `name` as a dotted quad. "" is
// INADDR_ANY ("0.0.0.0"), "<broadcast>" is "255.255.255.255", numeric forms are
// not looked up.
// Raises: UnicodeError for a bad label (see above); TypeError("gethostbyname()
// argument 1 must be encoded string without null bytes, not str") for a NUL
// ("..., not bytes" for a BytesHost);
// gaierror from the resolver ("[Errno -9] Address family for hostname not
// supported" for an IPv6 literal, "[Errno -2] Name or service not known").
std::string gethostbyname(std::string_view name);
std::string gethostbyname(const BytesHost& name);

// gethostbyname_ex returns the host entry of IPv4 host `name`: its canonical
// name, aliases and IPv4 addresses.
// Raises: as gethostbyname() (messages name "gethostbyname_ex()"); then herror
// with the host database's code: "[Errno 1] Unknown host" for an unknown name,
// and for "" (which gethostbyname() accepts) "[Errno 3] Unknown server error", as
// in CPython. "<broadcast>" fails with code 1 here; CPython reports whatever
// h_errno the thread last had for it, as glibc does not set h_errno there.
// OSError(EAFNOSUPPORT) if the entry is not IPv4.
HostEntry gethostbyname_ex(std::string_view name);
HostEntry gethostbyname_ex(const BytesHost& name);

// gethostbyaddr returns the host entry for an IPv4 or IPv6 address (or a name,
// which is resolved first): the reverse lookup of its address.
// Raises: UnicodeError for a bad label; TypeError("gethostbyaddr() argument 1 must be
// encoded string without null bytes, not str"); gaierror when the name does not
// resolve; OSError("wildcard resolved to multiple address") for "" on a dual-stack
// host; herror("[Errno 1] Unknown host") when no name is recorded for the address.
HostEntry gethostbyaddr(std::string_view ip_address);
HostEntry gethostbyaddr(const BytesHost& ip_address);

// gethostname returns the machine's host name.
// Raises: the OSError of errno if gethostname(2) fails.
std::string gethostname();

// sethostname sets the machine's host name (needs CAP_SYS_ADMIN) to `name`'s bytes as they
// are, as CPython passes a bytes name: a NUL is not refused here (Python's str goes through the
// file-system encoder first, which refuses it: the caller's conversion).
// Raises: PermissionError(EPERM) without the privilege; OSError(EINVAL) for a name longer
// than 64 bytes.
void sethostname(std::string_view name);

// getfqdn returns a fully qualified name for `name` as Lib/socket.py does: strip
// whitespace; "" (and "0.0.0.0", "::") mean gethostname(); then the first of
// gethostbyaddr()'s hostname and aliases that contains a dot, else its hostname;
// `name` itself if gethostbyaddr() raises an OSError.
// Raises: ValueError / TypeError from gethostbyaddr()'s argument checks, which
// Python's getfqdn() does not catch either.
std::string getfqdn(std::string_view name = "");

// getprotobyname returns the protocol number of `name` from the protocols
// database (/etc/protocols), e.g. 6 for "tcp".
// Raises: ValueError("embedded null character"); OSError("protocol not found").
int getprotobyname(std::string_view name);

// getservbyname returns the port number (host byte order) of service `name`,
// optionally for protocol `proto` ("tcp", "udp"), from the services database.
// Raises: ValueError("embedded null character") for a NUL in either argument;
// OSError("service/proto not found").
int getservbyname(std::string_view name, const std::optional<std::string>& proto = std::nullopt);

// getservbyport returns the service name for `port` (host byte order), optionally
// for protocol `proto`.
// Raises: OverflowError("signed integer is greater than maximum"/"... less than
// minimum") outside C int; ValueError("embedded null character") for a NUL in
// proto; OverflowError("getservbyport: port must be 0-65535."); OSError("port/proto
// not found").
std::string getservbyport(std::int64_t port,
                          const std::optional<std::string>& proto = std::nullopt);

}  // namespace sockref

#endif  // SOCKREF_IMPL_NETDB_H_
