// Tests for the address codec against CPython 3.11's getsockaddrarg()/makesockaddr().
//
// Every expected error below was produced by python3 (3.11) with the tuple the C++
// address stands for (the table at the top of address.cc), e.g.
//   python3 -c "import socket; socket.socket().bind(('127.0.0.1', 70000))"
// Host names are numeric or in /etc/hosts ("localhost"): no test sends a DNS query.
#include "impl/address.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/qrtr.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "impl/error.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;

constexpr SocketTriple kInet{AF_INET, SOCK_STREAM, 0};
constexpr SocketTriple kInet6{AF_INET6, SOCK_STREAM, 0};
constexpr SocketTriple kUnix{AF_UNIX, SOCK_STREAM, 0};
constexpr SocketTriple kNetlink{AF_NETLINK, SOCK_RAW, 0};
constexpr SocketTriple kPacket{AF_PACKET, SOCK_RAW, 0};
constexpr SocketTriple kCanRaw{AF_CAN, SOCK_RAW, CAN_RAW};
constexpr SocketTriple kCanBcm{AF_CAN, SOCK_DGRAM, CAN_BCM};
constexpr SocketTriple kCanIsotp{AF_CAN, SOCK_DGRAM, CAN_ISOTP};
constexpr SocketTriple kCanJ1939{AF_CAN, SOCK_DGRAM, CAN_J1939};
constexpr SocketTriple kAlg{AF_ALG, SOCK_SEQPACKET, 0};
constexpr SocketTriple kTipc{AF_TIPC, SOCK_RDM, 0};
constexpr SocketTriple kVsock{AF_VSOCK, SOCK_STREAM, 0};

// RoundTrip encodes `address` for `triple` and decodes the result again.
Address RoundTrip(const SocketTriple& triple, const Address& address) {
  const Sockaddr encoded = EncodeAddress(triple, address, "bind");
  return DecodeAddress(encoded.get(), encoded.length, triple.proto);
}

std::string Repr(const Address& address) {
  std::ostringstream os;
  os << address;
  return os.str();
}

template <typename T>
const T& As(const Sockaddr& s) {
  return *reinterpret_cast<const T*>(&s.storage);
}

int LoopbackIndex() { return static_cast<int>(if_nametoindex("lo")); }

// Fd closes a descriptor when the test ends, so failed assertions leak nothing.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// BindAndGetName binds `fd` to `address` through the codec and decodes getsockname().
Address BindAndGetName(int fd, const SocketTriple& triple, const Address& address) {
  const Sockaddr encoded = EncodeAddress(triple, address, "bind");
  if (::bind(fd, encoded.get(), encoded.length) != 0) ThrowLastOSError();
  sockaddr_storage name{};
  socklen_t length = sizeof(name);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&name), &length) != 0) ThrowLastOSError();
  return DecodeAddress(reinterpret_cast<sockaddr*>(&name), length, triple.proto);
}

// ---------------------------------------------------------------------------
// AF_INET

TEST(InetAddressTest, EncodesDottedQuadAndPortInNetworkOrder) {
  const Sockaddr s = EncodeAddress(kInet, InetAddress{"127.0.0.1", 8080}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_in));
  const auto& sin = As<sockaddr_in>(s);
  EXPECT_EQ(sin.sin_family, AF_INET);
  EXPECT_EQ(sin.sin_port, htons(8080));
  EXPECT_EQ(sin.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(InetAddress{"127.0.0.1", 8080}));
}

TEST(InetAddressTest, PortBoundsRoundTrip) {
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"10.1.2.3", 0}), Address(InetAddress{"10.1.2.3", 0}));
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"10.1.2.3", 65535}),
            Address(InetAddress{"10.1.2.3", 65535}));
}

TEST(InetAddressTest, EmptyHostIsInaddrAny) {
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"", 80}), Address(InetAddress{"0.0.0.0", 80}));
}

TEST(InetAddressTest, BroadcastNamesAreInaddrBroadcast) {
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"<broadcast>", 9}),
            Address(InetAddress{"255.255.255.255", 9}));
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"255.255.255.255", 9}),
            Address(InetAddress{"255.255.255.255", 9}));
}

TEST(InetAddressTest, ShortNumericFormsGoThroughGetaddrinfo) {
  // inet_pton() rejects these; getaddrinfo() parses them as inet_aton() does.
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"127.1", 1}), Address(InetAddress{"127.0.0.1", 1}));
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"1.2", 1}), Address(InetAddress{"1.0.0.2", 1}));
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"0x7f.1", 1}), Address(InetAddress{"127.0.0.1", 1}));
}

TEST(InetAddressTest, HostNamesResolveFromHostsFile) {
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"localhost", 5}), Address(InetAddress{"127.0.0.1", 5}));
  EXPECT_EQ(RoundTrip(kInet, InetAddress{"LocalHost", 5}), Address(InetAddress{"127.0.0.1", 5}));
}

TEST(InetAddressTest, NonAsciiHostIsIdnaEncodedBeforeLookup) {
  // Full-width letters: the idna codec's normalisation turns them into "localhost".
  EXPECT_EQ(
      RoundTrip(kInet, InetAddress{"\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54", 5}),
      Address(InetAddress{"127.0.0.1", 5}));
}

TEST(InetAddressTest, DottedQuadsEncodeExactlyAsInetPtonParsesThem) {
  // EncodeAddress parses IPv4 literals itself (sendto() encodes per call); what
  // it accepts must be what inet_pton() accepts, with the same value, and
  // everything else must still reach getaddrinfo() (or fail as before).
  const char* hosts[] = {"0.0.0.0",  "1.2.3.4",   "255.255.255.254", "10.0.100.9",
                         "01.2.3.4", "1.2.3.04",  "256.1.1.1",       "1.2.3.256",
                         "1.2.3",    "1.2.3.4.",  ".1.2.3.4",        "1..2.3",
                         "1.2.3.4.5", " 1.2.3.4", "1.2.3.4 ",        "1.2.3.999",
                         "0.0.0.00", "127.0.0.1"};
  for (const char* host : hosts) {
    in_addr expected{};
    if (::inet_pton(AF_INET, host, &expected) == 1) {
      const Sockaddr s = EncodeAddress(kInet, InetAddress{host, 4242}, "sendto");
      EXPECT_EQ(s.length, sizeof(sockaddr_in)) << host;
      EXPECT_EQ(As<sockaddr_in>(s).sin_family, AF_INET) << host;
      EXPECT_EQ(As<sockaddr_in>(s).sin_port, htons(4242)) << host;
      EXPECT_EQ(As<sockaddr_in>(s).sin_addr.s_addr, expected.s_addr) << host;
    } else {
      // Not a literal: the general path decides (getaddrinfo's inet_aton forms,
      // or gaierror); whatever it does, it does with the port as given.
      try {
        const Sockaddr s = EncodeAddress(kInet, InetAddress{host, 4242}, "sendto");
        EXPECT_EQ(As<sockaddr_in>(s).sin_port, htons(4242)) << host;
      } catch (const OSError&) {
      }
    }
  }
  // Out-of-range ports still raise the general path's OverflowError.
  EXPECT_THAT(Outcome([] { EncodeAddress(kInet, InetAddress{"1.2.3.4", 65536}, "sendto"); }),
              Raises(ErrorKind::kOverflowError, "sendto(): port must be 0-65535."));
  EXPECT_THAT(Outcome([] { EncodeAddress(kInet, InetAddress{"1.2.3.4", -1}, "sendto"); }),
              Raises(ErrorKind::kOverflowError, "sendto(): port must be 0-65535."));
}

