// errno_names.h: the names Python gives error numbers: the errno module's (what
// errno.errorcode[e.errno] prints for an OSError) and the EAI_* names of the
// getaddrinfo() codes that socket.gaierror carries. One table, shared by sockref's
// users (the conformance suite names the errno of every exception it compares).
//
//   sockref::ErrnoName(ECONNREFUSED);     // "ECONNREFUSED"
//   sockref::ErrnoName(EWOULDBLOCK);      // "EAGAIN": errno.errorcode has one name a value
//   sockref::ErrnoValue("EWOULDBLOCK");   // EAGAIN: errno.EWOULDBLOCK
//   sockref::EaiName(EAI_NONAME);         // "EAI_NONAME"
//
// The tables are Linux's, as CPython 3.11 builds them on Linux;
// errno_names_python_test compares them with the python3 on PATH.
#ifndef SOCKREF_IMPL_ERRNO_NAMES_H_
#define SOCKREF_IMPL_ERRNO_NAMES_H_

#include <optional>
#include <span>
#include <string_view>

namespace sockref {

// ErrnoName returns Python's errno.errorcode.get(value): the one name the errno
// module keeps for `value` ("EAGAIN" for EAGAIN == EWOULDBLOCK, "ENOTSUP" for
// EOPNOTSUPP, "EDEADLOCK" for EDEADLK), or std::nullopt for a number it does not
// name.
std::optional<std::string_view> ErrnoName(int value);

// ErrnoValue returns getattr(errno, name): the number of any errno name, aliases
// ("EWOULDBLOCK") included, or std::nullopt when the errno module has no such name.
std::optional<int> ErrnoValue(std::string_view name);

// CanonicalErrnoName returns ErrnoName(ErrnoValue(name)): an alias folded onto the
// name errno.errorcode uses ("EWOULDBLOCK" -> "EAGAIN"). Any other string, errno
// name or not, is returned unchanged.
std::string_view CanonicalErrnoName(std::string_view name);

// EaiName returns the socket module's name for getaddrinfo() code `code`
// ("EAI_NONAME" for EAI_NONAME, -2 on Linux), or std::nullopt.
std::optional<std::string_view> EaiName(int code);

// EaiValue returns socket.EAI_* for `name` ("EAI_NONAME" -> -2), or std::nullopt.
std::optional<int> EaiValue(std::string_view name);

// NamedNumber is one row of the tables below.
struct NamedNumber {
  int value;
  std::string_view name;
};

// ErrnoNames returns errno.errorcode's rows in the kernel's numeric order.
std::span<const NamedNumber> ErrnoNames();

// ErrnoAliases returns the errno module's other names for numbers ErrnoNames()
// already names (EWOULDBLOCK, EOPNOTSUPP, EDEADLK).
std::span<const NamedNumber> ErrnoAliases();

// EaiNames returns the socket module's EAI_* constants.
std::span<const NamedNumber> EaiNames();

}  // namespace sockref

#endif  // SOCKREF_IMPL_ERRNO_NAMES_H_
