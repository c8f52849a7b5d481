// address.cc: the socket-address codec, CPython 3.11's getsockaddrarg() (encode)
// and makesockaddr() (decode) on Linux.
//
// Why the codec goes through a model of the Python object: CPython parses the object
// a caller gave it (a tuple, str, bytes or None) with PyArg_ParseTuple formats that
// differ per family, and each error it raises depends on that object's Python shape
// ("AF_INET address must be a pair (host, port)", "'str' object cannot be interpreted
// as an integer", ...). So EncodeAddress first turns the typed C++ address into the
// Python object it stands for (PyValue below) and then runs the family's parser over
// it, one format unit at a time, as CPython does. An address of one family given to a
// socket of another then fails with exactly the error CPython raises for that tuple.
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
#include <netdb.h>
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

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "impl/error.h"
#include "impl/idna.h"

namespace sockref {
namespace {

// ---------------------------------------------------------------------------
// A model of the Python objects an address can be.

// Wide enough for every integer field of every address type (int64 and uint64).
using PyInt = __int128;

struct PyValue {
  enum class Type { kNone, kInt, kStr, kBytes, kTuple };
  Type type = Type::kNone;
  PyInt number = 0;
  std::string text;  // kStr (UTF-8, or raw bytes for file-system text) and kBytes
  std::vector<PyValue> items;

  static PyValue None() { return {}; }
  static PyValue Int(PyInt v) {
    PyValue p;
    p.type = Type::kInt;
    p.number = v;
    return p;
  }
  static PyValue Str(std::string s) {
    PyValue p;
    p.type = Type::kStr;
    p.text = std::move(s);
    return p;
  }
  static PyValue Bytes(std::string s) {
    PyValue p;
    p.type = Type::kBytes;
    p.text = std::move(s);
    return p;
  }
  static PyValue Tuple(std::vector<PyValue> items) {
    PyValue p;
    p.type = Type::kTuple;
    p.items = std::move(items);
    return p;
  }
};

// TypeName returns type(v).__name__.
std::string TypeName(const PyValue& v) {
  switch (v.type) {
    case PyValue::Type::kNone:
      return "NoneType";
    case PyValue::Type::kInt:
      return "int";
    case PyValue::Type::kStr:
      return "str";
    case PyValue::Type::kBytes:
      return "bytes";
    case PyValue::Type::kTuple:
      return "tuple";
  }
  return "object";
}

// DecodeUtf8 decodes one code point of `s` at `i` the way Python's strict UTF-8
// decoder accepts it (no overlongs, no surrogates, at most U+10FFFF). Returns the
// number of bytes consumed, or 0 if the byte at `i` does not start a valid sequence.
std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t* out) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *out = b0;
    return 1;
  }
  std::size_t n;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *out = cp;
  return n;
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    const std::size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// HostValue is the Python object for a host name: str when it can be one.
PyValue HostValue(const std::string& host) {
  return IsValidUtf8(host) ? PyValue::Str(host) : PyValue::Bytes(host);
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
// PyArg_ParseTuple's format units, each raising what CPython raises.

// TupleArgs is one PyArg_ParseTuple(args, "units[:fname][;custom]", ...) call:
// `fname` names the function in CPython's default messages and `custom` replaces
// the messages for a wrong item count and for items of the wrong type.
class TupleArgs {
 public:
  TupleArgs(const PyValue& args, std::string fname, std::string custom)
      : args_(args), fname_(std::move(fname)), custom_(std::move(custom)) {}

  // CheckCount raises the TypeError PyArg_ParseTuple raises for a tuple of the wrong
  // length. CPython checks the length before it converts any item.
  void CheckCount(std::size_t min, std::size_t max) const {
    const std::size_t len = size();
    if (len >= min && len <= max) return;
    if (!custom_.empty()) throw TypeError(custom_);
    const std::size_t bound = len < min ? min : max;
    throw TypeError((fname_.empty() ? std::string("function") : fname_ + "()") + " takes " +
                    (min == max  ? "exactly"
                     : len < min ? "at least"
                                 : "at most") +
                    " " + std::to_string(bound) + " argument" + (bound == 1 ? "" : "s") + " (" +
                    std::to_string(len) + " given)");
  }

  std::size_t size() const { return args_.items.size(); }
  const PyValue& at(std::size_t i) const { return args_.items[i]; }

  // Mismatch raises the TypeError for item `i` not being of the `expected` type.
  [[noreturn]] void Mismatch(std::size_t i, std::string_view expected) const {
    if (!custom_.empty()) throw TypeError(custom_);
    const PyValue& v = at(i);
    // CPython spells None's type "None" in this message only.
    const std::string got = v.type == PyValue::Type::kNone ? "None" : TypeName(v);
    throw TypeError((fname_.empty() ? std::string() : fname_ + "() ") + "argument " +
                    std::to_string(i + 1) + " must be " + std::string(expected) + ", not " + got);
  }

 private:
  const PyValue& args_;
  std::string fname_;
  std::string custom_;
};

[[noreturn]] void NotAnInteger(const PyValue& v) {
  throw TypeError("'" + TypeName(v) + "' object cannot be interpreted as an integer");
}

// ParseInt is the 'i' unit (C int, range-checked).
int ParseInt(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kInt) NotAnInteger(v);
  if (v.number > INT64_MAX || v.number < INT64_MIN) {
    throw OverflowError("Python int too large to convert to C long");
  }
  if (v.number > INT_MAX) throw OverflowError("signed integer is greater than maximum");
  if (v.number < INT_MIN) throw OverflowError("signed integer is less than minimum");
  return static_cast<int>(v.number);
}

