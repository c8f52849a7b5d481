// addresses.cc: Python address objects <-> sockref::Address.
//
// Parsing follows CPython's getsockaddrarg(): the same type checks and the same
// PyArg_ParseTuple formats (so the same TypeError texts) per address family. What
// comes after parsing (port and flowinfo ranges, name resolution, path lengths,
// interface lookups) is sockref's EncodeAddress, run when the address is used.
#include <linux/can.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <variant>

#include "python/binding.h"

namespace sockref::python {
namespace {

// HostConverter is CPython's idna_converter() as a PyArg "O&" converter, minus the
// codec: it keeps a str as UTF-8 text and sockref encodes it (impl/idna.h). It
// checks the object's type and embedded NULs, which are about the Python object.
int HostConverter(PyObject* obj, void* out) {
  auto* host = static_cast<std::string*>(out);
  if (PyBytes_Check(obj)) {
    host->assign(PyBytes_AS_STRING(obj), static_cast<std::size_t>(PyBytes_GET_SIZE(obj)));
  } else if (PyByteArray_Check(obj)) {
    host->assign(PyByteArray_AS_STRING(obj), static_cast<std::size_t>(PyByteArray_GET_SIZE(obj)));
  } else if (PyUnicode_Check(obj)) {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(obj, &size);
    if (text == nullptr) {
      // A str UTF-8 cannot hold (lone surrogates) fails the idna codec too.
      PyErr_SetString(PyExc_TypeError, "encoding of hostname failed");
      return 0;
    }
    host->assign(text, static_cast<std::size_t>(size));
  } else {
    PyErr_Format(PyExc_TypeError, "str, bytes or bytearray expected, not %s",
                 Py_TYPE(obj)->tp_name);
    return 0;
  }
  if (host->find('\0') != std::string::npos) {
    PyErr_SetString(PyExc_TypeError, "host name must not contain null character");
    return 0;
  }
  return 1;
}

// FsPath is PyUnicode_FSConverter into a std::string.
int FsPath(PyObject* obj, void* out) {
  PyObject* bytes = nullptr;
  if (!PyUnicode_FSConverter(obj, &bytes)) return 0;
  static_cast<std::string*>(out)->assign(PyBytes_AS_STRING(bytes),
                                         static_cast<std::size_t>(PyBytes_GET_SIZE(bytes)));
  Py_DECREF(bytes);
  return 1;
}

bool MustBeTuple(PyObject* obj, const char* caller, const char* family) {
  if (PyTuple_Check(obj)) return true;
  PyErr_Format(PyExc_TypeError, "%s(): %s address must be tuple, not %.500s", caller, family,
               Py_TYPE(obj)->tp_name);
  return false;
}

// PortOverflow turns the OverflowError of a C int port into CPython's message.
bool PortOverflow(const char* caller) {
  if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
    PyErr_Format(PyExc_OverflowError, "%s(): port must be 0-65535.", caller);
  }
  return false;
}

bool ParseUnix(PyObject* obj, Address* out) {
  // PEP 383: a str path is encoded with the file-system encoding, which keeps
  // embedded NULs (needed for Linux's abstract namespace).
  PyObject* encoded = PyUnicode_Check(obj) ? PyUnicode_EncodeFSDefault(obj) : Py_NewRef(obj);
  if (encoded == nullptr) return false;
  ScopedBuffer path;
  const bool ok = PyArg_Parse(encoded, "y*", path.get());
  Py_DECREF(encoded);
  if (!ok) return false;
  *out = UnixAddress{Bytes(static_cast<const char*>((*path).buf),
                           static_cast<std::size_t>((*path).len))};
  return true;
}

bool ParseInet(PyObject* obj, const char* caller, Address* out) {
  if (!MustBeTuple(obj, caller, "AF_INET")) return false;
  InetAddress a;
  int port = 0;
  if (!PyArg_ParseTuple(obj, "O&i;AF_INET address must be a pair (host, port)", HostConverter,
                        &a.host, &port)) {
    return PortOverflow(caller);
  }
  a.port = port;
  *out = std::move(a);
  return true;
}

bool ParseInet6(PyObject* obj, const char* caller, Address* out) {
  if (!MustBeTuple(obj, caller, "AF_INET6")) return false;
  Inet6Address a;
  int port = 0;
  unsigned int flowinfo = 0;
  unsigned int scope_id = 0;
  if (!PyArg_ParseTuple(obj, "O&i|II;AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
                        HostConverter, &a.host, &port, &flowinfo, &scope_id)) {
    return PortOverflow(caller);
  }
  a.port = port;
  a.flowinfo = flowinfo;
  a.scope_id = scope_id;
  *out = std::move(a);
  return true;
}

bool ParseNetlink(PyObject* obj, const char* caller, Address* out) {
  if (!MustBeTuple(obj, caller, "AF_NETLINK")) return false;
  unsigned int pid = 0;
  unsigned int groups = 0;
  if (!PyArg_ParseTuple(obj, "II;AF_NETLINK address must be a pair (pid, groups)", &pid,
                        &groups)) {
    return false;
  }
  *out = NetlinkAddress{pid, groups};
  return true;
}

// ParseUintPair is the (cid, port) / (node, port) of AF_VSOCK and AF_QIPCRTR.
bool ParseUintPair(PyObject* obj, const char* family, Address* out) {
  if (!PyTuple_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "getsockaddrarg: %s address must be tuple, not %.500s", family,
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  unsigned int first = 0;
  unsigned int second = 0;
  if (!PyArg_ParseTuple(obj, "II:getsockaddrarg", &first, &second)) return false;
  *out = VsockAddress{first, second};
  return true;
}

bool ParsePacket(PyObject* obj, const char* caller, Address* out) {
  if (!MustBeTuple(obj, caller, "AF_PACKET")) return false;
  const char* ifname = nullptr;
  int proto = 0;
  int pkttype = 0;  // PACKET_HOST
  int hatype = 0;
  ScopedBuffer haddr;
  if (!PyArg_ParseTuple(obj, "si|iiy*;AF_PACKET address must be a tuple of two to five elements",
                        &ifname, &proto, &pkttype, &hatype, haddr.get())) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
      PyErr_Format(PyExc_OverflowError, "%s(): address argument out of range", caller);
    }
    return false;
  }
  PacketAddress a{ifname, proto, pkttype, hatype, Bytes()};
  if ((*haddr).obj != nullptr) {
    a.addr.assign(static_cast<const char*>((*haddr).buf), static_cast<std::size_t>((*haddr).len));
  }
  *out = std::move(a);
  return true;
}

