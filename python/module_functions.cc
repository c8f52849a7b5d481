// module_functions.cc: the module-level functions of _socket (getaddrinfo,
// inet_pton, htons, socketpair, ...), each a thin call into sockref.
#include <climits>
#include <string>
#include <vector>

#include "impl/ancillary.h"
#include "impl/byteorder.h"
#include "impl/error.h"
#include "impl/inet.h"
#include "impl/interfaces.h"
#include "impl/netdb.h"
#include "python/binding.h"

namespace sockref::python {
namespace {

PyObject* Str(const std::string& s) {
  return PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

PyObject* StrList(const std::vector<std::string>& items) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(items.size()));
  if (list == nullptr) return nullptr;
  for (std::size_t i = 0; i < items.size(); ++i) {
    PyObject* item = Str(items[i]);
    if (item == nullptr) {
      Py_DECREF(list);
      return nullptr;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item);
  }
  return list;
}

// HostArg reads a host name given as str (passed on as UTF-8: sockref applies the
// idna codec), bytes or bytearray, as CPython's "et" format accepts them.
bool HostArg(PyObject* obj, const char* fname, std::string* out);

// EncodedHostArg is HostArg for the gethostby*() functions, whose "et" unit also
// refuses NUL bytes in bytes and bytearray arguments, naming the argument's type
// (sockref itself refuses a NUL, but cannot know the Python type it came in).
bool EncodedHostArg(PyObject* obj, const char* fname, std::string* out) {
  if (!HostArg(obj, fname, out)) return false;
  if (!PyUnicode_Check(obj) && out->find('\0') != std::string::npos) {
    PyErr_Format(PyExc_TypeError,
                 "%s() argument 1 must be encoded string without null bytes, not %.50s", fname,
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  return true;
}

bool HostArg(PyObject* obj, const char* fname, std::string* out) {
  if (PyUnicode_Check(obj)) {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(obj, &size);
    if (text == nullptr) return false;
    out->assign(text, static_cast<std::size_t>(size));
  } else if (PyBytes_Check(obj)) {
    out->assign(PyBytes_AS_STRING(obj), static_cast<std::size_t>(PyBytes_GET_SIZE(obj)));
  } else if (PyByteArray_Check(obj)) {
    out->assign(PyByteArray_AS_STRING(obj), static_cast<std::size_t>(PyByteArray_GET_SIZE(obj)));
  } else {
    // The "et" unit's message spells None's type "None".
    PyErr_Format(PyExc_TypeError, "%s() argument 1 must be str, bytes or bytearray, not %.50s",
                 fname, obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
    return false;
  }
  return true;
}

// PythonInt reads an int-like object (through __index__) at full width, so
// sockref's range checks see the value Python has.
bool PythonInt(PyObject* obj, __int128* out) {
  PyObject* index = PyNumber_Index(obj);
  if (index == nullptr) return false;
  int overflow = 0;
  const long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
  if (value == -1 && PyErr_Occurred()) {
    Py_DECREF(index);
    return false;
  }
  // Past the 64-bit range every check fails the same way, so one value far beyond it
  // stands for all of them; between 2**63 and 2**64 the value itself is needed
  // (htonl(2**64 - 1) is "int larger than 32 bits", one more is a C overflow).
  constexpr __int128 kFarBeyond = static_cast<__int128>(1) << 100;
  if (overflow > 0) {
    const unsigned long long wide = PyLong_AsUnsignedLongLong(index);
    Py_DECREF(index);
    if (wide == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
      PyErr_Clear();
      *out = kFarBeyond;
    } else {
      *out = wide;
    }
    return true;
  }
  Py_DECREF(index);
  *out = overflow < 0 ? -kFarBeyond : value;
  return true;
}

// Lookup calls a gethostby*() function without the GIL: with a str name through the idna
// codec, with bytes or bytearray as they are (BytesHost), as CPython's "et" unit does.
template <typename Result>
Result Lookup(Result (*by_str)(std::string_view), Result (*by_bytes)(const BytesHost&),
              PyObject* obj, const std::string& name) {
  const bool is_str = PyUnicode_Check(obj);
  return WithoutGil([&] { return is_str ? by_str(name) : by_bytes(BytesHost{name}); });
}

PyObject* HostEntryToPython(const HostEntry& e) {
  PyObject* aliases = StrList(e.aliases);
  PyObject* addresses = aliases != nullptr ? StrList(e.addresses) : nullptr;
  PyObject* result = nullptr;
  if (addresses != nullptr) result = Py_BuildValue("(sOO)", e.hostname.c_str(), aliases, addresses);
  Py_XDECREF(aliases);
  Py_XDECREF(addresses);
  return result;
}

// --- Name resolution ------------------------------------------------------------------

// PortArg converts getaddrinfo()'s port: an exact int (a C long; not a bool or an IntEnum
// member, as CPython 3.11 checks), str, bytes or None.
bool PortArg(PyObject* port_obj, PortSpec* port) {
  if (PyLong_CheckExact(port_obj)) {
    const long value = PyLong_AsLong(port_obj);
    if (value == -1 && PyErr_Occurred()) return false;
    *port = static_cast<std::int64_t>(value);
  } else if (PyUnicode_Check(port_obj)) {
    const char* text = PyUnicode_AsUTF8(port_obj);
    if (text == nullptr) return false;
    *port = std::string(text);
  } else if (PyBytes_Check(port_obj)) {
    *port = std::string(PyBytes_AS_STRING(port_obj), PyBytes_GET_SIZE(port_obj));
  } else if (port_obj != Py_None) {
    PyErr_SetString(PyExc_OSError, "Int or String expected");
    return false;
  }
  return true;
}

PyObject* GetAddrInfo(PyObject*, PyObject* args, PyObject* kwds) {
  static const char* keywords[] = {"host", "port", "family", "type", "proto", "flags", nullptr};
  PyObject* host_obj = nullptr;
  PyObject* port_obj = nullptr;
  int family = 0, type = 0, proto = 0, flags = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|iiii:getaddrinfo", const_cast<char**>(keywords),
                                   &host_obj, &port_obj, &family, &type, &proto, &flags)) {
    return nullptr;
  }
  std::optional<std::string> host;
  if (host_obj != Py_None) {
    if (!PyUnicode_Check(host_obj) && !PyBytes_Check(host_obj)) {
      PyErr_SetString(PyExc_TypeError, "getaddrinfo() argument 1 must be string or None");
      return nullptr;
    }
    host.emplace();
    if (!HostArg(host_obj, "getaddrinfo", &*host)) return nullptr;
  }
  PortSpec port;
  if (!PortArg(port_obj, &port)) return nullptr;
  if (PySys_Audit("socket.getaddrinfo", "OOiii", host_obj, port_obj, family, type, proto) < 0) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    // A bytes host reaches the resolver as it is; a str one through the idna codec.
    const bool bytes_host = host && !PyUnicode_Check(host_obj);
    const std::vector<AddrInfo> infos = WithoutGil([&] {
      return bytes_host ? getaddrinfo(BytesHost{*host}, port, family, type, proto, flags)
                        : getaddrinfo(host, port, family, type, proto, flags);
    });
    PyObject* list = PyList_New(0);
    if (list == nullptr) return nullptr;
    for (const AddrInfo& ai : infos) {
      PyObject* address = AddressToPython(ai.sockaddr);
      PyObject* item = address != nullptr ? Py_BuildValue("(iiisN)", ai.family, ai.type, ai.proto,
                                                          ai.canonname.c_str(), address)
                                          : nullptr;
      if (item == nullptr || PyList_Append(list, item) != 0) {
        Py_XDECREF(item);
        Py_DECREF(list);
        return nullptr;
      }
      Py_DECREF(item);
    }
    return list;
  });
}

