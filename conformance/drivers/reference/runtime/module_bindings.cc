// module_bindings.cc: the `socket` module's names, bound to //impl:sockref.
//
// Each function binds its arguments the way CPython 3.11 does (Signature style and the
// converters of conversions.h, in CPython's order), calls sockref, and converts the result
// to what Python returns. Constants come from impl/constants.h, wrapped in the module's enum
// classes as Lib/socket.py wraps them.
//
// Windows- and macOS-only names are absent on Linux in CPython too.
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
namespace {

using bindings_internal::DefineC;
using bindings_internal::DefinePython;
using bindings_internal::HostArg;
using bindings_internal::PortArg;
using bindings_internal::Table;

// ----- socket objects ----------------------------------------------------------------------------

Ref ConstructSocket(Session& session, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Python("socket.__init__", {"family", "type", "proto", "fileno"}, 0, true));
  const std::vector<Ref> a = Bind(*sig, args);
  // Lib/socket.py passes -1 for what was not given; _socket's Argument Clinic then converts.
  int family = a[0] ? ArgClinicInt(a[0]) : -1;
  int type = a[1] ? ArgClinicInt(a[1]) : -1;
  int proto = a[2] ? ArgClinicInt(a[2]) : -1;
  if (!a[3] || a[3]->kind() == Kind::kNone) {
    if (family == -1) family = AF_INET;
    if (type == -1) type = SOCK_STREAM;
    if (proto == -1) proto = 0;
    return session.NewSocket(sockref::Socket(family, type, proto));
  }
  // CPython stores the C long in a C int (SOCKET_T) without a range check, then rejects a
  // negative one, as FromFileno does.
  const auto fd = static_cast<int>(ArgLong(a[3]));
  return session.NewSocket(sockref::Socket::FromFileno(fd, family, type, proto));
}

Ref SocketPair(Session& session, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Python("socketpair", {"family", "type", "proto"}, 0));
  const std::vector<Ref> a = Bind(*sig, args);
  const int family = !a[0] || a[0]->kind() == Kind::kNone ? AF_UNIX : ArgInt(a[0]);
  const int type = a[1] ? ArgInt(a[1]) : SOCK_STREAM;
  const int proto = a[2] ? ArgInt(a[2]) : 0;
  auto [first, second] = sockref::socketpair(family, type, proto);
  return NewTuple({session.NewSocket(std::move(first)), session.NewSocket(std::move(second))});
}

Ref FromFd(Session& session, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Python("fromfd", {"fd", "family", "type", "proto"}, 3));
  const std::vector<Ref> a = Bind(*sig, args);
  // _socket.dup() reads the descriptor as a C long stored in a C int, unchecked.
  const auto fd = static_cast<int>(ArgLong(a[0]));
  const int family = ArgClinicInt(a[1]);
  const int type = ArgClinicInt(a[2]);
  const int proto = a[3] ? ArgClinicInt(a[3]) : 0;
  return session.NewSocket(sockref::fromfd(fd, family, type, proto));
}

// SocketArg returns `sock` as a socket object; Lib/socket.py's helpers just call its
// `method`, so anything else fails with the AttributeError of that lookup.
SocketObject& SocketArg(const Ref& sock, const std::string& method) {
  auto* s = As<SocketObject>(sock);
  if (s == nullptr) {
    throw PyException("AttributeError",
                      "'" + sock->TypeName() + "' object has no attribute '" + method + "'");
  }
  return *s;
}

// ----- connection helpers (Lib/socket.py) --------------------------------------------------------

