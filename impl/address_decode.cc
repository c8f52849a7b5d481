// address_decode.cc: the socket-address codec's decoder, CPython 3.11's
// makesockaddr() on Linux: a kernel-filled sockaddr becomes the Address whose
// Python form CPython would return. address.cc has the encoder.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include <sys/un.h>
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

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>

#include "impl/address.h"
#include "impl/internal/inet_literal.h"
#include "impl/error.h"

namespace sockref {
namespace {

// InterfaceName returns the name of interface `index`, or "" when there is none
// (CPython ignores a failed SIOCGIFNAME).
std::string InterfaceName(int index) {
  if (index == 0) return "";
  char name[IF_NAMESIZE + 1] = {};
  if (if_indextoname(static_cast<unsigned>(index), name) == nullptr) return "";
  return name;
}

// Each DecodeX below reads a zero-padded copy of the kernel's address (see
// DecodeAddress): `storage` holds `copied` bytes of it, the rest zeroes.

// kDecimal[v] is v in decimal: its length, then its digits.
struct DecimalByte {
  char length;
  char digits[3];
};
constexpr auto kDecimal = [] {
  std::array<DecimalByte, 256> table{};
  for (int v = 0; v < 256; ++v) {
    DecimalByte& d = table[static_cast<std::size_t>(v)];
    if (v >= 100) d.digits[static_cast<int>(d.length++)] = static_cast<char>('0' + v / 100);
    if (v >= 10) d.digits[static_cast<int>(d.length++)] = static_cast<char>('0' + v / 10 % 10);
    d.digits[static_cast<int>(d.length++)] = static_cast<char>('0' + v % 10);
  }
  return table;
}();

// DottedQuad sets `host` to inet_ntop(AF_INET)'s text ("127.0.0.1") without its
// sprintf: recvfrom() decodes the sender's address on every datagram.
void DottedQuad(const in_addr& address, std::string& host) {
  std::uint8_t parts[4];
  std::memcpy(parts, &address.s_addr, sizeof parts);
  char text[4 * 4];  // each part's digits plus a dot, and room for a whole last entry
  std::size_t length = 0;
  for (int i = 0; i < 4; ++i) {
    const DecimalByte& d = kDecimal[parts[i]];
    std::memcpy(text + length, d.digits, sizeof d.digits);
    length += static_cast<std::size_t>(d.length);
    text[length++] = '.';
  }
  host.assign(text, length - 1);
}

void DecodeInetInto(const sockaddr_in& sin, Address& out) {
  auto& inet = out.emplace<InetAddress>();
  DottedQuad(sin.sin_addr, inet.host);
  inet.port = ntohs(sin.sin_port);
}

Address DecodeInet(const sockaddr_in& sin) {
  Address result;
  DecodeInetInto(sin, result);
  return result;
}

Address DecodeInet6(const sockaddr_storage& storage) {
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
  return Inet6Address{text, ntohs(sin6->sin6_port), ntohl(sin6->sin6_flowinfo),
                      sin6->sin6_scope_id};
}

Address DecodeUnix(const sockaddr_storage& storage, socklen_t length, std::size_t copied) {
  const auto* raw = reinterpret_cast<const char*>(&storage);
  const auto* sun = reinterpret_cast<const sockaddr_un*>(&storage);
  constexpr std::size_t kPathOffset = offsetof(sockaddr_un, sun_path);
  const std::size_t path_len = length > kPathOffset ? copied - kPathOffset : 0;
  if (path_len > 0 && sun->sun_path[0] == '\0') {
    // Abstract: the kernel's length is the name's, NULs included.
    return UnixAddress{Bytes(raw + kPathOffset, path_len)};
  }
  // File-system path (or '' for an unnamed socket): NUL-terminated.
  const std::size_t room = sizeof(storage) - kPathOffset;
  return UnixAddress{Bytes(raw + kPathOffset, strnlen(raw + kPathOffset, room))};
}

Address DecodePacket(const sockaddr_storage& storage) {
  const auto* raw = reinterpret_cast<const char*>(&storage);
  const auto* ll = reinterpret_cast<const sockaddr_ll*>(&storage);
  constexpr std::size_t kAddrOffset = offsetof(sockaddr_ll, sll_addr);
  const std::size_t halen = std::min<std::size_t>(ll->sll_halen, sizeof(storage) - kAddrOffset);
  return PacketAddress{InterfaceName(ll->sll_ifindex), ntohs(ll->sll_protocol), ll->sll_pkttype,
                       ll->sll_hatype, Bytes(raw + kAddrOffset, halen)};
}

#if __has_include(<linux/tipc.h>) && defined(AF_TIPC)
Address DecodeTipc(const sockaddr_storage& storage) {
  const auto* tipc = reinterpret_cast<const sockaddr_tipc*>(&storage);
  switch (tipc->addrtype) {
    case TIPC_ADDR_NAMESEQ:
      return TipcAddress{tipc->addrtype, tipc->addr.nameseq.type, tipc->addr.nameseq.lower,
                         tipc->addr.nameseq.upper, tipc->scope};
    case TIPC_ADDR_NAME:
      // CPython reports the instance twice, as a one-element range.
      return TipcAddress{tipc->addrtype, tipc->addr.name.name.type, tipc->addr.name.name.instance,
                         tipc->addr.name.name.instance, tipc->scope};
    case TIPC_ADDR_ID:
      return TipcAddress{tipc->addrtype, tipc->addr.id.node, tipc->addr.id.ref, 0, tipc->scope};
    default:
      throw ValueError("Invalid address type");
  }
}
#endif

#if __has_include(<linux/can.h>) && defined(AF_CAN)
Address DecodeCan(const sockaddr_storage& storage, int proto) {
  const auto* can = reinterpret_cast<const sockaddr_can*>(&storage);
  CanAddress result{InterfaceName(can->can_ifindex)};
#ifdef CAN_ISOTP
  if (proto == CAN_ISOTP) {
    result.rx_addr = can->can_addr.tp.rx_id;
    result.tx_addr = can->can_addr.tp.tx_id;
  }
#endif
#ifdef CAN_J1939
  if (proto == CAN_J1939) {
    result.name = can->can_addr.j1939.name;
    result.pgn = can->can_addr.j1939.pgn;
    result.addr = can->can_addr.j1939.addr;
  }
#endif
  return result;
}
#endif

#if __has_include(<linux/if_alg.h>) && defined(AF_ALG)
Address DecodeAlg(const sockaddr_storage& storage) {
  const auto* alg = reinterpret_cast<const sockaddr_alg*>(&storage);
  const auto* type = reinterpret_cast<const char*>(alg->salg_type);
  const auto* name = reinterpret_cast<const char*>(alg->salg_name);
  return AlgAddress{std::string(type, strnlen(type, sizeof(alg->salg_type))),
                    std::string(name, strnlen(name, sizeof(alg->salg_name))), alg->salg_feat,
                    alg->salg_mask};
}
#endif

// DecodeGeneral is makesockaddr() for every family. Out of line: see
// DecodeAddress.
[[gnu::noinline]] Address DecodeGeneral(const sockaddr* addr, socklen_t length, int proto) {
  if (length == 0) return NoAddress{};
  // CPython decodes from a zeroed buffer the kernel filled `length` bytes of; a copy
  // gives every field below the same defined value without reading past `length`.
  sockaddr_storage storage{};
  const std::size_t copied = std::min<std::size_t>(length, sizeof(storage));
  std::memcpy(&storage, addr, copied);
  const auto* sa = reinterpret_cast<const sockaddr*>(&storage);

  switch (sa->sa_family) {
    case AF_INET:
      return DecodeInet(*reinterpret_cast<const sockaddr_in*>(&storage));
    case AF_UNIX:
      return DecodeUnix(storage, length, copied);
    case AF_NETLINK: {
      const auto* nl = reinterpret_cast<const sockaddr_nl*>(&storage);
      return NetlinkAddress{nl->nl_pid, nl->nl_groups};
    }
#if __has_include(<linux/vm_sockets.h>) && defined(AF_VSOCK)
    case AF_VSOCK: {
      const auto* vm = reinterpret_cast<const sockaddr_vm*>(&storage);
      return VsockAddress{vm->svm_cid, vm->svm_port};
    }
#endif
    case AF_INET6:
      return DecodeInet6(storage);
    case AF_PACKET:
      return DecodePacket(storage);
#if __has_include(<linux/tipc.h>) && defined(AF_TIPC)
    case AF_TIPC:
      return DecodeTipc(storage);
#endif
#if __has_include(<linux/can.h>) && defined(AF_CAN)
    case AF_CAN:
      return DecodeCan(storage, proto);
#endif
#if __has_include(<linux/if_alg.h>) && defined(AF_ALG)
    case AF_ALG:
      return DecodeAlg(storage);
#endif
    default:
      // CPython does not raise for a family it cannot decode (AF_QIPCRTR has no
      // sockref type yet and lands here too): it reports the raw sa_data.
      return UnknownAddress{sa->sa_family, Bytes(sa->sa_data, sizeof(sa->sa_data))};
  }
}

}  // namespace

Address DecodeAddress(const sockaddr* addr, socklen_t length, int proto) {
  // A whole sockaddr_in (every recvfrom() on an IPv4 socket) needs no zero-padded
  // copy: the common case, decoded without the general path's stack frame.
  if (length >= sizeof(sockaddr_in) && addr->sa_family == AF_INET) {
    sockaddr_in sin;
    std::memcpy(&sin, addr, sizeof sin);
    return DecodeInet(sin);
  }
  return DecodeGeneral(addr, length, proto);
}

namespace address_internal {

bool DecodeInetInto(const sockaddr* addr, socklen_t length, Address& out) {
  if (length < sizeof(sockaddr_in) || addr->sa_family != AF_INET) return false;
  sockaddr_in sin;
  std::memcpy(&sin, addr, sizeof sin);
  sockref::DecodeInetInto(sin, out);
  return true;
}

}  // namespace address_internal

}  // namespace sockref