PyObject* GetNameInfo(PyObject*, PyObject* args) {
  PyObject* sa = nullptr;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "Oi:getnameinfo", &sa, &flags)) return nullptr;
  if (!PyTuple_Check(sa)) {
    PyErr_SetString(PyExc_TypeError, "getnameinfo() argument 1 must be a tuple");
    return nullptr;
  }
  const char* host = nullptr;
  int port = 0;
  unsigned int flowinfo = 0;
  unsigned int scope_id = 0;
  if (!PyArg_ParseTuple(sa, "si|II;getnameinfo(): illegal sockaddr argument", &host, &port,
                        &flowinfo, &scope_id)) {
    return nullptr;
  }
  if (PySys_Audit("socket.getnameinfo", "(O)", sa) < 0) return nullptr;
  Address address;
  if (PyTuple_GET_SIZE(sa) == 2) {
    address = InetAddress{host, port};
  } else {
    address = Inet6Address{host, port, flowinfo, scope_id};
  }
  return Bridge([&]() -> PyObject* {
    auto [name, service] = WithoutGil([&] { return getnameinfo(address, flags); });
    return Py_BuildValue("(ss)", name.c_str(), service.c_str());
  });
}

PyObject* GetHostByName(PyObject*, PyObject* args) {
  PyObject* obj = nullptr;
  std::string name;
  if (!PyArg_ParseTuple(args, "O:gethostbyname", &obj)) return nullptr;
  if (!EncodedHostArg(obj, "gethostbyname", &name)) return nullptr;
  if (PySys_Audit("socket.gethostbyname", "O", args) < 0) return nullptr;
  return Bridge([&]() -> PyObject* {
    return Str(Lookup<std::string>(gethostbyname, gethostbyname, obj, name));
  });
}

