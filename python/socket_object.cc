// socket_object.cc: the socket type, _socket.socket's stand-in. Lib/socket.py
// subclasses it; every method parses its arguments with CPython's format string
// and calls sockref::Socket, releasing the GIL around anything that can block.
#include <climits>
#include <new>
#include <string>
#include <vector>

#include "impl/error.h"
#include "python/binding.h"

namespace sockref::python {

Socket& Sock(PyObject* obj) {
  SocketObject* self = reinterpret_cast<SocketObject*>(obj);
  if (!self->sock) ThrowOSError(EBADF);
  return *self->sock;
}

SocketTriple Kind(const Socket& s) { return {s.family(), s.type(), s.proto()}; }

bool IntArg(PyObject* obj, int* out) {
  const int value = _PyLong_AsInt(obj);
  if (value == -1 && PyErr_Occurred()) return false;
  *out = value;
  return true;
}

namespace {

SocketObject* Self(PyObject* obj) { return reinterpret_cast<SocketObject*>(obj); }

// --- Life cycle -------------------------------------------------------------------

PyObject* New(PyTypeObject* type, PyObject*, PyObject*) {
  PyObject* obj = type->tp_alloc(type, 0);
  if (obj != nullptr) new (&Self(obj)->sock) std::optional<Socket>();
  return obj;
}

// Init is socket.__init__(family=-1, type=-1, proto=-1, fileno=None).
int Init(PyObject* obj, PyObject* args, PyObject* kwds) {
  static const char* keywords[] = {"family", "type", "proto", "fileno", nullptr};
  PyObject* ints[3] = {nullptr, nullptr, nullptr};
  PyObject* fdobj = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOO:socket", const_cast<char**>(keywords),
                                   &ints[0], &ints[1], &ints[2], &fdobj)) {
    return -1;
  }
  // CPython's argument clinic reads each as a C int with _PyLong_AsInt.
  int values[3] = {-1, -1, -1};
  for (int i = 0; i < 3; ++i) {
    if (ints[i] != nullptr && !IntArg(ints[i], &values[i])) return -1;
  }
  const int family = values[0];
  const int type = values[1];
  const int proto = values[2];
  if (PySys_Audit("socket.__new__", "Oiii", obj, family, type, proto) < 0) return -1;
  try {
    if (fdobj == nullptr || fdobj == Py_None) {
      Socket s(family == -1 ? AF_INET : family, type == -1 ? SOCK_STREAM : type,
               proto == -1 ? 0 : proto);
      Self(obj)->sock = std::move(s);
      return 0;
    }
    // CPython reads the descriptor as a C long and keeps its low int (SOCKET_T).
    const long fd = PyLong_AsLong(fdobj);
    if (fd == -1 && PyErr_Occurred()) return -1;
    Self(obj)->sock = Socket::FromFileno(static_cast<int>(fd), family, type, proto);
    return 0;
  } catch (...) {
    return RaiseCurrentExceptionInt();
  }
}

// Finalize warns about a socket still open when it is collected, then closes it,
// as CPython's sock_finalize (the warning first, so a logger can still query it).
void Finalize(PyObject* obj) {
  SocketObject* self = Self(obj);
  if (!self->sock || self->sock->fileno() < 0) return;
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  if (PyErr_ResourceWarning(obj, 1, "unclosed %R", obj) != 0) {
    if (PyErr_ExceptionMatches(PyExc_Warning)) PyErr_WriteUnraisable(obj);
    PyErr_Clear();
  }
  try {
    const int fd = self->sock->detach();
    WithoutGil([fd] { sockref::close(fd); });
  } catch (...) {
    // The descriptor is gone either way; finalizers report nothing.
  }
  PyErr_Restore(type, value, traceback);
}

void Dealloc(PyObject* obj) {
  if (PyObject_CallFinalizerFromDealloc(obj) < 0) return;  // resurrected
  Self(obj)->sock.~optional();
  Py_TYPE(obj)->tp_free(obj);
}