// ParseMask is the 'I', 'H' and 'B' units: any int, reduced modulo 2**64 (the
// caller narrows it further), never an overflow.
std::uint64_t ParseMask(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kInt) NotAnInteger(v);
  return static_cast<std::uint64_t>(v.number);
}

// ParseMaskStrict is the 'k' and 'K' units: like ParseMask, but a non-int is an
// argument-type mismatch rather than an __index__ failure.
std::uint64_t ParseMaskStrict(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kInt) args.Mismatch(i, "int");
  return static_cast<std::uint64_t>(v.number);
}

// ParseStr is the 's' unit: a str without NUL characters.
std::string ParseStr(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kStr) args.Mismatch(i, "str");
  if (v.text.find('\0') != std::string::npos) throw ValueError("embedded null character");
  return v.text;
}

// ParseBuffer is the 'y*' unit: any bytes-like object (str is not one).
Bytes ParseBuffer(const PyValue& v) {
  if (v.type != PyValue::Type::kBytes) {
    throw TypeError("a bytes-like object is required, not '" + TypeName(v) + "'");
  }
  return v.text;
}

// FsConvert is PyUnicode_FSConverter: str or bytes, without NUL bytes.
Bytes FsConvert(const PyValue& v) {
  if (v.type != PyValue::Type::kStr && v.type != PyValue::Type::kBytes) {
    throw TypeError("expected str, bytes or os.PathLike object, not " + TypeName(v));
  }
  if (v.text.find('\0') != std::string::npos) throw ValueError("embedded null byte");
  return v.text;
}

// ---------------------------------------------------------------------------
// Host names: CPython's idna_converter() and setipaddr().

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
      host = IsAscii(v.text) ? v.text : EncodeIdna(v.text);
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

// RaiseGaiError raises what CPython's set_gaierror() raises for `error`.
[[noreturn]] void RaiseGaiError(int error, int saved_errno) {
  if (error == EAI_SYSTEM) ThrowOSError(saved_errno);
  throw gaierror(error);
}

struct AddrInfoDeleter {
  void operator()(addrinfo* res) const { freeaddrinfo(res); }
};