PyObject* GetHostByNameEx(PyObject*, PyObject* args) {
  PyObject* obj = nullptr;
  std::string name;
  if (!PyArg_ParseTuple(args, "O:gethostbyname_ex", &obj)) return nullptr;
  if (!EncodedHostArg(obj, "gethostbyname_ex", &name)) return nullptr;
  if (PySys_Audit("socket.gethostbyname", "O", args) < 0) return nullptr;
  return Bridge([&]() -> PyObject* {
    return HostEntryToPython(Lookup<HostEntry>(gethostbyname_ex, gethostbyname_ex, obj, name));
  });
}

PyObject* GetHostByAddr(PyObject*, PyObject* args) {
  PyObject* obj = nullptr;
  std::string name;
  if (!PyArg_ParseTuple(args, "O:gethostbyaddr", &obj)) return nullptr;
  if (!EncodedHostArg(obj, "gethostbyaddr", &name)) return nullptr;
  if (PySys_Audit("socket.gethostbyaddr", "O", obj) < 0) return nullptr;
  return Bridge([&]() -> PyObject* {
    return HostEntryToPython(Lookup<HostEntry>(gethostbyaddr, gethostbyaddr, obj, name));
  });
}

PyObject* GetHostName(PyObject*, PyObject*) {
  if (PySys_Audit("socket.gethostname", nullptr) < 0) return nullptr;
  return Bridge([&]() -> PyObject* {
    const std::string name = gethostname();
    return PyUnicode_DecodeFSDefaultAndSize(name.data(), static_cast<Py_ssize_t>(name.size()));
  });
}

PyObject* SetHostName(PyObject*, PyObject* args) {
  PyObject* name = nullptr;
  if (!PyArg_ParseTuple(args, "S:sethostname", &name)) {
    PyErr_Clear();
    if (!PyArg_ParseTuple(args, "O&:sethostname", PyUnicode_FSConverter, &name)) return nullptr;
  } else {
    Py_INCREF(name);
  }
  PyObject* result = nullptr;
  if (PySys_Audit("socket.sethostname", "(O)", name) == 0) {
    try {
      sethostname(std::string_view(PyBytes_AS_STRING(name), PyBytes_GET_SIZE(name)));
      result = Py_NewRef(Py_None);
    } catch (...) {
      RaiseCurrentException();
    }
  }
  Py_DECREF(name);
  return result;
}

