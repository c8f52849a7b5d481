// address_codec_fuzzer: the socket-address codec (impl/address.h) in both directions.
//
// Decode: arbitrary bytes of arbitrary length and family go through DecodeAddress,
// from a heap buffer of exactly that length (so AddressSanitizer sees any read past
// the kernel's length); the result is printed (Python's repr) and, for every family
// whose Python form carries the whole sockaddr, encoded again for a socket of that
// family and compared field by field with the bytes it came from.
//
// Encode: Addresses of every alternative, with fuzz-chosen strings and integers
// (extremes included), go through EncodeAddress for sockets of every family, type
// and CAN protocol. Only sockref's Python-mirroring exceptions may escape; anything
// else (std::out_of_range, std::length_error, a crash) is a finding. Successful
// encodings are decoded again and checked against the input where the mapping is
// one to one.
//
// No DNS: EncodeAddress resolves a host name with getaddrinfo(), so host names (and
// the strings that land in the host position of an AF_INET/AF_INET6 tuple) are kept
// to forms that never leave the machine: numeric addresses, '', '<broadcast>', and
// names the codec rejects before any lookup. Anything else is replaced by a numeric
// address made from the same bytes.
#include <arpa/inet.h>
#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz/fuzz_support.h"
#include "impl/address.h"
#include "impl/error.h"
#include "impl/idna.h"

