// connections.cc: create_connection, create_server, has_dualstack_ipv6 as
// Lib/socket.py (CPython 3.11) writes them.
#include "impl/connections.h"

#include <netinet/in.h>

#include <sstream>
#include <variant>

namespace sockref {
namespace {

// NoErrnoOSError is Python's OSError(None, strerror): errno None, strerror set,
// str() "[Errno None] strerror". create_server() builds one when bind() failed
// with an OSError that had no errno.
class NoErrnoOSError : public OSError {
 public:
  explicit NoErrnoOSError(std::string strerror)
      : OSError(std::error_code(), std::nullopt, strerror, "[Errno None] " + strerror) {}
};

std::string GroupMessage(const std::string& message, std::size_t count) {
  return message + " (" + std::to_string(count) +
         (count == 1 ? " sub-exception)" : " sub-exceptions)");
}

bool IsGiven(const std::optional<Address>& address) {
  return address && !std::holds_alternative<NoAddress>(*address);
}

}  // namespace

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : std::runtime_error(GroupMessage(message, exceptions.size())),
      group_message_(std::move(message)),
      exceptions_(std::move(exceptions)) {}

Socket create_connection(const HostPort& address, const ConnectTimeout& timeout,
                         const std::optional<Address>& source_address, bool all_errors) {
  std::vector<std::exception_ptr> errors;
  for (const AddrInfo& info : getaddrinfo(address.host, address.port, 0, SOCK_STREAM)) {
    try {
      Socket sock(info.family, info.type, info.proto);
      if (!timeout.is_default()) sock.settimeout(timeout.value());
      if (IsGiven(source_address)) sock.bind(*source_address);
      sock.connect(info.sockaddr);
      return sock;
    } catch (const OSError&) {
      // Only OSErrors move on to the next address; the failed socket has
      // already been closed by its destructor.
      if (!all_errors) errors.clear();
      errors.push_back(std::current_exception());
    }
  }
  if (errors.empty()) throw OSError(std::string("getaddrinfo returns an empty list"));
  if (!all_errors) std::rethrow_exception(errors.front());
  throw ExceptionGroup("create_connection failed", std::move(errors));
}

bool has_dualstack_ipv6() {
  try {
    Socket sock(AF_INET6, SOCK_STREAM);
    sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    return true;
  } catch (const OSError&) {
    return false;
  }
}

Socket create_server(const Address& address, const CreateServerOptions& options) {
#ifndef SO_REUSEPORT
  if (options.reuse_port) throw ValueError("SO_REUSEPORT not supported on this platform");
#endif
  if (options.dualstack_ipv6) {
    if (!has_dualstack_ipv6()) throw ValueError("dualstack_ipv6 not supported on this platform");
    if (options.family != AF_INET6) throw ValueError("dualstack_ipv6 requires AF_INET6 family");
  }
  // On any error below the socket is closed by its destructor, as CPython's
  // `except error: sock.close(); raise` does (and its GC does for the rest).
  Socket sock(options.family, SOCK_STREAM);
  try {
    sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  } catch (const OSError&) {
    // Left for bind() to report, as CPython does on platforms without it.
  }
#ifdef SO_REUSEPORT
  if (options.reuse_port) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
#endif
  if (options.family == AF_INET6) {
    sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, options.dualstack_ipv6 ? 0 : 1);
  }
  try {
    sock.bind(address);
  } catch (const OSError& err) {
    std::ostringstream text;
    text << (err.strerror() ? *err.strerror() : std::string("None"))
         << " (while attempting to bind on address " << address << ")";
    if (err.errno_value()) ThrowOSError(*err.errno_value(), text.str());
    throw NoErrnoOSError(text.str());
  }
  if (options.backlog) {
    sock.listen(*options.backlog);
  } else {
    sock.listen();
  }
  return sock;
}

}  // namespace sockref
