// Tests for interfaces.h. Expectations were checked against CPython 3.11 on Linux;
// the loopback interface "lo" is the one interface every test machine has.
#include "impl/interfaces.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <net/if.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include "impl/error.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::testing::Contains;
using ::testing::Ne;

unsigned LoopbackIndex() {
  const unsigned index = ::if_nametoindex("lo");
  EXPECT_NE(index, 0u) << "this machine has no loopback interface called lo";
  return index;
}

// An index no interface has: one past the largest in use.
std::int64_t UnusedIndex() {
  unsigned largest = 0;
  for (const InterfaceName& i : if_nameindex()) largest = std::max(largest, i.index);
  return std::int64_t{largest} + 1;
}

TEST(IfNameIndexTest, ListsLoopback) {
  EXPECT_THAT(if_nameindex(), Contains(InterfaceName{LoopbackIndex(), "lo"}));
}

TEST(IfNameIndexTest, EveryEntryRoundTrips) {
  for (const InterfaceName& i : if_nameindex()) {
    EXPECT_THAT(i.index, Ne(0u));
    EXPECT_EQ(if_nametoindex(i.name), i.index) << i.name;
    EXPECT_EQ(if_indextoname(i.index), i.name) << i.index;
  }
}

TEST(IfNameIndexTest, LeaksNoDescriptors) {
  const int before = CountOpenFds();
  if_nameindex();
  if_nametoindex("lo");
  if_indextoname(LoopbackIndex());
  Outcome([] { if_nametoindex("nosuchif"); });
  EXPECT_EQ(CountOpenFds(), before);
}

TEST(IfNameToIndexTest, LoopbackHasItsKernelIndex) {
  EXPECT_EQ(if_nametoindex("lo"), LoopbackIndex());
}

TEST(IfNameToIndexTest, UnknownNameIsOSErrorWithoutErrno) {
  for (const std::string& name : {std::string("nosuchif"), std::string(""), std::string(100, 'x'),
                                  std::string("lo") + std::string(20, 'x')}) {
    const auto outcome = Outcome([&] { if_nametoindex(name); });
    EXPECT_THAT(outcome, Raises(ErrorKind::kOSError, "no interface with this name")) << name;
    EXPECT_EQ(outcome.errno_value, std::nullopt);
  }
}

TEST(IfNameToIndexTest, NulIsValueError) {
  EXPECT_THAT(Outcome([] { if_nametoindex(std::string("lo\0", 3)); }),
              Raises(ErrorKind::kValueError, "embedded null byte"));
}

TEST(IfIndexToNameTest, LoopbackIndexNamesLo) { EXPECT_EQ(if_indextoname(LoopbackIndex()), "lo"); }

TEST(IfIndexToNameTest, UnknownIndexIsEnxio) {
  for (std::int64_t index : {std::int64_t{0}, UnusedIndex(), std::int64_t{0xffffffff}}) {
    const auto outcome = Outcome([&] { if_indextoname(index); });
    EXPECT_THAT(outcome, RaisesOSError(ENXIO)) << index;
    EXPECT_EQ(outcome.message, "[Errno 6] No such device or address");
  }
}

TEST(IfIndexToNameTest, NegativeIndexIsOverflowError) {
  for (std::int64_t index : {std::int64_t{-1}, INT64_MIN}) {
    EXPECT_THAT(Outcome([&] { if_indextoname(index); }),
                Raises(ErrorKind::kOverflowError, "can't convert negative value to unsigned int"))
        << index;
  }
}

TEST(IfIndexToNameTest, IndexKeepsItsLow32Bits) {
  // socket.if_indextoname(2**32 + 1) == socket.if_indextoname(1) in CPython 3.11,
  // and 2**32 and 2**63 fail like index 0.
  const std::int64_t lo = LoopbackIndex();
  EXPECT_EQ(if_indextoname((std::int64_t{1} << 32) + lo), "lo");
  EXPECT_THAT(Outcome([] { if_indextoname(std::int64_t{1} << 32); }), RaisesOSError(ENXIO));
  EXPECT_THAT(Outcome([] { if_indextoname(INT64_MAX - 0xffffffffLL); }), RaisesOSError(ENXIO));
}

}  // namespace
}  // namespace sockref
