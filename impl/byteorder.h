// byteorder.h: Python's socket.htons / ntohs / htonl / ntohl.
//
// Python's versions take an unbounded int and range-check it, raising OverflowError
// with messages that differ between the 16-bit and the 32-bit pair. sockref accepts
// any C++ integer, keeps the value as Python would see it, and applies the same
// checks:
//
//   std::uint16_t wire_port = sockref::htons(8080);       // 0x901f on x86
//   std::uint32_t host = sockref::ntohl(wire_address);
//   sockref::htons(-1);     // OverflowError("htons: can't convert negative Python int
//                           //                to C 16-bit unsigned integer")
//   sockref::htonl(1ull << 32);  // OverflowError("int larger than 32 bits")
//
// Results are returned as the unsigned type of the function's width; on a big-endian
// host every conversion is the identity, as in C.
//
// glibc defines htons() and friends as function-like macros when optimising. Those
// macros would rewrite `sockref::htons(x)` into `sockref::__bswap_16(x)`, so this
// header includes <netinet/in.h> (which is include-guarded) and removes them; code
// that includes this header gets glibc's out-of-line functions for the C names.
#ifndef SOCKREF_IMPL_BYTEORDER_H_
#define SOCKREF_IMPL_BYTEORDER_H_

#include <netinet/in.h>

#include <concepts>
#include <cstdint>
#include <type_traits>

#ifndef __SIZEOF_INT128__
#error "sockref/byteorder.h needs the compiler's 128-bit integer types"
#endif

#undef htons
#undef ntohs
#undef htonl
#undef ntohl

namespace sockref {

namespace byteorder_internal {
// Strict (non-GNU) C++ modes do not count the 128-bit types as std::integral.
template <typename T>
inline constexpr bool kIs128BitInteger = std::is_same_v<std::remove_cv_t<T>, __int128> ||
                                         std::is_same_v<std::remove_cv_t<T>, unsigned __int128>;
}  // namespace byteorder_internal

// PythonInt is any C++ integer type, including bool (Python's True is 1) and the
// 128-bit types, whose values reach the checks that only apply beyond 64 bits.
template <typename T>
concept PythonInt = std::integral<T> || byteorder_internal::kIs128BitInteger<T>;

// htons returns the 16-bit `x` converted from host to network byte order.
// Raises OverflowError as CPython 3.11 does, which first reads `x` as a C int:
//   x outside the C long range: "Python int too large to convert to C long"
//   x < INT_MIN: "signed integer is less than minimum"
//   x > INT_MAX: "signed integer is greater than maximum"
//   x < 0: "htons: can't convert negative Python int to C 16-bit unsigned integer"
//   x > 65535: "htons: Python int too large to convert to C 16-bit unsigned integer"
// The first needs an unsigned 64-bit or a 128-bit argument.
// The std::int64_t overload also takes what converts to it implicitly (unscoped
// enums, for instance); the template takes every integer type without conversion.
std::uint16_t htons(std::int64_t x);
template <PythonInt T>
std::uint16_t htons(T x);

// ntohs returns the 16-bit `x` converted from network to host byte order.
// Raises exactly what htons raises, with "ntohs: " in place of "htons: ".
std::uint16_t ntohs(std::int64_t x);
template <PythonInt T>
std::uint16_t ntohs(T x);

// htonl returns the 32-bit `x` converted from host to network byte order.
// Raises OverflowError as CPython 3.11 does:
//   x < 0 (any magnitude): "can't convert negative value to unsigned int"
//   x >= 2**64: "Python int too large to convert to C unsigned long"
//   x > 4294967295: "int larger than 32 bits"
std::uint32_t htonl(std::int64_t x);
template <PythonInt T>
std::uint32_t htonl(T x);

// ntohl returns the 32-bit `x` converted from network to host byte order.
// Raises exactly what htonl raises (those messages name no function).
std::uint32_t ntohl(std::int64_t x);
template <PythonInt T>
std::uint32_t ntohl(T x);

// Implementation details follow.

namespace byteorder_internal {

// IntValue is an integer argument as Python sees it: unbounded, so the sign is kept
// apart from the magnitude and every C++ integer type converts without loss.
struct IntValue {
  bool negative = false;
  unsigned __int128 magnitude = 0;
};

template <PythonInt T>
constexpr IntValue ToIntValue(T x) {
  // Going through the unsigned 128-bit type makes the negation well defined even for
  // the most negative value of T.
  const auto bits = static_cast<unsigned __int128>(x);
  constexpr bool kSigned = static_cast<T>(-1) < static_cast<T>(0);
  if constexpr (kSigned) {
    if (x < 0) return {true, 0 - bits};
  }
  return {false, bits};
}

std::uint16_t Htons(IntValue x);
std::uint16_t Ntohs(IntValue x);
std::uint32_t Htonl(IntValue x);
std::uint32_t Ntohl(IntValue x);

}  // namespace byteorder_internal

template <PythonInt T>
std::uint16_t htons(T x) {
  return byteorder_internal::Htons(byteorder_internal::ToIntValue(x));
}

template <PythonInt T>
std::uint16_t ntohs(T x) {
  return byteorder_internal::Ntohs(byteorder_internal::ToIntValue(x));
}

template <PythonInt T>
std::uint32_t htonl(T x) {
  return byteorder_internal::Htonl(byteorder_internal::ToIntValue(x));
}

template <PythonInt T>
std::uint32_t ntohl(T x) {
  return byteorder_internal::Ntohl(byteorder_internal::ToIntValue(x));
}

}  // namespace sockref

#endif  // SOCKREF_IMPL_BYTEORDER_H_
