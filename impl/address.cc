// address.cc: the socket-address codec's encoder, CPython 3.11's getsockaddrarg() on
// Linux, and the repr() of addresses. address_decode.cc has the decoder,
// makesockaddr().
//
// Why the codec goes through a model of the Python object: CPython parses the object
// a caller gave it (a tuple, str, bytes or None) with PyArg_ParseTuple formats that
// differ per family, and each error it raises depends on that object's Python shape
// ("AF_INET address must be a pair (host, port)", "'str' object cannot be interpreted
// as an integer", ...). So EncodeAddress first turns the typed C++ address into the
// Python object it stands for (a PyValue, internal/python_value.h) and then runs the
// family's parser over it, one format unit at a time (internal/python_args.h), as
// CPython does. An address of one family given to a socket of another then fails
// with exactly the error CPython raises for that tuple.
//
// The Python object each alternative of `Address` stands for:
//   NoAddress       None
//   InetAddress     (host, port)
//   Inet6Address    (host, port, flowinfo, scope_id)
//   UnixAddress     bytes when abstract (leading NUL), str otherwise
//   NetlinkAddress  (pid, groups)
//   PacketAddress   (ifname, proto, pkttype, hatype, addr)  addr is bytes
//   CanAddress      on an AF_CAN socket, the tuple its protocol takes: (interface,) for
//                   CAN_RAW/CAN_BCM, (interface, rx_addr, tx_addr) for CAN_ISOTP,
//                   (interface, name, pgn, addr) for CAN_J1939; elsewhere (and for
//                   printing) the shortest of these forms that holds its non-zero fields
//   AlgAddress      (type, name, feat, mask)
//   TipcAddress     (addr_type, v1, v2, v3, scope)
//   VsockAddress    (cid, port)
//   UnknownAddress  (family, data)  data is bytes
// Host names are str, except that a host that is not valid UTF-8 is bytes (a Python
// str cannot hold it; Python passes bytes hosts through unchanged, and so does sockref).
#include "impl/address.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#if __has_include(<linux/can.h>)
#include <linux/can.h>
#endif
#if __has_include(<linux/if_alg.h>)
#include <linux/if_alg.h>
#endif
#if __has_include(<linux/tipc.h>)
#include <linux/tipc.h>
#endif
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif
#if __has_include(<linux/qrtr.h>)
#include <linux/qrtr.h>
#endif

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

#include "impl/error.h"
#include "impl/idna.h"
#include "impl/internal/inet_literal.h"
#include "impl/internal/python_args.h"
#include "impl/internal/python_value.h"
#include "impl/internal/resolver.h"
#include "impl/internal/utf8.h"