TEST(InetAddressTest, DecodedHostsAreInetNtopText) {
  for (std::uint32_t value : {0u, 1u, 9u, 10u, 99u, 100u, 255u, 0x7f000001u, 0x0a00640au,
                              0xc0a80001u, 0xffffffffu, 0x01020304u, 0x64646464u}) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(80);
    sin.sin_addr.s_addr = htonl(value);
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &sin.sin_addr, text, sizeof text);
    EXPECT_EQ(DecodeAddress(reinterpret_cast<const sockaddr*>(&sin), sizeof sin, 0),
              Address(InetAddress{text, 80}));
  }
}

TEST(InetAddressTest, RdsSocketsTakeInetAddresses) {
  const Sockaddr s =
      EncodeAddress({AF_RDS, SOCK_SEQPACKET, 0}, InetAddress{"127.0.0.1", 7}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_in));
  EXPECT_EQ(As<sockaddr_in>(s).sin_family, AF_INET);
  EXPECT_EQ(As<sockaddr_in>(s).sin_port, htons(7));
}

// ---------------------------------------------------------------------------
// AF_INET6

TEST(Inet6AddressTest, EncodesAllFourFields) {
  const Sockaddr s = EncodeAddress(kInet6, Inet6Address{"::1", 8080, 5, 7}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_in6));
  const auto& sin6 = As<sockaddr_in6>(s);
  EXPECT_EQ(sin6.sin6_family, AF_INET6);
  EXPECT_EQ(sin6.sin6_port, htons(8080));
  EXPECT_EQ(sin6.sin6_flowinfo, htonl(5));
  EXPECT_EQ(sin6.sin6_scope_id, 7u);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&sin6.sin6_addr));
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(Inet6Address{"::1", 8080, 5, 7}));
}

TEST(Inet6AddressTest, AcceptsThePairForm) {
  EXPECT_EQ(RoundTrip(kInet6, InetAddress{"::1", 80}), Address(Inet6Address{"::1", 80, 0, 0}));
}

TEST(Inet6AddressTest, EmptyHostIsTheWildcard) {
  EXPECT_EQ(RoundTrip(kInet6, InetAddress{"", 80}), Address(Inet6Address{"::", 80, 0, 0}));
}

TEST(Inet6AddressTest, MappedIpv4AddressIsNumeric) {
  EXPECT_EQ(RoundTrip(kInet6, Inet6Address{"::ffff:127.0.0.1", 1, 0, 0}),
            Address(Inet6Address{"::ffff:127.0.0.1", 1, 0, 0}));
}

TEST(Inet6AddressTest, LargestFlowinfoIsAccepted) {
  EXPECT_EQ(RoundTrip(kInet6, Inet6Address{"::1", 1, 0xfffff, 0}),
            Address(Inet6Address{"::1", 1, 0xfffff, 0}));
}

TEST(Inet6AddressTest, FlowinfoAndScopeIdWrapModulo2To32) {
  // Python's 'I' format unit masks instead of range-checking.
  EXPECT_EQ(RoundTrip(kInet6, Inet6Address{"::1", 1, 1LL << 32, -1}),
            Address(Inet6Address{"::1", 1, 0, 0xffffffffLL}));
  EXPECT_EQ(RoundTrip(kInet6, Inet6Address{"::1", 1, (1LL << 32) + 5, (1LL << 32) + 1}),
            Address(Inet6Address{"::1", 1, 5, 1}));
}

TEST(Inet6AddressTest, TupleScopeIdReplacesTheZoneSuffix) {
  // getaddrinfo() turns "%lo" into lo's index, then CPython stores the tuple's
  // scope_id over it (connect(('fe80::1%lo', 9)) fails with EINVAL in CPython).
  EXPECT_EQ(RoundTrip(kInet6, InetAddress{"fe80::1%lo", 9}),
            Address(Inet6Address{"fe80::1", 9, 0, 0}));
  EXPECT_EQ(RoundTrip(kInet6, Inet6Address{"fe80::1%lo", 9, 0, 3}),
            Address(Inet6Address{"fe80::1", 9, 0, 3}));
}

// ---------------------------------------------------------------------------
// AF_UNIX

constexpr socklen_t kSunPathOffset = offsetof(sockaddr_un, sun_path);

TEST(UnixAddressTest, PathLengthCountsTheTerminatingNul) {
  const Sockaddr s = EncodeAddress(kUnix, UnixAddress{"/tmp/sock"}, "bind");
  EXPECT_EQ(s.length, kSunPathOffset + 9 + 1);
  EXPECT_EQ(As<sockaddr_un>(s).sun_family, AF_UNIX);
  EXPECT_STREQ(As<sockaddr_un>(s).sun_path, "/tmp/sock");
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(UnixAddress{"/tmp/sock"}));
}

TEST(UnixAddressTest, AbstractNameUsesExactlyItsLength) {
  const Bytes name("\0name", 5);
  const Sockaddr s = EncodeAddress(kUnix, UnixAddress{name}, "bind");
  EXPECT_EQ(s.length, kSunPathOffset + 5);
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(UnixAddress{name}));
}

TEST(UnixAddressTest, AbstractNameKeepsEmbeddedNuls) {
  const Bytes name("\0a\0b", 4);
  EXPECT_EQ(RoundTrip(kUnix, UnixAddress{name}), Address(UnixAddress{name}));
}

