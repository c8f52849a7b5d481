// socket_bindings.cc: the methods and attributes of socket objects, bound to sockref::Socket.
//
// Most methods are C functions of _socket.socket that take no keyword arguments; accept,
// close, detach, dup, get_inheritable, set_inheritable, __enter__ and __exit__ are
// Lib/socket.py's Python methods,
// and recv_into/recvfrom_into take keywords. Each binding parses as CPython does (see
// conversions.h) so that argument errors match too.
//
// Not bound (so `unsupported`): ioctl/share (Windows only). makefile() lives in
// file_bindings.cc.
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "conformance/drivers/reference/runtime/bindings.h"
#include "conformance/drivers/reference/runtime/conversions.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "impl/ancillary.h"
#include "impl/error.h"
#include "impl/socket.h"
#include "conformance/language/value.h"

namespace sockref::conformance::reference {
namespace {

using bindings_internal::IterableItems;

// Method is one socket method's body; `self` is the socket object it is bound to.
using Method = Ref (*)(Session& session, const Ref& self, SocketObject& s, const CallArgs& args);

struct MethodDef {
  Method body;
  bool python_level;  // defined in Lib/socket.py (a bound method) rather than in C
};

std::vector<Ref> BindArgs(const Signature& sig, const CallArgs& args) { return Bind(sig, args); }

Address ToAddress(const Ref& x, const SocketObject& s, std::string_view caller) {
  return ArgAddress(x, s.socket.family(), caller);
}

Ref AncillaryToRef(const std::vector<AncillaryItem>& items) {
  std::vector<Ref> out;
  for (const AncillaryItem& item : items) {
    out.push_back(NewTuple({Int(item.level), Int(item.type), NewBytes(item.data)}));
  }
  return NewList(std::move(out));
}

// ----- life cycle --------------------------------------------------------------------------------

Ref Accept(Session& session, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("socket.accept", {}, 0, true));
  BindArgs(*sig, args);
  AcceptResult r = s.socket.accept();
  Ref conn = session.NewSocket(std::move(r.conn));
  return NewTuple({conn, AddressToRef(r.address)});
}

Ref Close(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("socket.close", {}, 0, true));
  BindArgs(*sig, args);
  s.Close();
  return None();
}

// __enter__ and __exit__ are Lib/socket.py's context manager protocol, what a `with` statement
// calls: __enter__ returns the socket, __exit__(*args) closes it unless it is closed already.
Ref Enter(Session&, const Ref& self, SocketObject&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("socket.__enter__", {}, 0, true));
  BindArgs(*sig, args);
  return self;
}

Ref Exit(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  if (!args.keywords.empty()) {
    throw TypeError("socket.__exit__() got an unexpected keyword argument '" +
                    args.keywords.front().first + "'");
  }
  if (!s.closed) s.Close();
  return None();
}

Ref Detach(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("socket.detach", {}, 0, true));
  BindArgs(*sig, args);
  s.closed = true;
  return Int(s.socket.detach());
}

Ref Dup(Session& session, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("socket.dup", {}, 0, true));
  BindArgs(*sig, args);
  return session.NewSocket(s.socket.dup());
}

Ref Fileno(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("socket.fileno"));
  BindArgs(*sig, args);
  return Int(s.socket.fileno());
}

Ref GetInheritable(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python("socket.get_inheritable", {}, 0, true));
  BindArgs(*sig, args);
  return Bool(s.socket.get_inheritable());
}

Ref SetInheritable(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Python("socket.set_inheritable", {"inheritable"}, 1, true));
  const std::vector<Ref> a = BindArgs(*sig, args);
  // os.set_inheritable(fd, inheritable) reads the flag as a C int.
  s.socket.set_inheritable(ArgClinicInt(a[0]) != 0);
  return None();
}

// ----- modes -------------------------------------------------------------------------------------

Ref GetTimeout(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("socket.gettimeout"));
  BindArgs(*sig, args);
  return TimeoutToRef(s.socket.gettimeout());
}

Ref SetTimeout(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("socket.settimeout", "value"));
  const std::vector<Ref> a = BindArgs(*sig, args);
  s.socket.settimeout(ArgTimeout(a[0]));
  return None();
}

Ref GetBlocking(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("socket.getblocking"));
  BindArgs(*sig, args);
  return Bool(s.socket.getblocking());
}

Ref SetBlocking(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("socket.setblocking", "flag"));
  const std::vector<Ref> a = BindArgs(*sig, args);
  s.socket.setblocking(ArgLong(a[0]) != 0);
  return None();
}