bool ParseTipc(PyObject* obj, const char* caller, Address* out) {
  if (!MustBeTuple(obj, caller, "AF_TIPC")) return false;
  unsigned int atype = 0, v1 = 0, v2 = 0, v3 = 0;
  unsigned int scope = 2;  // TIPC_CLUSTER_SCOPE
  if (!PyArg_ParseTuple(obj, "IIII|I;AF_TIPC address must be a tuple (addr_type, v1, v2, v3[, scope])",
                        &atype, &v1, &v2, &v3, &scope)) {
    return false;
  }
  *out = TipcAddress{static_cast<int>(atype), v1, v2, v3, static_cast<int>(scope)};
  return true;
}

bool ParseCan(PyObject* obj, const SocketTriple& kind, const char* caller, Address* out) {
  CanAddress a;
  if (kind.proto == CAN_ISOTP) {
    unsigned long rx = 0;
    unsigned long tx = 0;
    if (!PyArg_ParseTuple(obj, "O&kk", FsPath, &a.interface, &rx, &tx)) return false;
    a.rx_addr = rx;
    a.tx_addr = tx;
  } else if (kind.proto == CAN_J1939) {
    unsigned long long name = 0;
    unsigned int pgn = 0;
    unsigned char addr = 0;
    if (!PyArg_ParseTuple(obj, "O&KIB", FsPath, &a.interface, &name, &pgn, &addr)) return false;
    a.name = name;
    a.pgn = pgn;
    a.addr = addr;
  } else if (kind.proto == CAN_RAW || kind.proto == CAN_BCM) {
    if (!MustBeTuple(obj, caller, "AF_CAN")) return false;
    if (!PyArg_ParseTuple(obj, "O&;AF_CAN address must be a tuple (interface, )", FsPath,
                          &a.interface)) {
      return false;
    }
  } else {
    PyErr_Format(PyExc_OSError, "%s(): unsupported CAN protocol", caller);
    return false;
  }
  *out = std::move(a);
  return true;
}

bool ParseAlg(PyObject* obj, const char* caller, Address* out) {
  if (!MustBeTuple(obj, caller, "AF_ALG")) return false;
  const char* type = nullptr;
  const char* name = nullptr;
  unsigned short feat = 0;
  unsigned short mask = 0;
  if (!PyArg_ParseTuple(obj, "ss|HH;AF_ALG address must be a tuple (type, name[, feat[, mask]])",
                        &type, &name, &feat, &mask)) {
    return false;
  }
  *out = AlgAddress{type, name, feat, mask};
  return true;
}