TEST(UnixAddressTest, EmptyPathAsksForAutobind) {
  EXPECT_EQ(EncodeAddress(kUnix, UnixAddress{""}, "bind").length, kSunPathOffset);
}

TEST(UnixAddressTest, PathOf107BytesIsTheLongestAccepted) {
  const Bytes path(107, 'a');
  const Sockaddr s = EncodeAddress(kUnix, UnixAddress{path}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_un));
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(UnixAddress{path}));
}

TEST(UnixAddressTest, PathOf108BytesIsTooLong) {
  EXPECT_THAT(Outcome([] { EncodeAddress(kUnix, UnixAddress{Bytes(108, 'a')}, "bind"); }),
              Raises(ErrorKind::kOSError, "AF_UNIX path too long"));
}

TEST(UnixAddressTest, AbstractNameMayFillAllOf108Bytes) {
  Bytes name(108, 'b');
  name[0] = '\0';
  const Sockaddr s = EncodeAddress(kUnix, UnixAddress{name}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_un));
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(UnixAddress{name}));
}

TEST(UnixAddressTest, AbstractNameOf109BytesIsTooLong) {
  Bytes name(109, 'b');
  name[0] = '\0';
  const auto outcome = Outcome([&] { EncodeAddress(kUnix, UnixAddress{name}, "bind"); });
  EXPECT_THAT(outcome, Raises(ErrorKind::kOSError, "AF_UNIX path too long"));
  EXPECT_EQ(outcome.errno_value, std::nullopt);
}

TEST(UnixAddressTest, EmbeddedNulInPathIsPassedToTheKernel) {
  // CPython allows it on Linux (the kernel stops at the NUL): bind('nul\0x') binds 'nul'.
  const Bytes path("nul\0x", 5);
  const Sockaddr s = EncodeAddress(kUnix, UnixAddress{path}, "bind");
  EXPECT_EQ(s.length, kSunPathOffset + 5 + 1);
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(UnixAddress{"nul"}));
}

TEST(UnixAddressTest, FamilyOnlyDecodesAsEmptyPath) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  EXPECT_EQ(DecodeAddress(reinterpret_cast<sockaddr*>(&sun), kSunPathOffset, 0),
            Address(UnixAddress{""}));
}

TEST(DecodeAddressTest, ZeroLengthIsNoAddress) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  EXPECT_EQ(DecodeAddress(reinterpret_cast<sockaddr*>(&sin), 0, 0), Address(NoAddress{}));
}

// ---------------------------------------------------------------------------
// The other families

TEST(NetlinkAddressTest, RoundTrips) {
  const Sockaddr s = EncodeAddress(kNetlink, NetlinkAddress{1234, 0x5}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_nl));
  EXPECT_EQ(As<sockaddr_nl>(s).nl_pid, 1234u);
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(NetlinkAddress{1234, 0x5}));
  EXPECT_EQ(RoundTrip(kNetlink, NetlinkAddress{0xffffffff, 0xffffffff}),
            Address(NetlinkAddress{0xffffffff, 0xffffffff}));
}

TEST(PacketAddressTest, RoundTripsThroughTheInterfaceIndex) {
  const PacketAddress address{"lo", 0x86dd, PACKET_OUTGOING, 772, Bytes("\1\2\3", 3)};
  const Sockaddr s = EncodeAddress(kPacket, address, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_ll));
  const auto& ll = As<sockaddr_ll>(s);
  EXPECT_EQ(ll.sll_family, AF_PACKET);
  EXPECT_EQ(ll.sll_protocol, htons(0x86dd));
  EXPECT_EQ(ll.sll_ifindex, LoopbackIndex());
  EXPECT_EQ(ll.sll_halen, 3);
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(address));
}

TEST(PacketAddressTest, PkttypeAndHatypeAreNarrowedSilently) {
  EXPECT_EQ(RoundTrip(kPacket, PacketAddress{"lo", 1, 0x104, 0x10005, Bytes(8, 'x')}),
            Address(PacketAddress{"lo", 1, 4, 5, Bytes(8, 'x')}));
}

TEST(CanAddressTest, RawTakesOnlyTheInterface) {
  const Sockaddr s = EncodeAddress(kCanRaw, CanAddress{"", 1, 2}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_can));
  EXPECT_EQ(As<sockaddr_can>(s).can_family, AF_CAN);
  EXPECT_EQ(As<sockaddr_can>(s).can_ifindex, 0);  // '' is "every interface"
  EXPECT_EQ(As<sockaddr_can>(s).can_addr.tp.rx_id, 0u);
  EXPECT_EQ(DecodeAddress(s.get(), s.length, CAN_RAW), Address(CanAddress{""}));
}

TEST(CanAddressTest, InterfaceNameIsLookedUp) {
  // CPython does not check that the interface is a CAN device.
  EXPECT_EQ(As<sockaddr_can>(EncodeAddress(kCanBcm, CanAddress{"lo"}, "connect")).can_ifindex,
            LoopbackIndex());
  EXPECT_EQ(RoundTrip(kCanBcm, CanAddress{"lo"}), Address(CanAddress{"lo"}));
}

TEST(CanAddressTest, IsotpRoundTripsItsIds) {
  const Sockaddr s = EncodeAddress(kCanIsotp, CanAddress{"", 0x123, 0x456}, "bind");
  EXPECT_EQ(As<sockaddr_can>(s).can_addr.tp.rx_id, 0x123u);
  EXPECT_EQ(As<sockaddr_can>(s).can_addr.tp.tx_id, 0x456u);
  EXPECT_EQ(DecodeAddress(s.get(), s.length, CAN_ISOTP), Address(CanAddress{"", 0x123, 0x456}));
}

TEST(CanAddressTest, J1939RoundTripsAndNarrowsPgnAndAddr) {
  CanAddress address{"lo"};
  address.name = 0x1122334455667788ULL;
  address.pgn = (1ULL << 32) + 0x12345;
  address.addr = 0x1ff;
  const Sockaddr s = EncodeAddress(kCanJ1939, address, "bind");
  EXPECT_EQ(As<sockaddr_can>(s).can_addr.j1939.pgn, 0x12345u);
  EXPECT_EQ(As<sockaddr_can>(s).can_addr.j1939.addr, 0xff);
  CanAddress expected{"lo"};
  expected.name = 0x1122334455667788ULL;
  expected.pgn = 0x12345;
  expected.addr = 0xff;
  EXPECT_EQ(DecodeAddress(s.get(), s.length, CAN_J1939), Address(expected));
}

