// python_names.h: the names a case's statements may use and what each means (CASES.md,
// "Names"): socket module names, the builtins every driver provides, and the capabilities
// `needs:` accepts.
//
//   IsSocketModuleName("AF_INET");   // true: a bare AF_INET means socket.AF_INET
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_PYTHON_NAMES_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_PYTHON_NAMES_H_

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sockref::conformance {

// KnownCapabilities returns the capability names `needs:` accepts (PROTOCOL.md, "hello").
const std::vector<std::string>& KnownCapabilities();

// FamilyCapability is a capability that an address family has when the kernel grants it: the
// capability holds where a socket of this kind can be created (PROTOCOL.md, "hello").
struct FamilyCapability {
  const char* name;  // "AF_NETLINK"
  int family;
  int type;
  int proto;
};

// FamilyCapabilities returns the family capabilities, each with the kind of socket its cases
// use; the runner's machine probe and the reference driver's hello both try these.
const std::vector<FamilyCapability>& FamilyCapabilities();

// BuiltinNames returns the names every driver provides besides `socket` (CASES.md, "Names").
const std::vector<std::string>& BuiltinNames();

// IsSocketModuleName says whether a bare `name` in a statement means `socket.<name>`: any name
// starting with an upper-case letter that is not a builtin (AF_INET, SocketKind), and the
// documented lower-case functions and classes (socketpair, inet_aton, gaierror, ...).
bool IsSocketModuleName(std::string_view name);

namespace language_internal {

// LowerCaseModuleNames returns the documented lower-case names of the socket module.
const std::set<std::string, std::less<>>& LowerCaseModuleNames();
// PythonKeywords returns Python's keywords, which no case variable may be.
const std::set<std::string, std::less<>>& PythonKeywords();
// IsBuiltinName says whether `name` is one of BuiltinNames().
bool IsBuiltinName(std::string_view name);

}  // namespace language_internal
}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_PYTHON_NAMES_H_
