// Tests for netdb.h. Every expectation was checked against CPython 3.11
// (python3 -c "import socket; ...") on Debian 12.
//
// The tests need no DNS: hosts are numeric, "localhost" (from /etc/hosts), or
// kUnresolvableName, which the resolver rejects before sending any query. The
// service and protocol databases are used when the entries exist and checked for
// CPython's "not found" errors otherwise.
#include "impl/netdb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "impl/error.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::ReturnsNormally;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

// Five 63-byte labels: valid for Python's idna codec, but longer than DNS's
// 255-byte limit, so the resolver fails with EAI_NONAME without a query.
const std::string kUnresolvableName = [] {
  const std::string label(63, 'a');
  return label + "." + label + "." + label + "." + label + "." + label;
}();

// CPython's messages for the EAI_* codes the tests provoke (glibc's gai_strerror).
constexpr char kNoName[] = "[Errno -2] Name or service not known";
constexpr char kBadService[] = "[Errno -8] Servname not supported for ai_socktype";
constexpr char kBadFamily[] = "[Errno -6] ai_family not supported";
constexpr char kBadSocktype[] = "[Errno -7] ai_socktype not supported";
constexpr char kBadFlags[] = "[Errno -1] Bad value for ai_flags";
constexpr char kWrongFamily[] = "[Errno -9] Address family for hostname not supported";

constexpr char kLabelEmpty[] =
    "encoding with 'idna' codec failed (UnicodeError: label empty or too long)";
constexpr char kLabelTooLong[] = "encoding with 'idna' codec failed (UnicodeError: label too long)";
constexpr char kAcePrefix[] =
    "encoding with 'idna' codec failed (UnicodeError: Label starts with ACE prefix)";

bool HaveService(const char* name, const char* proto) {
  return ::getservbyname(name, proto) != nullptr;
}

unsigned LoopbackIndex() { return ::if_nametoindex("lo"); }

// ----------------------------------------------------------------------------
// getaddrinfo

TEST(GetAddrInfoTest, NumericHostAndIntPortGiveOneEntryPerSocketType) {
  // [(AF_INET, SOCK_STREAM, 6, '', ('127.0.0.1', 80)), (.. SOCK_DGRAM, 17 ..),
  //  (.. SOCK_RAW, 0 ..)]
  EXPECT_THAT(
      getaddrinfo("127.0.0.1", 80),
      ElementsAre(AddrInfo{AF_INET, SOCK_STREAM, IPPROTO_TCP, "", InetAddress{"127.0.0.1", 80}},
                  AddrInfo{AF_INET, SOCK_DGRAM, IPPROTO_UDP, "", InetAddress{"127.0.0.1", 80}},
                  AddrInfo{AF_INET, SOCK_RAW, 0, "", InetAddress{"127.0.0.1", 80}}));
}

TEST(GetAddrInfoTest, FamilyAndTypeNarrowTheList) {
  EXPECT_THAT(
      getaddrinfo("localhost", 0, AF_INET, SOCK_STREAM),
      ElementsAre(AddrInfo{AF_INET, SOCK_STREAM, IPPROTO_TCP, "", InetAddress{"127.0.0.1", 0}}));
}