namespace sockref {
namespace {

using python_internal::FsConvert;
using python_internal::ParseBuffer;
using python_internal::ParseInt;
using python_internal::ParseMask;
using python_internal::ParseMaskStrict;
using python_internal::ParseStr;
using python_internal::PyValue;
using python_internal::TupleArgs;
using python_internal::TypeName;
using resolver_internal::SetIpAddr;

// ---------------------------------------------------------------------------
// The Python object each address stands for (the table at the top of this file).

// HostValue is the Python object for a host name: str when it can be one.
PyValue HostValue(const std::string& host) {
  return utf8_internal::IsValid(host) ? PyValue::Str(host) : PyValue::Bytes(host);
}

enum class CanForm { kInterface, kIsotp, kJ1939 };

CanForm CanFormForFields(const CanAddress& a) {
  if (a.name != 0 || a.pgn != 0 || a.addr != 0) return CanForm::kJ1939;
  if (a.rx_addr != 0 || a.tx_addr != 0) return CanForm::kIsotp;
  return CanForm::kInterface;
}

CanForm CanFormFor(const CanAddress& a, const SocketTriple* triple) {
#ifdef AF_CAN
  if (triple != nullptr && triple->family == AF_CAN) {
#ifdef CAN_ISOTP
    if (triple->proto == CAN_ISOTP) return CanForm::kIsotp;
#endif
#ifdef CAN_J1939
    if (triple->proto == CAN_J1939) return CanForm::kJ1939;
#endif
    return CanForm::kInterface;
  }
#endif
  return CanFormForFields(a);
}

// ToPython returns the Python object `address` stands for (see the table at the top
// of this file). `triple` is the socket it is for, or null when printing.
PyValue ToPython(const Address& address, const SocketTriple* triple) {
  using V = PyValue;
  struct Visitor {
    const SocketTriple* triple;
    V operator()(const NoAddress&) const { return V::None(); }
    V operator()(const InetAddress& a) const {
      return V::Tuple({HostValue(a.host), V::Int(a.port)});
    }
    V operator()(const Inet6Address& a) const {
      return V::Tuple({HostValue(a.host), V::Int(a.port), V::Int(a.flowinfo), V::Int(a.scope_id)});
    }
    V operator()(const UnixAddress& a) const {
      return a.is_abstract() ? V::Bytes(a.path) : V::Str(a.path);
    }
    V operator()(const NetlinkAddress& a) const {
      return V::Tuple({V::Int(a.pid), V::Int(a.groups)});
    }
    V operator()(const PacketAddress& a) const {
      return V::Tuple({V::Str(a.ifname), V::Int(a.proto), V::Int(a.pkttype), V::Int(a.hatype),
                       V::Bytes(a.addr)});
    }
    V operator()(const CanAddress& a) const {
      switch (CanFormFor(a, triple)) {
        case CanForm::kIsotp:
          return V::Tuple({V::Str(a.interface), V::Int(a.rx_addr), V::Int(a.tx_addr)});
        case CanForm::kJ1939:
          return V::Tuple({V::Str(a.interface), V::Int(a.name), V::Int(a.pgn), V::Int(a.addr)});
        case CanForm::kInterface:
          break;
      }
      return V::Tuple({V::Str(a.interface)});
    }
    V operator()(const AlgAddress& a) const {
      return V::Tuple({V::Str(a.type), V::Str(a.name), V::Int(a.feat), V::Int(a.mask)});
    }
    V operator()(const TipcAddress& a) const {
      return V::Tuple(
          {V::Int(a.addr_type), V::Int(a.v1), V::Int(a.v2), V::Int(a.v3), V::Int(a.scope)});
    }
    V operator()(const VsockAddress& a) const { return V::Tuple({V::Int(a.cid), V::Int(a.port)}); }
    V operator()(const UnknownAddress& a) const {
      return V::Tuple({V::Int(a.family), V::Bytes(a.data)});
    }
  };
  return std::visit(Visitor{triple}, address);
}

// ---------------------------------------------------------------------------
// Host names: CPython's idna_converter() (resolver.h has setipaddr()).

// IdnaHost is CPython's idna_converter(): the bytes of a host name as getaddrinfo()
// gets them.
std::string IdnaHost(const PyValue& v) {
  std::string host;
  if (v.type == PyValue::Type::kBytes) {
    host = v.text;
  } else if (v.type == PyValue::Type::kStr) {
    // ASCII names bypass the codec entirely, so "a"*300 reaches getaddrinfo(), and
    // whatever the codec refuses is reported with one message.
    try {
      host = utf8_internal::IsAscii(v.text) ? v.text : EncodeIdna(v.text);
    } catch (const IdnaError&) {
      throw TypeError("encoding of hostname failed");
    }
  } else {
    throw TypeError("str, bytes or bytearray expected, not " + TypeName(v));
  }
  if (host.find('\0') != std::string::npos) {
    throw TypeError("host name must not contain null character");
  }
  return host;
}

// ---------------------------------------------------------------------------
// Interface names, looked up with the ioctls CPython issues on the socket itself.

// InterfaceIndex returns the index of interface `name`, truncated to IFNAMSIZ-1
// bytes as CPython truncates it. Raises the ioctl's OSError (ENODEV when unknown).
int InterfaceIndex(const std::string& name) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), sizeof(ifr.ifr_name));
  ifr.ifr_name[sizeof(ifr.ifr_name) - 1] = '\0';
  // The codec has no socket of its own; any socket answers SIOCGIFINDEX the same way.
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowLastOSError();
  const int rc = ::ioctl(fd, SIOCGIFINDEX, &ifr);
  const int saved_errno = errno;
  ::close(fd);
  if (rc < 0) ThrowOSError(saved_errno);
  return ifr.ifr_ifindex;
}

// ---------------------------------------------------------------------------
// getsockaddrarg(), one function per family.

std::string Prefix(std::string_view caller) { return std::string(caller) + "(): "; }

