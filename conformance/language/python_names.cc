#include "conformance/language/python_names.h"

#include <linux/can.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>

#include "conformance/language/parse_support.h"

namespace sockref::conformance {
namespace language_internal {

// Lower-case names the socket module documents (functions, classes, exceptions, flags). A bare
// use of one means socket.<name>; upper-case names (constants, enum classes) always do.
const std::set<std::string, std::less<>>& LowerCaseModuleNames() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "close",
      "create_connection",
      "create_server",
      "dup",
      "error",
      "fromfd",
      "fromshare",
      "gaierror",
      "getaddrinfo",
      "getdefaulttimeout",
      "getfqdn",
      "gethostbyaddr",
      "gethostbyname",
      "gethostbyname_ex",
      "gethostname",
      "getnameinfo",
      "getprotobyname",
      "getservbyname",
      "getservbyport",
      "has_dualstack_ipv6",
      "has_ipv6",
      "herror",
      "htonl",
      "htons",
      "if_indextoname",
      "if_nameindex",
      "if_nametoindex",
      "inet_aton",
      "inet_ntoa",
      "inet_ntop",
      "inet_pton",
      "ntohl",
      "ntohs",
      "recv_fds",
      "send_fds",
      "setdefaulttimeout",
      "sethostname",
      "socketpair",
      "timeout",
  };
  return *names;
}

const std::set<std::string, std::less<>>& PythonKeywords() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "and",    "as",   "assert", "async",  "await",  "break",   "class",    "continue",
      "def",    "del",  "elif",   "else",   "except", "finally", "for",      "from",
      "global", "if",   "import", "in",     "is",     "lambda",  "nonlocal", "not",
      "or",     "pass", "raise",  "return", "try",    "while",   "with",     "yield",
  };
  return *names;
}

// The errno names Linux and Python's errno module know, plus getaddrinfo's EAI_* codes (which
// socket.gaierror carries). `(errno=NAME)` must name one of these.

bool IsBuiltinName(std::string_view name) {
  const auto& b = BuiltinNames();
  return std::find(b.begin(), b.end(), name) != b.end();
}

}  // namespace language_internal

using language_internal::IsBuiltinName;
using language_internal::IsIdentifier;
using language_internal::LowerCaseModuleNames;

const std::vector<std::string>& KnownCapabilities() {
  static const auto* names = new std::vector<std::string>{
      "AF_ALG", "AF_CAN", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_TIPC", "AF_UNIX",
      "AF_UNIX_ABSTRACT", "AF_VSOCK", "SCM_RIGHTS", "SO_REUSEPORT", "nonroot", "root", "signals",
  };
  return *names;
}

const std::vector<FamilyCapability>& FamilyCapabilities() {
  static const auto* families = new std::vector<FamilyCapability>{
      {"AF_NETLINK", AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK},
      {"AF_PACKET", AF_PACKET, SOCK_DGRAM, 0},
      {"AF_VSOCK", AF_VSOCK, SOCK_STREAM, 0},
      {"AF_TIPC", AF_TIPC, SOCK_RDM, 0},
      {"AF_CAN", AF_CAN, SOCK_RAW, CAN_RAW},
      {"AF_ALG", AF_ALG, SOCK_SEQPACKET, 0},
  };
  return *families;
}

const std::vector<std::string>& BuiltinNames() {
  static const auto* names = new std::vector<std::string>{
      // Values and their sizes.
      "array",
      "bytearray",
      "bytes",
      "len",
      "memoryview",
      "repr",
      // Signals (CASES.md, "Signals"): interrupt(exc=None) from an `after` action, and
      // interrupts(), how many times the handler ran.
      "interrupt",
      "interrupts",
      // A directory of the case's own, removed at its end: a str path (CASES.md, "Names").
      "tmpdir",
      // Class relationships the documentation states ("socket.timeout: a subclass of OSError").
      "isinstance",
      "issubclass",
      // The exception classes, as arguments of isinstance/issubclass.
      "BlockingIOError",
      "BrokenPipeError",
      "ConnectionAbortedError",
      "ConnectionError",
      "ConnectionRefusedError",
      "ConnectionResetError",
      "FileExistsError",
      "FileNotFoundError",
      "InterruptedError",
      "OSError",
      "OverflowError",
      "PermissionError",
      "TimeoutError",
      "TypeError",
      "ValueError",
  };
  return *names;
}

bool IsSocketModuleName(std::string_view name) {
  if (name.empty() || IsBuiltinName(name)) return false;
  if (name[0] >= 'A' && name[0] <= 'Z') return IsIdentifier(name);
  return LowerCaseModuleNames().count(name) > 0;
}

}  // namespace sockref::conformance