Ref CreateConnection(Session& session, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python(
      "create_connection", {"address", "timeout", "source_address"}, 1, false, {"all_errors"}));
  const std::vector<Ref> a = Bind(*sig, args);
  // `host, port = address`, with Python's unpacking errors.
  const std::optional<std::vector<Ref>> parts = bindings_internal::IterableItems(a[0]);
  if (!parts) throw TypeError("cannot unpack non-iterable " + a[0]->TypeName() + " object");
  if (parts->size() < 2) {
    throw ValueError("not enough values to unpack (expected 2, got " +
                     std::to_string(parts->size()) + ")");
  }
  if (parts->size() > 2) throw ValueError("too many values to unpack (expected 2)");
  ConnectTimeout timeout;
  if (a[1] && a[1]->kind() == Kind::kNone) {
    timeout = ConnectTimeout(std::nullopt);
  } else if (a[1]) {
    // Python passes the value to settimeout() on each socket; sockref takes float seconds,
    // so the value is validated here as settimeout() would validate it.
    ArgTimeout(a[1]);
    auto* f = As<FloatObject>(a[1]);
    const double seconds = f ? f->value : static_cast<double>(ArgIndex(a[1]));
    timeout = ConnectTimeout(std::optional<Seconds>(Seconds(seconds)));
  }
  std::optional<Address> source;
  if (a[2] && a[2]->kind() != Kind::kNone) {
    if (a[2]->kind() != Kind::kTuple && a[2]->kind() != Kind::kStr && !GetBuffer(a[2])) {
      // What bind() says on the socket for the first address; the driver assumes it is an
      // AF_INET one, as for the loopback and host names cases use.
      throw TypeError("bind(): AF_INET address must be tuple, not " + a[2]->TypeName());
    }
    source = ArgAddressByShape(a[2]);
  }
  const bool all_errors = a[3] && Truth(a[3]);
  const HostPort address(HostArg((*parts)[0]), PortArg((*parts)[1]));
  return session.NewSocket(sockref::create_connection(address, timeout, source, all_errors));
}

Ref CreateServer(Session& session, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Python("create_server", {"address"}, 1, false,
                                      {"family", "backlog", "reuse_port", "dualstack_ipv6"}));
  const std::vector<Ref> a = Bind(*sig, args);
  CreateServerOptions options;
  if (a[1]) options.family = ArgClinicInt(a[1]);
  if (a[2] && a[2]->kind() != Kind::kNone) options.backlog = ArgInt(a[2]);
  options.reuse_port = a[3] && Truth(a[3]);
  options.dualstack_ipv6 = a[4] && Truth(a[4]);
  const Address address = ArgAddress(a[0], options.family, "bind");
  return session.NewSocket(sockref::create_server(address, options));
}

Ref HasDualstackIpv6(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("has_dualstack_ipv6", {}, 0));
  Bind(*sig, args);
  return Bool(sockref::has_dualstack_ipv6());
}

Ref SendFds(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Python("send_fds", {"sock", "buffers", "fds", "flags", "address"}, 3));
  const std::vector<Ref> a = Bind(*sig, args);
  SocketObject& s = SocketArg(a[0], "sendmsg");
  // array.array("i", fds) is built first, then sendmsg() parses the buffers; flags and
  // address are ignored, as in CPython 3.11.
  const std::optional<std::vector<Ref>> fd_items = bindings_internal::IterableItems(a[2]);
  if (!fd_items || a[2]->kind() == Kind::kStr) {
    if (a[2]->kind() == Kind::kStr) {
      throw TypeError("cannot use a str to initialize an array with typecode 'i'");
    }
    throw TypeError("'" + a[2]->TypeName() + "' object is not iterable");
  }
  std::vector<int> fds;
  for (const Ref& fd : *fd_items) fds.push_back(ArgInt(fd));
  const std::optional<std::vector<Ref>> parts = bindings_internal::IterableItems(a[1]);
  if (!parts) throw TypeError("sendmsg() argument 1 must be an iterable");
  std::vector<ConstBuffer> buffers;
  for (const Ref& part : *parts) buffers.push_back(ArgBytesLike(part));
  return Int(sockref::send_fds(s.socket, buffers, fds));
}

Ref RecvFds(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Python("recv_fds", {"sock", "bufsize", "maxfds", "flags"}, 3));
  const std::vector<Ref> a = Bind(*sig, args);
  SocketObject& s = SocketArg(a[0], "recvmsg");
  // CMSG_LEN(maxfds * 4) is computed before recvmsg() sees bufsize.
  const std::optional<PyInt> maxfds = IndexValue(a[2]);
  if (!maxfds) {
    const Kind k = a[2]->kind();
    if (k == Kind::kFloat || k == Kind::kStr || k == Kind::kBytes || k == Kind::kByteArray ||
        k == Kind::kTuple || k == Kind::kList) {
      throw TypeError("'" + a[2]->TypeName() + "' object cannot be interpreted as an integer");
    }
    throw TypeError("unsupported operand type(s) for *: '" + a[2]->TypeName() + "' and 'int'");
  }
  if (*maxfds < std::numeric_limits<std::int64_t>::min() / 4 ||
      *maxfds > std::numeric_limits<std::int64_t>::max() / 4) {
    throw OverflowError("Python int too large to convert to C ssize_t");
  }
  const std::int64_t bufsize = ArgSsize(a[1]);
  RecvFdsResult r = sockref::recv_fds(s.socket, bufsize, static_cast<std::int64_t>(*maxfds));
  std::vector<Ref> fds;
  for (int fd : r.fds) fds.push_back(Int(fd));
  return NewTuple({NewBytes(std::move(r.data)), NewList(std::move(fds)), Int(r.msg_flags),
                   AddressToRef(r.address)});
}

