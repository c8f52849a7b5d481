// netdb_bindings.cc: the `socket` module's name resolution (getaddrinfo, getnameinfo,
// gethostby*, getservby*, getprotobyname, gethostname, getfqdn) and network interface (if_*)
// functions, bound to //impl:sockref as module_bindings.cc binds the rest.

#include <sys/socket.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <variant>

#include "conformance/drivers/reference/runtime/bindings.h"
#include "conformance/drivers/reference/runtime/conversions.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "conformance/drivers/reference/runtime/module_table.h"
#include "impl/ancillary.h"
#include "impl/byteorder.h"
#include "impl/connections.h"
#include "impl/constants.h"
#include "impl/error.h"
#include "impl/fd_passing.h"
#include "impl/inet.h"
#include "impl/interfaces.h"
#include "impl/netdb.h"
#include "impl/socket.h"
#include "impl/timeout.h"

namespace sockref::conformance::reference {
namespace bindings_internal {

// HostArg converts getaddrinfo()'s host: str, bytes or None.
std::optional<std::string> HostArg(const Ref& x) {
  if (auto* s = As<StrObject>(x)) return s->utf8;
  if (auto* b = As<BytesObject>(x)) return b->data;
  if (x->kind() == Kind::kNone) return std::nullopt;
  throw TypeError("getaddrinfo() argument 1 must be string or None");
}

// PortArg converts getaddrinfo()'s port: an int (formatted as a C long), str, bytes or None.
// CPython tests PyLong_CheckExact: a bool or an int enum member is "Int or String expected".
PortSpec PortArg(const Ref& x) {
  if (x->kind() == Kind::kInt) return ArgLong(x);
  if (auto* s = As<StrObject>(x)) return s->utf8;
  if (auto* b = As<BytesObject>(x)) return b->data;
  if (x->kind() == Kind::kNone) return std::monostate();
  throw OSError(std::string("Int or String expected"));
}

}  // namespace bindings_internal

namespace {

using bindings_internal::DefineC;
using bindings_internal::DefinePython;
using bindings_internal::HostArg;
using bindings_internal::PortArg;

Ref StrList(const std::vector<std::string>& items) {
  std::vector<Ref> out;
  for (const std::string& s : items) out.push_back(Str(s));
  return NewList(std::move(out));
}

// EncodedString is PyArg's "et"/"s#"-like acceptance of str, bytes and bytearray, as the
// gethostby*() functions parse their argument.
std::string EncodedString(const Ref& x, std::string_view function) {
  if (auto* s = As<StrObject>(x)) return s->utf8;
  if (auto* b = As<BytesObject>(x)) return b->data;
  if (auto* b = As<ByteArrayObject>(x)) return b->data;
  throw TypeError(std::string(function) + "() argument 1 must be str, bytes or bytearray, not " +
                  (x->kind() == Kind::kNone ? std::string("None") : x->TypeName()));
}

// FsPath is PyUnicode_FSConverter: str (UTF-8 here) or bytes.
// FsPath is PyUnicode_FSConverter: str (encoded) or bytes, without NULs.
std::string FsPath(const Ref& x) {
  std::string path;
  if (auto* s = As<StrObject>(x)) {
    path = FsEncode(s->utf8);
  } else if (auto* b = As<BytesObject>(x)) {
    path = b->data;
  } else {
    throw TypeError("expected str, bytes or os.PathLike object, not " + x->TypeName());
  }
  if (path.find('\0') != std::string::npos) throw ValueError("embedded null byte");
  return path;
}

Ref HostEntryToRef(const HostEntry& e) {
  return NewTuple({Str(e.hostname), StrList(e.aliases), StrList(e.addresses)});
}
// ----- name resolution ---------------------------------------------------------------------------

Ref GetAddrInfo(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Python("getaddrinfo", {"host", "port", "family", "type", "proto", "flags"}, 2));
  const std::vector<Ref> a = Bind(*sig, args);
  // _socket.getaddrinfo parses the four ints ("OO|iiii") before looking at host and port.
  const int family = a[2] ? ArgInt(a[2]) : 0;
  const int type = a[3] ? ArgInt(a[3]) : 0;
  const int proto = a[4] ? ArgInt(a[4]) : 0;
  const int flags = a[5] ? ArgInt(a[5]) : 0;
  const std::optional<std::string> host = HostArg(a[0]);
  const PortSpec port = PortArg(a[1]);
  std::vector<Ref> out;
  // A bytes host reaches the resolver as it is; a str one through the idna codec.
  const std::vector<AddrInfo> infos =
      host && !As<StrObject>(a[0])
          ? sockref::getaddrinfo(sockref::BytesHost{*host}, port, family, type, proto, flags)
          : sockref::getaddrinfo(host, port, family, type, proto, flags);
  for (const AddrInfo& ai : infos) {
    out.push_back(
        NewTuple({IntOrEnum(AddressFamilyClass(), ai.family), IntOrEnum(SocketKindClass(), ai.type),
                  Int(ai.proto), Str(ai.canonname), AddressToRef(ai.sockaddr)}));
  }
  return NewList(std::move(out));
}

Ref GetNameInfo(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("getnameinfo", "getnameinfo", {"sockaddr", "flags"}, 2));
  const std::vector<Ref> a = Bind(*sig, args);
  const int flags = ArgInt(a[1]);
  auto* tuple = As<TupleObject>(a[0]);
  if (tuple == nullptr) throw TypeError("getnameinfo() argument 1 must be a tuple");
  const auto& items = tuple->items;
  // "si|II;getnameinfo(): illegal sockaddr argument": the custom message replaces the
  // count and str errors, not the int conversions' own.
  const char* kIllegal = "getnameinfo(): illegal sockaddr argument";
  if (items.size() < 2 || items.size() > 4) throw TypeError(kIllegal);
  auto* host = As<StrObject>(items[0]);
  if (host == nullptr) throw TypeError(kIllegal);
  const std::int64_t port = ArgLong(items[1]);
  // flowinfo and scope_id are "I": taken modulo 2**32.
  Address address;
  if (items.size() == 2) {
    address = InetAddress{host->utf8, port};
  } else {
    const auto flowinfo = static_cast<std::int64_t>(ArgUnsignedMask(items[2], 32));
    const auto scope_id =
        static_cast<std::int64_t>(items.size() > 3 ? ArgUnsignedMask(items[3], 32) : 0);
    address = Inet6Address{host->utf8, port, flowinfo, scope_id};
  }
  auto [name, service] = sockref::getnameinfo(address, flags);
  return NewTuple({Str(name), Str(service)});
}