// ----- connections -------------------------------------------------------------------------------

Ref BindMethod(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("socket.bind", "address"));
  const std::vector<Ref> a = BindArgs(*sig, args);
  s.socket.bind(ToAddress(a[0], s, "bind"));
  return None();
}

Ref Listen(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("listen", "socket.listen", {"backlog"}, 0));
  const std::vector<Ref> a = BindArgs(*sig, args);
  if (a[0]) {
    s.socket.listen(ArgInt(a[0]));
  } else {
    s.socket.listen();
  }
  return None();
}

Ref Connect(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("socket.connect", "address"));
  const std::vector<Ref> a = BindArgs(*sig, args);
  s.socket.connect(ToAddress(a[0], s, "connect"));
  return None();
}

Ref ConnectEx(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("socket.connect_ex", "address"));
  const std::vector<Ref> a = BindArgs(*sig, args);
  return Int(s.socket.connect_ex(ToAddress(a[0], s, "connect_ex")));
}

Ref GetPeerName(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("socket.getpeername"));
  BindArgs(*sig, args);
  return AddressToRef(s.socket.getpeername());
}

Ref GetSockName(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::NoArgs("socket.getsockname"));
  BindArgs(*sig, args);
  return AddressToRef(s.socket.getsockname());
}

Ref Shutdown(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("socket.shutdown", "how"));
  const std::vector<Ref> a = BindArgs(*sig, args);
  s.socket.shutdown(ArgClinicInt(a[0]));
  return None();
}

// ----- options -----------------------------------------------------------------------------------

Ref GetSockOpt(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Varargs("getsockopt", "socket.getsockopt", {"level", "optname", "buflen"}, 2));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const int level = ArgInt(a[0]);
  const int optname = ArgInt(a[1]);
  const int buflen = a[2] ? ArgInt(a[2]) : 0;
  // Python's buflen 0 is the int form; sockref spells that as the 2-argument overload.
  if (buflen != 0) return NewBytes(s.socket.getsockopt(level, optname, buflen));
  const std::int64_t value = s.socket.getsockopt(level, optname);
  // AF_VSOCK options are 64-bit unsigned; sockref hands them over as int64_t bits.
  if (s.socket.family() == AF_VSOCK) return Int(PyInt{static_cast<std::uint64_t>(value)});
  return Int(value);
}

// SetVsockOpt is CPython's only form on AF_VSOCK, "iiK": a 64-bit value, any int modulo 2**64.
Ref SetVsockOpt(SocketObject& s, const std::vector<Ref>& p) {
  if (p.size() != 3) {
    throw TypeError("setsockopt() takes exactly 3 arguments (" + std::to_string(p.size()) +
                    " given)");
  }
  const int level = ArgInt(p[0]);
  const int optname = ArgInt(p[1]);
  const std::uint64_t value = ArgUnsignedLongLongMask(p[2], "setsockopt", 3);
  s.socket.setsockopt(level, optname, static_cast<std::int64_t>(value));
  return None();
}

// SetSockOpt mirrors CPython's three attempts: "iii" (an int value), then "iiO!I" (None and
// an optlen), then "iiy*" (a buffer), whose errors are the ones reported.
Ref SetSockOpt(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  if (!args.keywords.empty()) throw TypeError("setsockopt() takes no keyword arguments");
  const std::vector<Ref>& p = args.positional;
  if (s.socket.family() == AF_VSOCK) return SetVsockOpt(s, p);
  auto ints_fit = [&](std::size_t count) {
    try {
      for (std::size_t i = 0; i < count; ++i) ArgInt(p[i]);
      return true;
    } catch (const PythonException&) {
      return false;
    }
  };
  if (p.size() == 3 && IndexValue(p[2]) && ints_fit(3)) {
    s.socket.setsockopt(ArgInt(p[0]), ArgInt(p[1]), ArgInt(p[2]));
    return None();
  }
  if (p.size() == 4 && p[2]->kind() == Kind::kNone && IndexValue(p[3]) && ints_fit(2)) {
    s.socket.setsockopt(ArgInt(p[0]), ArgInt(p[1]), std::nullopt,
                        static_cast<unsigned>(ArgUnsignedMask(p[3], 32)));
    return None();
  }
  if (p.size() != 3) {
    throw TypeError("setsockopt() takes exactly 3 arguments (" + std::to_string(p.size()) +
                    " given)");
  }
  const int level = ArgInt(p[0]);
  const int optname = ArgInt(p[1]);
  s.socket.setsockopt(level, optname, ArgBytesLike(p[2]));
  return None();
}