// SetIpAddr fills `out` (out_size bytes) with `name` for family `af`, as CPython's
// setipaddr(): '' is the wildcard, '<broadcast>' and '255.255.255.255' are
// INADDR_BROADCAST (AF_INET only), numeric addresses are parsed without a lookup
// (IPv6 only without a "%zone"), and everything else goes to getaddrinfo().
void SetIpAddr(const std::string& name, sockaddr* out, std::size_t out_size, int af) {
  addrinfo hints{};
  addrinfo* res = nullptr;
  if (name.empty()) {
    hints.ai_family = af;
    hints.ai_socktype = SOCK_DGRAM;  // any type will do; it only avoids duplicates
    hints.ai_flags = AI_PASSIVE;
    const int error = getaddrinfo(nullptr, "0", &hints, &res);
    if (error != 0) RaiseGaiError(error, errno);
    std::unique_ptr<addrinfo, AddrInfoDeleter> owner(res);
    if (res->ai_family != AF_INET && res->ai_family != AF_INET6) {
      throw OSError(std::string("unsupported address family"));
    }
    if (res->ai_next != nullptr)
      throw OSError(std::string("wildcard resolved to multiple address"));
    std::memcpy(out, res->ai_addr, std::min<std::size_t>(out_size, res->ai_addrlen));
    return;
  }
  if (name == "255.255.255.255" || name == "<broadcast>") {
    if (af != AF_INET && af != AF_UNSPEC) throw OSError(std::string("address family mismatched"));
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    *sin = sockaddr_in{};
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
    return;
  }
  if (af == AF_UNSPEC || af == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    *sin = sockaddr_in{};
    if (inet_pton(AF_INET, name.c_str(), &sin->sin_addr) > 0) {
      sin->sin_family = AF_INET;
      return;
    }
  }
  // A "%zone" suffix needs getaddrinfo() to turn an interface name into an index.
  if ((af == AF_UNSPEC || af == AF_INET6) && name.find('%') == std::string::npos) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
    *sin6 = sockaddr_in6{};
    if (inet_pton(AF_INET6, name.c_str(), &sin6->sin6_addr) > 0) {
      sin6->sin6_family = AF_INET6;
      return;
    }
  }
  hints = addrinfo{};
  hints.ai_family = af;
  const int error = getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (error != 0) RaiseGaiError(error, errno);
  std::unique_ptr<addrinfo, AddrInfoDeleter> owner(res);
  std::memcpy(out, res->ai_addr, std::min<std::size_t>(out_size, res->ai_addrlen));
  if (out->sa_family != AF_INET && out->sa_family != AF_INET6) {
    throw OSError(std::string("unknown address family"));
  }
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

// InterfaceName returns the name of interface `index`, or "" when there is none
// (CPython ignores a failed SIOCGIFNAME).
std::string InterfaceName(int index) {
  if (index == 0) return "";
  char name[IF_NAMESIZE + 1] = {};
  if (if_indextoname(static_cast<unsigned>(index), name) == nullptr) return "";
  return name;
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

void EncodeInet(const PyValue& v, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_INET", v);
  TupleArgs args(v, "", "AF_INET address must be a pair (host, port)");
  args.CheckCount(2, 2);
  const std::string host = IdnaHost(args.at(0));
  int port;
  try {
    port = ParseInt(args, 1);
  } catch (const OverflowError&) {
    throw OverflowError(Prefix(caller) + "port must be 0-65535.");
  }
  // The host is resolved before the port is range-checked: ('no.such.host', 70000)
  // raises gaierror, not OverflowError.
  auto* sin = As<sockaddr_in>(out);
  SetIpAddr(host, reinterpret_cast<sockaddr*>(sin), sizeof(*sin), AF_INET);
  if (port < 0 || port > 0xffff) throw OverflowError(Prefix(caller) + "port must be 0-65535.");
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<std::uint16_t>(port));
  out.length = sizeof(sockaddr_in);
}