PyObject* Repr(PyObject* obj) {
  SocketObject* self = Self(obj);
  if (!self->sock) return PyUnicode_FromString("<socket object, fd=-1, family=0, type=0, proto=0>");
  const Socket& s = *self->sock;
  return PyUnicode_FromFormat("<socket object, fd=%ld, family=%d, type=%d, proto=%d>",
                              static_cast<long>(s.fileno()), s.family(), s.type(), s.proto());
}

PyObject* Close(PyObject* obj, PyObject*) {
  SocketObject* self = Self(obj);
  if (!self->sock) Py_RETURN_NONE;
  return Bridge([&]() -> PyObject* {
    Socket& s = *self->sock;
    WithoutGil([&s] { s.close(); });  // close(2) may linger (SO_LINGER)
    Py_RETURN_NONE;
  });
}

PyObject* Detach(PyObject* obj, PyObject*) {
  SocketObject* self = Self(obj);
  return PyLong_FromLong(self->sock ? self->sock->detach() : -1);
}

PyObject* Fileno(PyObject* obj, PyObject*) {
  SocketObject* self = Self(obj);
  return PyLong_FromLong(self->sock ? self->sock->fileno() : -1);
}

// --- Modes -----------------------------------------------------------------------------

PyObject* GetTimeout(PyObject* obj, PyObject*) {
  SocketObject* self = Self(obj);
  if (!self->sock) Py_RETURN_NONE;
  return TimeoutToPython(self->sock->gettimeout());
}

PyObject* SetTimeout(PyObject* obj, PyObject* arg) {
  TimeoutNs timeout;
  if (!ParseTimeout(arg, &timeout)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Sock(obj).settimeout(timeout);
    Py_RETURN_NONE;
  });
}

PyObject* GetBlocking(PyObject* obj, PyObject*) {
  SocketObject* self = Self(obj);
  return PyBool_FromLong(self->sock ? self->sock->getblocking() : 1);
}

PyObject* SetBlocking(PyObject* obj, PyObject* arg) {
  const long block = PyLong_AsLong(arg);
  if (block == -1 && PyErr_Occurred()) return nullptr;
  return Bridge([&]() -> PyObject* {
    Sock(obj).setblocking(block != 0);
    Py_RETURN_NONE;
  });
}

// --- Connections -------------------------------------------------------------------------

// Accept is _accept(): (fd, address) of a new connection; Lib/socket.py wraps it.
PyObject* Accept(PyObject* obj, PyObject*) {
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    AcceptResult r = WithoutGil([&s] { return s.accept(); });
    PyObject* address = AddressToPython(r.address);
    if (address == nullptr) return nullptr;  // r.conn closes the descriptor
    PyObject* fd = PyLong_FromLong(r.conn.fileno());
    if (fd == nullptr) {
      Py_DECREF(address);
      return nullptr;
    }
    PyObject* result = PyTuple_Pack(2, fd, address);
    Py_DECREF(fd);
    Py_DECREF(address);
    if (result != nullptr) r.conn.detach();  // the caller owns it now
    return result;
  });
}

PyObject* Bind(PyObject* obj, PyObject* arg) {
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(arg, Kind(s), "bind", &address)) return nullptr;
    if (PySys_Audit("socket.bind", "OO", obj, arg) < 0) return nullptr;
    WithoutGil([&] { s.bind(address); });  // may resolve a host name
    Py_RETURN_NONE;
  });
}

PyObject* Connect(PyObject* obj, PyObject* arg) {
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(arg, Kind(s), "connect", &address)) return nullptr;
    if (PySys_Audit("socket.connect", "OO", obj, arg) < 0) return nullptr;
    WithoutGil([&] { s.connect(address); });
    Py_RETURN_NONE;
  });
}

PyObject* ConnectEx(PyObject* obj, PyObject* arg) {
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(arg, Kind(s), "connect_ex", &address)) return nullptr;
    if (PySys_Audit("socket.connect", "OO", obj, arg) < 0) return nullptr;
    const int error = WithoutGil([&] { return s.connect_ex(address); });
    return PyLong_FromLong(error);
  });
}

PyObject* Listen(PyObject* obj, PyObject* args) {
  int backlog = 0;
  if (!PyArg_ParseTuple(args, "|i:listen", &backlog)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    if (PyTuple_GET_SIZE(args) > 0) {
      s.listen(backlog);
    } else {
      s.listen();  // sockref's default backlog, min(SOMAXCONN, 128) as in CPython
    }
    Py_RETURN_NONE;
  });
}