// ----- conversions -------------------------------------------------------------------------------

Ref InetAton(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("inet_aton", "inet_aton", {"ip_string"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  return NewBytes(sockref::inet_aton(ArgStr(a[0], "inet_aton", 1)));
}

Ref InetNtoa(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("inet_ntoa", "inet_ntoa", {"packed_ip"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  return Str(sockref::inet_ntoa(ArgBytesLike(a[0])));
}

Ref InetPton(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Varargs("inet_pton", "inet_pton", {"address_family", "ip_string"}, 2));
  const std::vector<Ref> a = Bind(*sig, args);
  const int family = ArgInt(a[0]);
  return NewBytes(sockref::inet_pton(family, ArgStr(a[1], "inet_pton", 2)));
}

Ref InetNtop(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Varargs("inet_ntop", "inet_ntop", {"address_family", "packed_ip"}, 2));
  const std::vector<Ref> a = Bind(*sig, args);
  const int family = ArgInt(a[0]);
  return Str(sockref::inet_ntop(family, ArgBytesLike(a[1])));
}

// htons/ntohs parse their argument with "i:htons"; htonl/ntohl take one object (METH_O)
// and accept only ints, with a message of their own.
template <typename Convert>
void DefineByteOrder(Table& t, const std::string& name, Convert convert) {
  const bool is_long = name.back() == 'l';
  DefineC(t, name, [name, convert, is_long](Session&, const CallArgs& args) {
    const Signature sig = is_long ? Signature::OneArg("_socket." + name, "x")
                                  : Signature::Varargs(name, name, {"x"}, 1);
    const std::vector<Ref> a = Bind(sig, args);
    if (is_long && !IndexValue(a[0])) {
      throw TypeError("expected int, " + a[0]->TypeName() + " found");
    }
    return Int(convert(ArgIndex(a[0])));
  });
}

template <typename Compute>
void DefineCmsg(Table& t, const std::string& name, Compute compute) {
  DefineC(t, name, [name, compute](Session&, const CallArgs& args) {
    const Signature sig = Signature::Varargs(name, name, {"length"}, 1);
    const std::vector<Ref> a = Bind(sig, args);
    return Int(compute(ArgSsize(a[0])));
  });
}

// ----- default timeout and descriptors -----------------------------------------------------------

Ref GetDefaultTimeout(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("_socket.getdefaulttimeout"));
  Bind(*sig, args);
  return TimeoutToRef(sockref::getdefaulttimeout());
}

Ref SetDefaultTimeout(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("_socket.setdefaulttimeout", "timeout"));
  const std::vector<Ref> a = Bind(*sig, args);
  sockref::setdefaulttimeout(ArgTimeout(a[0]));
  return None();
}

Ref CloseFd(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("_socket.close", "fd"));
  const std::vector<Ref> a = Bind(*sig, args);
  sockref::close(static_cast<int>(ArgLong(a[0])));
  return None();
}

// DupFd is socket.dup(fd): a non-inheritable duplicate of any open descriptor.
Ref DupFd(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("_socket.dup", "fd"));
  const std::vector<Ref> a = Bind(*sig, args);
  return Int(sockref::dup(static_cast<int>(ArgLong(a[0]))));
}

// ----- classes -----------------------------------------------------------------------------------

// EnumClassObject is socket.AddressFamily & co.; calling one looks a member up by value
// (Python's EnumType.__call__).
Ref EnumClassObject(const EnumClass& cls) {
  const std::string name(cls.name);
  NativeFn construct = [&cls, name](Session&, const CallArgs& args) -> Ref {
    const Signature sig = Signature::Python("EnumType.__call__", {"value"}, 1);
    const std::vector<Ref> a = Bind(sig, args);
    const std::optional<PyInt> value = IndexValue(a[0]);
    if (value && *value >= std::numeric_limits<std::int64_t>::min() &&
        *value <= std::numeric_limits<std::int64_t>::max()) {
      if (auto member = EnumMember(cls, static_cast<std::int64_t>(*value))) return *member;
      if (cls.is_flag && *value == 0) {
        return std::make_shared<EnumObject>(cls, "", 0);
      }
      if (cls.is_flag) {
        throw Unsupported("the reference driver does not build " + name +
                          " values with unnamed bits");
      }
    }
    throw ValueError(ReprOf(a[0]) + " is not a valid " + name);
  };
  auto object = std::make_shared<ClassObject>(
      "socket." + name, std::string(cls.is_flag ? "<flag '" : "<enum '") + name + "'>", "EnumType",
      std::move(construct));
  object->enum_class = &cls;
  return object;
}