PyObject* GetServByName(PyObject*, PyObject* args) {
  const char* name = nullptr;
  const char* proto = nullptr;
  if (!PyArg_ParseTuple(args, "s|s:getservbyname", &name, &proto)) return nullptr;
  if (PySys_Audit("socket.getservbyname", "ss", name, proto == nullptr ? "" : proto) < 0) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    std::optional<std::string> p;
    if (proto != nullptr) p = proto;
    return PyLong_FromLong(getservbyname(name, p));
  });
}

PyObject* GetServByPort(PyObject*, PyObject* args) {
  int port = 0;
  const char* proto = nullptr;
  if (!PyArg_ParseTuple(args, "i|s:getservbyport", &port, &proto)) return nullptr;
  if (PySys_Audit("socket.getservbyport", "is", port, proto == nullptr ? "" : proto) < 0) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    std::optional<std::string> p;
    if (proto != nullptr) p = proto;
    return Str(getservbyport(port, p));
  });
}

PyObject* GetProtoByName(PyObject*, PyObject* args) {
  const char* name = nullptr;
  if (!PyArg_ParseTuple(args, "s:getprotobyname", &name)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return PyLong_FromLong(getprotobyname(name));
  });
}

// --- Sockets and descriptors ---------------------------------------------------------

PyObject* SocketPair(PyObject*, PyObject* args) {
  int family = AF_UNIX, type = SOCK_STREAM, proto = 0;
  if (!PyArg_ParseTuple(args, "|iii:socketpair", &family, &type, &proto)) return nullptr;
  return Bridge([&]() -> PyObject* {
    auto [a, b] = socketpair(family, type, proto);
    PyObject* first = NewSocketObject(std::move(a));
    PyObject* second = first != nullptr ? NewSocketObject(std::move(b)) : nullptr;
    PyObject* result = second != nullptr ? PyTuple_Pack(2, first, second) : nullptr;
    Py_XDECREF(first);
    Py_XDECREF(second);
    return result;
  });
}

// Descriptor reads a descriptor as CPython's PyLong_AsSocket_t: a C long, low int.
bool Descriptor(PyObject* obj, int* fd) {
  const long value = PyLong_AsLong(obj);
  if (value == -1 && PyErr_Occurred()) return false;
  *fd = static_cast<int>(value);
  return true;
}

PyObject* Close(PyObject*, PyObject* arg) {
  int fd = 0;
  if (!Descriptor(arg, &fd)) return nullptr;
  return Bridge([&]() -> PyObject* {
    WithoutGil([fd] { sockref::close(fd); });
    Py_RETURN_NONE;
  });
}

PyObject* Dup(PyObject*, PyObject* arg) {
  int fd = 0;
  if (!Descriptor(arg, &fd)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return PyLong_FromLong(sockref::dup(fd));
  });
}

// --- Timeouts ----------------------------------------------------------------------------

PyObject* GetDefaultTimeout(PyObject*, PyObject*) { return TimeoutToPython(getdefaulttimeout()); }

PyObject* SetDefaultTimeout(PyObject*, PyObject* arg) {
  TimeoutNs timeout;
  if (!ParseTimeout(arg, &timeout)) return nullptr;
  setdefaulttimeout(timeout);
  Py_RETURN_NONE;
}

// --- Byte order ---------------------------------------------------------------------------

template <std::uint16_t (*Fn)(__int128)>
PyObject* Short(PyObject*, PyObject* args, const char* format) {
  PyObject* obj = nullptr;
  if (!PyArg_ParseTuple(args, format, &obj)) return nullptr;
  __int128 value = 0;
  if (!PythonInt(obj, &value)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return PyLong_FromUnsignedLong(Fn(value));
  });
}

std::uint16_t Htons(__int128 x) { return sockref::htons(x); }
std::uint16_t Ntohs(__int128 x) { return sockref::ntohs(x); }
std::uint32_t Htonl(__int128 x) { return sockref::htonl(x); }
std::uint32_t Ntohl(__int128 x) { return sockref::ntohl(x); }