// ----- data --------------------------------------------------------------------------------------

Ref MakeFile(Session&, const Ref& self, SocketObject&, const CallArgs& args) {
  return bindings_internal::MakeFile(self, args);
}

// SendFile is Lib/socket.py's sendfile(file, offset=0, count=None) over the descriptor of
// `file`: a makefile() file or a socket, the only file-like objects a case can make. sockref's
// Socket::sendfile takes it from there with Lib/socket.py's logic.
Ref SendFile(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Python("socket.sendfile", {"file", "offset", "count"}, 1, true));
  const std::vector<Ref> a = BindArgs(*sig, args);
  int fd;
  if (auto* f = As<FileObject>(a[0])) {
    // _check_sendfile_params looks at the file's `mode` first (files without one pass): a
    // text file's lacks the 'b'.
    if (f->text && f->text->mode.find('b') == std::string::npos) {
      throw ValueError("file should be opened in binary mode");
    }
    fd = As<SocketObject>(f->socket)->socket.fileno();
  } else if (auto* other = As<SocketObject>(a[0])) {
    fd = other->socket.fileno();
  } else {
    throw Unsupported("sendfile() of a " + a[0]->TypeName() +
                      ": the driver sends from makefile() files and sockets only");
  }
  std::optional<std::int64_t> count;
  if (a[2] && a[2]->kind() != Kind::kNone) {
    const std::optional<PyInt> n = IndexValue(a[2]);
    if (!n || a[2]->kind() == Kind::kEnum) {
      // _check_sendfile_params tests the socket type before the count's type.
      if (!(s.socket.type() & SOCK_STREAM)) {
        throw ValueError("only SOCK_STREAM type sockets are supported");
      }
      if (!n) throw TypeError("count must be a positive integer (got " + ReprOf(a[2]) + ")");
    }
    count = static_cast<std::int64_t>(std::clamp<PyInt>(
        *n, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()));
  }
  std::int64_t offset = 0;
  if (a[1]) {
    const std::optional<PyInt> o = IndexValue(a[1]);
    if (!o) throw Unsupported("sendfile() with an offset that is not an int");
    offset = static_cast<std::int64_t>(std::clamp<PyInt>(
        *o, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()));
  }
  return Int(s.socket.sendfile(fd, offset, count));
}