TEST(GetAddrInfoTest, Ipv6LiteralGivesFourTupleAddress) {
  EXPECT_THAT(
      getaddrinfo("::1", 80, 0, SOCK_STREAM),
      ElementsAre(AddrInfo{AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", Inet6Address{"::1", 80, 0, 0}}));
}

TEST(GetAddrInfoTest, ScopedIpv6LiteralMapsInterfaceNameToScopeId) {
  // ('fe80::1', 80, 0, 1): the scope becomes the interface index.
  EXPECT_THAT(getaddrinfo("fe80::1%lo", 80, AF_INET6, SOCK_STREAM),
              ElementsAre(Field(&AddrInfo::sockaddr,
                                Address(Inet6Address{"fe80::1", 80, 0, LoopbackIndex()}))));
}

TEST(GetAddrInfoTest, V4MappedTurnsIpv4IntoIpv6) {
  EXPECT_THAT(
      getaddrinfo("1.2.3.4", 0, AF_INET6, SOCK_STREAM, 0, AI_V4MAPPED),
      ElementsAre(Field(&AddrInfo::sockaddr, Address(Inet6Address{"::ffff:1.2.3.4", 0, 0, 0}))));
}

TEST(GetAddrInfoTest, IntPortIsPassedAsDecimalTextSoItWraps) {
  // CPython formats the int and the resolver keeps it modulo 65536.
  EXPECT_THAT(getaddrinfo("127.0.0.1", 70000, AF_INET, SOCK_STREAM),
              ElementsAre(Field(&AddrInfo::sockaddr, Address(InetAddress{"127.0.0.1", 4464}))));
  EXPECT_THAT(getaddrinfo("127.0.0.1", 65536, AF_INET, SOCK_STREAM),
              ElementsAre(Field(&AddrInfo::sockaddr, Address(InetAddress{"127.0.0.1", 0}))));
}

TEST(GetAddrInfoTest, NegativePortIsAServiceError) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", -1); }),
              Raises(ErrorKind::kGaiError, kBadService));
}

TEST(GetAddrInfoTest, NumericStringPortWorksLikeInt) {
  EXPECT_EQ(getaddrinfo("127.0.0.1", "80"), getaddrinfo("127.0.0.1", 80));
}

TEST(GetAddrInfoTest, NoneOrEmptyPortMeansPortZero) {
  const auto expected =
      ElementsAre(AddrInfo{AF_INET, SOCK_STREAM, IPPROTO_TCP, "", InetAddress{"127.0.0.1", 0}});
  EXPECT_THAT(getaddrinfo("127.0.0.1", std::monostate{}, AF_INET, SOCK_STREAM), expected);
  EXPECT_THAT(getaddrinfo("127.0.0.1", "", AF_INET, SOCK_STREAM), expected);
}

TEST(GetAddrInfoTest, ServiceNameComesFromTheServicesDatabase) {
  if (HaveService("http", "tcp")) {
    EXPECT_THAT(
        getaddrinfo("127.0.0.1", "http", AF_INET, SOCK_STREAM),
        ElementsAre(AddrInfo{AF_INET, SOCK_STREAM, IPPROTO_TCP, "", InetAddress{"127.0.0.1", 80}}));
  } else {
    EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", "http", AF_INET, SOCK_STREAM); }),
                Raises(ErrorKind::kGaiError, kBadService));
  }
}

TEST(GetAddrInfoTest, UnknownServiceNameIsAServiceError) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", "nosuchservice"); }),
              Raises(ErrorKind::kGaiError, kBadService));
}

TEST(GetAddrInfoTest, NoneHostMeansLoopbackOrWildcardWithPassive) {
  EXPECT_THAT(getaddrinfo(std::nullopt, 80, AF_INET, SOCK_STREAM),
              ElementsAre(Field(&AddrInfo::sockaddr, Address(InetAddress{"127.0.0.1", 80}))));
  EXPECT_THAT(getaddrinfo(std::nullopt, 0, AF_INET6, SOCK_STREAM, 0, AI_PASSIVE),
              ElementsAre(Field(&AddrInfo::sockaddr, Address(Inet6Address{"::", 0, 0, 0}))));
}

TEST(GetAddrInfoTest, NoneHostAndNonePortIsNoName) {
  EXPECT_THAT(Outcome([] { getaddrinfo(std::nullopt, std::monostate{}); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetAddrInfoTest, EmptyHostIsNoName) {
  EXPECT_THAT(Outcome([] { getaddrinfo("", 80); }), Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetAddrInfoTest, UnresolvableNameIsNoNameWithErrnoMinusTwo) {
  try {
    getaddrinfo(kUnresolvableName, 80);
    FAIL() << "returned normally";
  } catch (const gaierror& e) {
    EXPECT_EQ(e.errno_value(), EAI_NONAME);
    EXPECT_EQ(e.strerror(), "Name or service not known");
    EXPECT_STREQ(e.what(), kNoName);
  }
}

TEST(GetAddrInfoTest, NumericHostFlagRejectsNames) {
  EXPECT_THAT(Outcome([] { getaddrinfo("localhost", 80, 0, SOCK_STREAM, 0, AI_NUMERICHOST); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetAddrInfoTest, NumericServFlagRejectsServiceNames) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", "http", 0, 0, 0, AI_NUMERICSERV); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetAddrInfoTest, CanonNameFlagFillsCanonname) {
  EXPECT_THAT(getaddrinfo("127.0.0.1", 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME),
              ElementsAre(Field(&AddrInfo::canonname, "127.0.0.1")));
  EXPECT_THAT(getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME),
              ElementsAre(Field(&AddrInfo::canonname, "localhost")));
}

TEST(GetAddrInfoTest, RawSocketKeepsTheRequestedProtocol) {
  EXPECT_THAT(getaddrinfo("127.0.0.1", std::monostate{}, AF_INET, SOCK_RAW, 255),
              ElementsAre(AddrInfo{AF_INET, SOCK_RAW, 255, "", InetAddress{"127.0.0.1", 0}}));
}

TEST(GetAddrInfoTest, UnsupportedFamilyIsAFamilyError) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", 80, 12345); }),
              Raises(ErrorKind::kGaiError, kBadFamily));
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", 80, AF_UNIX); }),
              Raises(ErrorKind::kGaiError, kBadFamily));
}

TEST(GetAddrInfoTest, UnsupportedTypeIsASocktypeError) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", 80, 0, 12345); }),
              Raises(ErrorKind::kGaiError, kBadSocktype));
  // SOCK_STREAM with IPPROTO_UDP.
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", 80, 0, SOCK_STREAM, IPPROTO_UDP); }),
              Raises(ErrorKind::kGaiError, kBadSocktype));
}

