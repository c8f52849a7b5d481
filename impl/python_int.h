// python_int.h: PyInt, the one C++ type sockref uses where it models a Python int
// wider than any C integer field: the address codec's model of the tuples it parses
// (so 2**64 reaches CPython's range checks instead of wrapping) and the conformance
// reference driver's runtime.
//
//   sockref::PyInt port = sockref::PyInt{1} << 64;  // OverflowError territory, not 0
#ifndef SOCKREF_IMPL_PYTHON_INT_H_
#define SOCKREF_IMPL_PYTHON_INT_H_

namespace sockref {

// PyInt is a Python int as sockref holds one. Python's ints are unbounded; 128 bits
// hold every int64 and uint64 value and a margin beyond, which is what CPython's
// conversions to C integers need to see to raise their OverflowErrors. A value
// beyond 128 bits cannot be represented: callers report it, never wrap it.
using PyInt = __int128;

}  // namespace sockref

#endif  // SOCKREF_IMPL_PYTHON_INT_H_