[[noreturn]] void MustBeTuple(std::string_view caller, std::string_view family, const PyValue& v) {
  throw TypeError(Prefix(caller) + std::string(family) + " address must be tuple, not " +
                  TypeName(v));
}

template <typename T>
T* As(Sockaddr& out) {
  static_assert(sizeof(T) <= sizeof(out.storage));
  return reinterpret_cast<T*>(&out.storage);
}

void EncodeUnix(const PyValue& v, const SocketTriple& triple, Sockaddr& out) {
  // str is encoded with the file-system encoding, which keeps NULs: an embedded NUL
  // in a path is accepted, and the kernel stops reading there.
  if (v.type != PyValue::Type::kStr && v.type != PyValue::Type::kBytes) {
    throw TypeError("a bytes-like object is required, not '" + TypeName(v) + "'");
  }
  const Bytes& path = v.text;
  auto* sun = As<sockaddr_un>(out);
  constexpr std::size_t kPathOffset = offsetof(sockaddr_un, sun_path);
  if (path.empty() || path[0] == '\0') {
    // Abstract namespace (and '' for autobind): exactly the given bytes, no NUL added.
    if (path.size() > sizeof(sun->sun_path)) throw OSError(std::string("AF_UNIX path too long"));
    out.length = static_cast<socklen_t>(kPathOffset + path.size());
  } else {
    // File-system path: room must remain for the terminating NUL, which is counted.
    if (path.size() >= sizeof(sun->sun_path)) throw OSError(std::string("AF_UNIX path too long"));
    out.length = static_cast<socklen_t>(kPathOffset + path.size() + 1);
  }
  sun->sun_family = static_cast<sa_family_t>(triple.family);
  std::memcpy(sun->sun_path, path.data(), path.size());
}

void EncodeNetlink(const PyValue& v, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_NETLINK", v);
  TupleArgs args(v, "", "AF_NETLINK address must be a pair (pid, groups)");
  args.CheckCount(2, 2);
  const auto pid = static_cast<std::uint32_t>(ParseMask(args, 0));
  const auto groups = static_cast<std::uint32_t>(ParseMask(args, 1));
  auto* nl = As<sockaddr_nl>(out);
  nl->nl_family = AF_NETLINK;
  nl->nl_pid = pid;
  nl->nl_groups = groups;
  out.length = sizeof(sockaddr_nl);
}

// ParseUintPair is AF_VSOCK's and AF_QIPCRTR's parser: "II:getsockaddrarg".
std::pair<std::uint32_t, std::uint32_t> ParseUintPair(const PyValue& v, std::string_view family) {
  if (v.type != PyValue::Type::kTuple) {
    // These two families name the C function, not the caller, in this message.
    throw TypeError("getsockaddrarg: " + std::string(family) + " address must be tuple, not " +
                    TypeName(v));
  }
  TupleArgs args(v, "getsockaddrarg", "");
  args.CheckCount(2, 2);
  const auto first = static_cast<std::uint32_t>(ParseMask(args, 0));
  const auto second = static_cast<std::uint32_t>(ParseMask(args, 1));
  return {first, second};
}

#if __has_include(<linux/qrtr.h>) && defined(AF_QIPCRTR)
void EncodeQipcrtr(const PyValue& v, Sockaddr& out) {
  const auto [node, port] = ParseUintPair(v, "AF_QIPCRTR");
  auto* qrtr = As<sockaddr_qrtr>(out);
  qrtr->sq_family = AF_QIPCRTR;
  qrtr->sq_node = node;
  qrtr->sq_port = port;
  out.length = sizeof(sockaddr_qrtr);
}
#endif

#if __has_include(<linux/vm_sockets.h>) && defined(AF_VSOCK)
void EncodeVsock(const PyValue& v, const SocketTriple& triple, Sockaddr& out) {
  const auto [cid, port] = ParseUintPair(v, "AF_VSOCK");
  auto* vm = As<sockaddr_vm>(out);
  vm->svm_family = static_cast<sa_family_t>(triple.family);
  vm->svm_cid = cid;
  vm->svm_port = port;
  out.length = sizeof(sockaddr_vm);
}
#endif

[[noreturn]] void PortOutOfRange(std::string_view caller) {
  throw OverflowError(Prefix(caller) + "port must be 0-65535.");
}