TEST(AlgAddressTest, RoundTrips) {
  const Sockaddr s = EncodeAddress(kAlg, AlgAddress{"hash", "sha256", 1, 2}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_alg));
  EXPECT_STREQ(reinterpret_cast<const char*>(As<sockaddr_alg>(s).salg_name), "sha256");
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(AlgAddress{"hash", "sha256", 1, 2}));
}

TEST(AlgAddressTest, LongestNamesFitWithTheirNul) {
  const AlgAddress address{std::string(13, 't'), std::string(63, 'n'), 0, 0};
  EXPECT_EQ(RoundTrip(kAlg, address), Address(address));
}

TEST(AlgAddressTest, FeatAndMaskKeepTheirLow16Bits) {
  EXPECT_EQ(RoundTrip(kAlg, AlgAddress{"hash", "sha1", 0x10001, 0xffffffff}),
            Address(AlgAddress{"hash", "sha1", 1, 0xffff}));
}

TEST(TipcAddressTest, NameSequenceRoundTrips) {
  const TipcAddress address{TIPC_ADDR_NAMESEQ, 100, 1, 9, TIPC_NODE_SCOPE};
  const Sockaddr s = EncodeAddress(kTipc, address, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_tipc));
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(address));
}

// Python's 4-tuple (addr_type, v1, v2, v3) means cluster scope; so does a
// TipcAddress that leaves scope alone.
TEST(TipcAddressTest, OmittedScopeIsClusterScopeAsInPython) {
  const Sockaddr s = EncodeAddress(kTipc, TipcAddress{TIPC_ADDR_NAMESEQ, 100, 1, 9}, "bind");
  EXPECT_EQ(reinterpret_cast<const sockaddr_tipc*>(s.get())->scope, TIPC_CLUSTER_SCOPE);
}

TEST(TipcAddressTest, NameDecodesItsInstanceTwice) {
  EXPECT_EQ(RoundTrip(kTipc, TipcAddress{TIPC_ADDR_NAME, 100, 7, 99, TIPC_CLUSTER_SCOPE}),
            Address(TipcAddress{TIPC_ADDR_NAME, 100, 7, 7, TIPC_CLUSTER_SCOPE}));
}

TEST(TipcAddressTest, IdDecodesWithZeroThirdValue) {
  EXPECT_EQ(RoundTrip(kTipc, TipcAddress{TIPC_ADDR_ID, 5, 6, 99, TIPC_CLUSTER_SCOPE}),
            Address(TipcAddress{TIPC_ADDR_ID, 5, 6, 0, TIPC_CLUSTER_SCOPE}));
}

TEST(TipcAddressTest, UnknownAddressTypeDoesNotDecode) {
  sockaddr_tipc tipc{};
  tipc.family = AF_TIPC;
  tipc.addrtype = 9;
  EXPECT_THAT(Outcome([&] { DecodeAddress(reinterpret_cast<sockaddr*>(&tipc), sizeof(tipc), 0); }),
              Raises(ErrorKind::kValueError, "Invalid address type"));
}

TEST(VsockAddressTest, RoundTrips) {
  const Sockaddr s = EncodeAddress(kVsock, VsockAddress{VMADDR_CID_HOST, 1024}, "connect");
  EXPECT_EQ(s.length, sizeof(sockaddr_vm));
  EXPECT_EQ(As<sockaddr_vm>(s).svm_cid, static_cast<unsigned>(VMADDR_CID_HOST));
  EXPECT_EQ(DecodeAddress(s.get(), s.length, 0), Address(VsockAddress{VMADDR_CID_HOST, 1024}));
}

TEST(QipcrtrAddressTest, TakesAnyPairOfIntegers) {
  // sockref has no AF_QIPCRTR type yet; CPython takes any (node, port) pair.
  const Sockaddr s = EncodeAddress({AF_QIPCRTR, SOCK_DGRAM, 0}, VsockAddress{3, 4}, "bind");
  EXPECT_EQ(s.length, sizeof(sockaddr_qrtr));
  EXPECT_EQ(As<sockaddr_qrtr>(s).sq_node, 3u);
  EXPECT_EQ(As<sockaddr_qrtr>(s).sq_port, 4u);
}

TEST(DecodeAddressTest, UnknownFamilyReportsRawSaData) {
  sockaddr sa{};
  sa.sa_family = 99;
  std::memcpy(sa.sa_data, "0123456789abcd", 14);
  EXPECT_EQ(DecodeAddress(&sa, sizeof(sa), 0), Address(UnknownAddress{99, "0123456789abcd"}));
}

TEST(DecodeAddressTest, ShortInetAddressReadsZerosPastTheLength) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(80);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Only family and port are "filled": the address reads as zero, as in CPython's
  // zeroed buffer.
  EXPECT_EQ(DecodeAddress(reinterpret_cast<sockaddr*>(&sin), 4, 0),
            Address(InetAddress{"0.0.0.0", 80}));
}

// ---------------------------------------------------------------------------
// Errors, one case per CPython message.

