// connections.h: Lib/socket.py's connection helpers: create_connection(),
// create_server() and has_dualstack_ipv6(), plus the ExceptionGroup that
// create_connection(all_errors=true) raises.
//
//   sockref::Socket server = sockref::create_server(sockref::InetAddress{"127.0.0.1", 0});
//   auto [host, port] = std::get<sockref::InetAddress>(server.getsockname());
//   sockref::Socket client =
//       sockref::create_connection({"localhost", port}, std::chrono::seconds(2));
//
// Behaviour, checks and messages are CPython 3.11's, step for step: the same
// order of system calls, the same errors caught and re-raised.
#ifndef SOCKREF_IMPL_CONNECTIONS_H_
#define SOCKREF_IMPL_CONNECTIONS_H_

#include <sys/socket.h>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "impl/address.h"
#include "impl/error.h"
#include "impl/netdb.h"
#include "impl/socket.h"
#include "impl/timeout.h"

namespace sockref {

// ExceptionGroup mirrors Python 3.11's ExceptionGroup (which is not an OSError):
// several exceptions raised together. exceptions() holds them with their dynamic
// types intact; rethrow one with std::rethrow_exception to catch it by class.
class ExceptionGroup : public std::runtime_error, public PythonException {
 public:
  // ExceptionGroup(message, exceptions) is Python's ExceptionGroup(message,
  // exceptions). REQUIRES: exceptions is not empty (Python raises ValueError).
  ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);

  ErrorKind kind() const noexcept override { return ErrorKind::kExceptionGroup; }
  // message returns Python's str(): "create_connection failed (2 sub-exceptions)".
  std::string_view message() const noexcept override { return what(); }
  // group_message returns Python's eg.message: "create_connection failed".
  const std::string& group_message() const noexcept { return group_message_; }
  // exceptions returns Python's eg.exceptions, in the order they were raised.
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }

 private:
  std::string group_message_;
  std::vector<std::exception_ptr> exceptions_;
};

// HostPort is create_connection()'s `address`, Python's (host, port) 2-tuple as
// getaddrinfo() takes it: host std::nullopt is None (the loopback addresses),
// port an int, a service name ("http") or None.
//
//   create_connection({"localhost", 8080});
//   create_connection(sockref::InetAddress{"127.0.0.1", 8080});
struct HostPort {
  HostPort(std::optional<std::string> host, PortSpec port)
      : host(std::move(host)), port(std::move(port)) {}
  HostPort(const InetAddress& address)  // NOLINT: the tuple form converts implicitly
      : host(address.host), port(address.port) {}

  std::optional<std::string> host;
  PortSpec port;
};

// ConnectTimeout is create_connection()'s `timeout`. Default-constructed it is
// Python's _GLOBAL_DEFAULT_TIMEOUT: the new socket keeps the module default
// timeout (getdefaulttimeout()). Anything else is passed to settimeout() on each
// socket tried, so errors in the value surface there, in CPython's order (after
// name resolution):
//
//   create_connection(addr);                           // module default
//   create_connection(addr, std::nullopt);             // None: blocking
//   create_connection(addr, std::chrono::seconds(2));  // 2.0 s
//   create_connection(addr, sockref::Seconds(0.25));   // 0.25 s
//
// Durations convert to float seconds, as Python would see 2 or 0.25.
class ConnectTimeout {
 public:
  ConnectTimeout() = default;
  ConnectTimeout(std::nullopt_t) : timeout_(std::optional<Seconds>()) {}  // NOLINT
  ConnectTimeout(std::optional<Seconds> timeout) : timeout_(timeout) {}  // NOLINT
  template <typename Rep, typename Period>
  ConnectTimeout(std::chrono::duration<Rep, Period> timeout)  // NOLINT
      : timeout_(std::optional<Seconds>(std::chrono::duration_cast<Seconds>(timeout))) {}

