// address.h: socket addresses as typed values, one per address family, and the
// codec that turns them into `struct sockaddr` and back.
//
// Python represents an address as a tuple or string whose shape depends on the
// socket's family; sockref uses one struct per shape, all in the `Address` variant:
//
//   sock.bind(sockref::InetAddress{"127.0.0.1", 0});        // ('127.0.0.1', 0)
//   sock.bind(sockref::Inet6Address{"::1", 0, 0, 0});       // ('::1', 0, 0, 0)
//   sock.bind(sockref::UnixAddress{std::string("\0name", 5)});  // abstract namespace
//   auto [host, port] = std::get<sockref::InetAddress>(sock.getsockname());
//
// Integer fields are wide on purpose: Python accepts any int and CPython range-checks
// it (port 0-65535, flowinfo 0-1048575), so the checks and their exact errors live
// in the codec, not in the caller.
#ifndef SOCKREF_IMPL_ADDRESS_H_
#define SOCKREF_IMPL_ADDRESS_H_

#include <sys/socket.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

#include "impl/buffer.h"

namespace sockref {

// NoAddress is Python's None: what getsockname()/recvfrom() report when the
// kernel returns a zero-length address.
struct NoAddress {
  // User-provided and not constexpr on purpose: with an implicit (or constexpr)
  // constructor g++ 12 folds the value-initialisation of this empty alternative
  // into zero-filling the whole Address variant (96 bytes, a `rep stos`) every
  // time one is default-constructed, e.g. in every recvmsg_into() result.
  NoAddress() noexcept {}
  friend bool operator==(const NoAddress&, const NoAddress&) = default;
};

// InetAddress is AF_INET's (host, port). As input, host may be '' (INADDR_ANY),
// '<broadcast>' (INADDR_BROADCAST), a dotted quad, or a host name resolved as CPython
// resolves it. As output, host is always a dotted quad. An AF_INET6 socket also
// accepts this 2-tuple form.
struct InetAddress {
  std::string host;
  std::int64_t port = 0;
  friend bool operator==(const InetAddress&, const InetAddress&) = default;
};

// Inet6Address is AF_INET6's (host, port, flowinfo, scope_id).
struct Inet6Address {
  std::string host;
  std::int64_t port = 0;
  std::int64_t flowinfo = 0;
  std::int64_t scope_id = 0;
  friend bool operator==(const Inet6Address&, const Inet6Address&) = default;
};

// UnixAddress is an AF_UNIX path as bytes. A leading NUL byte means Linux's abstract
// namespace. Python reports abstract names as bytes and file-system paths as str;
// is_abstract() tells which form Python would show.
struct UnixAddress {
  Bytes path;
  bool is_abstract() const { return !path.empty() && path[0] == '\0'; }
  friend bool operator==(const UnixAddress&, const UnixAddress&) = default;
};

// NetlinkAddress is AF_NETLINK's (pid, groups).
struct NetlinkAddress {
  std::uint32_t pid = 0;
  std::uint32_t groups = 0;
  friend bool operator==(const NetlinkAddress&, const NetlinkAddress&) = default;
};

// PacketAddress is AF_PACKET's (ifname, proto[, pkttype[, hatype[, addr]]]).
struct PacketAddress {
  std::string ifname;
  std::int64_t proto = 0;  // host byte order, as Python shows it
  std::int64_t pkttype = 0;
  std::int64_t hatype = 0;
  Bytes addr;  // hardware address, at most 8 bytes
  friend bool operator==(const PacketAddress&, const PacketAddress&) = default;
};

// CanAddress is AF_CAN's address. Its tuple shape depends on the protocol:
// CAN_RAW/CAN_BCM (interface,), CAN_ISOTP (interface, rx_addr, tx_addr),
// CAN_J1939 (interface, name, pgn, addr). Unused fields stay zero.
struct CanAddress {
  std::string interface;
  std::uint64_t rx_addr = 0;  // ISOTP
  std::uint64_t tx_addr = 0;  // ISOTP
  std::uint64_t name = 0;     // J1939
  std::uint64_t pgn = 0;      // J1939
  std::uint64_t addr = 0;     // J1939
  friend bool operator==(const CanAddress&, const CanAddress&) = default;
};

// AlgAddress is AF_ALG's (type, name[, feat[, mask]]).
struct AlgAddress {
  std::string type;
  std::string name;
  std::uint32_t feat = 0;
  std::uint32_t mask = 0;
  friend bool operator==(const AlgAddress&, const AlgAddress&) = default;
};

// TipcAddress is AF_TIPC's (addr_type, v1, v2, v3[, scope]).
struct TipcAddress {
  int addr_type = 0;
  std::uint32_t v1 = 0;
  std::uint32_t v2 = 0;
  std::uint32_t v3 = 0;
  int scope = 2;  // TIPC_CLUSTER_SCOPE: the scope Python uses when the tuple omits it
  friend bool operator==(const TipcAddress&, const TipcAddress&) = default;
};

// VsockAddress is AF_VSOCK's (CID, port).
struct VsockAddress {
  std::uint32_t cid = 0;
  std::uint32_t port = 0;
  friend bool operator==(const VsockAddress&, const VsockAddress&) = default;
};

// UnknownAddress is what CPython returns for a family it cannot decode:
// (family, raw sa_data bytes).
struct UnknownAddress {
  int family = 0;
  Bytes data;
  friend bool operator==(const UnknownAddress&, const UnknownAddress&) = default;
};

using Address = std::variant<NoAddress, InetAddress, Inet6Address, UnixAddress, NetlinkAddress,
                             PacketAddress, CanAddress, AlgAddress, TipcAddress, VsockAddress,
                             UnknownAddress>;

// operator<< prints an address the way Python's repr() prints the tuple/str/bytes.
std::ostream& operator<<(std::ostream& os, const Address& address);

// SocketTriple is the (family, type, proto) a socket was created with: what the
// codec needs to know about the socket an address is for (AF_CAN's tuple shape
// depends on the protocol, for instance). Not Python's socket.SocketKind, which is
// the enumeration of SOCK_* types (sockref has plain ints for those).
struct SocketTriple {
  int family = AF_INET;
  int type = SOCK_STREAM;
  int proto = 0;
};

// Sockaddr is an encoded address: storage large enough for every family plus the
// length the kernel should be given.
struct Sockaddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// EncodeAddress converts `address` for a socket of `triple` into a sockaddr, as
// CPython's getsockaddrarg() does. `caller` is the Python method name used in
// messages ("bind", "connect", "sendto", ...).
// Raises: TypeError when the address shape does not fit the family, OverflowError
// for out-of-range ports and flowinfo ("bind(): port must be 0-65535."), OSError
// ("AF_UNIX path too long"), gaierror when a host name does not resolve,
// ValueError for embedded NULs where CPython rejects them.
// Each alternative stands for the Python object it mirrors (NoAddress is None,
// InetAddress a pair, UnixAddress str or bytes, ...; CanAddress takes the tuple form
// of the socket's CAN protocol), so an alternative of the wrong family fails with the
// error CPython raises for that object. address.cc lists the whole mapping.
Sockaddr EncodeAddress(const SocketTriple& triple, const Address& address,
                       std::string_view caller);

// DecodeAddress converts a kernel-filled sockaddr of `length` bytes into an Address,
// as CPython's makesockaddr() does (length 0 -> NoAddress). `proto` selects the
// AF_CAN form.
Address DecodeAddress(const sockaddr* addr, socklen_t length, int proto);

}  // namespace sockref

#endif  // SOCKREF_IMPL_ADDRESS_H_