Ref GetHostByName(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("gethostbyname", "gethostbyname", {"hostname"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  const std::string name = EncodedString(a[0], "gethostbyname");
  return Str(As<StrObject>(a[0]) ? sockref::gethostbyname(name)
                                 : sockref::gethostbyname(sockref::BytesHost{name}));
}

Ref GetHostByNameEx(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("gethostbyname_ex", "gethostbyname_ex", {"hostname"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  const std::string name = EncodedString(a[0], "gethostbyname_ex");
  return HostEntryToRef(As<StrObject>(a[0]) ? sockref::gethostbyname_ex(name)
                                            : sockref::gethostbyname_ex(sockref::BytesHost{name}));
}

Ref GetHostByAddr(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("gethostbyaddr", "gethostbyaddr", {"ip_address"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  const std::string name = EncodedString(a[0], "gethostbyaddr");
  return HostEntryToRef(As<StrObject>(a[0]) ? sockref::gethostbyaddr(name)
                                            : sockref::gethostbyaddr(sockref::BytesHost{name}));
}

Ref GetHostName(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("_socket.gethostname"));
  Bind(*sig, args);
  return Str(sockref::gethostname());
}

Ref SetHostName(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("sethostname", "sethostname", {"name"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  // "S" first: bytes are taken as they are, NULs included; anything else is FsPath's.
  auto* bytes = As<BytesObject>(a[0]);
  sockref::sethostname(bytes != nullptr ? bytes->data : FsPath(a[0]));
  return None();
}

Ref GetFqdn(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("getfqdn", {"name"}, 0));
  const std::vector<Ref> a = Bind(*sig, args);
  if (!a[0]) return Str(sockref::getfqdn());
  if (auto* s = As<StrObject>(a[0])) return Str(sockref::getfqdn(s->utf8));
  if (a[0]->kind() == Kind::kBytes || a[0]->kind() == Kind::kByteArray) {
    throw Unsupported("the reference driver binds getfqdn() for str names only");
  }
  // Lib/socket.py starts with name.strip(); anything without that method fails there.
  throw PyException("AttributeError", "'" + a[0]->TypeName() + "' object has no attribute 'strip'");
}

Ref GetProtoByName(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("getprotobyname", "getprotobyname", {"protocolname"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  return Int(sockref::getprotobyname(ArgStr(a[0], "getprotobyname", 1)));
}

Ref GetServByName(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Varargs("getservbyname", "getservbyname", {"servicename", "protocolname"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  const std::string name = ArgStr(a[0], "getservbyname", 1);
  std::optional<std::string> proto;
  if (a[1]) proto = ArgStr(a[1], "getservbyname", 2);
  return Int(sockref::getservbyname(name, proto));
}

Ref GetServByPort(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Varargs("getservbyport", "getservbyport", {"port", "protocolname"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  const std::int64_t port = ArgLong(a[0]);
  std::optional<std::string> proto;
  if (a[1]) proto = ArgStr(a[1], "getservbyport", 2);
  return Str(sockref::getservbyport(port, proto));
}

// ----- interfaces --------------------------------------------------------------------------------

Ref IfNameIndex(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("_socket.if_nameindex"));
  Bind(*sig, args);
  std::vector<Ref> out;
  for (const InterfaceName& i : sockref::if_nameindex()) {
    out.push_back(NewTuple({Int(i.index), Str(i.name)}));
  }
  return NewList(std::move(out));
}

Ref IfNameToIndex(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("_socket.if_nametoindex", "oname"));
  const std::vector<Ref> a = Bind(*sig, args);
  return Int(sockref::if_nametoindex(FsPath(a[0])));
}

Ref IfIndexToName(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("_socket.if_indextoname", "index"));
  const std::vector<Ref> a = Bind(*sig, args);
  // CPython 3.11 checks for an int by hand, then reads a C unsigned long.
  const std::optional<PyInt> index = IndexValue(a[0]);
  if (!index) throw TypeError("an integer is required");
  if (*index > static_cast<PyInt>(std::numeric_limits<unsigned long>::max())) {
    throw OverflowError("Python int too large to convert to C unsigned long");
  }
  // sockref takes an int64. CPython hands only the low 32 bits to if_indextoname(3), so an
  // index of 2**63 or more is passed as those bits; any negative one raises the same error.
  std::int64_t value;
  if (*index < 0) {
    value = -1;
  } else if (*index > std::numeric_limits<std::int64_t>::max()) {
    value = static_cast<std::uint32_t>(*index);
  } else {
    value = static_cast<std::int64_t>(*index);
  }
  return Str(sockref::if_indextoname(value));
}

}  // namespace

namespace bindings_internal {

void DefineNetdbFunctions(Table& t) {
  DefinePython(t, "getaddrinfo", GetAddrInfo);
  DefinePython(t, "getfqdn", GetFqdn);
  DefineC(t, "getnameinfo", GetNameInfo);
  DefineC(t, "gethostbyname", GetHostByName);
  DefineC(t, "gethostbyname_ex", GetHostByNameEx);
  DefineC(t, "gethostbyaddr", GetHostByAddr);
  DefineC(t, "gethostname", GetHostName);
  DefineC(t, "sethostname", SetHostName);
  DefineC(t, "getprotobyname", GetProtoByName);
  DefineC(t, "getservbyname", GetServByName);
  DefineC(t, "getservbyport", GetServByPort);
  DefineC(t, "if_nameindex", IfNameIndex);
  DefineC(t, "if_nametoindex", IfNameToIndex);
  DefineC(t, "if_indextoname", IfIndexToName);
}

}  // namespace bindings_internal
}  // namespace sockref::conformance::reference