PyObject* GetPeerName(PyObject* obj, PyObject*) {
  return Bridge([&]() -> PyObject* {
    return AddressToPython(Sock(obj).getpeername());
  });
}

PyObject* GetSockName(PyObject* obj, PyObject*) {
  return Bridge([&]() -> PyObject* {
    return AddressToPython(Sock(obj).getsockname());
  });
}

PyObject* Shutdown(PyObject* obj, PyObject* arg) {
  int how = 0;
  if (!IntArg(arg, &how)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    WithoutGil([&] { s.shutdown(how); });
    Py_RETURN_NONE;
  });
}

// --- Options ---------------------------------------------------------------------------

PyObject* GetSockOpt(PyObject* obj, PyObject* args) {
  int level = 0;
  int optname = 0;
  int buflen = 0;
  if (!PyArg_ParseTuple(args, "ii|i:getsockopt", &level, &optname, &buflen)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    if (buflen == 0) {
      const std::int64_t value = s.getsockopt(level, optname);
      // AF_VSOCK options are unsigned 64-bit (CPython returns them unsigned).
      if (s.family() == AF_VSOCK) return PyLong_FromUnsignedLongLong(static_cast<std::uint64_t>(value));
      return PyLong_FromLongLong(value);
    }
    return BytesFrom(s.getsockopt(level, optname, buflen));
  });
}

// SetSockOpt is CPython's three forms, tried in its order: (level, opt, int),
// (level, opt, None, optlen), (level, opt, buffer); the last one's error is reported.
PyObject* SetSockOpt(PyObject* obj, PyObject* args) {
  int level = 0;
  int optname = 0;
  int flag = 0;
  return Bridge([&]() -> PyObject* {
    if (Sock(obj).family() == AF_VSOCK) {
      // CPython's AF_VSOCK form only: an int of any size, kept modulo 2**64.
      unsigned long long wide = 0;
      if (!PyArg_ParseTuple(args, "iiK:setsockopt", &level, &optname, &wide)) return nullptr;
      Sock(obj).setsockopt(level, optname, static_cast<std::int64_t>(wide));
      Py_RETURN_NONE;
    }
    if (PyArg_ParseTuple(args, "iii:setsockopt", &level, &optname, &flag)) {
      Sock(obj).setsockopt(level, optname, flag);
      Py_RETURN_NONE;
    }
    PyErr_Clear();
    PyObject* none = nullptr;
    unsigned int optlen = 0;
    if (PyArg_ParseTuple(args, "iiO!I:setsockopt", &level, &optname, Py_TYPE(Py_None), &none,
                         &optlen)) {
      Sock(obj).setsockopt(level, optname, std::nullopt, optlen);
      Py_RETURN_NONE;
    }
    PyErr_Clear();
    ScopedBuffer value;
    if (!PyArg_ParseTuple(args, "iiy*:setsockopt", &level, &optname, value.get())) return nullptr;
    Sock(obj).setsockopt(level, optname, ConstView(*value));
    Py_RETURN_NONE;
  });
}

// --- Data ------------------------------------------------------------------------------------

PyObject* Recv(PyObject* obj, PyObject* args) {
  Py_ssize_t bufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "n|i:recv", &bufsize, &flags)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    // sockref's recv() answers these without receiving (ValueError, or b'' without
    // a system call); everything else is received straight into the bytes object
    // returned, then shrunk, as CPython does: no intermediate copy.
    if (bufsize <= 0) return BytesFrom(s.recv(bufsize, flags));
    PyObject* bytes = PyBytes_FromStringAndSize(nullptr, bufsize);
    if (bytes == nullptr) return nullptr;
    const MutableBuffer view(PyBytes_AS_STRING(bytes), static_cast<std::size_t>(bufsize));
    std::int64_t n = 0;
    try {
      n = WithoutGil([&] { return s.recv_into(view, bufsize, flags); });
    } catch (...) {
      Py_DECREF(bytes);
      throw;
    }
    if (n != bufsize && _PyBytes_Resize(&bytes, static_cast<Py_ssize_t>(n)) != 0) return nullptr;
    return bytes;
  });
}