// ParsePort is the port of an AF_INET/AF_INET6 tuple (item 1): an 'i' unit whose
// OverflowError CPython replaces with its own.
int ParsePort(const TupleArgs& args, std::string_view caller) {
  try {
    return ParseInt(args, 1);
  } catch (const OverflowError&) {
    PortOutOfRange(caller);
  }
}

// CheckPort range-checks a parsed port. CPython does it after resolving the host:
// ('no.such.host', 70000) raises gaierror, not OverflowError.
std::uint16_t CheckPort(int port, std::string_view caller) {
  if (port < 0 || port > 0xffff) PortOutOfRange(caller);
  return static_cast<std::uint16_t>(port);
}

void EncodeInet(const PyValue& v, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_INET", v);
  TupleArgs args(v, "", "AF_INET address must be a pair (host, port)");
  args.CheckCount(2, 2);
  const std::string host = IdnaHost(args.at(0));
  const int port = ParsePort(args, caller);
  auto* sin = As<sockaddr_in>(out);
  SetIpAddr(host, reinterpret_cast<sockaddr*>(sin), sizeof(*sin), AF_INET);
  sin->sin_port = htons(CheckPort(port, caller));
  sin->sin_family = AF_INET;
  out.length = sizeof(sockaddr_in);
}

void EncodeInet6(const PyValue& v, const SocketTriple& triple, std::string_view caller,
                 Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_INET6", v);
  TupleArgs args(v, "", "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
  args.CheckCount(2, 4);
  const std::string host = IdnaHost(args.at(0));
  const int port = ParsePort(args, caller);
  // flowinfo and scope_id are C unsigned ints taken modulo 2**32, so -1 becomes
  // 0xffffffff (then rejected as a flowinfo) and 2**32 becomes 0.
  const auto flowinfo = static_cast<std::uint32_t>(args.size() > 2 ? ParseMask(args, 2) : 0);
  const auto scope_id = static_cast<std::uint32_t>(args.size() > 3 ? ParseMask(args, 3) : 0);
  auto* sin6 = As<sockaddr_in6>(out);
  SetIpAddr(host, reinterpret_cast<sockaddr*>(sin6), sizeof(*sin6), AF_INET6);
  sin6->sin6_port = htons(CheckPort(port, caller));
  if (flowinfo > 0xfffff) throw OverflowError(Prefix(caller) + "flowinfo must be 0-1048575.");
  sin6->sin6_family = static_cast<sa_family_t>(triple.family);
  sin6->sin6_flowinfo = htonl(flowinfo);
  // CPython stores the tuple's scope_id even when getaddrinfo() found one in a
  // "%zone" suffix, so ('fe80::1%lo', 0) ends up with scope 0.
  sin6->sin6_scope_id = scope_id;
  out.length = sizeof(sockaddr_in6);
}

void EncodePacket(const PyValue& v, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_PACKET", v);
  TupleArgs args(v, "", "AF_PACKET address must be a tuple of two to five elements");
  args.CheckCount(2, 5);
  std::string ifname;
  int proto;
  int pkttype = PACKET_HOST;
  int hatype = 0;
  bool has_haddr = false;
  Bytes haddr;
  try {
    ifname = ParseStr(args, 0);
    proto = ParseInt(args, 1);
    if (args.size() > 2) pkttype = ParseInt(args, 2);
    if (args.size() > 3) hatype = ParseInt(args, 3);
    if (args.size() > 4) {
      haddr = ParseBuffer(args.at(4));
      has_haddr = true;
    }
  } catch (const OverflowError&) {
    throw OverflowError(Prefix(caller) + "address argument out of range");
  }
  // Checked in CPython's order: interface, hardware address, then protocol.
  const int ifindex = InterfaceIndex(ifname);
  auto* ll = As<sockaddr_ll>(out);
  if (has_haddr && haddr.size() > sizeof(ll->sll_addr)) {
    throw ValueError("Hardware address must be 8 bytes or less");
  }
  if (proto < 0 || proto > 0xffff) throw OverflowError(Prefix(caller) + "proto must be 0-65535.");
  ll->sll_family = AF_PACKET;
  ll->sll_protocol = htons(static_cast<std::uint16_t>(proto));
  ll->sll_ifindex = ifindex;
  // pkttype and hatype are narrowed silently, as C assignments narrow them.
  ll->sll_pkttype = static_cast<unsigned char>(pkttype);
  ll->sll_hatype = static_cast<unsigned short>(hatype);
  std::memcpy(ll->sll_addr, haddr.data(), haddr.size());
  ll->sll_halen = static_cast<unsigned char>(haddr.size());
  out.length = sizeof(sockaddr_ll);
}

#if __has_include(<linux/tipc.h>) && defined(AF_TIPC)
void EncodeTipc(const PyValue& v, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_TIPC", v);
  TupleArgs args(v, "", "AF_TIPC address must be a tuple (addr_type, v1, v2, v3[, scope])");
  args.CheckCount(4, 5);
  const auto atype = static_cast<std::uint32_t>(ParseMask(args, 0));
  const auto v1 = static_cast<std::uint32_t>(ParseMask(args, 1));
  const auto v2 = static_cast<std::uint32_t>(ParseMask(args, 2));
  const auto v3 = static_cast<std::uint32_t>(ParseMask(args, 3));
  const auto scope = static_cast<std::uint32_t>(
      args.size() > 4 ? ParseMask(args, 4) : std::uint64_t{TIPC_CLUSTER_SCOPE});
  auto* tipc = As<sockaddr_tipc>(out);
  tipc->family = AF_TIPC;
  tipc->scope = static_cast<signed char>(scope);
  tipc->addrtype = static_cast<unsigned char>(atype);
  if (atype == TIPC_ADDR_NAMESEQ) {
    tipc->addr.nameseq.type = v1;
    tipc->addr.nameseq.lower = v2;
    tipc->addr.nameseq.upper = v3;
  } else if (atype == TIPC_ADDR_NAME) {
    tipc->addr.name.name.type = v1;
    tipc->addr.name.name.instance = v2;
  } else if (atype == TIPC_ADDR_ID) {
    tipc->addr.id.node = v1;
    tipc->addr.id.ref = v2;
  } else {
    throw TypeError("Invalid address type");
  }
  out.length = sizeof(sockaddr_tipc);
}
#endif

#if __has_include(<linux/can.h>) && defined(AF_CAN)
// CanInterfaceIndex resolves an AF_CAN interface name as CPython does: '' is
// "any interface" (index 0), a name must fit in IFNAMSIZ-1 bytes.
int CanInterfaceIndex(const Bytes& name) {
  if (name.empty()) return 0;
  if (name.size() >= IFNAMSIZ) throw OSError(std::string("AF_CAN interface name too long"));
  return InterfaceIndex(name);
}

void EncodeCan(const PyValue& v, const SocketTriple& triple, std::string_view caller,
               Sockaddr& out) {
  auto* can = As<sockaddr_can>(out);
  switch (triple.proto) {
#ifdef CAN_RAW
    case CAN_RAW:
#endif
#ifdef CAN_BCM
    case CAN_BCM:
#endif
    {
      if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_CAN", v);
      TupleArgs args(v, "", "AF_CAN address must be a tuple (interface, )");
      args.CheckCount(1, 1);
      const Bytes name = FsConvert(args.at(0));
      can->can_ifindex = CanInterfaceIndex(name);
      break;
    }
#ifdef CAN_ISOTP
    case CAN_ISOTP: {
      // CPython skips the tuple check here and its argument parser then fails with
      // SystemError, an interpreter-internal class sockref does not mirror; sockref
      // raises the TypeError CPython's CAN_RAW branch gives for the same object.
      if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_CAN", v);
      TupleArgs args(v, "", "");
      args.CheckCount(3, 3);
      const Bytes name = FsConvert(args.at(0));
      const std::uint64_t rx_id = ParseMaskStrict(args, 1);
      const std::uint64_t tx_id = ParseMaskStrict(args, 2);
      can->can_ifindex = CanInterfaceIndex(name);
      can->can_addr.tp.rx_id = static_cast<canid_t>(rx_id);
      can->can_addr.tp.tx_id = static_cast<canid_t>(tx_id);
      break;
    }
#endif
#ifdef CAN_J1939
    case CAN_J1939: {
      if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_CAN", v);  // see CAN_ISOTP
      TupleArgs args(v, "", "");
      args.CheckCount(4, 4);
      const Bytes name = FsConvert(args.at(0));
      const std::uint64_t j1939_name = ParseMaskStrict(args, 1);
      const auto pgn = static_cast<std::uint32_t>(ParseMask(args, 2));
      const auto addr = static_cast<std::uint8_t>(ParseMask(args, 3));
      can->can_ifindex = CanInterfaceIndex(name);
      can->can_addr.j1939.name = j1939_name;
      can->can_addr.j1939.pgn = pgn;
      can->can_addr.j1939.addr = addr;
      break;
    }
#endif
    default:
      throw OSError(Prefix(caller) + "unsupported CAN protocol");
  }
  can->can_family = AF_CAN;
  out.length = sizeof(sockaddr_can);
}
#endif

#if __has_include(<linux/if_alg.h>) && defined(AF_ALG)
void EncodeAlg(const PyValue& v, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_ALG", v);
  TupleArgs args(v, "", "AF_ALG address must be a tuple (type, name[, feat[, mask]])");
  args.CheckCount(2, 4);
  const std::string type = ParseStr(args, 0);
  const std::string name = ParseStr(args, 1);
  // feat and mask are parsed as C unsigned shorts ('H') into the 32-bit fields, so
  // only their low 16 bits survive.
  const std::uint64_t feat = args.size() > 2 ? ParseMask(args, 2) : 0;
  const std::uint64_t mask = args.size() > 3 ? ParseMask(args, 3) : 0;
  auto* alg = As<sockaddr_alg>(out);
  alg->salg_family = AF_ALG;
  alg->salg_feat = static_cast<std::uint16_t>(feat);
  alg->salg_mask = static_cast<std::uint16_t>(mask);
  // Both names must leave room for their terminating NUL.
  if (type.size() >= sizeof(alg->salg_type)) throw ValueError("AF_ALG type too long.");
  std::memcpy(alg->salg_type, type.data(), type.size());
  if (name.size() >= sizeof(alg->salg_name)) throw ValueError("AF_ALG name too long.");
  std::memcpy(alg->salg_name, name.data(), name.size());
  out.length = sizeof(sockaddr_alg);
}
#endif

}  // namespace