struct ErrorCase {
  std::string name;  // names the test: what is given to which socket
  SocketTriple triple;
  Address address;
  std::string caller;
  ErrorKind error;
  std::string message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

Bytes Repeat(std::size_t n, char c) { return Bytes(n, c); }

PacketAddress Packet(std::string ifname, std::int64_t proto, std::int64_t pkttype = 0,
                     std::int64_t hatype = 0, Bytes addr = "") {
  return PacketAddress{std::move(ifname), proto, pkttype, hatype, std::move(addr)};
}

std::string RepeatText(int n, std::string_view text) {
  std::string s;
  for (int i = 0; i < n; ++i) s += text;
  return s;
}

CanAddress J1939(std::string interface, std::uint64_t name) {
  CanAddress a{std::move(interface)};
  a.name = name;
  return a;
}

const ErrorCase kErrorCases[] = {
    // AF_INET
    {"InetPortAboveRange", kInet, InetAddress{"127.0.0.1", 70000}, "bind",
     ErrorKind::kOverflowError, "bind(): port must be 0-65535."},
    {"InetPortNegative", kInet, InetAddress{"127.0.0.1", -1}, "connect", ErrorKind::kOverflowError,
     "connect(): port must be 0-65535."},
    {"InetPortBeyondCIntBeforeLookup", kInet, InetAddress{"::1", 1LL << 40}, "sendto",
     ErrorKind::kOverflowError, "sendto(): port must be 0-65535."},
    // A port that fits a C int is checked only after the host resolved.
    {"InetPortAboveRangeAfterLookup", kInet, InetAddress{"::1", 70000}, "bind",
     ErrorKind::kGaiError, "[Errno -9] Address family for hostname not supported"},
    {"InetGivenIpv6Host", kInet, InetAddress{"::1", 0}, "bind", ErrorKind::kGaiError,
     "[Errno -9] Address family for hostname not supported"},
    {"InetHostWithNul", kInet, InetAddress{Bytes("127.0.0.1\0", 10), 0}, "bind",
     ErrorKind::kTypeError, "host name must not contain null character"},
    {"InetHostWithNulBeforePort", kInet, InetAddress{Bytes("a\0", 2), 1LL << 40}, "bind",
     ErrorKind::kTypeError, "host name must not contain null character"},
    {"InetHostIdnaLabelTooLong", kInet, InetAddress{RepeatText(70, "\u00fc"), 1}, "bind",
     ErrorKind::kTypeError, "encoding of hostname failed"},
    {"InetHostIdnaEmptyLabel", kInet, InetAddress{"\u00fc..de", 1}, "bind", ErrorKind::kTypeError,
     "encoding of hostname failed"},
    {"InetHostIdnaFailureBeforePort", kInet, InetAddress{"\u00fc..de", 1LL << 40}, "bind",
     ErrorKind::kTypeError, "encoding of hostname failed"},
    {"InetHostNonAsciiWithNul", kInet, InetAddress{Bytes("\xc3\xbc\0", 3), 1}, "bind",
     ErrorKind::kTypeError, "host name must not contain null character"},
    {"InetHostIdnaAcePrefix", kInet, InetAddress{"xn--\u00fc", 1}, "bind", ErrorKind::kTypeError,
     "encoding of hostname failed"},
    // Python encodes "-ü-" (b"xn-----xka"); libidn2 refuses it, and sockref hands it to
    // the resolver unchanged (idna.h), which fails as Python's lookup does. The 63-byte
    // labels make the name too long for DNS, so no query is sent.
    {"InetHostLabelLibidn2RefusesIsLookedUp", kInet,
     InetAddress{"-\u00fc-." + Repeat(63, 'a') + "." + Repeat(63, 'a') + "." + Repeat(63, 'a') +
                     "." + Repeat(63, 'a'),
                 1},
     "bind", ErrorKind::kGaiError, "[Errno -2] Name or service not known"},
    {"InetGivenNone", kInet, NoAddress{}, "connect", ErrorKind::kTypeError,
     "connect(): AF_INET address must be tuple, not NoneType"},
    {"InetGivenUnixPath", kInet, UnixAddress{"/tmp/x"}, "bind", ErrorKind::kTypeError,
     "bind(): AF_INET address must be tuple, not str"},
    {"InetGivenAbstractName", kInet, UnixAddress{Bytes("\0x", 2)}, "bind", ErrorKind::kTypeError,
     "bind(): AF_INET address must be tuple, not bytes"},
    {"InetGivenInet6Quad", kInet, Inet6Address{"::1", 0, 0, 0}, "bind", ErrorKind::kTypeError,
     "AF_INET address must be a pair (host, port)"},
    {"InetGivenCanInterface", kInet, CanAddress{"vcan0"}, "bind", ErrorKind::kTypeError,
     "AF_INET address must be a pair (host, port)"},
    {"InetGivenNetlinkPair", kInet, NetlinkAddress{0, 0}, "bind", ErrorKind::kTypeError,
     "str, bytes or bytearray expected, not int"},
    {"InetGivenUnknownPair", kInet, UnknownAddress{99, "x"}, "bind", ErrorKind::kTypeError,
     "str, bytes or bytearray expected, not int"},
    // AF_INET6
    {"Inet6FlowinfoAboveRange", kInet6, Inet6Address{"::1", 9, 0x100000, 0}, "connect",
     ErrorKind::kOverflowError, "connect(): flowinfo must be 0-1048575."},
    {"Inet6FlowinfoNegative", kInet6, Inet6Address{"::1", 9, -1, 0}, "connect",
     ErrorKind::kOverflowError, "connect(): flowinfo must be 0-1048575."},
    {"Inet6PortCheckedBeforeFlowinfo", kInet6, Inet6Address{"::1", 70000, 1 << 21, 0}, "connect",
     ErrorKind::kOverflowError, "connect(): port must be 0-65535."},
    {"Inet6PortBeyondCInt", kInet6, InetAddress{"::1", -(1LL << 40)}, "bind",
     ErrorKind::kOverflowError, "bind(): port must be 0-65535."},
    {"Inet6GivenIpv4Host", kInet6, InetAddress{"127.0.0.1", 9}, "connect", ErrorKind::kGaiError,
     "[Errno -9] Address family for hostname not supported"},
    {"Inet6GivenBroadcast", kInet6, InetAddress{"<broadcast>", 9}, "connect", ErrorKind::kOSError,
     "address family mismatched"},
    {"Inet6GivenAllOnesAddress", kInet6, InetAddress{"255.255.255.255", 9}, "connect",
     ErrorKind::kOSError, "address family mismatched"},
    {"Inet6HostWithNul", kInet6, InetAddress{Bytes("::1\0", 4), 9}, "connect",
     ErrorKind::kTypeError, "host name must not contain null character"},
    {"Inet6GivenUnixPath", kInet6, UnixAddress{"::1"}, "connect", ErrorKind::kTypeError,
     "connect(): AF_INET6 address must be tuple, not str"},
    {"Inet6GivenPacketQuintuple", kInet6, Packet("lo", 0), "bind", ErrorKind::kTypeError,
     "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"},
    {"Inet6GivenCanInterface", kInet6, CanAddress{"lo"}, "bind", ErrorKind::kTypeError,
     "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"},
    {"Inet6GivenAlgNames", kInet6, AlgAddress{"hash", "sha256"}, "bind", ErrorKind::kTypeError,
     "'str' object cannot be interpreted as an integer"},
    {"Inet6GivenVsockPair", kInet6, VsockAddress{1, 2}, "bind", ErrorKind::kTypeError,
     "str, bytes or bytearray expected, not int"},
    // AF_UNIX
    {"UnixPathTooLong", kUnix, UnixAddress{Repeat(200, 'p')}, "connect", ErrorKind::kOSError,
     "AF_UNIX path too long"},
    {"UnixGivenInetPair", kUnix, InetAddress{"127.0.0.1", 0}, "bind", ErrorKind::kTypeError,
     "a bytes-like object is required, not 'tuple'"},
    {"UnixGivenNone", kUnix, NoAddress{}, "bind", ErrorKind::kTypeError,
     "a bytes-like object is required, not 'NoneType'"},
    // AF_NETLINK
    {"NetlinkGivenInetPair", kNetlink, InetAddress{"127.0.0.1", 0}, "bind", ErrorKind::kTypeError,
     "'str' object cannot be interpreted as an integer"},
    {"NetlinkGivenInet6Quad", kNetlink, Inet6Address{"::1"}, "bind", ErrorKind::kTypeError,
     "AF_NETLINK address must be a pair (pid, groups)"},
    {"NetlinkGivenUnixPath", kNetlink, UnixAddress{"/x"}, "bind", ErrorKind::kTypeError,
     "bind(): AF_NETLINK address must be tuple, not str"},
    {"NetlinkGivenUnknownPair", kNetlink, UnknownAddress{99, ""}, "bind", ErrorKind::kTypeError,
     "'bytes' object cannot be interpreted as an integer"},
    // AF_PACKET
    {"PacketUnknownInterface", kPacket, Packet("nosuchif0", 0), "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"PacketEmptyInterface", kPacket, Packet("", 0), "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"PacketLongInterfaceIsTruncated", kPacket, Packet("lo" + Repeat(20, 'x'), 0), "bind",
     ErrorKind::kOSError, "[Errno 19] No such device"},
    {"PacketInterfaceWithNul", kPacket, Packet(Bytes("l\0o", 3), 0), "bind", ErrorKind::kValueError,
     "embedded null character"},
    {"PacketHardwareAddressTooLong", kPacket, PacketAddress{"lo", 0, 0, 0, Repeat(9, 'a')}, "bind",
     ErrorKind::kValueError, "Hardware address must be 8 bytes or less"},
    {"PacketInterfaceCheckedBeforeHardwareAddress", kPacket,
     PacketAddress{"nosuchif0", 0, 0, 0, Repeat(9, 'a')}, "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"PacketProtoAboveRange", kPacket, Packet("lo", 0x10000), "bind", ErrorKind::kOverflowError,
     "bind(): proto must be 0-65535."},
    {"PacketProtoNegative", kPacket, Packet("lo", -1), "bind", ErrorKind::kOverflowError,
     "bind(): proto must be 0-65535."},
    {"PacketHardwareAddressCheckedBeforeProto", kPacket,
     PacketAddress{"lo", 0x10000, 0, 0, Repeat(9, 'a')}, "bind", ErrorKind::kValueError,
     "Hardware address must be 8 bytes or less"},
    {"PacketProtoBeyondCInt", kPacket, Packet("lo", 1LL << 31), "bind", ErrorKind::kOverflowError,
     "bind(): address argument out of range"},
    {"PacketPkttypeBeyondCInt", kPacket, Packet("lo", 0, 1LL << 31), "sendto",
     ErrorKind::kOverflowError, "sendto(): address argument out of range"},
    {"PacketGivenInetPair", kPacket, InetAddress{"127.0.0.1", 0}, "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"PacketGivenNetlinkPair", kPacket, NetlinkAddress{}, "bind", ErrorKind::kTypeError,
     "AF_PACKET address must be a tuple of two to five elements"},
    {"PacketGivenCanInterface", kPacket, CanAddress{"lo"}, "bind", ErrorKind::kTypeError,
     "AF_PACKET address must be a tuple of two to five elements"},
    {"PacketGivenAlgNames", kPacket, AlgAddress{"hash", "sha256"}, "bind", ErrorKind::kTypeError,
     "'str' object cannot be interpreted as an integer"},
    {"PacketGivenUnixPath", kPacket, UnixAddress{"lo"}, "bind", ErrorKind::kTypeError,
     "bind(): AF_PACKET address must be tuple, not str"},
    // AF_CAN
    {"CanUnknownInterface", kCanRaw, CanAddress{Repeat(15, 'x')}, "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"CanInterfaceNameTooLong", kCanRaw, CanAddress{Repeat(16, 'x')}, "bind", ErrorKind::kOSError,
     "AF_CAN interface name too long"},
    {"CanInterfaceWithNul", kCanBcm, CanAddress{Bytes("l\0o", 3)}, "bind", ErrorKind::kValueError,
     "embedded null byte"},
    {"CanIsotpInterfaceNameTooLong", kCanIsotp, CanAddress{Repeat(16, 'x'), 1, 2}, "bind",
     ErrorKind::kOSError, "AF_CAN interface name too long"},
    {"CanJ1939UnknownInterface", kCanJ1939, J1939("nosuchif0", 1), "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"CanUnsupportedProtocol",
     {AF_CAN, SOCK_RAW, 99},
     CanAddress{""},
     "connect",
     ErrorKind::kOSError,
     "connect(): unsupported CAN protocol"},
    {"CanRawGivenNetlinkPair", kCanRaw, NetlinkAddress{}, "bind", ErrorKind::kTypeError,
     "AF_CAN address must be a tuple (interface, )"},
    {"CanRawGivenUnixPath", kCanRaw, UnixAddress{"vcan0"}, "bind", ErrorKind::kTypeError,
     "bind(): AF_CAN address must be tuple, not str"},
    {"CanIsotpGivenInetPair", kCanIsotp, InetAddress{"vcan0", 1}, "bind", ErrorKind::kTypeError,
     "function takes exactly 3 arguments (2 given)"},
    {"CanIsotpGivenAlgNames", kCanIsotp, AlgAddress{"a", "b"}, "bind", ErrorKind::kTypeError,
     "function takes exactly 3 arguments (4 given)"},
    {"CanJ1939GivenAlgNames", kCanJ1939, AlgAddress{"a", "b"}, "bind", ErrorKind::kTypeError,
     "argument 2 must be int, not str"},
    {"CanJ1939GivenInet6Quad", kCanJ1939, Inet6Address{"::1"}, "bind", ErrorKind::kOSError,
     "[Errno 19] No such device"},
    {"CanJ1939GivenNetlinkPair", kCanJ1939, NetlinkAddress{}, "bind", ErrorKind::kTypeError,
     "function takes exactly 4 arguments (2 given)"},
    // AF_ALG
    {"AlgTypeTooLong", kAlg, AlgAddress{Repeat(14, 't'), "sha1"}, "bind", ErrorKind::kValueError,
     "AF_ALG type too long."},
    {"AlgNameTooLong", kAlg, AlgAddress{"hash", Repeat(64, 'n')}, "bind", ErrorKind::kValueError,
     "AF_ALG name too long."},
    {"AlgTypeWithNul", kAlg, AlgAddress{Bytes("ha\0sh", 5), "sha1"}, "bind", ErrorKind::kValueError,
     "embedded null character"},
    {"AlgNameWithNul", kAlg, AlgAddress{"hash", Bytes("sha1\0", 5)}, "bind", ErrorKind::kValueError,
     "embedded null character"},
    {"AlgGivenInetPair", kAlg, InetAddress{"hash", 1}, "bind", ErrorKind::kTypeError,
     "AF_ALG address must be a tuple (type, name[, feat[, mask]])"},
    {"AlgGivenAbstractName", kAlg, UnixAddress{Bytes("\0x", 2)}, "bind", ErrorKind::kTypeError,
     "bind(): AF_ALG address must be tuple, not bytes"},
    // AF_TIPC
    {"TipcInvalidAddressType", kTipc, TipcAddress{7, 1, 2, 3}, "bind", ErrorKind::kTypeError,
     "Invalid address type"},
    {"TipcGivenInetPair", kTipc, InetAddress{"127.0.0.1", 0}, "bind", ErrorKind::kTypeError,
     "AF_TIPC address must be a tuple (addr_type, v1, v2, v3[, scope])"},
    {"TipcGivenInet6Quad", kTipc, Inet6Address{"::1"}, "bind", ErrorKind::kTypeError,
     "'str' object cannot be interpreted as an integer"},
    {"TipcGivenNone", kTipc, NoAddress{}, "bind", ErrorKind::kTypeError,
     "bind(): AF_TIPC address must be tuple, not NoneType"},
    // AF_VSOCK (its messages name the C function, not the caller)
    {"VsockGivenUnixPath", kVsock, UnixAddress{"/x"}, "connect", ErrorKind::kTypeError,
     "getsockaddrarg: AF_VSOCK address must be tuple, not str"},
    {"VsockGivenInet6Quad", kVsock, Inet6Address{"::1"}, "connect", ErrorKind::kTypeError,
     "getsockaddrarg() takes exactly 2 arguments (4 given)"},
    {"VsockGivenInetPair", kVsock, InetAddress{"::1", 1}, "connect", ErrorKind::kTypeError,
     "'str' object cannot be interpreted as an integer"},
    // Families CPython cannot encode for
    {"UnsupportedFamily",
     {99, SOCK_DGRAM, 0},
     InetAddress{"127.0.0.1", 0},
     "connect",
     ErrorKind::kOSError,
     "connect(): bad family"},
};

class EncodeErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(EncodeErrorTest, RaisesWhatCPythonRaises) {
  const ErrorCase& c = GetParam();
  EXPECT_THAT(Outcome([&] { EncodeAddress(c.triple, c.address, c.caller); }),
              Raises(c.error, c.message));
}

INSTANTIATE_TEST_SUITE_P(Address, EncodeErrorTest, ::testing::ValuesIn(kErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

TEST(EncodeAddressTest, ErrorsWithoutErrnoHaveNone) {
  const auto outcome = Outcome([] {
    EncodeAddress(kInet6, InetAddress{"<broadcast>", 1}, "connect");
  });
  ASSERT_THAT(outcome, Raises(ErrorKind::kOSError, "address family mismatched"));
  EXPECT_EQ(outcome.errno_value, std::nullopt);
}

TEST(EncodeAddressTest, GaiErrorCarriesTheEaiCode) {
  const auto outcome = Outcome([] { EncodeAddress(kInet, InetAddress{"::1", 1}, "bind"); });
  ASSERT_THAT(outcome, Raises(ErrorKind::kGaiError));
  EXPECT_EQ(outcome.errno_value, EAI_ADDRFAMILY);
}

TEST(EncodeAddressTest, CanIsotpGivenNoneRaisesTheTupleTypeError) {
  // CPython raises SystemError ("new style getargs format but argument is not a
  // tuple"), which sockref does not mirror; this is its CAN_RAW TypeError instead.
  EXPECT_THAT(Outcome([] { EncodeAddress(kCanIsotp, NoAddress{}, "bind"); }),
              Raises(ErrorKind::kTypeError, "bind(): AF_CAN address must be tuple, not NoneType"));
}

TEST(EncodeAddressTest, InterfaceLookupsLeaveNoDescriptorOpen) {
  const int before = CountOpenFds();
  EncodeAddress(kPacket, Packet("lo", 0), "bind");
  EXPECT_THAT(Outcome([] { EncodeAddress(kPacket, Packet("nosuchif0", 0), "bind"); }),
              Raises(ErrorKind::kOSError, "[Errno 19] No such device"));
  EXPECT_THAT(Outcome([] { EncodeAddress(kCanRaw, CanAddress{"nosuchif0"}, "bind"); }),
              Raises(ErrorKind::kOSError, "[Errno 19] No such device"));
  const Sockaddr s = EncodeAddress(kCanRaw, CanAddress{"lo"}, "bind");
  DecodeAddress(s.get(), s.length, CAN_RAW);
  EXPECT_EQ(CountOpenFds(), before);
}

// ---------------------------------------------------------------------------
// Real kernel round trips on loopback.

TEST(KernelRoundTripTest, InetBindToPortZeroGetsAnEphemeralPort) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(fd.get(), 0);
  const Address name = BindAndGetName(fd.get(), kInet, InetAddress{"127.0.0.1", 0});
  ASSERT_TRUE(std::holds_alternative<InetAddress>(name)) << name;
  EXPECT_EQ(std::get<InetAddress>(name).host, "127.0.0.1");
  EXPECT_GT(std::get<InetAddress>(name).port, 0);
  EXPECT_LE(std::get<InetAddress>(name).port, 65535);
}

TEST(KernelRoundTripTest, Inet6BindToPortZeroGetsAnEphemeralPort) {
  Fd fd(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(fd.get(), 0);
  const Address name = BindAndGetName(fd.get(), kInet6, InetAddress{"::1", 0});
  ASSERT_TRUE(std::holds_alternative<Inet6Address>(name)) << name;
  const auto& a = std::get<Inet6Address>(name);
  EXPECT_EQ(a.host, "::1");
  EXPECT_GT(a.port, 0);
  EXPECT_EQ(a.flowinfo, 0);
  EXPECT_EQ(a.scope_id, 0);
}

TEST(KernelRoundTripTest, UnixAbstractNameComesBackAsGiven) {
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(fd.get(), 0);
  const UnixAddress address{Bytes("\0sockref-address-test-", 22) + std::to_string(::getpid())};
  EXPECT_EQ(BindAndGetName(fd.get(), kUnix, address), Address(address));
}

TEST(KernelRoundTripTest, UnixAbstractNameOfFullLengthComesBackAsGiven) {
  Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(fd.get(), 0);
  Bytes name = Bytes("\0sockref-full-", 14) + std::to_string(::getpid());
  name.resize(108, 'z');
  EXPECT_EQ(BindAndGetName(fd.get(), kUnix, UnixAddress{name}), Address(UnixAddress{name}));
}

TEST(KernelRoundTripTest, UnixPathComesBackAsGiven) {
  char dir[] = "/tmp/sockref_address_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/s";
  {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_GE(fd.get(), 0);
    EXPECT_EQ(BindAndGetName(fd.get(), kUnix, UnixAddress{path}), Address(UnixAddress{path}));
  }
  ::unlink(path.c_str());
  ::rmdir(dir);
}

TEST(KernelRoundTripTest, UnixEmptyNameAutobindsAnAbstractName) {
  Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(fd.get(), 0);
  const Address name = BindAndGetName(fd.get(), kUnix, UnixAddress{""});
  ASSERT_TRUE(std::holds_alternative<UnixAddress>(name)) << name;
  EXPECT_TRUE(std::get<UnixAddress>(name).is_abstract()) << name;
  EXPECT_GT(std::get<UnixAddress>(name).path.size(), 1u);
}

TEST(KernelRoundTripTest, UnnamedUnixSocketHasEmptyPath) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  Fd a(fds[0]);
  Fd b(fds[1]);
  sockaddr_storage name{};
  socklen_t length = sizeof(name);
  ASSERT_EQ(::getsockname(a.get(), reinterpret_cast<sockaddr*>(&name), &length), 0);
  EXPECT_EQ(DecodeAddress(reinterpret_cast<sockaddr*>(&name), length, 0), Address(UnixAddress{""}));
}

TEST(KernelRoundTripTest, NetlinkBindGetsAPortId) {
  Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (fd.get() < 0) GTEST_SKIP() << "no AF_NETLINK: " << std::strerror(errno);
  const Address name = BindAndGetName(fd.get(), kNetlink, NetlinkAddress{0, 0});
  ASSERT_TRUE(std::holds_alternative<NetlinkAddress>(name)) << name;
  EXPECT_NE(std::get<NetlinkAddress>(name).pid, 0u);
  EXPECT_EQ(std::get<NetlinkAddress>(name).groups, 0u);
}

TEST(KernelRoundTripTest, PacketBindToLoopbackReportsInterfaceAndProtocol) {
  Fd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x86dd)));
  if (fd.get() < 0) GTEST_SKIP() << "no AF_PACKET (needs CAP_NET_RAW): " << std::strerror(errno);
  const Address name = BindAndGetName(fd.get(), kPacket, Packet("lo", 0x86dd));
  ASSERT_TRUE(std::holds_alternative<PacketAddress>(name)) << name;
  EXPECT_EQ(std::get<PacketAddress>(name).ifname, "lo");
  EXPECT_EQ(std::get<PacketAddress>(name).proto, 0x86dd);
}

