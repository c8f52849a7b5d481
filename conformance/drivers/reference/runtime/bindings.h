// bindings.h: the names a conformance step can reach in the reference driver, bound to
// //impl:sockref.
//
//   Ref socket_module = SocketModule();               // `socket`
//   Ref inet_aton = GetAttribute(socket_module, "inet_aton");
//   Ref result = CallObject(session, inet_aton, {{Str("1.2")}, {}});  // b'\x01\x00\x00\x02'
//
// The module's names live in module_bindings.cc (name resolution and interfaces in
// netdb_bindings.cc), socket methods and attributes in
// socket_bindings.cc, makefile()'s file objects in file_bindings.cc, and the builtins CASES.md
// allows (bytearray, memoryview, bytes, len, array, isinstance, issubclass, the exception classes)
// in builtins.cc. A name that
// //impl:sockref does not provide is absent, and reaching for it is Unsupported (Python's
// AttributeError), never an imitation.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_BINDINGS_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_BINDINGS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "conformance/drivers/reference/runtime/object.h"
#include "conformance/drivers/reference/runtime/session.h"

namespace sockref::conformance::reference {

// SocketModule returns the `socket` module object.
const Ref& SocketModule();

// LookupBuiltin returns the builtin `name`, or nullopt when the case language has no such
// builtin.
std::optional<Ref> LookupBuiltin(std::string_view name);

// GetAttribute returns `obj.name`. Raises Unsupported worded as Python's AttributeError when
// the object has no such attribute here.
Ref GetAttribute(const Ref& obj, std::string_view name);

// CallObject returns `callee(*args)`. Raises TypeError("'int' object is not callable") for
// objects that cannot be called, Unsupported for classes the driver cannot instantiate, and
// whatever the callee raises.
Ref CallObject(Session& session, const Ref& callee, const CallArgs& args);

// ExceptionClass returns the class object of the exception class spelled `name` ("OSError",
// "socket.gaierror"). REQUIRES: ClassMro(name) is not empty.
Ref ExceptionClass(std::string_view name);

// Implementation details follow: each binding file's entry point, used by GetAttribute.
namespace bindings_internal {

// SocketModuleAttribute returns socket.<name>, or nullopt when sockref lacks it.
std::optional<Ref> SocketModuleAttribute(std::string_view name);

// SocketAttribute returns <socket>.<name> (a bound method or an attribute value), or nullopt.
std::optional<Ref> SocketAttribute(const Ref& self, std::string_view name);

// MakeFile returns <socket>.makefile(...) (file_bindings.cc).
Ref MakeFile(const Ref& self, const CallArgs& args);

// FileAttribute returns <file>.<name> for a makefile() file object, or nullopt.
std::optional<Ref> FileAttribute(const Ref& self, std::string_view name);

// SequenceItems returns the items of a tuple or list, nullopt for anything else.
std::optional<std::vector<Ref>> SequenceItems(const Ref& x);

// IterableItems returns what iterating `x` yields in Python (tuple and list items, the
// characters of a str, the ints of a bytes-like object, an array's items), or nullopt when
// `x` is not iterable.
std::optional<std::vector<Ref>> IterableItems(const Ref& x);

}  // namespace bindings_internal
}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_BINDINGS_H_