std::ostream& operator<<(std::ostream& os, const Address& address) {
  return os << python_internal::Repr(ToPython(address, nullptr));
}

namespace {

// EncodeGeneral is getsockaddrarg() for every family, on the Python value the
// address stands for. Kept out of line so that EncodeAddress's fast path does
// not pay for its stack frame.
[[gnu::noinline]] void EncodeGeneral(const SocketTriple& triple, const Address& address,
                                     std::string_view caller, Sockaddr& out) {
  const PyValue v = ToPython(address, &triple);
  switch (triple.family) {
    case AF_UNIX:
      EncodeUnix(v, triple, out);
      break;
    case AF_NETLINK:
      EncodeNetlink(v, caller, out);
      break;
#if __has_include(<linux/qrtr.h>) && defined(AF_QIPCRTR)
    case AF_QIPCRTR:
      EncodeQipcrtr(v, out);
      break;
#endif
#if __has_include(<linux/vm_sockets.h>) && defined(AF_VSOCK)
    case AF_VSOCK:
      EncodeVsock(v, triple, out);
      break;
#endif
#ifdef AF_RDS
    case AF_RDS:  // RDS sockets take sockaddr_in, messages and all.
#endif
    case AF_INET:
      EncodeInet(v, caller, out);
      break;
    case AF_INET6:
      EncodeInet6(v, triple, caller, out);
      break;
    case AF_PACKET:
      EncodePacket(v, caller, out);
      break;
#if __has_include(<linux/tipc.h>) && defined(AF_TIPC)
    case AF_TIPC:
      EncodeTipc(v, caller, out);
      break;
#endif
#if __has_include(<linux/can.h>) && defined(AF_CAN)
    case AF_CAN:
      EncodeCan(v, triple, caller, out);
      break;
#endif
#if __has_include(<linux/if_alg.h>) && defined(AF_ALG)
    case AF_ALG:
      EncodeAlg(v, caller, out);
      break;
#endif
    default:
      throw OSError(Prefix(caller) + "bad family");
  }
}

}  // namespace

Sockaddr EncodeAddress(const SocketTriple& triple, const Address& address,
                       std::string_view caller) {
  Sockaddr out;
  if (triple.family == AF_INET &&
      address_internal::EncodeInetLiteral(address, reinterpret_cast<sockaddr_in*>(&out.storage))) {
    out.length = sizeof(sockaddr_in);
    return out;
  }
  EncodeGeneral(triple, address, caller, out);
  return out;
}

}  // namespace sockref
