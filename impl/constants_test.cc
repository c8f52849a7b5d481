// Tests for constants.h: the table against CPython's own values.
//
// impl/testdata/python_constants.txt is CPython's socket module as recorded by
// impl/tools/gen_constants.py on this machine; //impl:constants_python_test checks
// that the recording still matches the interpreter.
#include "impl/constants.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>

namespace sockref {
namespace {

using ::testing::IsEmpty;
using ::testing::Optional;

// GoldenPath finds the recording in Bazel's runfiles, or relative to the
// workspace root when the test binary is run by hand from there.
std::string GoldenPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return std::string(srcdir) + "/" + workspace + "/impl/testdata/python_constants.txt";
  }
  return "impl/testdata/python_constants.txt";
}

std::map<std::string, long long> ReadGolden() {
  std::map<std::string, long long> golden;
  std::ifstream in(GoldenPath());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    long long value;
    if (fields >> name >> value) golden[name] = value;
  }
  return golden;
}

// Names whose headers are optional on Linux: BlueZ's <bluetooth/*.h> (Debian's
// libbluetooth-dev). A name may be missing from the table only if it is here.
bool HeaderIsOptional(std::string_view name) {
  return name.starts_with("BTPROTO_") || name.starts_with("HCI_") || name == "SOL_HCI" ||
         name.starts_with("SOL_L2CAP") || name.starts_with("SOL_RFCOMM") ||
         name.starts_with("SOL_SCO") || name.starts_with("BT_");
}

class ConstantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    golden_ = ReadGolden();
    // Without this an unreadable recording would make every comparison vacuous.
    ASSERT_GT(golden_.size(), 300u) << "could not read " << GoldenPath();
  }
  std::map<std::string, long long> golden_;
};

TEST_F(ConstantsTest, EveryConstantHasCPythonsValue) {
  for (const Constant& c : AllConstants()) {
    auto it = golden_.find(std::string(c.name));
    ASSERT_NE(it, golden_.end()) << c.name << " is not a CPython socket constant";
    EXPECT_EQ(c.value, it->second) << c.name;
  }
}

TEST_F(ConstantsTest, EveryCPythonConstantIsProvidedUnlessItsHeaderIsOptional) {
  std::set<std::string_view> unavailable(constants_internal::UnavailableConstantNames().begin(),
                                         constants_internal::UnavailableConstantNames().end());
  for (const auto& [name, value] : golden_) {
    if (LookupConstant(name).has_value()) continue;
    EXPECT_TRUE(unavailable.contains(name)) << name << " is missing from the generated table";
    EXPECT_TRUE(HeaderIsOptional(name)) << name << " = " << value << " is not provided";
  }
}

TEST_F(ConstantsTest, UnavailableNamesAreNotInTheTable) {
  for (std::string_view name : constants_internal::UnavailableConstantNames()) {
    EXPECT_EQ(LookupConstant(name), std::nullopt) << name;
    EXPECT_TRUE(golden_.contains(std::string(name))) << name;
  }
}

TEST(ConstantsTableTest, NamesAreSortedAndUnique) {
  std::span<const Constant> all = AllConstants();
  ASSERT_THAT(all, ::testing::Not(IsEmpty()));
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].name, all[i].name);
  }
}

TEST(ConstantsTableTest, EveryEntryIsFoundByLookup) {
  for (const Constant& c : AllConstants()) {
    EXPECT_THAT(LookupConstant(c.name), Optional(c.value)) << c.name;
  }
}

TEST(LookupConstantTest, CommonNamesHaveThePlatformValues) {
  EXPECT_THAT(LookupConstant("AF_INET"), Optional(AF_INET));
  EXPECT_THAT(LookupConstant("AF_INET6"), Optional(AF_INET6));
  EXPECT_THAT(LookupConstant("AF_UNIX"), Optional(AF_UNIX));
  EXPECT_THAT(LookupConstant("SOCK_STREAM"), Optional(SOCK_STREAM));
  EXPECT_THAT(LookupConstant("SOL_SOCKET"), Optional(SOL_SOCKET));
  EXPECT_THAT(LookupConstant("SO_REUSEADDR"), Optional(SO_REUSEADDR));
  EXPECT_THAT(LookupConstant("IPPROTO_TCP"), Optional(IPPROTO_TCP));
  EXPECT_THAT(LookupConstant("AI_NUMERICHOST"), Optional(AI_NUMERICHOST));
  EXPECT_THAT(LookupConstant("NI_MAXHOST"), Optional(NI_MAXHOST));
}