TEST(GetAddrInfoTest, BadFlagsIsAFlagsError) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", 80, 0, 0, 0, -1); }),
              Raises(ErrorKind::kGaiError, kBadFlags));
}

TEST(GetAddrInfoTest, Ipv4LiteralWithIpv6FamilyIsAFamilyMismatch) {
  EXPECT_THAT(Outcome([] { getaddrinfo("127.0.0.1", 80, AF_INET6); }),
              Raises(ErrorKind::kGaiError, kWrongFamily));
}

TEST(GetAddrInfoTest, HostLabelsAreCheckedLikePythonsIdnaCodec) {
  EXPECT_THAT(Outcome([] { getaddrinfo(std::string(64, 'a'), 80); }),
              Raises(ErrorKind::kUnicodeError, kLabelTooLong));
  for (const char* host : {"a..b", ".a", ".", "a.."}) {
    EXPECT_THAT(Outcome([&] { getaddrinfo(host, 80); }),
                Raises(ErrorKind::kUnicodeError, kLabelEmpty))
        << host;
  }
  // A trailing dot and 63-byte labels are fine for the codec.
  EXPECT_THAT(Outcome([] { getaddrinfo("a.", 80, 0, 0, 0, AI_NUMERICHOST); }),
              Raises(ErrorKind::kGaiError, kNoName));
  EXPECT_THAT(Outcome([] { getaddrinfo(std::string(63, 'a'), 80, 0, 0, 0, AI_NUMERICHOST); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetAddrInfoTest, NonAsciiHostIsEncodedBeforeTheLookup) {
  EXPECT_THAT(Outcome([] { getaddrinfo("ü..x", 80); }),
              Raises(ErrorKind::kUnicodeError, kLabelEmpty));
  EXPECT_THAT(Outcome([] { getaddrinfo("bücher.example", 80, 0, 0, 0, AI_NUMERICHOST); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

// The codec itself is tested in idna_test.cc; these check that each of its reasons
// reaches the caller as CPython's UnicodeError message, before any lookup.
TEST(GetAddrInfoTest, NonAsciiHostCodecFailuresAreValueErrors) {
  std::string seventy_u;
  for (int i = 0; i < 70; ++i) seventy_u += "ü";
  for (const std::string& host :
       {std::string("ü..x"), std::string("\u00ad.x"), std::string("\u3002"),
        std::string(64, 'a') + ".ü", "ü." + std::string(64, 'a'), seventy_u}) {
    EXPECT_THAT(Outcome([&] { getaddrinfo(host, 80); }),
                Raises(ErrorKind::kUnicodeError, kLabelEmpty))
        << host;
  }
  EXPECT_THAT(Outcome([] { getaddrinfo("xn--ü", 80); }),
              Raises(ErrorKind::kUnicodeError, kAcePrefix));
}

TEST(GetAddrInfoTest, LabelLibidn2RefusesIsLookedUpAsPythonsEncodingWouldBe) {
  // Python looks up b"xn-----xka"; sockref passes "-ü-" on (idna.h). Neither is a
  // numeric host.
  EXPECT_THAT(Outcome([] { getaddrinfo("-ü-", 80, 0, 0, 0, AI_NUMERICHOST); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetAddrInfoTest, HostLabelErrorComesBeforeAnyLookup) {
  EXPECT_THAT(Outcome([] { getaddrinfo(std::string(64, 'a'), -1, 12345); }),
              Raises(ErrorKind::kUnicodeError, kLabelTooLong));
}

TEST(GetAddrInfoTest, NulEndsHostAndServiceAsInCPython) {
  EXPECT_EQ(getaddrinfo(std::string("127.0.0.1\0junk", 14), std::string("80\0junk", 7)),
            getaddrinfo("127.0.0.1", 80));
}

// ----------------------------------------------------------------------------
// getnameinfo

TEST(GetNameInfoTest, NumericFlagsGiveNumericHostAndService) {
  EXPECT_THAT(getnameinfo(InetAddress{"127.0.0.1", 80}, NI_NUMERICHOST | NI_NUMERICSERV),
              Pair("127.0.0.1", "80"));
}

TEST(GetNameInfoTest, ServiceNameComesFromTheServicesDatabase) {
  EXPECT_THAT(getnameinfo(InetAddress{"127.0.0.1", 80}, NI_NUMERICHOST),
              Pair("127.0.0.1", HaveService("http", "tcp") ? "http" : "80"));
}

TEST(GetNameInfoTest, LoopbackReversesToLocalhost) {
  EXPECT_THAT(getnameinfo(InetAddress{"127.0.0.1", 0}, 0), Pair("localhost", "0"));
}

TEST(GetNameInfoTest, PortWrapsModulo65536) {
  EXPECT_THAT(getnameinfo(InetAddress{"127.0.0.1", 70000}, NI_NUMERICHOST | NI_NUMERICSERV),
              Pair("127.0.0.1", "4464"));
}

TEST(GetNameInfoTest, NegativePortIsAServiceError) {
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{"127.0.0.1", -1}, 0);
              }),
              Raises(ErrorKind::kGaiError, kBadService));
}

TEST(GetNameInfoTest, PortOutsideCIntIsOverflowError) {
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{"127.0.0.1", 1LL << 31}, 0);
              }),
              Raises(ErrorKind::kOverflowError, "signed integer is greater than maximum"));
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{"127.0.0.1", -(1LL << 31) - 1}, 0);
              }),
              Raises(ErrorKind::kOverflowError, "signed integer is less than minimum"));
}