PyObject* FsDecode(const std::string& s) {
  return PyUnicode_DecodeFSDefaultAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

// ToPython builds makesockaddr()'s object for each kind of address.
struct ToPython {
  PyObject* operator()(const NoAddress&) const { Py_RETURN_NONE; }
  PyObject* operator()(const InetAddress& a) const {
    return Py_BuildValue("(si)", a.host.c_str(), static_cast<int>(a.port));
  }
  PyObject* operator()(const Inet6Address& a) const {
    return Py_BuildValue("(siII)", a.host.c_str(), static_cast<int>(a.port),
                         static_cast<unsigned int>(a.flowinfo),
                         static_cast<unsigned int>(a.scope_id));
  }
  PyObject* operator()(const UnixAddress& a) const {
    // Linux's abstract names are bytes; file-system paths (and '') are str.
    if (a.is_abstract()) return BytesFrom(a.path);
    return FsDecode(a.path);
  }
  PyObject* operator()(const NetlinkAddress& a) const {
    return Py_BuildValue("(II)", a.pid, a.groups);
  }
  PyObject* operator()(const PacketAddress& a) const {
    // CPython passes ntohs()'s unsigned value to "h" and "b", which take the promoted int as
    // it is: proto 0x88b5 stays 34997 (a cast to short here would make it negative).
    return Py_BuildValue("(shbhy#)", a.ifname.c_str(), static_cast<int>(a.proto),
                         static_cast<int>(a.pkttype), static_cast<int>(a.hatype),
                         a.addr.data(), static_cast<Py_ssize_t>(a.addr.size()));
  }
  PyObject* operator()(const CanAddress& a) const {
    PyObject* ifname = FsDecode(a.interface);
    if (ifname == nullptr) return nullptr;
    PyObject* result;
    if (a.name != 0 || a.pgn != 0 || a.addr != 0) {
      result = Py_BuildValue("(OKIB)", ifname, static_cast<unsigned long long>(a.name),
                             static_cast<unsigned int>(a.pgn), static_cast<unsigned char>(a.addr));
    } else if (a.rx_addr != 0 || a.tx_addr != 0) {
      result = Py_BuildValue("(Okk)", ifname, static_cast<unsigned long>(a.rx_addr),
                             static_cast<unsigned long>(a.tx_addr));
    } else {
      result = Py_BuildValue("(O)", ifname);
    }
    Py_DECREF(ifname);
    return result;
  }
  PyObject* operator()(const AlgAddress& a) const {
    return Py_BuildValue("(s#s#HH)", a.type.data(), static_cast<Py_ssize_t>(a.type.size()),
                         a.name.data(), static_cast<Py_ssize_t>(a.name.size()),
                         static_cast<unsigned short>(a.feat), static_cast<unsigned short>(a.mask));
  }
  PyObject* operator()(const TipcAddress& a) const {
    return Py_BuildValue("(IIIII)", static_cast<unsigned int>(a.addr_type), a.v1, a.v2, a.v3,
                         static_cast<unsigned int>(a.scope));
  }
  PyObject* operator()(const VsockAddress& a) const { return Py_BuildValue("(II)", a.cid, a.port); }
  PyObject* operator()(const UnknownAddress& a) const {
    return Py_BuildValue("(iy#)", a.family, a.data.data(), static_cast<Py_ssize_t>(a.data.size()));
  }
};

}  // namespace

bool ParseAddress(PyObject* obj, const SocketTriple& kind, const char* caller, Address* out) {
  switch (kind.family) {
    case AF_UNIX:
      return ParseUnix(obj, out);
    case AF_NETLINK:
      return ParseNetlink(obj, caller, out);
    case AF_QIPCRTR:
      return ParseUintPair(obj, "AF_QIPCRTR", out);
    case AF_VSOCK:
      return ParseUintPair(obj, "AF_VSOCK", out);
    case AF_RDS:  // RDS sockets take AF_INET's sockaddr_in
    case AF_INET:
      return ParseInet(obj, caller, out);
    case AF_INET6:
      return ParseInet6(obj, caller, out);
    case AF_PACKET:
      return ParsePacket(obj, caller, out);
    case AF_TIPC:
      return ParseTipc(obj, caller, out);
    case AF_CAN:
      return ParseCan(obj, kind, caller, out);
    case AF_ALG:
      return ParseAlg(obj, caller, out);
    default:
      // sockref raises "<caller>(): bad family" for what it cannot encode.
      *out = NoAddress{};
      return true;
  }
}

PyObject* AddressToPython(const Address& address) { return std::visit(ToPython{}, address); }

}  // namespace sockref::python
