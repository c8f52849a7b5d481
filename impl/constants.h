// constants.h: the integer constants of Python's socket module, by name.
//
// Python code spells them `socket.AF_INET` or `socket.SO_REUSEADDR`; C++ code
// normally uses the platform macro of the same name. This table is for code that
// works with the names themselves (a conformance harness that receives "SO_RCVBUF"
// in a test case, a command-line tool, a printer of option names):
//
//   std::optional<long long> level = sockref::LookupConstant("SOL_SOCKET");
//   for (const sockref::Constant& c : sockref::AllConstants()) {
//     std::cout << c.name << " = " << c.value << "\n";
//   }
//
// The set of names is CPython 3.11's on Linux (impl/testdata/python_constants.txt,
// generated from this machine's CPython by impl/tools/gen_constants.py); a name is
// present when this build's headers define it, or when CPython itself supplies
// the value without a header (SOMAXCONN's fallback of 5, AF_VSOCK's companions,
// ...). Values are what Python shows: `static_cast<long long>` of the C value,
// as CPython stores each constant in a C long.
//
// Not provided: the Bluetooth constants that need BlueZ's <bluetooth/*.h>
// (BTPROTO_*, HCI_*, SOL_HCI) when those headers are not installed (Debian's
// libbluetooth-dev, installed by ci/setup.sh), as a CPython built without them
// lacks them. The two string constants BDADDR_ANY and BDADDR_LOCAL are in
// AllStringConstants(), under the same condition.
// AF_BLUETOOTH comes from <sys/socket.h> and is always present, whereas a CPython
// built without BlueZ lacks it.
#ifndef SOCKREF_IMPL_CONSTANTS_H_
#define SOCKREF_IMPL_CONSTANTS_H_

#include <optional>
#include <span>
#include <string_view>

namespace sockref {

// Constant is one named integer constant of the socket module.
struct Constant {
  std::string_view name;  // Python's spelling, e.g. "AF_INET"
  long long value;        // Python's value, e.g. 2
};

// AllConstants returns every constant this build provides, sorted by name
// (byte-wise), each name once. The span refers to static storage.
std::span<const Constant> AllConstants();

// StringConstant is one of the module's string-valued constants.
struct StringConstant {
  std::string_view name;   // e.g. "BDADDR_ANY"
  std::string_view value;  // e.g. "00:00:00:00:00:00"
};

// AllStringConstants returns BDADDR_ANY and BDADDR_LOCAL, the Bluetooth device
// addresses CPython exports as text, when this build has BlueZ's headers (as
// CPython's own build does); empty otherwise.
std::span<const StringConstant> AllStringConstants();

// LookupConstant returns the value of the constant called `name` (exact,
// case-sensitive spelling), or std::nullopt when this build has no such constant.
// Never raises.
std::optional<long long> LookupConstant(std::string_view name);

// has_ipv6 is socket.has_ipv6: whether this build supports IPv6. Like CPython's,
// it describes the build (Linux headers always have AF_INET6), not whether the
// running kernel has an IPv6 stack; probe with a socket for that.
inline constexpr bool has_ipv6 = true;

// Implementation details follow.
namespace constants_internal {

// UnavailableConstantNames returns, sorted, the names CPython's socket module has
// (per the generated table) that this build's headers do not define. Tests use it
// to tell "deliberately absent" from "lost".
std::span<const std::string_view> UnavailableConstantNames();

}  // namespace constants_internal
}  // namespace sockref

#endif  // SOCKREF_IMPL_CONSTANTS_H_