TEST(GetNameInfoTest, HostMustBeNumeric) {
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{"localhost", 80}, 0);
              }),
              Raises(ErrorKind::kGaiError, kNoName));
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{"", 80}, 0);
              }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetNameInfoTest, NulInHostIsValueError) {
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{std::string("127.0.0.1\0", 10), 80}, 0);
              }),
              Raises(ErrorKind::kValueError, "embedded null character"));
}

TEST(GetNameInfoTest, Ipv4HostInFourTupleIsOSError) {
  const auto outcome = Outcome([] { getnameinfo(Inet6Address{"127.0.0.1", 80, 0, 0}, 0); });
  EXPECT_THAT(outcome, Raises(ErrorKind::kOSError, "IPv4 sockaddr must be 2 tuple"));
  EXPECT_EQ(outcome.errno_value, std::nullopt);
}

TEST(GetNameInfoTest, Ipv6HostInEitherTupleShape) {
  constexpr int kNumeric = NI_NUMERICHOST | NI_NUMERICSERV;
  EXPECT_THAT(getnameinfo(Inet6Address{"::1", 80, 0, 0}, kNumeric), Pair("::1", "80"));
  EXPECT_THAT(getnameinfo(InetAddress{"::1", 80}, kNumeric), Pair("::1", "80"));
}

TEST(GetNameInfoTest, ScopeIdIsAppendedToLinkLocalHost) {
  const auto lo = static_cast<std::int64_t>(LoopbackIndex());
  EXPECT_THAT(getnameinfo(Inet6Address{"fe80::1", 80, 0, lo}, NI_NUMERICHOST | NI_NUMERICSERV),
              Pair("fe80::1%lo", "80"));
}

TEST(GetNameInfoTest, ScopeInHostStringIsReplacedByScopeIdField) {
  // CPython overwrites the resolved scope with the tuple's scope_id (0 here).
  EXPECT_THAT(getnameinfo(Inet6Address{"fe80::1%lo", 80, 0, 0}, NI_NUMERICHOST | NI_NUMERICSERV),
              Pair("fe80::1", "80"));
}

TEST(GetNameInfoTest, ScopeIdKeepsLow32Bits) {
  constexpr int kNumeric = NI_NUMERICHOST | NI_NUMERICSERV;
  EXPECT_THAT(getnameinfo(Inet6Address{"::1", 80, 0, 1LL << 32}, kNumeric), Pair("::1", "80"));
  EXPECT_THAT(getnameinfo(Inet6Address{"::1", 80, 0, -1}, kNumeric), Pair("::1%4294967295", "80"));
}

TEST(GetNameInfoTest, FlowinfoAboveTwentyBitsIsOverflowError) {
  constexpr char kMessage[] = "getnameinfo(): flowinfo must be 0-1048575.";
  for (std::int64_t flowinfo :
       {std::int64_t{1048576}, std::int64_t{-1}, (std::int64_t{1} << 32) + 1048576}) {
    EXPECT_THAT(Outcome([&] {
                  getnameinfo(Inet6Address{"::1", 80, flowinfo, 0}, 0);
                }),
                Raises(ErrorKind::kOverflowError, kMessage))
        << flowinfo;
  }
}