namespace {

using sockref::Address;
using sockref::Bytes;
using sockref::SocketTriple;
using sockref::fuzz::FuzzInput;
using sockref::fuzz::Printable;

std::string Repr(const Address& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

// ----- Inputs ---------------------------------------------------------------------------------

int PickFamily(FuzzInput& in) {
  const std::uint8_t choice = in.Byte();
  if (choice >= 0xf0) return in.Integral<std::uint16_t>();  // any sa_family_t at all
  static constexpr int kFamilies[] = {AF_UNSPEC, AF_UNIX,  AF_INET,    AF_INET6,
                                      AF_NETLINK, AF_PACKET, AF_TIPC,   AF_CAN,
                                      AF_ALG,     AF_VSOCK,  AF_QIPCRTR, AF_RDS,
                                      AF_BLUETOOTH};
  return kFamilies[choice % std::size(kFamilies)];
}

int PickProto(FuzzInput& in) {
  const std::uint8_t choice = in.Byte();
  if (choice >= 0xf0) return in.Integral<int>();
  return in.PickOne<int>({0, CAN_RAW, CAN_BCM, CAN_ISOTP, CAN_J1939, IPPROTO_TCP, IPPROTO_UDP});
}

// Int64 returns boundary values most of the time and arbitrary ones otherwise.
std::int64_t PickInt64(FuzzInput& in) {
  switch (in.Byte() % 12) {
    case 0:
      return 0;
    case 1:
      return in.Byte();
    case 2:
      return in.Integral<std::uint16_t>();
    case 3:
      return 65535;
    case 4:
      return 65536;
    case 5:
      return -1;
    case 6:
      return std::numeric_limits<std::int64_t>::min();
    case 7:
      return std::numeric_limits<std::int64_t>::max();
    case 8:
      return in.PickOne<std::int64_t>({0xfffff, 0x100000, 0xffffffff, 0x100000000,
                                       std::numeric_limits<int>::max(),
                                       std::numeric_limits<int>::min(),
                                       std::int64_t{std::numeric_limits<int>::max()} + 1});
    case 9:
      return in.Integral<std::uint32_t>();
    default:
      return in.Integral<std::int64_t>();
  }
}

std::uint64_t PickUint64(FuzzInput& in) {
  return in.Bool() ? static_cast<std::uint64_t>(PickInt64(in)) : in.Integral<std::uint32_t>();
}

// PickName returns a string for a name field: raw fuzz bytes, or a well-known name.
std::string PickName(FuzzInput& in, std::size_t max_length) {
  switch (in.Byte() % 8) {
    case 0:
      return "";
    case 1:
      return "lo";
    case 2:
      return in.PickOne<const char*>({"hash", "skcipher", "aead", "rng"});
    case 3:
      return in.PickOne<const char*>({"sha256", "cbc(aes)", "vcan0", "eth0"});
    default:
      return in.LengthPrefixedBytes(max_length);
  }
}

// PickHost returns a host string in one of the shapes the codec distinguishes.
std::string PickHost(FuzzInput& in) {
  switch (in.Byte() % 10) {
    case 0:
      return "";
    case 1:
      return "<broadcast>";
    case 2: {
      const Bytes b = in.Bytes(4) + std::string(4, '\0');
      char text[INET_ADDRSTRLEN];
      ::inet_ntop(AF_INET, b.data(), text, sizeof text);
      return text;
    }
    case 3:
    case 4: {
      alignas(in6_addr) unsigned char b[16] = {};
      const Bytes raw = in.Bytes(16);
      std::memcpy(b, raw.data(), raw.size());
      char text[INET6_ADDRSTRLEN];
      ::inet_ntop(AF_INET6, b, text, sizeof text);
      std::string host = text;
      if (in.Byte() % 3 == 0) host += "%" + PickName(in, 20);  // a zone id
      return host;
    }
    default:
      return in.LengthPrefixedBytes(80);
  }
}

bool IsValidUtf8(std::string_view s) {
  // Enough for the DNS guard: a string is "safe" only if it definitely never reaches the
  // resolver, so a loose answer here errs towards replacing the host.
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// NeverResolved says whether EncodeAddress can only handle `host`, in the host
// position of a tuple for a socket of family `af` (AF_INET or AF_INET6), without
// asking DNS: getaddrinfo() is never called, or only on text glibc parses as a
// number (dotted IPv4 in any inet_aton notation; IPv6 with a "%zone" on AF_INET6).
bool NeverResolved(const std::string& host, int af) {
  if (host.empty() || host.find('\0') != std::string::npos) return true;  // wildcard / TypeError
  if (!IsAscii(host)) {
    if (!IsValidUtf8(host)) return false;  // a bytes host goes to the resolver as is
    try {
      sockref::EncodeIdna(host);
      return false;  // encodable: it would be looked up
    } catch (const sockref::IdnaError&) {
      return true;  // TypeError("encoding of hostname failed") before any lookup
    }
  }
  if (host == "<broadcast>") return true;
  unsigned char packed[16];
  if (::inet_pton(AF_INET, host.c_str(), packed) == 1) return true;
  if (af == AF_INET6) {
    if (::inet_pton(AF_INET6, host.c_str(), packed) == 1) return true;
    const std::string before_zone = host.substr(0, host.find('%'));
    if (host.find('%') != std::string::npos &&
        ::inet_pton(AF_INET6, before_zone.c_str(), packed) == 1) {
      return true;  // glibc parses the zone itself, EAI_NONAME if unknown
    }
  }
  // glibc's getaddrinfo() reads an exact inet_aton() notation ("1.2", "0x7f.1") as a
  // number (an AF_INET6 socket then gets EAI_ADDRFAMILY); trailing text would not be.
  in_addr a;
  return host.find_first_of(" \t\n\v\f\r") == std::string::npos &&
         ::inet_aton(host.c_str(), &a) != 0;
}

std::string NumericHostFrom(const std::string& bytes, int af) {
  alignas(in6_addr) unsigned char b[16] = {};
  std::memcpy(b, bytes.data(), std::min<std::size_t>(bytes.size(), 16));
  char text[INET6_ADDRSTRLEN];
  ::inet_ntop(af == AF_INET6 && !bytes.empty() && (bytes[0] & 1) ? AF_INET6 : AF_INET, b, text,
              sizeof text);
  return text;
}

void KeepOffDns(std::string& host, int kind_family) {
  const int af = kind_family == AF_INET6 ? AF_INET6 : AF_INET;
  if (!NeverResolved(host, af)) host = NumericHostFrom(host, af);
}

Address PickAddress(FuzzInput& in) {
  switch (in.Byte() % 11) {
    case 0:
      return sockref::NoAddress{};
    case 1:
      return sockref::InetAddress{PickHost(in), PickInt64(in)};
    case 2:
      return sockref::Inet6Address{PickHost(in), PickInt64(in), PickInt64(in), PickInt64(in)};
    case 3: {
      Bytes path = in.LengthPrefixedBytes(120);
      if (in.Byte() % 3 == 0) path.insert(path.begin(), '\0');  // abstract
      return sockref::UnixAddress{path};
    }
    case 4:
      return sockref::NetlinkAddress{in.Integral<std::uint32_t>(), in.Integral<std::uint32_t>()};
    case 5:
      return sockref::PacketAddress{PickName(in, 24), PickInt64(in), PickInt64(in), PickInt64(in),
                                    in.LengthPrefixedBytes(12)};
    case 6:
      return sockref::CanAddress{PickName(in, 24), PickUint64(in), PickUint64(in),
                                 PickUint64(in),   PickUint64(in), PickUint64(in)};
    case 7:
      return sockref::AlgAddress{PickName(in, 80), PickName(in, 80), in.Integral<std::uint32_t>(),
                                 in.Integral<std::uint32_t>()};
    case 8:
      return sockref::TipcAddress{in.PickOne<int>({TIPC_ADDR_NAMESEQ, TIPC_ADDR_NAME, TIPC_ADDR_ID, 0,
                                              static_cast<int>(in.Integral<std::int32_t>())}),
                                  in.Integral<std::uint32_t>(), in.Integral<std::uint32_t>(),
                                  in.Integral<std::uint32_t>(),
                                  in.PickOne<int>({0, TIPC_ZONE_SCOPE, TIPC_CLUSTER_SCOPE,
                                              TIPC_NODE_SCOPE, -1, 1000})};
    case 9:
      return sockref::VsockAddress{in.Integral<std::uint32_t>(), in.Integral<std::uint32_t>()};
    default:
      return sockref::UnknownAddress{PickFamily(in), in.LengthPrefixedBytes(20)};
  }
}

// ----- Encoding with only Python's exceptions ------------------------------------------------

struct Encoded {
  bool ok = false;
  sockref::Sockaddr sockaddr;
  std::string python_class;
  std::string message;
};

Encoded Encode(const SocketTriple& kind, const Address& address, std::string_view caller) {
  Encoded e;
  try {
    e.sockaddr = sockref::EncodeAddress(kind, address, caller);
    e.ok = true;
  } catch (const sockref::PythonException& ex) {
    e.python_class = std::string(ex.python_name());
    e.message = std::string(ex.message());
    FUZZ_CHECK(!e.message.empty(), "EncodeAddress raised " + e.python_class + " without a message");
  }
  // Any other exception escapes and is reported by libFuzzer as a crash.
  if (e.ok) {
    FUZZ_CHECK(e.sockaddr.length > 0 && e.sockaddr.length <= sizeof(sockaddr_storage),
               "EncodeAddress returned length " + std::to_string(e.sockaddr.length) + " for " +
                   Repr(address));
  }
  return e;
}

std::string Describe(const Encoded& e) {
  return e.ok ? "success" : e.python_class + "(" + Printable(e.message) + ")";
}

// Decode decodes as recvfrom()/getsockname() would, from a buffer of exactly `length`
// bytes. Only Python's exceptions may escape.
std::optional<Address> Decode(const void* raw, socklen_t length, int proto) {
  std::unique_ptr<unsigned char[]> exact(length ? new unsigned char[length] : nullptr);
  if (length) std::memcpy(exact.get(), raw, length);
  try {
    Address a = sockref::DecodeAddress(reinterpret_cast<const sockaddr*>(exact.get()), length, proto);
    Repr(a);  // printing must work for whatever comes back
    return a;
  } catch (const sockref::PythonException&) {
    return std::nullopt;
  }
}

template <typename T>
const T& Field(const sockref::Sockaddr& s) {
  return *reinterpret_cast<const T*>(&s.storage);
}

// ----- Decode, then encode again -----------------------------------------------------------------

// RoundTrip is one decoded address and its re-encoding, for the per-family checks below.
struct RoundTrip {
  const sockaddr_storage& padded;  // the raw address, zero-padded as CPython's buffer is
  socklen_t length;                // how many bytes of it the "kernel" filled
  const Address& decoded;
  const Encoded& again;            // EncodeAddress(decoded) for bind()
  const std::string& what;         // the decoding, for the failure messages
};

// An AF_INET address keeps its host and port.
void CheckInetRoundTrip(const RoundTrip& r) {
  const auto& want = reinterpret_cast<const sockaddr_in&>(r.padded);
  FUZZ_CHECK(r.again.ok, r.what + ": re-encoding raised " + Describe(r.again));
  const auto& got = Field<sockaddr_in>(r.again.sockaddr);
  FUZZ_CHECK(got.sin_addr.s_addr == want.sin_addr.s_addr && got.sin_port == want.sin_port,
             r.what + ": re-encoding changed the address");
}

// An AF_INET6 address keeps all four fields; a flowinfo over 20 bits is refused on the way back.
void CheckInet6RoundTrip(const RoundTrip& r) {
  const auto& want = reinterpret_cast<const sockaddr_in6&>(r.padded);
  if (ntohl(want.sin6_flowinfo) > 0xfffff) {
    FUZZ_CHECK(!r.again.ok && r.again.python_class == "OverflowError" &&
                   r.again.message == "bind(): flowinfo must be 0-1048575.",
               r.what + ": a 32-bit flowinfo must be refused, got " + Describe(r.again));
    return;
  }
  FUZZ_CHECK(r.again.ok, r.what + ": re-encoding raised " + Describe(r.again));
  const auto& got = Field<sockaddr_in6>(r.again.sockaddr);
  FUZZ_CHECK(std::memcmp(&got.sin6_addr, &want.sin6_addr, 16) == 0 &&
                 got.sin6_port == want.sin6_port &&
                 got.sin6_flowinfo == want.sin6_flowinfo &&
                 got.sin6_scope_id == want.sin6_scope_id,
             r.what + ": re-encoding changed the address");
}

// An AF_UNIX path or abstract name survives, or is refused as too long.
void CheckUnixRoundTrip(const RoundTrip& r) {
  const auto& u = std::get<sockref::UnixAddress>(r.decoded);
  constexpr std::size_t kPath = offsetof(sockaddr_un, sun_path);
  const char* path = reinterpret_cast<const char*>(&r.padded) + kPath;
  if (r.length > kPath && path[0] == '\0') {
    const std::size_t n = std::min<std::size_t>(r.length, sizeof r.padded) - kPath;
    FUZZ_CHECK(u.path == std::string(path, n), r.what + ": abstract name changed");
    if (n > sizeof(sockaddr_un::sun_path)) {
      FUZZ_CHECK(!r.again.ok && r.again.message == "AF_UNIX path too long", r.what);
      return;
    }
    FUZZ_CHECK(r.again.ok && r.again.sockaddr.length == kPath + n, r.what + ": " + Describe(r.again));
  } else {
    FUZZ_CHECK(u.path.find('\0') == std::string::npos, r.what + ": a path has a NUL");
    if (u.path.size() >= sizeof(sockaddr_un::sun_path)) {
      FUZZ_CHECK(!r.again.ok && r.again.message == "AF_UNIX path too long", r.what);
      return;
    }
    FUZZ_CHECK(r.again.ok && r.again.sockaddr.length == kPath + u.path.size() + (u.path.empty() ? 0 : 1),
               r.what + ": " + Describe(r.again));
  }
  FUZZ_CHECK(std::memcmp(Field<sockaddr_un>(r.again.sockaddr).sun_path, u.path.data(),
                         u.path.size()) == 0,
             r.what + ": re-encoding changed the path");
}

// An AF_NETLINK address keeps its pid and groups.
void CheckNetlinkRoundTrip(const RoundTrip& r) {
  const auto& want = reinterpret_cast<const sockaddr_nl&>(r.padded);
  FUZZ_CHECK(r.again.ok, r.what + ": re-encoding raised " + Describe(r.again));
  const auto& got = Field<sockaddr_nl>(r.again.sockaddr);
  FUZZ_CHECK(got.nl_pid == want.nl_pid && got.nl_groups == want.nl_groups,
             r.what + ": re-encoding changed the address");
}

// An AF_VSOCK address keeps its cid and port.
void CheckVsockRoundTrip(const RoundTrip& r) {
  const auto& want = reinterpret_cast<const sockaddr_vm&>(r.padded);
  FUZZ_CHECK(r.again.ok, r.what + ": re-encoding raised " + Describe(r.again));
  const auto& got = Field<sockaddr_vm>(r.again.sockaddr);
  FUZZ_CHECK(got.svm_cid == want.svm_cid && got.svm_port == want.svm_port,
             r.what + ": re-encoding changed the address");
}

// An AF_TIPC address keeps its type, scope and the fields of its type.
void CheckTipcRoundTrip(const RoundTrip& r) {
  const auto& want = reinterpret_cast<const sockaddr_tipc&>(r.padded);
  FUZZ_CHECK(r.again.ok, r.what + ": re-encoding raised " + Describe(r.again));
  const auto& got = Field<sockaddr_tipc>(r.again.sockaddr);
  FUZZ_CHECK(got.addrtype == want.addrtype && got.scope == want.scope,
             r.what + ": re-encoding changed the address type or scope");
  if (want.addrtype == TIPC_ADDR_NAMESEQ) {
    FUZZ_CHECK(std::memcmp(&got.addr.nameseq, &want.addr.nameseq, sizeof want.addr.nameseq) == 0,
               r.what + ": re-encoding changed the name sequence");
  } else if (want.addrtype == TIPC_ADDR_NAME) {
    FUZZ_CHECK(got.addr.name.name.type == want.addr.name.name.type &&
                   got.addr.name.name.instance == want.addr.name.name.instance,
               r.what + ": re-encoding changed the name");
  } else {
    FUZZ_CHECK(got.addr.id.node == want.addr.id.node && got.addr.id.ref == want.addr.id.ref,
               r.what + ": re-encoding changed the port id");
  }
}

// An AF_ALG address keeps its names and the low 16 bits of feat and mask.
void CheckAlgRoundTrip(const RoundTrip& r) {
  const auto& want = reinterpret_cast<const sockaddr_alg&>(r.padded);
  const auto& a = std::get<sockref::AlgAddress>(r.decoded);
  if (a.type.size() >= sizeof want.salg_type || a.name.size() >= sizeof want.salg_name) {
    FUZZ_CHECK(!r.again.ok && r.again.python_class == "ValueError", r.what + ": " + Describe(r.again));
    return;
  }
  FUZZ_CHECK(r.again.ok, r.what + ": re-encoding raised " + Describe(r.again));
  const auto& got = Field<sockaddr_alg>(r.again.sockaddr);
  // CPython parses feat and mask as C unsigned shorts: only the low 16 bits survive.
  // The names are C strings: whatever follows their NUL is not part of the address.
  auto text = [](const std::uint8_t* s, std::size_t room) {
    const char* c = reinterpret_cast<const char*>(s);
    return std::string(c, strnlen(c, room));
  };
  FUZZ_CHECK(text(got.salg_type, sizeof got.salg_type) ==
                     text(want.salg_type, sizeof want.salg_type) &&
                 text(got.salg_name, sizeof got.salg_name) ==
                     text(want.salg_name, sizeof want.salg_name) &&
                 got.salg_feat == (want.salg_feat & 0xffff) &&
                 got.salg_mask == (want.salg_mask & 0xffff),
             r.what + ": re-encoding changed the address");
}

void CheckOtherRoundTrip(const RoundTrip& r) {
  // AF_PACKET and AF_CAN carry an interface index that decodes to a name only when
  // the interface exists here; the rest are reported raw. No exact round trip.
  if (const auto* u = std::get_if<sockref::UnknownAddress>(&r.decoded)) {
    FUZZ_CHECK(u->family == r.padded.ss_family &&
                   u->data == std::string(reinterpret_cast<const sockaddr&>(r.padded).sa_data,
                                          sizeof(sockaddr::sa_data)),
               r.what + ": unknown family not reported raw");
  }
}

void CheckDecodeRoundTrip(FuzzInput& in) {
  const int family = PickFamily(in);
  const int proto = PickProto(in);
  const auto length = static_cast<socklen_t>(in.InRange(0, sizeof(sockaddr_storage) + 32));
  std::string raw = in.Bytes(length);
  raw.resize(length, '\0');
  const sa_family_t sa_family = static_cast<sa_family_t>(family);
  std::memcpy(raw.data(), &sa_family, std::min<std::size_t>(length, sizeof sa_family));

  const std::optional<Address> decoded = Decode(raw.data(), length, proto);
  if (length == 0) {
    FUZZ_CHECK(decoded && std::holds_alternative<sockref::NoAddress>(*decoded),
               "a zero-length address must decode to None");
    return;
  }
  if (!decoded) return;
  // CPython decodes from a zeroed buffer the kernel filled `length` bytes of.
  sockaddr_storage padded{};
  std::memcpy(&padded, raw.data(), std::min<std::size_t>(length, sizeof padded));
  const std::string what = "DecodeAddress(" + Printable(raw) + ") = " + Repr(*decoded);
  const SocketTriple kind{padded.ss_family, in.PickOne<int>({SOCK_STREAM, SOCK_DGRAM, SOCK_RAW}), proto};
  const Encoded again = Encode(kind, *decoded, "bind");

  const RoundTrip r{padded, length, *decoded, again, what};
  switch (padded.ss_family) {
    case AF_INET:
      return CheckInetRoundTrip(r);
    case AF_INET6:
      return CheckInet6RoundTrip(r);
    case AF_UNIX:
      return CheckUnixRoundTrip(r);
    case AF_NETLINK:
      return CheckNetlinkRoundTrip(r);
    case AF_VSOCK:
      return CheckVsockRoundTrip(r);
    case AF_TIPC:
      return CheckTipcRoundTrip(r);
    case AF_ALG:
      return CheckAlgRoundTrip(r);
    default:
      return CheckOtherRoundTrip(r);
  }
}

// ----- Encode fuzz-made addresses ----------------------------------------------------------------

void CheckEncode(FuzzInput& in) {
  const SocketTriple kind{PickFamily(in), in.PickOne<int>({SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET}),
                        PickProto(in)};
  const std::string_view caller = in.PickOne<std::string_view>({"bind", "connect", "sendto", "connect_ex"});
  Address address = PickAddress(in);
  if (kind.family == AF_INET || kind.family == AF_INET6 || kind.family == AF_RDS) {
    if (auto* a = std::get_if<sockref::InetAddress>(&address)) KeepOffDns(a->host, kind.family);
    if (auto* a = std::get_if<sockref::Inet6Address>(&address)) KeepOffDns(a->host, kind.family);
    // (interface, rx, tx) and (interface, name, pgn, addr) have an AF_INET6 host's shape.
    if (auto* a = std::get_if<sockref::CanAddress>(&address)) KeepOffDns(a->interface, kind.family);
  }
  Repr(address);
  const Encoded e = Encode(kind, address, caller);
  if (!e.ok) return;
  const std::string what = "EncodeAddress(" + std::to_string(kind.family) + ", " + Repr(address) + ")";

  // The encoded address decodes, and where the codec is one to one, to the input.
  const std::optional<Address> back = Decode(&e.sockaddr.storage, e.sockaddr.length, kind.proto);
  FUZZ_CHECK(back.has_value(), what + ": the encoded address does not decode");
  if (const auto* a = std::get_if<sockref::InetAddress>(&address); a && kind.family == AF_INET) {
    const auto* b = std::get_if<sockref::InetAddress>(&*back);
    FUZZ_CHECK(b && b->port == a->port, what + " decodes to " + Repr(*back));
    unsigned char packed[4];
    if (::inet_pton(AF_INET, a->host.c_str(), packed) == 1) {
      FUZZ_CHECK(b->host == a->host, what + " decodes to " + Repr(*back));
    }
  }
  if (const auto* a = std::get_if<sockref::Inet6Address>(&address); a && kind.family == AF_INET6) {
    const auto* b = std::get_if<sockref::Inet6Address>(&*back);
    FUZZ_CHECK(b && b->port == a->port &&
                   b->flowinfo == static_cast<std::uint32_t>(a->flowinfo) &&
                   b->scope_id == static_cast<std::uint32_t>(a->scope_id),
               what + " decodes to " + Repr(*back));
  }
  if (const auto* a = std::get_if<sockref::UnixAddress>(&address); a && kind.family == AF_UNIX) {
    const auto* b = std::get_if<sockref::UnixAddress>(&*back);
    const Bytes want = a->is_abstract() ? a->path : a->path.substr(0, a->path.find('\0'));
    FUZZ_CHECK(b && b->path == want, what + " decodes to " + Repr(*back));
  }
  if (const auto* a = std::get_if<sockref::NetlinkAddress>(&address); a && kind.family == AF_NETLINK) {
    FUZZ_CHECK(*back == Address(*a), what + " decodes to " + Repr(*back));
  }
  if (const auto* a = std::get_if<sockref::VsockAddress>(&address); a && kind.family == AF_VSOCK) {
    FUZZ_CHECK(*back == Address(*a), what + " decodes to " + Repr(*back));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  if (in.Bool()) {
    CheckDecodeRoundTrip(in);
  } else {
    CheckEncode(in);
  }
  return 0;
}