// ---------------------------------------------------------------------------
// operator<< prints Python's repr().

TEST(AddressReprTest, PrintsTuplesStrAndBytesAsPythonDoes) {
  EXPECT_EQ(Repr(NoAddress{}), "None");
  EXPECT_EQ(Repr(InetAddress{"127.0.0.1", 8080}), "('127.0.0.1', 8080)");
  EXPECT_EQ(Repr(Inet6Address{"::1", 0, 0, 0}), "('::1', 0, 0, 0)");
  EXPECT_EQ(Repr(UnixAddress{"/tmp/sock"}), "'/tmp/sock'");
  EXPECT_EQ(Repr(UnixAddress{Bytes("\0name", 5)}), "b'\\x00name'");
  EXPECT_EQ(Repr(UnixAddress{""}), "''");
  EXPECT_EQ(Repr(NetlinkAddress{11844, 0}), "(11844, 0)");
  EXPECT_EQ(Repr(PacketAddress{"lo", 34525, 0, 772, "\x01\x02"}),
            "('lo', 34525, 0, 772, b'\\x01\\x02')");
  EXPECT_EQ(Repr(AlgAddress{"hash", "sha256"}), "('hash', 'sha256', 0, 0)");
  EXPECT_EQ(Repr(TipcAddress{2, 1, 2, 2, 2}), "(2, 1, 2, 2, 2)");
  EXPECT_EQ(Repr(VsockAddress{0xffffffff, 0xffffffff}), "(4294967295, 4294967295)");
  EXPECT_EQ(Repr(UnknownAddress{99, Bytes(2, '\0')}), "(99, b'\\x00\\x00')");
}

