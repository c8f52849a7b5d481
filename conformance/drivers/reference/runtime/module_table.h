// module_table.h (private to the reference runtime): how the `socket` module's names are
// defined, shared by module_bindings.cc (the table and everything else) and netdb_bindings.cc
// (name resolution and interfaces, with getaddrinfo()'s argument converters that
// create_connection() uses too).
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_MODULE_TABLE_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_MODULE_TABLE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "conformance/drivers/reference/runtime/object.h"
#include "impl/netdb.h"

namespace sockref::conformance::reference::bindings_internal {

using Table = std::map<std::string, Ref, std::less<>>;

// C functions of _socket show as "<built-in function name>"; Lib/socket.py's own functions
// as "<function name at 0x...>", an address no two runs share.
void DefineC(Table& t, const std::string& name, NativeFn fn);
void DefinePython(Table& t, const std::string& name, NativeFn fn);

// HostArg converts getaddrinfo()'s host: str, bytes or None.
std::optional<std::string> HostArg(const Ref& x);

// PortArg converts getaddrinfo()'s port: an int (formatted as a C long), str, bytes or None.
// CPython tests PyLong_CheckExact: a bool or an int enum member is "Int or String expected".
PortSpec PortArg(const Ref& x);

// DefineNetdbFunctions adds name resolution (getaddrinfo, gethostby*, getservby*, ...) and the
// network interface functions (if_*) to `t` (netdb_bindings.cc).
void DefineNetdbFunctions(Table& t);

}  // namespace sockref::conformance::reference::bindings_internal

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_MODULE_TABLE_H_