void EncodeInet6(const PyValue& v, const SocketTriple& triple, std::string_view caller, Sockaddr& out) {
  if (v.type != PyValue::Type::kTuple) MustBeTuple(caller, "AF_INET6", v);
  TupleArgs args(v, "", "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
  args.CheckCount(2, 4);
  const std::string host = IdnaHost(args.at(0));
  int port;
  try {
    port = ParseInt(args, 1);
  } catch (const OverflowError&) {
    throw OverflowError(Prefix(caller) + "port must be 0-65535.");
  }
  // flowinfo and scope_id are C unsigned ints taken modulo 2**32, so -1 becomes
  // 0xffffffff (then rejected as a flowinfo) and 2**32 becomes 0.
  const auto flowinfo = static_cast<std::uint32_t>(args.size() > 2 ? ParseMask(args, 2) : 0);
  const auto scope_id = static_cast<std::uint32_t>(args.size() > 3 ? ParseMask(args, 3) : 0);
  auto* sin6 = As<sockaddr_in6>(out);
  SetIpAddr(host, reinterpret_cast<sockaddr*>(sin6), sizeof(*sin6), AF_INET6);
  if (port < 0 || port > 0xffff) throw OverflowError(Prefix(caller) + "port must be 0-65535.");
  if (flowinfo > 0xfffff) throw OverflowError(Prefix(caller) + "flowinfo must be 0-1048575.");
  sin6->sin6_family = static_cast<sa_family_t>(triple.family);
  sin6->sin6_port = htons(static_cast<std::uint16_t>(port));
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

void EncodeCan(const PyValue& v, const SocketTriple& triple, std::string_view caller, Sockaddr& out) {
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

// ---------------------------------------------------------------------------
// Python's repr() of the objects above.

void AppendHex(std::string& out, unsigned value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

char QuoteFor(std::string_view s) {
  // Python prefers single quotes, and switches only to avoid escaping a '.
  return s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"'
                                                                                         : '\'';
}

// AppendCommonEscape writes the escapes str and bytes reprs share, or returns false.
bool AppendCommonEscape(std::string& out, char32_t c, char quote) {
  if (c == static_cast<char32_t>(quote) || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c == '\t') {
    out += "\\t";
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else {
    return false;
  }
  return true;
}

std::string ReprBytes(std::string_view s) {
  const char quote = QuoteFor(s);
  std::string out = "b";
  out += quote;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (AppendCommonEscape(out, c, quote)) continue;
    if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      AppendHex(out, c, 2);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

// IsPrintable approximates Python's str.isprintable() for one non-ASCII code point:
// controls, separators, format characters, surrogates and private-use characters are
// not printable. It covers the ranges those categories occupy in the Latin, general
// punctuation and specials blocks; rarer format characters print as themselves.
bool IsPrintable(char32_t c) {
  if (c < 0xA1) return false;  // C1 controls and U+00A0 NO-BREAK SPACE
  if (c == 0xAD || c == 0x061C || c == 0x1680 || c == 0x180E || c == 0x3000 || c == 0xFEFF) {
    return false;
  }
  if ((c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
      (c >= 0x205F && c <= 0x206F) || (c >= 0xD800 && c <= 0xF8FF) ||
      (c >= 0xFFF9 && c <= 0xFFFB) || c == 0xFFFE || c == 0xFFFF) {
    return false;
  }
  return true;
}

// ReprStr prints text as Python's repr() of the str that os.fsdecode() makes of it:
// bytes that are not UTF-8 show as the surrogates '\udcXX'.
std::string ReprStr(std::string_view s) {
  const char quote = QuoteFor(s);
  std::string out(1, quote);
  for (std::size_t i = 0; i < s.size();) {
    char32_t c;
    std::size_t n = DecodeUtf8(s, i, &c);
    if (n == 0) {
      c = 0xDC00 + static_cast<unsigned char>(s[i]);
      n = 1;
    }
    if (AppendCommonEscape(out, c, quote)) {
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      AppendHex(out, c, 2);
    } else if (c < 0x7f || IsPrintable(c)) {
      out.append(s.substr(i, n));
    } else if (c <= 0xff) {
      out += "\\x";
      AppendHex(out, c, 2);
    } else if (c <= 0xffff) {
      out += "\\u";
      AppendHex(out, c, 4);
    } else {
      out += "\\U";
      AppendHex(out, c, 8);
    }
    i += n;
  }
  out += quote;
  return out;
}

std::string ReprInt(PyInt v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string digits;
  while (v != 0) {
    const int d = static_cast<int>(v % 10);
    digits += static_cast<char>('0' + (negative ? -d : d));
    v /= 10;
  }
  if (negative) digits += '-';
  return {digits.rbegin(), digits.rend()};
}

std::string Repr(const PyValue& v) {
  switch (v.type) {
    case PyValue::Type::kNone:
      return "None";
    case PyValue::Type::kInt:
      return ReprInt(v.number);
    case PyValue::Type::kStr:
      return ReprStr(v.text);
    case PyValue::Type::kBytes:
      return ReprBytes(v.text);
    case PyValue::Type::kTuple: {
      std::string out = "(";
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i != 0) out += ", ";
        out += Repr(v.items[i]);
      }
      if (v.items.size() == 1) out += ",";
      return out + ")";
    }
  }
  return "";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Address& address) {
  return os << Repr(ToPython(address, nullptr));
}

Sockaddr EncodeAddress(const SocketTriple& triple, const Address& address, std::string_view caller) {
  const PyValue v = ToPython(address, &triple);
  Sockaddr out;
  switch (triple.family) {
    case AF_UNIX:
      EncodeUnix(v, triple, out);
      break;
    case AF_NETLINK:
      EncodeNetlink(v, caller, out);
      break;
#if __has_include(<linux/qrtr.h>) && defined(AF_QIPCRTR)
    case AF_QIPCRTR: {
      const auto [node, port] = ParseUintPair(v, "AF_QIPCRTR");
      auto* qrtr = As<sockaddr_qrtr>(out);
      qrtr->sq_family = AF_QIPCRTR;
      qrtr->sq_node = node;
      qrtr->sq_port = port;
      out.length = sizeof(sockaddr_qrtr);
      break;
    }
#endif
#if __has_include(<linux/vm_sockets.h>) && defined(AF_VSOCK)
    case AF_VSOCK: {
      const auto [cid, port] = ParseUintPair(v, "AF_VSOCK");
      auto* vm = As<sockaddr_vm>(out);
      vm->svm_family = static_cast<sa_family_t>(triple.family);
      vm->svm_cid = cid;
      vm->svm_port = port;
      out.length = sizeof(sockaddr_vm);
      break;
    }
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
  return out;
}

Address DecodeAddress(const sockaddr* addr, socklen_t length, int proto) {
  if (length == 0) return NoAddress{};
  // CPython decodes from a zeroed buffer the kernel filled `length` bytes of; a copy
  // gives every field below the same defined value without reading past `length`.
  sockaddr_storage storage{};
  const std::size_t copied = std::min<std::size_t>(length, sizeof(storage));
  std::memcpy(&storage, addr, copied);
  const auto* raw = reinterpret_cast<const char*>(&storage);
  const auto* sa = reinterpret_cast<const sockaddr*>(&storage);

  switch (sa->sa_family) {
    case AF_INET: {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
      return InetAddress{text, ntohs(sin->sin_port)};
    }
    case AF_UNIX: {
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
    case AF_INET6: {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
      char text[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
      return Inet6Address{text, ntohs(sin6->sin6_port), ntohl(sin6->sin6_flowinfo),
                          sin6->sin6_scope_id};
    }
    case AF_PACKET: {
      const auto* ll = reinterpret_cast<const sockaddr_ll*>(&storage);
      constexpr std::size_t kAddrOffset = offsetof(sockaddr_ll, sll_addr);
      const std::size_t halen = std::min<std::size_t>(ll->sll_halen, sizeof(storage) - kAddrOffset);
      return PacketAddress{InterfaceName(ll->sll_ifindex), ntohs(ll->sll_protocol), ll->sll_pkttype,
                           ll->sll_hatype, Bytes(raw + kAddrOffset, halen)};
    }
#if __has_include(<linux/tipc.h>) && defined(AF_TIPC)
    case AF_TIPC: {
      const auto* tipc = reinterpret_cast<const sockaddr_tipc*>(&storage);
      switch (tipc->addrtype) {
        case TIPC_ADDR_NAMESEQ:
          return TipcAddress{tipc->addrtype, tipc->addr.nameseq.type, tipc->addr.nameseq.lower,
                             tipc->addr.nameseq.upper, tipc->scope};
        case TIPC_ADDR_NAME:
          // CPython reports the instance twice, as a one-element range.
          return TipcAddress{tipc->addrtype, tipc->addr.name.name.type,
                             tipc->addr.name.name.instance, tipc->addr.name.name.instance,
                             tipc->scope};
        case TIPC_ADDR_ID:
          return TipcAddress{tipc->addrtype, tipc->addr.id.node, tipc->addr.id.ref, 0, tipc->scope};
        default:
          throw ValueError("Invalid address type");
      }
    }
#endif
#if __has_include(<linux/can.h>) && defined(AF_CAN)
    case AF_CAN: {
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
    case AF_ALG: {
      const auto* alg = reinterpret_cast<const sockaddr_alg*>(&storage);
      const auto* type = reinterpret_cast<const char*>(alg->salg_type);
      const auto* name = reinterpret_cast<const char*>(alg->salg_name);
      return AlgAddress{std::string(type, strnlen(type, sizeof(alg->salg_type))),
                        std::string(name, strnlen(name, sizeof(alg->salg_name))), alg->salg_feat,
                        alg->salg_mask};
    }
#endif
    default:
      // CPython does not raise for a family it cannot decode (AF_QIPCRTR has no
      // sockref type yet and lands here too): it reports the raw sa_data.
      return UnknownAddress{sa->sa_family, Bytes(sa->sa_data, sizeof(sa->sa_data))};
  }
}

}  // namespace sockref