TEST(GetNameInfoTest, FlowinfoKeepsLow32BitsBeforeTheRangeCheck) {
  constexpr int kNumeric = NI_NUMERICHOST | NI_NUMERICSERV;
  EXPECT_THAT(getnameinfo(Inet6Address{"::1", 80, 0xfffff, 0}, kNumeric), Pair("::1", "80"));
  EXPECT_THAT(getnameinfo(Inet6Address{"::1", 80, 1LL << 32, 0}, kNumeric), Pair("::1", "80"));
}

TEST(GetNameInfoTest, ArgumentErrorsComeInCPythonsOrder) {
  // The tuple is parsed (host, then port) before flowinfo is range-checked, and
  // all of that before the host is resolved.
  EXPECT_THAT(Outcome([] {
                getnameinfo(Inet6Address{std::string("x\0", 2), 1LL << 40, 1LL << 30, 0}, 0);
              }),
              Raises(ErrorKind::kValueError, "embedded null character"));
  EXPECT_THAT(Outcome([] {
                getnameinfo(Inet6Address{"x", 1LL << 40, 1LL << 30, 0}, 0);
              }),
              Raises(ErrorKind::kOverflowError, "signed integer is greater than maximum"));
  EXPECT_THAT(Outcome([] {
                getnameinfo(Inet6Address{"x", 80, 1LL << 30, 0}, 0);
              }),
              Raises(ErrorKind::kOverflowError, "getnameinfo(): flowinfo must be 0-1048575."));
}

TEST(GetNameInfoTest, BadFlagsIsAFlagsError) {
  EXPECT_THAT(Outcome([] {
                getnameinfo(InetAddress{"127.0.0.1", 80}, -1);
              }),
              Raises(ErrorKind::kGaiError, kBadFlags));
}

TEST(GetNameInfoTest, NonTupleAddressIsTypeError) {
  constexpr char kMessage[] = "getnameinfo() argument 1 must be a tuple";
  EXPECT_THAT(Outcome([] { getnameinfo(NoAddress{}, 0); }),
              Raises(ErrorKind::kTypeError, kMessage));
  EXPECT_THAT(Outcome([] { getnameinfo(UnixAddress{"/tmp/x"}, 0); }),
              Raises(ErrorKind::kTypeError, kMessage));
}

TEST(GetNameInfoTest, OtherFamiliesTupleIsIllegalSockaddr) {
  constexpr char kMessage[] = "getnameinfo(): illegal sockaddr argument";
  EXPECT_THAT(Outcome([] {
                getnameinfo(NetlinkAddress{0, 0}, 0);
              }),
              Raises(ErrorKind::kTypeError, kMessage));
  EXPECT_THAT(Outcome([] {
                getnameinfo(VsockAddress{1, 2}, 0);
              }),
              Raises(ErrorKind::kTypeError, kMessage));
}

// ----------------------------------------------------------------------------
// gethostbyname, gethostbyname_ex, gethostbyaddr

TEST(GetHostByNameTest, LocalhostIsLoopback) { EXPECT_EQ(gethostbyname("localhost"), "127.0.0.1"); }

TEST(GetHostByNameTest, SpecialNames) {
  EXPECT_EQ(gethostbyname(""), "0.0.0.0");
  EXPECT_EQ(gethostbyname("<broadcast>"), "255.255.255.255");
  EXPECT_EQ(gethostbyname("255.255.255.255"), "255.255.255.255");
}

TEST(GetHostByNameTest, LegacyNumericFormsAreAccepted) {
  EXPECT_EQ(gethostbyname("127.1"), "127.0.0.1");
  EXPECT_EQ(gethostbyname("1.2"), "1.0.0.2");
  EXPECT_EQ(gethostbyname("0x7f.1"), "127.0.0.1");
}

TEST(GetHostByNameTest, Ipv6LiteralIsAFamilyMismatch) {
  EXPECT_THAT(Outcome([] { gethostbyname("::1"); }), Raises(ErrorKind::kGaiError, kWrongFamily));
}