PyObject* HtonsFn(PyObject* m, PyObject* args) { return Short<Htons>(m, args, "O:htons"); }
PyObject* NtohsFn(PyObject* m, PyObject* args) { return Short<Ntohs>(m, args, "O:ntohs"); }

// Long is htonl/ntohl: CPython takes only ints here ("expected int, float found").
template <std::uint32_t (*Fn)(__int128)>
PyObject* Long(PyObject*, PyObject* arg) {
  if (!PyLong_Check(arg)) {
    PyErr_Format(PyExc_TypeError, "expected int, %s found", Py_TYPE(arg)->tp_name);
    return nullptr;
  }
  __int128 value = 0;
  if (!PythonInt(arg, &value)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return PyLong_FromUnsignedLong(Fn(value));
  });
}

// --- Address text ---------------------------------------------------------------------------

PyObject* InetAton(PyObject*, PyObject* args) {
  const char* text = nullptr;
  if (!PyArg_ParseTuple(args, "s:inet_aton", &text)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return BytesFrom(inet_aton(text));
  });
}

PyObject* InetNtoa(PyObject*, PyObject* args) {
  ScopedBuffer packed;
  if (!PyArg_ParseTuple(args, "y*:inet_ntoa", packed.get())) return nullptr;
  return Bridge([&]() -> PyObject* {
    return Str(inet_ntoa(ConstView(*packed)));
  });
}

PyObject* InetPton(PyObject*, PyObject* args) {
  int family = 0;
  const char* text = nullptr;
  if (!PyArg_ParseTuple(args, "is:inet_pton", &family, &text)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return BytesFrom(inet_pton(family, text));
  });
}

PyObject* InetNtop(PyObject*, PyObject* args) {
  int family = 0;
  ScopedBuffer packed;
  if (!PyArg_ParseTuple(args, "iy*:inet_ntop", &family, packed.get())) return nullptr;
  return Bridge([&]() -> PyObject* {
    return Str(inet_ntop(family, ConstView(*packed)));
  });
}

// --- Interfaces ------------------------------------------------------------------------------

PyObject* IfNameIndex(PyObject*, PyObject*) {
  return Bridge([&]() -> PyObject* {
    const std::vector<InterfaceName> names = if_nameindex();
    PyObject* list = PyList_New(0);
    if (list == nullptr) return nullptr;
    for (const InterfaceName& n : names) {
      PyObject* name = PyUnicode_DecodeFSDefault(n.name.c_str());
      PyObject* item = name != nullptr ? Py_BuildValue("(IN)", n.index, name) : nullptr;
      if (item == nullptr || PyList_Append(list, item) != 0) {
        Py_XDECREF(item);
        Py_DECREF(list);
        return nullptr;
      }
      Py_DECREF(item);
    }
    return list;
  });
}

PyObject* IfNameToIndex(PyObject*, PyObject* args) {
  PyObject* name = nullptr;
  if (!PyArg_ParseTuple(args, "O&:if_nametoindex", PyUnicode_FSConverter, &name)) return nullptr;
  try {
    const unsigned index =
        if_nametoindex(std::string_view(PyBytes_AS_STRING(name), PyBytes_GET_SIZE(name)));
    Py_DECREF(name);
    return PyLong_FromUnsignedLong(index);
  } catch (...) {
    Py_DECREF(name);
    return RaiseCurrentException();
  }
}

PyObject* IfIndexToName(PyObject*, PyObject* arg) {
  if (!PyLong_Check(arg)) {
    PyErr_SetString(PyExc_TypeError, "an integer is required");
    return nullptr;
  }
  const unsigned long index = PyLong_AsUnsignedLong(arg);
  if (index == static_cast<unsigned long>(-1) && PyErr_Occurred()) return nullptr;
  return Bridge([&]() -> PyObject* {
    // sockref keeps the low 32 bits as CPython's C cast does; above INT64_MAX only
    // those bits can be passed on.
    const std::int64_t wide = index <= static_cast<unsigned long>(INT64_MAX)
                                  ? static_cast<std::int64_t>(index)
                                  : static_cast<std::int64_t>(index & 0xffffffffUL);
    const std::string name = if_indextoname(wide);
    return PyUnicode_DecodeFSDefaultAndSize(name.data(), static_cast<Py_ssize_t>(name.size()));
  });
}

