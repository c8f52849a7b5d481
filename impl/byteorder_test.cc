// Included first on purpose: with optimisation on (this target builds with -O2),
// glibc's <arpa/inet.h> defines htons() and friends as macros, which byteorder.h
// must remove for `sockref::htons(...)` to compile at all.
// clang-format off
#include <arpa/inet.h>
#include "impl/byteorder.h"
// clang-format on

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "impl/testing/raises.h"

#if defined(htons) || defined(ntohs) || defined(htonl) || defined(ntohl)
#error "byteorder.h must leave no htons/ntohs/htonl/ntohl macro behind"
#endif

namespace sockref {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::ReturnsNormally;

constexpr bool kLittleEndian = std::endian::native == std::endian::little;

// The expected values below are what python3 returns on x86-64 (little endian);
// on a big-endian host every conversion is the identity.
template <typename T>
T OnThisHost(T input, T little_endian_result) {
  return kLittleEndian ? little_endian_result : input;
}

struct Conversion16 {
  std::int64_t input;
  std::uint16_t little_endian_result;  // python3 -c "import socket; socket.htons(x)"
};

constexpr Conversion16 kConversions16[] = {
    {0, 0},           {1, 256},       {0x1234, 0x3412}, {0xff, 0xff00}, {0x100, 0x1},
    {0x7fff, 0xff7f}, {0x8000, 0x80}, {65535, 65535},   {8080, 0x901f},
};

TEST(HtonsTest, SwapsBytesAsPythonDoes) {
  for (const auto& c : kConversions16) {
    EXPECT_EQ(htons(c.input), OnThisHost<std::uint16_t>(c.input, c.little_endian_result))
        << "htons(" << c.input << ")";
  }
}

TEST(NtohsTest, SwapsBytesAsPythonDoes) {
  for (const auto& c : kConversions16) {
    EXPECT_EQ(ntohs(c.input), OnThisHost<std::uint16_t>(c.input, c.little_endian_result))
        << "ntohs(" << c.input << ")";
  }
}

struct Conversion32 {
  std::int64_t input;
  std::uint32_t little_endian_result;  // python3 -c "import socket; socket.htonl(x)"
};

constexpr Conversion32 kConversions32[] = {
    {0, 0},
    {1, 0x1000000},
    {0xff, 0xff000000},
    {0x100, 0x10000},
    {0xffff, 0xffff0000},
    {0x10000, 0x100},
    {0x12345678, 0x78563412},
    {0x7fffffff, 0xffffff7f},
    {0x80000000, 0x80},
    {0xffffffff, 0xffffffff},
};

TEST(HtonlTest, SwapsBytesAsPythonDoes) {
  for (const auto& c : kConversions32) {
    EXPECT_EQ(htonl(c.input), OnThisHost<std::uint32_t>(c.input, c.little_endian_result))
        << "htonl(" << c.input << ")";
  }
}

TEST(NtohlTest, SwapsBytesAsPythonDoes) {
  for (const auto& c : kConversions32) {
    EXPECT_EQ(ntohl(c.input), OnThisHost<std::uint32_t>(c.input, c.little_endian_result))
        << "ntohl(" << c.input << ")";
  }
}

TEST(ByteOrderTest, EveryValueRoundTripsAtBothWidths) {
  for (std::int64_t x = 0; x <= 0xffff; ++x) {
    ASSERT_EQ(ntohs(htons(x)), x);
    ASSERT_EQ(htons(ntohs(x)), x);
  }
  for (std::int64_t x : {0LL, 1LL, 0xffLL, 0x1234567LL, 0x80000000LL, 0xfffffffeLL, 0xffffffffLL}) {
    EXPECT_EQ(ntohl(htonl(x)), x);
    EXPECT_EQ(htonl(ntohl(x)), x);
  }
}

TEST(ByteOrderTest, AgreesWithTheCLibrary) {
  EXPECT_EQ(sockref::htons(0x1234), ::htons(0x1234));
  EXPECT_EQ(sockref::ntohs(0x1234), ::ntohs(0x1234));
  EXPECT_EQ(sockref::htonl(0x12345678), ::htonl(0x12345678));
  EXPECT_EQ(sockref::ntohl(0x12345678), ::ntohl(0x12345678));
}

// Every integer type is taken at its value, as Python's int would be: no narrowing
// to int64 first (which would turn 2**64-1 into -1) and no sign surprises.
TEST(ByteOrderTest, AcceptsEveryIntegerTypeAtItsValue) {
  EXPECT_EQ(htons(true), OnThisHost<std::uint16_t>(1, 256));  // Python: htons(True) == 256
  EXPECT_EQ(htonl(true), OnThisHost<std::uint32_t>(1, 0x1000000));
  EXPECT_EQ(htons('\x7f'), OnThisHost<std::uint16_t>(127, 32512));
  EXPECT_EQ(htons(std::uint8_t{0xff}), OnThisHost<std::uint16_t>(0xff, 0xff00));
  EXPECT_EQ(htons(std::int8_t{1}), OnThisHost<std::uint16_t>(1, 256));
  EXPECT_EQ(htons(static_cast<unsigned short>(0x1234)), OnThisHost<std::uint16_t>(0x1234, 0x3412));
  EXPECT_EQ(htonl(std::uint32_t{0x12345678}), OnThisHost<std::uint32_t>(0x12345678, 0x78563412));
  EXPECT_EQ(htonl(0xffffffffull), 0xffffffffu);
  EXPECT_EQ(htonl(static_cast<__int128>(0x80000000)), OnThisHost<std::uint32_t>(0x80000000, 0x80));
  EXPECT_EQ(ntohs(static_cast<unsigned __int128>(1)), OnThisHost<std::uint16_t>(1, 256));
}

// Unscoped enums reach the std::int64_t overload, as IntEnum members are ints in Python.
TEST(ByteOrderTest, AcceptsUnscopedEnumerators) {
  enum Family { kInet = AF_INET };
  EXPECT_EQ(htons(kInet), OnThisHost<std::uint16_t>(AF_INET, 512));  // htons(AF_INET)
}

// The range errors at every boundary, each checked against python3 3.11:
//   python3 -c "import socket; socket.htons(2**31)"
struct RangeCase {
  std::string name;
  std::function<void()> call;
  std::string message;  // empty: the call succeeds
};

void PrintTo(const RangeCase& c, std::ostream* os) { *os << c.name; }

class ByteOrderRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(ByteOrderRangeTest, MatchesPython) {
  const RangeCase& c = GetParam();
  if (c.message.empty()) {
    EXPECT_THAT(Outcome(c.call), ReturnsNormally());
  } else {
    EXPECT_THAT(Outcome(c.call), Raises(ErrorKind::kOverflowError, c.message));
  }
}

constexpr __int128 kInt128Min = static_cast<__int128>(static_cast<unsigned __int128>(1) << 127);
constexpr unsigned __int128 kUInt128Max = ~static_cast<unsigned __int128>(0);
constexpr __int128 kTwoPow64 = static_cast<__int128>(1) << 64;

const char kHtonsNegative[] =
    "htons: can't convert negative Python int to C 16-bit unsigned integer";
const char kHtonsTooLarge[] = "htons: Python int too large to convert to C 16-bit unsigned integer";
const char kNtohsNegative[] =
    "ntohs: can't convert negative Python int to C 16-bit unsigned integer";
const char kNtohsTooLarge[] = "ntohs: Python int too large to convert to C 16-bit unsigned integer";
const char kLong[] = "Python int too large to convert to C long";
const char kIntMin[] = "signed integer is less than minimum";
const char kIntMax[] = "signed integer is greater than maximum";
const char kNegative32[] = "can't convert negative value to unsigned int";
const char kULong[] = "Python int too large to convert to C unsigned long";
const char kLarger32[] = "int larger than 32 bits";

std::vector<RangeCase> Htons16Cases() {
  return {
      {"HtonsZero", [] { htons(0); }, ""},
      {"HtonsMax", [] { htons(65535); }, ""},
      {"HtonsMinusOne", [] { htons(-1); }, kHtonsNegative},
      {"Htons65536", [] { htons(65536); }, kHtonsTooLarge},
      {"HtonsIntMin", [] { htons(std::int64_t{INT_MIN}); }, kHtonsNegative},
      {"HtonsBelowIntMin", [] { htons(std::int64_t{INT_MIN} - 1); }, kIntMin},
      {"HtonsIntMax", [] { htons(std::int64_t{INT_MAX}); }, kHtonsTooLarge},
      {"HtonsAboveIntMax", [] { htons(std::int64_t{INT_MAX} + 1); }, kIntMax},
      {"HtonsTwoPow32Minus1", [] { htons(std::int64_t{0xffffffff}); }, kIntMax},
      {"HtonsTwoPow32", [] { htons(std::int64_t{1} << 32); }, kIntMax},
      {"HtonsLongMin", [] { htons(std::int64_t{LONG_MIN}); }, kIntMin},
      {"HtonsBelowLongMin", [] { htons(static_cast<__int128>(LONG_MIN) - 1); }, kLong},
      {"HtonsLongMax", [] { htons(std::int64_t{LONG_MAX}); }, kIntMax},
      {"HtonsAboveLongMax", [] { htons(static_cast<std::uint64_t>(LONG_MAX) + 1); }, kLong},
      {"HtonsTwoPow64Minus1", [] { htons(~std::uint64_t{0}); }, kLong},
      {"HtonsTwoPow64", [] { htons(kTwoPow64); }, kLong},
      {"HtonsInt128Min", [] { htons(kInt128Min); }, kLong},
      {"HtonsUInt128Max", [] { htons(kUInt128Max); }, kLong},
      {"NtohsZero", [] { ntohs(0); }, ""},
      {"NtohsMax", [] { ntohs(65535); }, ""},
      {"NtohsMinusOne", [] { ntohs(-1); }, kNtohsNegative},
      {"Ntohs65536", [] { ntohs(65536); }, kNtohsTooLarge},
      {"NtohsBelowIntMin", [] { ntohs(std::int64_t{INT_MIN} - 1); }, kIntMin},
      {"NtohsAboveIntMax", [] { ntohs(std::int64_t{INT_MAX} + 1); }, kIntMax},
      {"NtohsAboveLongMax", [] { ntohs(static_cast<std::uint64_t>(LONG_MAX) + 1); }, kLong},
      {"NtohsBelowLongMin", [] { ntohs(static_cast<__int128>(LONG_MIN) - 1); }, kLong},
  };
}

std::vector<RangeCase> Htonl32Cases() {
  return {
      {"HtonlZero", [] { htonl(0); }, ""},
      {"Htonl65536", [] { htonl(65536); }, ""},
      {"HtonlTwoPow32Minus1", [] { htonl(std::int64_t{0xffffffff}); }, ""},
      {"HtonlMinusOne", [] { htonl(-1); }, kNegative32},
      {"HtonlTwoPow32", [] { htonl(std::int64_t{1} << 32); }, kLarger32},
      {"HtonlLongMin", [] { htonl(std::int64_t{LONG_MIN}); }, kNegative32},
      {"HtonlLongMax", [] { htonl(std::int64_t{LONG_MAX}); }, kLarger32},
      {"HtonlTwoPow64Minus1", [] { htonl(~std::uint64_t{0}); }, kLarger32},
      {"HtonlTwoPow64", [] { htonl(kTwoPow64); }, kULong},
      {"HtonlInt128Min", [] { htonl(kInt128Min); }, kNegative32},
      {"HtonlUInt128Max", [] { htonl(kUInt128Max); }, kULong},
      {"NtohlZero", [] { ntohl(0); }, ""},
      {"NtohlTwoPow32Minus1", [] { ntohl(std::int64_t{0xffffffff}); }, ""},
      {"NtohlMinusOne", [] { ntohl(-1); }, kNegative32},
      {"NtohlTwoPow32", [] { ntohl(std::int64_t{1} << 32); }, kLarger32},
      {"NtohlTwoPow64", [] { ntohl(kTwoPow64); }, kULong},
      {"NtohlInt128Min", [] { ntohl(kInt128Min); }, kNegative32},
  };
}

std::string CaseName(const ::testing::TestParamInfo<RangeCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(SixteenBit, ByteOrderRangeTest, ::testing::ValuesIn(Htons16Cases()),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(ThirtyTwoBit, ByteOrderRangeTest, ::testing::ValuesIn(Htonl32Cases()),
                         CaseName);

}  // namespace
}  // namespace sockref
