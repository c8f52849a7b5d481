// interfaces.h: network interface names and indexes, as Python's
// socket.if_nameindex(), if_nametoindex() and if_indextoname() report them.
//
//   for (const sockref::InterfaceName& i : sockref::if_nameindex()) {
//     std::cout << i.index << " " << i.name << "\n";  // "1 lo", ...
//   }
//   unsigned lo = sockref::if_nametoindex("lo");       // 1 on most systems
//   std::string name = sockref::if_indextoname(lo);     // "lo"
#ifndef SOCKREF_IMPL_INTERFACES_H_
#define SOCKREF_IMPL_INTERFACES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sockref {

// InterfaceName is one (index, name) tuple of if_nameindex().
struct InterfaceName {
  unsigned index = 0;
  std::string name;
  friend bool operator==(const InterfaceName&, const InterfaceName&) = default;
};

// if_nameindex returns every network interface as (index, name), in the order
// the C library reports them.
// Raises: the OSError of errno if the interface list cannot be read.
std::vector<InterfaceName> if_nameindex();

// if_nametoindex returns the index of the interface called `name`.
// Raises: ValueError("embedded null byte") for a NUL, as for Python's str;
// OSError("no interface with this name") (no errno: if_nametoindex(3) sets none
// that CPython reports) when there is no such interface, "" included.
unsigned if_nametoindex(std::string_view name);

// if_indextoname returns the name of the interface with index `index`.
// CPython converts the index to a C unsigned long and passes it to a C unsigned
// int parameter, so values of 2**32 and above keep their low 32 bits
// (2**32 + 1 names interface 1).
// Raises: OverflowError("can't convert negative value to unsigned int") for a
// negative index; OSError(ENXIO) "[Errno 6] No such device or address" for an
// index no interface has (0 included).
std::string if_indextoname(std::int64_t index);

}  // namespace sockref

#endif  // SOCKREF_IMPL_INTERFACES_H_