PyObject* RecvInto(PyObject* obj, PyObject* args, PyObject* kwds) {
  static const char* keywords[] = {"buffer", "nbytes", "flags", nullptr};
  ScopedBuffer buffer;
  Py_ssize_t nbytes = 0;
  int flags = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "w*|ni:recv_into", const_cast<char**>(keywords),
                                   buffer.get(), &nbytes, &flags)) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    const MutableBuffer view = MutableView(*buffer);
    const std::int64_t n = WithoutGil([&] { return s.recv_into(view, nbytes, flags); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  });
}

PyObject* RecvFrom(PyObject* obj, PyObject* args) {
  Py_ssize_t bufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "n|i:recvfrom", &bufsize, &flags)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    auto [data, address] = WithoutGil([&] { return s.recvfrom(bufsize, flags); });
    PyObject* addr = AddressToPython(address);
    if (addr == nullptr) return nullptr;
    return Py_BuildValue("(y#N)", data.data(), static_cast<Py_ssize_t>(data.size()), addr);
  });
}

PyObject* RecvFromInto(PyObject* obj, PyObject* args, PyObject* kwds) {
  static const char* keywords[] = {"buffer", "nbytes", "flags", nullptr};
  ScopedBuffer buffer;
  Py_ssize_t nbytes = 0;
  int flags = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "w*|ni:recvfrom_into",
                                   const_cast<char**>(keywords), buffer.get(), &nbytes, &flags)) {
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    const MutableBuffer view = MutableView(*buffer);
    auto [n, address] = WithoutGil([&] { return s.recvfrom_into(view, nbytes, flags); });
    PyObject* addr = AddressToPython(address);
    if (addr == nullptr) return nullptr;
    return Py_BuildValue("(nN)", static_cast<Py_ssize_t>(n), addr);
  });
}

PyObject* Send(PyObject* obj, PyObject* args) {
  ScopedBuffer data;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "y*|i:send", data.get(), &flags)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    const ConstBuffer view = ConstView(*data);
    const std::int64_t n = WithoutGil([&] { return s.send(view, flags); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  });
}

PyObject* SendAll(PyObject* obj, PyObject* args) {
  ScopedBuffer data;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "y*|i:sendall", data.get(), &flags)) return nullptr;
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    const ConstBuffer view = ConstView(*data);
    WithoutGil([&] { s.sendall(view, flags); });
    Py_RETURN_NONE;
  });
}

PyObject* SendTo(PyObject* obj, PyObject* args) {
  ScopedBuffer data;
  int flags = 0;
  PyObject* address_obj = nullptr;
  const Py_ssize_t nargs = PyTuple_Size(args);
  if (nargs == 2) {
    if (!PyArg_ParseTuple(args, "y*O:sendto", data.get(), &address_obj)) return nullptr;
  } else if (nargs == 3) {
    if (!PyArg_ParseTuple(args, "y*iO:sendto", data.get(), &flags, &address_obj)) return nullptr;
  } else {
    PyErr_Format(PyExc_TypeError, "sendto() takes 2 or 3 arguments (%zd given)", nargs);
    return nullptr;
  }
  return Bridge([&]() -> PyObject* {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(address_obj, Kind(s), "sendto", &address)) return nullptr;
    if (PySys_Audit("socket.sendto", "OO", obj, address_obj) < 0) return nullptr;
    const ConstBuffer view = ConstView(*data);
    const std::int64_t n = WithoutGil([&] { return s.sendto(view, flags, address); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  });
}

// --- Attributes -----------------------------------------------------------------------

template <int (Socket::*Field)() const>
PyObject* GetField(PyObject* obj, void*) {
  SocketObject* self = Self(obj);
  return PyLong_FromLong(self->sock ? ((*self->sock).*Field)() : 0);
}

PyObject* GetTimeoutAttr(PyObject* obj, void*) { return GetTimeout(obj, nullptr); }

#define SOCKREF_METHOD(name, fn, flags) \
  { name, reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fn)), flags, nullptr }