TEST(AddressReprTest, CanAddressPrintsItsShortestForm) {
  EXPECT_EQ(Repr(CanAddress{"vcan0"}), "('vcan0',)");
  EXPECT_EQ(Repr(CanAddress{"vcan0", 1, 2}), "('vcan0', 1, 2)");
  EXPECT_EQ(Repr(J1939("vcan0", 18446744073709551615ULL)), "('vcan0', 18446744073709551615, 0, 0)");
}

TEST(AddressReprTest, EscapesLikePythonRepr) {
  EXPECT_EQ(Repr(UnixAddress{"it's"}), "\"it's\"");
  EXPECT_EQ(Repr(UnixAddress{"a\\b\x01\x7f\t\u00fc\u00a0"}), "'a\\\\b\\x01\\x7f\\t\u00fc\\xa0'");
  EXPECT_EQ(Repr(UnixAddress{Bytes("\0'\"\\\t\xff", 6)}), "b'\\x00\\'\"\\\\\\t\\xff'");
  // A path that is not UTF-8 is shown as os.fsdecode() shows it.
  EXPECT_EQ(Repr(UnixAddress{"\xff"}), "'\\udcff'");
  EXPECT_EQ(Repr(InetAddress{"-", -5}), "('-', -5)");
}

TEST(AddressReprTest, DecodedAddressesPrintLikeCPython) {
  const Sockaddr s = EncodeAddress(kInet6, Inet6Address{"::1", 80, 1, 2}, "bind");
  EXPECT_EQ(Repr(DecodeAddress(s.get(), s.length, 0)), "('::1', 80, 1, 2)");
}

}  // namespace
}  // namespace sockref