Ref Recv(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("recv", "socket.recv", {"bufsize", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const std::int64_t bufsize = ArgSsize(a[0]);
  const int flags = a[1] ? ArgInt(a[1]) : 0;
  return NewBytes(s.socket.recv(bufsize, flags));
}

Ref RecvFrom(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("recvfrom", "socket.recvfrom", {"bufsize", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const std::int64_t bufsize = ArgSsize(a[0]);
  const int flags = a[1] ? ArgInt(a[1]) : 0;
  auto [data, address] = s.socket.recvfrom(bufsize, flags);
  return NewTuple({NewBytes(std::move(data)), AddressToRef(address)});
}

Ref RecvInto(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Keywords("recv_into", {"buffer", "nbytes", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const MutableBuffer buffer = ArgWritable(a[0], "recv_into", 1);
  const std::int64_t nbytes = a[1] ? ArgSsize(a[1]) : 0;
  const int flags = a[2] ? ArgInt(a[2]) : 0;
  return Int(s.socket.recv_into(buffer, nbytes, flags));
}

Ref RecvFromInto(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Keywords("recvfrom_into", {"buffer", "nbytes", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const MutableBuffer buffer = ArgWritable(a[0], "recvfrom_into", 1);
  const std::int64_t nbytes = a[1] ? ArgSsize(a[1]) : 0;
  const int flags = a[2] ? ArgInt(a[2]) : 0;
  auto [n, address] = s.socket.recvfrom_into(buffer, nbytes, flags);
  return NewTuple({Int(n), AddressToRef(address)});
}

Ref RecvMsg(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(
      Signature::Varargs("recvmsg", "socket.recvmsg", {"bufsize", "ancbufsize", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const std::int64_t bufsize = ArgSsize(a[0]);
  const std::int64_t ancbufsize = a[1] ? ArgSsize(a[1]) : 0;
  const int flags = a[2] ? ArgInt(a[2]) : 0;
  RecvMsgResult r = s.socket.recvmsg(bufsize, ancbufsize, flags);
  return NewTuple({NewBytes(std::move(r.data)), AncillaryToRef(r.ancdata), Int(r.msg_flags),
                   AddressToRef(r.address)});
}

Ref RecvMsgInto(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Varargs("recvmsg_into", "socket.recvmsg_into",
                                                            {"buffers", "ancbufsize", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const std::int64_t ancbufsize = a[1] ? ArgSsize(a[1]) : 0;
  const int flags = a[2] ? ArgInt(a[2]) : 0;
  const std::optional<std::vector<Ref>> items = IterableItems(a[0]);
  if (!items) throw TypeError("recvmsg_into() argument 1 must be an iterable");
  std::vector<MutableBuffer> buffers;
  for (const Ref& item : *items) {
    auto b = GetBuffer(item);
    if (!b || b->readonly) {
      throw TypeError(
          "recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers");
    }
    buffers.emplace_back(b->data, b->size);
  }
  RecvMsgIntoResult r = s.socket.recvmsg_into(buffers, ancbufsize, flags);
  return NewTuple(
      {Int(r.nbytes), AncillaryToRef(r.ancdata), Int(r.msg_flags), AddressToRef(r.address)});
}

Ref Send(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("send", "socket.send", {"data", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const ConstBuffer data = ArgBytesLike(a[0]);
  const int flags = a[1] ? ArgInt(a[1]) : 0;
  return Int(s.socket.send(data, flags));
}

Ref SendAll(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("sendall", "socket.sendall", {"data", "flags"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const ConstBuffer data = ArgBytesLike(a[0]);
  const int flags = a[1] ? ArgInt(a[1]) : 0;
  s.socket.sendall(data, flags);
  return None();
}

// SendTo takes (data, address) or (data, flags, address), as CPython's own dispatch on the
// argument count.
Ref SendTo(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  if (!args.keywords.empty()) throw TypeError("sendto() takes no keyword arguments");
  const std::vector<Ref>& p = args.positional;
  if (p.size() != 2 && p.size() != 3) {
    throw TypeError("sendto() takes 2 or 3 arguments (" + std::to_string(p.size()) + " given)");
  }
  const ConstBuffer data = ArgBytesLike(p[0]);
  const int flags = p.size() == 3 ? ArgInt(p[1]) : 0;
  const Address address = ToAddress(p.back(), s, "sendto");
  return Int(s.socket.sendto(data, flags, address));
}

Ref SendMsg(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Varargs(
      "sendmsg", "socket.sendmsg", {"buffers", "ancdata", "flags", "address"}, 1));
  const std::vector<Ref> a = BindArgs(*sig, args);
  const int flags = a[2] ? ArgInt(a[2]) : 0;
  // CPython's order: the address, then the data buffers, then the ancillary items.
  std::optional<Address> address;
  if (a[3] && a[3]->kind() != Kind::kNone) address = ToAddress(a[3], s, "sendmsg");
  const std::optional<std::vector<Ref>> parts = IterableItems(a[0]);
  if (!parts) throw TypeError("sendmsg() argument 1 must be an iterable");
  std::vector<ConstBuffer> buffers;
  for (const Ref& part : *parts) buffers.push_back(ArgBytesLike(part));
  std::vector<AncillaryItem> ancdata;
  if (a[1]) {
    const std::optional<std::vector<Ref>> items = IterableItems(a[1]);
    if (!items) throw TypeError("sendmsg() argument 2 must be an iterable");
    const std::string kItems = "[sendmsg() ancillary data items]() argument must be ";
    for (const Ref& item : *items) {
      const std::optional<std::vector<Ref>> fields = IterableItems(item);
      if (!fields) throw TypeError(kItems + "3-item sequence, not " + item->TypeName());
      if (fields->size() != 3) {
        throw TypeError(kItems + "sequence of length 3, not " + std::to_string(fields->size()));
      }
      const int level = ArgInt((*fields)[0]);
      const int type = ArgInt((*fields)[1]);
      ancdata.push_back({level, type, std::string(ArgBytesLike((*fields)[2]).as_string_view())});
    }
  }
  return Int(s.socket.sendmsg(buffers, ancdata, flags, address));
}

// sendmsg_afalg([msg, ]*, op[, iv[, assoclen[, flags]]]): CPython checks the family before it
// parses a single argument, so a socket of another family raises the same OSError whatever
// the arguments are.
Ref SendMsgAfalg(Session&, const Ref&, SocketObject& s, const CallArgs& args) {
  s.socket.CheckAfalgFamily();
  static const auto* sig = new Signature(
      Signature::Keywords("sendmsg_afalg", {"msg", "op", "iv", "assoclen", "flags"}, 0));
  const std::vector<Ref> a = Bind(*sig, args);
  std::vector<ConstBuffer> buffers;
  if (a[0]) {
    const std::optional<std::vector<Ref>> parts = IterableItems(a[0]);
    if (!parts) throw TypeError("sendmsg_afalg() argument 'msg' must be an iterable");
    for (const Ref& part : *parts) buffers.push_back(ArgBytesLike(part));
  }
  const int op = a[1] ? ArgInt(a[1]) : -1;
  std::optional<ConstBuffer> iv;
  if (a[2] && a[2]->kind() != Kind::kNone) iv = ArgBytesLike(a[2]);
  std::optional<std::int64_t> assoclen;
  if (a[3] && a[3]->kind() != Kind::kNone) assoclen = static_cast<std::int64_t>(ArgIndex(a[3]));
  const int flags = a[4] ? ArgInt(a[4]) : 0;
  return Int(s.socket.sendmsg_afalg(buffers, op, iv, assoclen, flags));
}

const std::map<std::string, MethodDef, std::less<>>& Methods() {
  static const auto* methods = new std::map<std::string, MethodDef, std::less<>>{
      {"__enter__", {Enter, true}},
      {"__exit__", {Exit, true}},
      {"accept", {Accept, true}},
      {"bind", {BindMethod, false}},
      {"close", {Close, true}},
      {"connect", {Connect, false}},
      {"connect_ex", {ConnectEx, false}},
      {"detach", {Detach, true}},
      {"dup", {Dup, true}},
      {"fileno", {Fileno, false}},
      {"get_inheritable", {GetInheritable, true}},
      {"getblocking", {GetBlocking, false}},
      {"getpeername", {GetPeerName, false}},
      {"getsockname", {GetSockName, false}},
      {"getsockopt", {GetSockOpt, false}},
      {"gettimeout", {GetTimeout, false}},
      {"listen", {Listen, false}},
      {"makefile", {MakeFile, true}},
      {"recv", {Recv, false}},
      {"recv_into", {RecvInto, false}},
      {"recvfrom", {RecvFrom, false}},
      {"recvfrom_into", {RecvFromInto, false}},
      {"recvmsg", {RecvMsg, false}},
      {"recvmsg_into", {RecvMsgInto, false}},
      {"send", {Send, false}},
      {"sendall", {SendAll, false}},
      {"sendfile", {SendFile, true}},
      {"sendmsg", {SendMsg, false}},
      {"sendmsg_afalg", {SendMsgAfalg, false}},
      {"sendto", {SendTo, false}},
      {"set_inheritable", {SetInheritable, true}},
      {"setblocking", {SetBlocking, false}},
      {"setsockopt", {SetSockOpt, false}},
      {"settimeout", {SetTimeout, false}},
      {"shutdown", {Shutdown, false}},
  };
  return *methods;
}

std::string HexAddress(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%zx", reinterpret_cast<std::size_t>(p));
  return buf;
}

}  // namespace

namespace bindings_internal {

std::optional<Ref> SocketAttribute(const Ref& self, std::string_view name) {
  auto* s = As<SocketObject>(self);
  if (name == "family") return IntOrEnum(AddressFamilyClass(), s->socket.family());
  if (name == "type") return IntOrEnum(SocketKindClass(), s->socket.type());
  if (name == "proto") return Int(s->socket.proto());
  if (name == "timeout") return TimeoutToRef(s->socket.gettimeout());
  auto it = Methods().find(name);
  if (it == Methods().end()) return std::nullopt;
  const MethodDef def = it->second;
  const std::string method(name);
  std::string repr = def.python_level ? "<bound method socket." + method + " of " + s->Repr() + ">"
                                      : "<built-in method " + method + " of socket object at " +
                                            HexAddress(s) + ">";
  // The bound method keeps its socket alive, as Python's does.
  return NewFunction(
      std::move(repr),
      [def, self](Session& session, const CallArgs& args) {
        return def.body(session, self, *As<SocketObject>(self), args);
      },
      def.python_level ? "method" : "builtin_function_or_method");
}

}  // namespace bindings_internal
}  // namespace sockref::conformance::reference