TEST(GetHostByNameTest, UnresolvableNameIsNoName) {
  EXPECT_THAT(Outcome([] { gethostbyname(kUnresolvableName); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetHostByNameTest, BadLabelIsValueError) {
  EXPECT_THAT(Outcome([] { gethostbyname("."); }), Raises(ErrorKind::kUnicodeError, kLabelEmpty));
}

TEST(GetHostByNameTest, NonAsciiCodecFailuresAreValueErrors) {
  EXPECT_THAT(Outcome([] { gethostbyname("xn--ü"); }), Raises(ErrorKind::kUnicodeError, kAcePrefix));
  EXPECT_THAT(Outcome([] { gethostbyname_ex("xn--ü"); }),
              Raises(ErrorKind::kUnicodeError, kAcePrefix));
  EXPECT_THAT(Outcome([] { gethostbyaddr("ü..x"); }), Raises(ErrorKind::kUnicodeError, kLabelEmpty));
}

TEST(GetHostByNameTest, NulKeptByTheCodecIsTypeError) {
  // 'ü\0'.encode('idna') == b'xn--\x00-dha': the NUL survives encoding.
  EXPECT_THAT(Outcome([] { gethostbyname(std::string("\xc3\xbc\0", 3)); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyname() argument 1 must be encoded string without null bytes, "
                     "not str"));
}

TEST(GetHostByNameTest, NulIsTypeErrorAfterTheLabelCheck) {
  EXPECT_THAT(Outcome([] { gethostbyname(std::string("a\0b", 3)); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyname() argument 1 must be encoded string without null bytes, "
                     "not str"));
  EXPECT_THAT(Outcome([] { gethostbyname(std::string(64, 'a') + '\0'); }),
              Raises(ErrorKind::kUnicodeError, kLabelTooLong));
}

TEST(GetHostByNameExTest, NumericAddressIsItsOwnName) {
  EXPECT_EQ(gethostbyname_ex("127.0.0.1"), (HostEntry{"127.0.0.1", {}, {"127.0.0.1"}}));
  EXPECT_EQ(gethostbyname_ex("1.2"), (HostEntry{"1.2", {}, {"1.0.0.2"}}));
}

TEST(GetHostByNameExTest, LocalhostComesFromHostsFile) {
  const HostEntry entry = gethostbyname_ex("localhost");
  EXPECT_EQ(entry.hostname, "localhost");
  EXPECT_THAT(entry.addresses, Contains("127.0.0.1"));
}

TEST(GetHostByNameExTest, EmptyNameFailsInTheHostDatabase) {
  // gethostbyname("") is 0.0.0.0, but the host database has no entry for "".
  EXPECT_THAT(Outcome([] { gethostbyname_ex(""); }),
              Raises(ErrorKind::kHError, "[Errno 3] Unknown server error"));
}

TEST(GetHostByNameExTest, BroadcastNameIsUnknownHost) {
  // CPython reports the thread's h_errno here, which glibc leaves unset for this
  // name (so CPython may show a stale code); sockref reports glibc's own code.
  EXPECT_THAT(Outcome([] { gethostbyname_ex("<broadcast>"); }),
              Raises(ErrorKind::kHError, "[Errno 1] Unknown host"));
}

TEST(GetHostByNameExTest, Ipv6LiteralIsAFamilyMismatch) {
  EXPECT_THAT(Outcome([] { gethostbyname_ex("::1"); }), Raises(ErrorKind::kGaiError, kWrongFamily));
}

TEST(GetHostByNameExTest, NulIsTypeError) {
  EXPECT_THAT(Outcome([] { gethostbyname_ex(std::string("a\0b", 3)); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyname_ex() argument 1 must be encoded string without null "
                     "bytes, not str"));
}

TEST(GetHostByAddrTest, LoopbackAddressReversesToLocalhost) {
  const HostEntry entry = gethostbyaddr("127.0.0.1");
  EXPECT_EQ(entry.hostname, "localhost");
  EXPECT_THAT(entry.addresses, ElementsAre("127.0.0.1"));
}

TEST(GetHostByAddrTest, NameIsResolvedFirst) {
  EXPECT_EQ(gethostbyaddr("localhost"), gethostbyaddr("127.0.0.1"));
}

TEST(GetHostByAddrTest, EmptyNameIsAnAmbiguousWildcard) {
  // getaddrinfo(NULL, "0", AI_PASSIVE) gives both 0.0.0.0 and ::.
  EXPECT_THAT(Outcome([] { gethostbyaddr(""); }),
              Raises(ErrorKind::kOSError, "wildcard resolved to multiple address"));
}

TEST(GetHostByAddrTest, UnresolvableNameIsNoName) {
  EXPECT_THAT(Outcome([] { gethostbyaddr(kUnresolvableName); }),
              Raises(ErrorKind::kGaiError, kNoName));
}

TEST(GetHostByAddrTest, ArgumentErrors) {
  EXPECT_THAT(Outcome([] { gethostbyaddr(std::string("a\0b", 3)); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyaddr() argument 1 must be encoded string without null bytes, "
                     "not str"));
  EXPECT_THAT(Outcome([] { gethostbyaddr(std::string(64, 'a')); }),
              Raises(ErrorKind::kUnicodeError, kLabelTooLong));
}

// ----------------------------------------------------------------------------
// gethostname, sethostname, getfqdn

TEST(GetHostNameTest, MatchesTheKernel) {
  char expected[256] = {};
  ASSERT_EQ(::gethostname(expected, sizeof(expected) - 1), 0);
  EXPECT_EQ(gethostname(), expected);
}

TEST(SetHostNameTest, TooLongNameIsEinval) {
  // The kernel checks the length before the privilege, so this holds for anyone.
  EXPECT_THAT(Outcome([] { sethostname(std::string(65, 'x')); }), RaisesOSError(EINVAL));
}

TEST(SetHostNameTest, SettingTheCurrentNameNeedsPrivilege) {
  // Re-setting the current name changes nothing visible, even when it succeeds.
  const std::string current = gethostname();
  if (::geteuid() == 0) {
    EXPECT_THAT(Outcome([&] { sethostname(current); }), ReturnsNormally());
  } else {
    EXPECT_THAT(Outcome([&] { sethostname(current); }), RaisesOSError(EPERM));
  }
  EXPECT_EQ(gethostname(), current);
}

TEST(GetFqdnTest, LoopbackHasNoDottedName) {
  // /etc/hosts: "127.0.0.1 localhost": no name with a dot, so the hostname.
  EXPECT_EQ(getfqdn("127.0.0.1"), "localhost");
  EXPECT_EQ(getfqdn("localhost"), "localhost");
}

TEST(GetFqdnTest, WhitespaceIsStrippedLikePythonsStrip) {
  EXPECT_EQ(getfqdn(" \t127.0.0.1\n\x1c"), "localhost");
  // U+3000 IDEOGRAPHIC SPACE and U+00A0 NO-BREAK SPACE are whitespace to str.strip().
  EXPECT_EQ(getfqdn("\u3000127.0.0.1\u00a0"), "localhost");
}

TEST(GetFqdnTest, WildcardsAndEmptyMeanThisHost) {
  const std::string local = getfqdn(gethostname());
  EXPECT_EQ(getfqdn(""), local);
  EXPECT_EQ(getfqdn("   "), local);
  EXPECT_EQ(getfqdn("0.0.0.0"), local);
  EXPECT_EQ(getfqdn("::"), local);
}

TEST(GetFqdnTest, UnresolvableNameIsReturnedStripped) {
  EXPECT_EQ(getfqdn(" " + kUnresolvableName + " "), kUnresolvableName);
}

TEST(GetFqdnTest, ArgumentErrorsAreNotSwallowed) {
  // Python's getfqdn() only catches OSError.
  EXPECT_THAT(Outcome([] { getfqdn(std::string("a\0b", 3)); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyaddr() argument 1 must be encoded string without null bytes, "
                     "not str"));
  EXPECT_THAT(Outcome([] { getfqdn("a..b"); }), Raises(ErrorKind::kUnicodeError, kLabelEmpty));
}

// ----------------------------------------------------------------------------
// getprotobyname, getservbyname, getservbyport

TEST(GetProtoByNameTest, KnownProtocols) {
  if (::getprotobyname("tcp") == nullptr) GTEST_SKIP() << "no protocols database";
  EXPECT_EQ(getprotobyname("tcp"), IPPROTO_TCP);
  EXPECT_EQ(getprotobyname("udp"), IPPROTO_UDP);
  EXPECT_EQ(getprotobyname("icmp"), IPPROTO_ICMP);
}

TEST(GetProtoByNameTest, UnknownProtocolIsOSErrorWithoutErrno) {
  for (const char* name : {"nosuchprotocol", ""}) {
    const auto outcome = Outcome([&] { getprotobyname(name); });
    EXPECT_THAT(outcome, Raises(ErrorKind::kOSError, "protocol not found")) << name;
    EXPECT_EQ(outcome.errno_value, std::nullopt);
  }
}

TEST(GetProtoByNameTest, NulIsValueError) {
  EXPECT_THAT(Outcome([] { getprotobyname(std::string("tcp\0", 4)); }),
              Raises(ErrorKind::kValueError, "embedded null character"));
}

TEST(GetServByNameTest, KnownServices) {
  if (!HaveService("http", "tcp")) GTEST_SKIP() << "no http/tcp in the services database";
  EXPECT_EQ(getservbyname("http"), 80);
  EXPECT_EQ(getservbyname("http", "tcp"), 80);
}

TEST(GetServByNameTest, UnknownServiceOrProtoIsOSError) {
  constexpr char kMessage[] = "service/proto not found";
  EXPECT_THAT(Outcome([] { getservbyname("nosuchservice"); }),
              Raises(ErrorKind::kOSError, kMessage));
  EXPECT_THAT(Outcome([] { getservbyname(""); }), Raises(ErrorKind::kOSError, kMessage));
  EXPECT_THAT(Outcome([] { getservbyname("http", "nosuchproto"); }),
              Raises(ErrorKind::kOSError, kMessage));
}

TEST(GetServByNameTest, NulInEitherArgumentIsValueError) {
  EXPECT_THAT(Outcome([] { getservbyname(std::string("http\0", 5)); }),
              Raises(ErrorKind::kValueError, "embedded null character"));
  EXPECT_THAT(Outcome([] { getservbyname("http", std::string("tcp\0", 4)); }),
              Raises(ErrorKind::kValueError, "embedded null character"));
}

TEST(GetServByPortTest, KnownPorts) {
  if (!HaveService("http", "tcp")) GTEST_SKIP() << "no http/tcp in the services database";
  EXPECT_EQ(getservbyport(80), "http");
  EXPECT_EQ(getservbyport(80, "tcp"), "http");
}

TEST(GetServByPortTest, UnknownPortIsOSError) {
  constexpr char kMessage[] = "port/proto not found";
  EXPECT_THAT(Outcome([] { getservbyport(0); }), Raises(ErrorKind::kOSError, kMessage));
  EXPECT_THAT(Outcome([] { getservbyport(80, "nosuchproto"); }),
              Raises(ErrorKind::kOSError, kMessage));
}

TEST(GetServByPortTest, PortOutsideSixteenBitsIsOverflowError) {
  constexpr char kMessage[] = "getservbyport: port must be 0-65535.";
  EXPECT_THAT(Outcome([] { getservbyport(65536); }), Raises(ErrorKind::kOverflowError, kMessage));
  EXPECT_THAT(Outcome([] { getservbyport(-1); }), Raises(ErrorKind::kOverflowError, kMessage));
}

TEST(GetServByPortTest, PortOutsideCIntIsOverflowErrorFirst) {
  EXPECT_THAT(Outcome([] { getservbyport(1LL << 31, std::string("t\0", 2)); }),
              Raises(ErrorKind::kOverflowError, "signed integer is greater than maximum"));
  EXPECT_THAT(Outcome([] { getservbyport(-(1LL << 31) - 1); }),
              Raises(ErrorKind::kOverflowError, "signed integer is less than minimum"));
}

TEST(GetServByPortTest, NulInProtoIsCheckedBeforeThePortRange) {
  EXPECT_THAT(Outcome([] { getservbyport(70000, std::string("tc\0p", 4)); }),
              Raises(ErrorKind::kValueError, "embedded null character"));
}

// A host given as bytes reaches the resolver without the idna codec: CPython's
// getaddrinfo(b"a..b", 80) is gaierror(EAI_NONAME) where "a..b" is a UnicodeError, and
// gethostby*() refuse a NUL in bytes naming bytes.
TEST(BytesHostTest, BytesSkipTheIdnaCodec) {
  EXPECT_THAT(Outcome([] { getaddrinfo(std::string("a..b"), 80); }),
              Raises(ErrorKind::kUnicodeError, kLabelEmpty));
  EXPECT_THAT(Outcome([] { getaddrinfo(BytesHost{"a..b"}, 80); }),
              Raises(ErrorKind::kGaiError, "[Errno -2] Name or service not known"));
  EXPECT_THAT(Outcome([] { gethostbyname(BytesHost{"a..b"}); }),
              Raises(ErrorKind::kGaiError, "[Errno -2] Name or service not known"));
  EXPECT_EQ(gethostbyname(BytesHost{"127.0.0.1"}), "127.0.0.1");
  EXPECT_THAT(Outcome([] { gethostbyname(BytesHost{std::string("a\0b", 3)}); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyname() argument 1 must be encoded string without null bytes, "
                     "not bytes"));
  EXPECT_THAT(Outcome([] { gethostbyaddr(BytesHost{std::string("a\0b", 3)}); }),
              Raises(ErrorKind::kTypeError,
                     "gethostbyaddr() argument 1 must be encoded string without null bytes, "
                     "not bytes"));
}

}  // namespace
}  // namespace sockref