const Table& ModuleTable() {
  static const Table* table = [] {
    auto* t = new Table;
    (*t)["socket"] = std::make_shared<ClassObject>("socket.socket", "<class 'socket.socket'>",
                                                   "type", ConstructSocket);
    (*t)["SocketType"] = std::make_shared<ClassObject>("_socket.socket", "<class '_socket.socket'>",
                                                       "type", NativeFn());
    (*t)["error"] = ExceptionClass("OSError");
    (*t)["has_ipv6"] = Bool(sockref::has_ipv6);
    (*t)["timeout"] = ExceptionClass("TimeoutError");
    (*t)["gaierror"] = ExceptionClass("socket.gaierror");
    (*t)["herror"] = ExceptionClass("socket.herror");
    (*t)["AddressFamily"] = EnumClassObject(AddressFamilyClass());
    (*t)["SocketKind"] = EnumClassObject(SocketKindClass());
    (*t)["MsgFlag"] = EnumClassObject(MsgFlagClass());
    (*t)["AddressInfo"] = EnumClassObject(AddressInfoClass());

    DefinePython(*t, "socketpair", SocketPair);
    DefinePython(*t, "fromfd", FromFd);
    DefinePython(*t, "create_connection", CreateConnection);
    DefinePython(*t, "create_server", CreateServer);
    DefinePython(*t, "has_dualstack_ipv6", HasDualstackIpv6);
    DefinePython(*t, "send_fds", SendFds);
    DefinePython(*t, "recv_fds", RecvFds);
    bindings_internal::DefineNetdbFunctions(*t);
    DefineC(*t, "close", CloseFd);
    DefineC(*t, "dup", DupFd);
    DefineC(*t, "getdefaulttimeout", GetDefaultTimeout);
    DefineC(*t, "setdefaulttimeout", SetDefaultTimeout);
    DefineC(*t, "inet_aton", InetAton);
    DefineC(*t, "inet_ntoa", InetNtoa);
    DefineC(*t, "inet_pton", InetPton);
    DefineC(*t, "inet_ntop", InetNtop);
    DefineByteOrder(*t, "htons", [](PyInt x) -> PyInt { return sockref::htons(x); });
    DefineByteOrder(*t, "ntohs", [](PyInt x) -> PyInt { return sockref::ntohs(x); });
    DefineByteOrder(*t, "htonl", [](PyInt x) -> PyInt { return sockref::htonl(x); });
    DefineByteOrder(*t, "ntohl", [](PyInt x) -> PyInt { return sockref::ntohl(x); });
    DefineCmsg(*t, "CMSG_LEN", [](std::int64_t n) { return sockref::CmsgLen(n); });
    DefineCmsg(*t, "CMSG_SPACE", [](std::int64_t n) { return sockref::CmsgSpace(n); });
    return t;
  }();
  return *table;
}

}  // namespace

namespace bindings_internal {

void DefineC(Table& t, const std::string& name, NativeFn fn) {
  t[name] = NewFunction("<built-in function " + name + ">", std::move(fn));
}

void DefinePython(Table& t, const std::string& name, NativeFn fn) {
  t[name] = NewFunction("<function " + name + ">", std::move(fn), "function");
}

}  // namespace bindings_internal

const Ref& SocketModule() {
  static const Ref* module =
      new Ref(std::make_shared<ModuleObject>("socket", [](std::string_view name) {
        return bindings_internal::SocketModuleAttribute(name);
      }));
  return *module;
}

namespace bindings_internal {

std::optional<Ref> SocketModuleAttribute(std::string_view name) {
  const Table& table = ModuleTable();
  if (auto it = table.find(name); it != table.end()) return it->second;
  if (std::optional<long long> value = LookupConstant(name)) {
    if (const EnumClass* cls = EnumClassForConstant(name)) {
      if (auto member = EnumMember(*cls, *value)) return *member;
    }
    return Int(*value);
  }
  return std::nullopt;
}

}  // namespace bindings_internal
}  // namespace sockref::conformance::reference