// --- Ancillary data sizes ------------------------------------------------------------------

PyObject* CmsgLenFn(PyObject*, PyObject* args) {
  Py_ssize_t length = 0;
  if (!PyArg_ParseTuple(args, "n:CMSG_LEN", &length)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(CmsgLen(length)));
  });
}

PyObject* CmsgSpaceFn(PyObject*, PyObject* args) {
  Py_ssize_t length = 0;
  if (!PyArg_ParseTuple(args, "n:CMSG_SPACE", &length)) return nullptr;
  return Bridge([&]() -> PyObject* {
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(CmsgSpace(length)));
  });
}

}  // namespace

#define SOCKREF_FUNCTION(name, fn, flags) \
  { name, reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fn)), flags, nullptr }

PyMethodDef kModuleFunctions[] = {
    SOCKREF_FUNCTION("CMSG_LEN", CmsgLenFn, METH_VARARGS),
    SOCKREF_FUNCTION("CMSG_SPACE", CmsgSpaceFn, METH_VARARGS),
    SOCKREF_FUNCTION("close", Close, METH_O),
    SOCKREF_FUNCTION("dup", Dup, METH_O),
    SOCKREF_FUNCTION("getaddrinfo", GetAddrInfo, METH_VARARGS | METH_KEYWORDS),
    SOCKREF_FUNCTION("getdefaulttimeout", GetDefaultTimeout, METH_NOARGS),
    SOCKREF_FUNCTION("gethostbyaddr", GetHostByAddr, METH_VARARGS),
    SOCKREF_FUNCTION("gethostbyname", GetHostByName, METH_VARARGS),
    SOCKREF_FUNCTION("gethostbyname_ex", GetHostByNameEx, METH_VARARGS),
    SOCKREF_FUNCTION("gethostname", GetHostName, METH_NOARGS),
    SOCKREF_FUNCTION("getnameinfo", GetNameInfo, METH_VARARGS),
    SOCKREF_FUNCTION("getprotobyname", GetProtoByName, METH_VARARGS),
    SOCKREF_FUNCTION("getservbyname", GetServByName, METH_VARARGS),
    SOCKREF_FUNCTION("getservbyport", GetServByPort, METH_VARARGS),
    SOCKREF_FUNCTION("htonl", Long<Htonl>, METH_O),
    SOCKREF_FUNCTION("htons", HtonsFn, METH_VARARGS),
    SOCKREF_FUNCTION("if_indextoname", IfIndexToName, METH_O),
    SOCKREF_FUNCTION("if_nameindex", IfNameIndex, METH_NOARGS),
    SOCKREF_FUNCTION("if_nametoindex", IfNameToIndex, METH_VARARGS),
    SOCKREF_FUNCTION("inet_aton", InetAton, METH_VARARGS),
    SOCKREF_FUNCTION("inet_ntoa", InetNtoa, METH_VARARGS),
    SOCKREF_FUNCTION("inet_ntop", InetNtop, METH_VARARGS),
    SOCKREF_FUNCTION("inet_pton", InetPton, METH_VARARGS),
    SOCKREF_FUNCTION("ntohl", Long<Ntohl>, METH_O),
    SOCKREF_FUNCTION("ntohs", NtohsFn, METH_VARARGS),
    SOCKREF_FUNCTION("setdefaulttimeout", SetDefaultTimeout, METH_O),
    SOCKREF_FUNCTION("sethostname", SetHostName, METH_VARARGS),
    SOCKREF_FUNCTION("socketpair", SocketPair, METH_VARARGS),
    {nullptr, nullptr, 0, nullptr},
};

#undef SOCKREF_FUNCTION

}  // namespace sockref::python