PyMethodDef kMethods[] = {
    SOCKREF_METHOD("_accept", Accept, METH_NOARGS),
    SOCKREF_METHOD("bind", Bind, METH_O),
    SOCKREF_METHOD("close", Close, METH_NOARGS),
    SOCKREF_METHOD("connect", Connect, METH_O),
    SOCKREF_METHOD("connect_ex", ConnectEx, METH_O),
    SOCKREF_METHOD("detach", Detach, METH_NOARGS),
    SOCKREF_METHOD("fileno", Fileno, METH_NOARGS),
    SOCKREF_METHOD("getblocking", GetBlocking, METH_NOARGS),
    SOCKREF_METHOD("getpeername", GetPeerName, METH_NOARGS),
    SOCKREF_METHOD("getsockname", GetSockName, METH_NOARGS),
    SOCKREF_METHOD("getsockopt", GetSockOpt, METH_VARARGS),
    SOCKREF_METHOD("gettimeout", GetTimeout, METH_NOARGS),
    SOCKREF_METHOD("listen", Listen, METH_VARARGS),
    SOCKREF_METHOD("recv", Recv, METH_VARARGS),
    SOCKREF_METHOD("recv_into", RecvInto, METH_VARARGS | METH_KEYWORDS),
    SOCKREF_METHOD("recvfrom", RecvFrom, METH_VARARGS),
    SOCKREF_METHOD("recvfrom_into", RecvFromInto, METH_VARARGS | METH_KEYWORDS),
    SOCKREF_METHOD("recvmsg", RecvMsg, METH_VARARGS),
    SOCKREF_METHOD("recvmsg_into", RecvMsgInto, METH_VARARGS),
    SOCKREF_METHOD("send", Send, METH_VARARGS),
    SOCKREF_METHOD("sendall", SendAll, METH_VARARGS),
    SOCKREF_METHOD("sendmsg", SendMsg, METH_VARARGS),
    SOCKREF_METHOD("sendmsg_afalg", SendMsgAfalg, METH_VARARGS | METH_KEYWORDS),
    SOCKREF_METHOD("sendto", SendTo, METH_VARARGS),
    SOCKREF_METHOD("setblocking", SetBlocking, METH_O),
    SOCKREF_METHOD("setsockopt", SetSockOpt, METH_VARARGS),
    SOCKREF_METHOD("settimeout", SetTimeout, METH_O),
    SOCKREF_METHOD("shutdown", Shutdown, METH_O),
    {nullptr, nullptr, 0, nullptr},
};

#undef SOCKREF_METHOD

PyGetSetDef kGetSets[] = {
    {"family", GetField<&Socket::family>, nullptr, "the socket family", nullptr},
    {"type", GetField<&Socket::type>, nullptr, "the socket type", nullptr},
    {"proto", GetField<&Socket::proto>, nullptr, "the socket protocol", nullptr},
    {"timeout", GetTimeoutAttr, nullptr, "the socket timeout", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

PyTypeObject socket_type = {PyVarObject_HEAD_INIT(nullptr, 0)};

bool ReadySocketType() {
  socket_type.tp_name = "_socket.socket";  // as CPython names it (module.cc)
  socket_type.tp_basicsize = sizeof(SocketObject);
  socket_type.tp_dealloc = Dealloc;
  socket_type.tp_repr = Repr;
  socket_type.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  socket_type.tp_doc =
      "socket(family=AF_INET, type=SOCK_STREAM, proto=0) -> socket object\n"
      "socket(family=-1, type=-1, proto=-1, fileno=None) -> socket object\n\n"
      "sockref's socket object (a stand-in for _socket.socket).";
  socket_type.tp_methods = kMethods;
  socket_type.tp_getset = kGetSets;
  socket_type.tp_init = Init;
  socket_type.tp_new = New;
  socket_type.tp_alloc = PyType_GenericAlloc;
  socket_type.tp_free = PyObject_Del;
  socket_type.tp_finalize = Finalize;
  return PyType_Ready(&socket_type) == 0;
}

PyObject* NewSocketObject(Socket sock) {
  PyObject* obj = New(&socket_type, nullptr, nullptr);
  if (obj != nullptr) Self(obj)->sock = std::move(sock);
  return obj;
}

}  // namespace sockref::python