TEST(LookupConstantTest, NegativeCodesStayNegative) {
  EXPECT_THAT(LookupConstant("EAI_NONAME"), Optional(-2LL));
  EXPECT_THAT(LookupConstant("EAI_SYSTEM"), Optional(-11LL));
}

TEST(LookupConstantTest, UnsignedMasksArePositiveAsInPython) {
  // socket.INADDR_NONE == 4294967295 and socket.CAN_EFF_FLAG == 2147483648.
  EXPECT_THAT(LookupConstant("INADDR_NONE"), Optional(4294967295LL));
  EXPECT_THAT(LookupConstant("INADDR_LOOPBACK"), Optional(0x7f000001LL));
  EXPECT_THAT(LookupConstant("CAN_EFF_FLAG"), Optional(2147483648LL));
}

TEST(LookupConstantTest, EnumeratorOnlyConstantsArePresent) {
  // glibc declares IPPORT_RESERVED only as an enumerator; CPython supplies 1024.
  EXPECT_THAT(LookupConstant("IPPORT_RESERVED"), Optional(1024LL));
  EXPECT_THAT(LookupConstant("IPPORT_USERRESERVED"), Optional(5000LL));
  // CPython renames <linux/can/bcm.h>'s TX_SETUP.
  EXPECT_THAT(LookupConstant("CAN_BCM_TX_SETUP"), Optional(1LL));
}

TEST(LookupConstantTest, UnknownNameIsNullopt) {
  EXPECT_EQ(LookupConstant("AF_NOSUCHFAMILY"), std::nullopt);
  EXPECT_EQ(LookupConstant(""), std::nullopt);
}

TEST(LookupConstantTest, NamesAreCaseSensitiveAndExact) {
  EXPECT_EQ(LookupConstant("af_inet"), std::nullopt);
  EXPECT_EQ(LookupConstant("AF_INET "), std::nullopt);
  EXPECT_EQ(LookupConstant("AF_INE"), std::nullopt);
  EXPECT_EQ(LookupConstant(std::string_view("AF_INET\0", 8)), std::nullopt);
}

TEST(LookupConstantTest, NonIntegerAttributesAreNotConstants) {
  // socket.has_ipv6 is a bool and socket.BDADDR_ANY a str: not in the table.
  EXPECT_EQ(LookupConstant("has_ipv6"), std::nullopt);
  EXPECT_EQ(LookupConstant("BDADDR_ANY"), std::nullopt);
}

#if __has_include(<bluetooth/bluetooth.h>)
// With BlueZ's headers, as in Debian's CPython 3.11 build: every Bluetooth name
// of CPython's list is present, and the two addresses read as CPython shows them
// (socket.BDADDR_ANY == '00:00:00:00:00:00', BDADDR_LOCAL == '00:00:00:FF:FF:FF').
TEST(BluetoothConstantsTest, PresentWithBluezHeadersWithCPythonsValues) {
  EXPECT_EQ(LookupConstant("BTPROTO_L2CAP"), 0);
  EXPECT_EQ(LookupConstant("BTPROTO_HCI"), 1);
  EXPECT_EQ(LookupConstant("BTPROTO_SCO"), 2);
  EXPECT_EQ(LookupConstant("BTPROTO_RFCOMM"), 3);
  EXPECT_EQ(LookupConstant("SOL_HCI"), 0);
  EXPECT_EQ(LookupConstant("HCI_FILTER"), 2);
  ASSERT_EQ(AllStringConstants().size(), 2u);
  EXPECT_EQ(AllStringConstants()[0].name, "BDADDR_ANY");
  EXPECT_EQ(AllStringConstants()[0].value, "00:00:00:00:00:00");
  EXPECT_EQ(AllStringConstants()[1].name, "BDADDR_LOCAL");
  EXPECT_EQ(AllStringConstants()[1].value, "00:00:00:FF:FF:FF");
}
#else
TEST(BluetoothConstantsTest, AbsentWithoutBluezHeadersAsInCPython) {
  EXPECT_EQ(LookupConstant("BTPROTO_RFCOMM"), std::nullopt);
  EXPECT_TRUE(AllStringConstants().empty());
}
#endif

}  // namespace
}  // namespace sockref

namespace sockref {
namespace {

// python3 -c "import socket; print(socket.has_ipv6)" -> True on every Linux build.
TEST(HasIpv6Test, MatchesCPythonOnLinux) {
  static_assert(std::is_same_v<decltype(has_ipv6), const bool>);
  EXPECT_TRUE(has_ipv6);
  // And this kernel can really make an IPv6 socket, as the build claims.
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  if (fd >= 0) ::close(fd);
}

}  // namespace
}  // namespace sockref
