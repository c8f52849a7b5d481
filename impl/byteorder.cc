#include "impl/byteorder.h"

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "impl/error.h"

namespace sockref {
namespace byteorder_internal {
namespace {

constexpr unsigned __int128 kLongMax = LONG_MAX;
constexpr unsigned __int128 kLongMinMagnitude = kLongMax + 1;
constexpr unsigned __int128 kIntMax = INT_MAX;
constexpr unsigned __int128 kIntMinMagnitude = kIntMax + 1;
constexpr unsigned __int128 kULongMax = ULONG_MAX;

// CheckUint16 validates `x` for the 16-bit function `name` ("htons" or "ntohs").
// CPython 3.11 parses the argument with the "i" format (a C int, read through a C
// long) and only then range-checks it itself, so the first failures carry the
// generic int-conversion messages and only the last two name the function.
std::uint16_t CheckUint16(std::string_view name, IntValue x) {
  if (x.magnitude > (x.negative ? kLongMinMagnitude : kLongMax)) {
    throw OverflowError("Python int too large to convert to C long");
  }
  if (x.negative && x.magnitude > kIntMinMagnitude) {
    throw OverflowError("signed integer is less than minimum");
  }
  if (!x.negative && x.magnitude > kIntMax) {
    throw OverflowError("signed integer is greater than maximum");
  }
  if (x.negative) {
    throw OverflowError(std::string(name) +
                        ": can't convert negative Python int to C 16-bit unsigned integer");
  }
  if (x.magnitude > 0xffff) {
    throw OverflowError(std::string(name) +
                        ": Python int too large to convert to C 16-bit unsigned integer");
  }
  return static_cast<std::uint16_t>(x.magnitude);
}

// CheckUint32 validates `x` for htonl/ntohl. CPython rejects every negative value
// before converting to a C unsigned long, then checks the 32-bit range itself.
std::uint32_t CheckUint32(IntValue x) {
  if (x.negative) throw OverflowError("can't convert negative value to unsigned int");
  if (x.magnitude > kULongMax) {
    throw OverflowError("Python int too large to convert to C unsigned long");
  }
  if (x.magnitude > 0xffffffff) throw OverflowError("int larger than 32 bits");
  return static_cast<std::uint32_t>(x.magnitude);
}

}  // namespace

// The C library's functions do the swapping (byteorder.h removed glibc's macros, so
// these names are the out-of-line functions).
std::uint16_t Htons(IntValue x) { return ::htons(CheckUint16("htons", x)); }
std::uint16_t Ntohs(IntValue x) { return ::ntohs(CheckUint16("ntohs", x)); }
std::uint32_t Htonl(IntValue x) { return ::htonl(CheckUint32(x)); }
std::uint32_t Ntohl(IntValue x) { return ::ntohl(CheckUint32(x)); }

}  // namespace byteorder_internal

std::uint16_t htons(std::int64_t x) {
  return byteorder_internal::Htons(byteorder_internal::ToIntValue(x));
}

std::uint16_t ntohs(std::int64_t x) {
  return byteorder_internal::Ntohs(byteorder_internal::ToIntValue(x));
}

std::uint32_t htonl(std::int64_t x) {
  return byteorder_internal::Htonl(byteorder_internal::ToIntValue(x));
}

std::uint32_t ntohl(std::int64_t x) {
  return byteorder_internal::Ntohl(byteorder_internal::ToIntValue(x));
}

}  // namespace sockref