  // is_default returns whether this is Python's _GLOBAL_DEFAULT_TIMEOUT.
  bool is_default() const { return !timeout_.has_value(); }
  // value returns the timeout to pass to settimeout(). REQUIRES: !is_default().
  std::optional<Seconds> value() const { return *timeout_; }

 private:
  std::optional<std::optional<Seconds>> timeout_;
};

// create_connection is socket.create_connection(address, timeout,
// source_address, all_errors=...). It resolves `address` with
// getaddrinfo(host, port, 0, SOCK_STREAM) and tries each result in order: a new
// socket of that family/type/proto, settimeout(timeout) unless the timeout is
// the default, bind(*source_address) if given (NoAddress counts as not given,
// like Python's None), connect(). Returns the first connected socket; the
// sockets of failed attempts are closed.
// Raises:
//   whatever getaddrinfo() raises (gaierror, ValueError), before any attempt;
//   ValueError / OverflowError from settimeout() for a bad timeout, and
//   TypeError / OverflowError / ValueError from bind() for a malformed
//   source_address, at once: Python only catches OSError per attempt;
//   when every attempt fails with an OSError (any subclass, gaierror and
//   socket.timeout included): the last one, or with all_errors an
//   ExceptionGroup("create_connection failed", all of them in order);
//   OSError("getaddrinfo returns an empty list") if there was nothing to try.
Socket create_connection(const HostPort& address, const ConnectTimeout& timeout = {},
                         const std::optional<Address>& source_address = std::nullopt,
                         bool all_errors = false);

// has_dualstack_ipv6 returns socket.has_dualstack_ipv6(): whether an AF_INET6
// SOCK_STREAM socket can be created and have IPV6_V6ONLY cleared, i.e. serve
// IPv4 and IPv6 clients at once. Never raises (OSErrors mean false).
bool has_dualstack_ipv6();

// CreateServerOptions are create_server()'s keyword-only arguments, best given
// with designated initializers (omitted members keep the defaults below; GCC 12's
// -Wmissing-field-initializers warns about that anyway, GCC PR 96868):
//   create_server(addr, {.family = AF_INET6, .dualstack_ipv6 = true});
struct CreateServerOptions {
  int family = AF_INET;
  std::optional<int> backlog;  // nullopt: listen()'s default
  bool reuse_port = false;     // set SO_REUSEPORT
  bool dualstack_ipv6 = false;  // AF_INET6 accepting IPv4 too (IPV6_V6ONLY = 0)
};

// create_server is socket.create_server(address, family=..., backlog=...,
// reuse_port=..., dualstack_ipv6=...): a SOCK_STREAM socket of options.family,
// with SO_REUSEADDR set (a failure to set it is ignored), SO_REUSEPORT if
// asked, IPV6_V6ONLY cleared (dualstack) or set (other AF_INET6 sockets),
// bound to `address` and listening with options.backlog (or listen()'s default).
// Raises:
//   ValueError("SO_REUSEPORT not supported on this platform") (never on Linux);
//   ValueError("dualstack_ipv6 not supported on this platform") when
//     has_dualstack_ipv6() is false, then ValueError("dualstack_ipv6 requires
//     AF_INET6 family");
//   OSError from socket(2) (e.g. EAFNOSUPPORT) and from setsockopt(SO_REUSEPORT)
//     (e.g. EOPNOTSUPP for AF_UNIX since Linux 6.12.9: CPython 3.11 still tries);
//   a bind() OSError re-raised as Python's OSError(errno, strerror + " (while
//     attempting to bind on address " + repr(address) + ")"): the PEP 3151
//     subclass of the errno (plain OSError for a gaierror's negative code), e.g.
//     "[Errno 98] Address already in use (while attempting to bind on address
//     ('127.0.0.1', 8080))"; an OSError without errno becomes
//     "[Errno None] None (while attempting ...)" exactly as in Python;
//   bind()'s TypeError / OverflowError / ValueError unchanged;
//   OSError from listen().
Socket create_server(const Address& address, const CreateServerOptions& options = {});

}  // namespace sockref

#endif  // SOCKREF_IMPL_CONNECTIONS_H_
