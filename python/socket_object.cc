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
namespace {

SocketObject* Self(PyObject* obj) { return reinterpret_cast<SocketObject*>(obj); }

// Sock returns the object's Socket; a socket whose __init__ never ran behaves as
// CPython's with descriptor -1: EBADF.
Socket& Sock(PyObject* obj) {
  SocketObject* self = Self(obj);
  if (!self->sock) ThrowOSError(EBADF);
  return *self->sock;
}

SocketTriple Kind(const Socket& s) { return {s.family(), s.type(), s.proto()}; }

// IntArg is CPython's _PyLong_AsInt(): a C int from an int-like object, with its
// messages ("Python int too large to convert to C int" at any size).
bool IntArg(PyObject* obj, int* out) {
  const int value = _PyLong_AsInt(obj);
  if (value == -1 && PyErr_Occurred()) return false;
  *out = value;
  return true;
}

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
  try {
    Socket& s = *self->sock;
    WithoutGil([&s] { s.close(); });  // close(2) may linger (SO_LINGER)
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
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
  try {
    Sock(obj).settimeout(timeout);
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* GetBlocking(PyObject* obj, PyObject*) {
  SocketObject* self = Self(obj);
  return PyBool_FromLong(self->sock ? self->sock->getblocking() : 1);
}

PyObject* SetBlocking(PyObject* obj, PyObject* arg) {
  const long block = PyLong_AsLong(arg);
  if (block == -1 && PyErr_Occurred()) return nullptr;
  try {
    Sock(obj).setblocking(block != 0);
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
}

// --- Connections -------------------------------------------------------------------------

// Accept is _accept(): (fd, address) of a new connection; Lib/socket.py wraps it.
PyObject* Accept(PyObject* obj, PyObject*) {
  try {
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
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* Bind(PyObject* obj, PyObject* arg) {
  try {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(arg, Kind(s), "bind", &address)) return nullptr;
    if (PySys_Audit("socket.bind", "OO", obj, arg) < 0) return nullptr;
    WithoutGil([&] { s.bind(address); });  // may resolve a host name
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* Connect(PyObject* obj, PyObject* arg) {
  try {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(arg, Kind(s), "connect", &address)) return nullptr;
    if (PySys_Audit("socket.connect", "OO", obj, arg) < 0) return nullptr;
    WithoutGil([&] { s.connect(address); });
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* ConnectEx(PyObject* obj, PyObject* arg) {
  try {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(arg, Kind(s), "connect_ex", &address)) return nullptr;
    if (PySys_Audit("socket.connect", "OO", obj, arg) < 0) return nullptr;
    const int error = WithoutGil([&] { return s.connect_ex(address); });
    return PyLong_FromLong(error);
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* Listen(PyObject* obj, PyObject* args) {
  int backlog = 0;
  if (!PyArg_ParseTuple(args, "|i:listen", &backlog)) return nullptr;
  try {
    Socket& s = Sock(obj);
    if (PyTuple_GET_SIZE(args) > 0) {
      s.listen(backlog);
    } else {
      s.listen();  // sockref's default backlog, min(SOMAXCONN, 128) as in CPython
    }
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* GetPeerName(PyObject* obj, PyObject*) {
  try {
    return AddressToPython(Sock(obj).getpeername());
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* GetSockName(PyObject* obj, PyObject*) {
  try {
    return AddressToPython(Sock(obj).getsockname());
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* Shutdown(PyObject* obj, PyObject* arg) {
  int how = 0;
  if (!IntArg(arg, &how)) return nullptr;
  try {
    Socket& s = Sock(obj);
    WithoutGil([&] { s.shutdown(how); });
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
}

// --- Options ---------------------------------------------------------------------------

PyObject* GetSockOpt(PyObject* obj, PyObject* args) {
  int level = 0;
  int optname = 0;
  int buflen = 0;
  if (!PyArg_ParseTuple(args, "ii|i:getsockopt", &level, &optname, &buflen)) return nullptr;
  try {
    Socket& s = Sock(obj);
    if (buflen == 0) {
      const std::int64_t value = s.getsockopt(level, optname);
      // AF_VSOCK options are unsigned 64-bit (CPython returns them unsigned).
      if (s.family() == AF_VSOCK) return PyLong_FromUnsignedLongLong(static_cast<std::uint64_t>(value));
      return PyLong_FromLongLong(value);
    }
    return BytesFrom(s.getsockopt(level, optname, buflen));
  } catch (...) {
    return RaiseCurrentException();
  }
}

// SetSockOpt is CPython's three forms, tried in its order: (level, opt, int),
// (level, opt, None, optlen), (level, opt, buffer); the last one's error is reported.
PyObject* SetSockOpt(PyObject* obj, PyObject* args) {
  int level = 0;
  int optname = 0;
  int flag = 0;
  try {
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
  } catch (...) {
    return RaiseCurrentException();
  }
}

// --- Data ------------------------------------------------------------------------------------

PyObject* Recv(PyObject* obj, PyObject* args) {
  Py_ssize_t bufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "n|i:recv", &bufsize, &flags)) return nullptr;
  try {
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
  } catch (...) {
    return RaiseCurrentException();
  }
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
  try {
    Socket& s = Sock(obj);
    const MutableBuffer view = MutableView(*buffer);
    const std::int64_t n = WithoutGil([&] { return s.recv_into(view, nbytes, flags); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* RecvFrom(PyObject* obj, PyObject* args) {
  Py_ssize_t bufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "n|i:recvfrom", &bufsize, &flags)) return nullptr;
  try {
    Socket& s = Sock(obj);
    auto [data, address] = WithoutGil([&] { return s.recvfrom(bufsize, flags); });
    PyObject* addr = AddressToPython(address);
    if (addr == nullptr) return nullptr;
    return Py_BuildValue("(y#N)", data.data(), static_cast<Py_ssize_t>(data.size()), addr);
  } catch (...) {
    return RaiseCurrentException();
  }
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
  try {
    Socket& s = Sock(obj);
    const MutableBuffer view = MutableView(*buffer);
    auto [n, address] = WithoutGil([&] { return s.recvfrom_into(view, nbytes, flags); });
    PyObject* addr = AddressToPython(address);
    if (addr == nullptr) return nullptr;
    return Py_BuildValue("(nN)", static_cast<Py_ssize_t>(n), addr);
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* Send(PyObject* obj, PyObject* args) {
  ScopedBuffer data;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "y*|i:send", data.get(), &flags)) return nullptr;
  try {
    Socket& s = Sock(obj);
    const ConstBuffer view = ConstView(*data);
    const std::int64_t n = WithoutGil([&] { return s.send(view, flags); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* SendAll(PyObject* obj, PyObject* args) {
  ScopedBuffer data;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "y*|i:sendall", data.get(), &flags)) return nullptr;
  try {
    Socket& s = Sock(obj);
    const ConstBuffer view = ConstView(*data);
    WithoutGil([&] { s.sendall(view, flags); });
    Py_RETURN_NONE;
  } catch (...) {
    return RaiseCurrentException();
  }
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
  try {
    Socket& s = Sock(obj);
    Address address;
    if (!ParseAddress(address_obj, Kind(s), "sendto", &address)) return nullptr;
    if (PySys_Audit("socket.sendto", "OO", obj, address_obj) < 0) return nullptr;
    const ConstBuffer view = ConstView(*data);
    const std::int64_t n = WithoutGil([&] { return s.sendto(view, flags, address); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  } catch (...) {
    return RaiseCurrentException();
  }
}

// --- sendmsg / recvmsg ----------------------------------------------------------------

// Buffers holds the Py_buffers of one sendmsg/recvmsg_into call and releases them.
class Buffers {
 public:
  Buffers() = default;
  Buffers(const Buffers&) = delete;
  Buffers& operator=(const Buffers&) = delete;
  ~Buffers() {
    for (Py_buffer& b : views_) PyBuffer_Release(&b);
  }
  // Add parses `item` with `format` ("y*;..." or "w*;...").
  bool Add(PyObject* item, const char* format) {
    Py_buffer view;
    if (!PyArg_Parse(item, format, &view)) return false;
    views_.push_back(view);
    return true;
  }
  std::vector<ConstBuffer> Const() const {
    std::vector<ConstBuffer> out;
    for (const Py_buffer& b : views_) out.push_back(ConstView(b));
    return out;
  }
  std::vector<MutableBuffer> Mutable() const {
    std::vector<MutableBuffer> out;
    for (const Py_buffer& b : views_) out.push_back(MutableView(b));
    return out;
  }

 private:
  std::vector<Py_buffer> views_;
};

// FillBuffers parses every item of the iterable `obj` into `out`, with CPython's
// messages for what is not an iterable, too long, or not a buffer.
bool FillBuffers(PyObject* obj, const char* not_iterable, const char* too_long,
                 const char* item_format, Buffers* out) {
  PyObject* fast = PySequence_Fast(obj, not_iterable);
  if (fast == nullptr) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  bool ok = true;
  if (n > INT_MAX) {
    PyErr_SetString(PyExc_OSError, too_long);
    ok = false;
  }
  for (Py_ssize_t i = 0; ok && i < n; ++i) {
    ok = out->Add(PySequence_Fast_GET_ITEM(fast, i), item_format);
  }
  Py_DECREF(fast);
  return ok;
}

// ParseAncillary parses sendmsg()'s second argument: (level, type, data) items.
bool ParseAncillary(PyObject* obj, std::vector<AncillaryItem>* out) {
  if (obj == nullptr) return true;
  PyObject* fast = PySequence_Fast(obj, "sendmsg() argument 2 must be an iterable");
  if (fast == nullptr) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  bool ok = true;
  for (Py_ssize_t i = 0; ok && i < n; ++i) {
    AncillaryItem item;
    ScopedBuffer data;
    ok = PyArg_Parse(PySequence_Fast_GET_ITEM(fast, i), "(iiy*):[sendmsg() ancillary data items]",
                     &item.level, &item.type, data.get());
    if (ok) {
      item.data.assign(static_cast<const char*>((*data).buf), static_cast<std::size_t>((*data).len));
      out->push_back(std::move(item));
    }
  }
  Py_DECREF(fast);
  return ok;
}

PyObject* AncillaryToPython(const std::vector<AncillaryItem>& items) {
  PyObject* list = PyList_New(0);
  if (list == nullptr) return nullptr;
  for (const AncillaryItem& item : items) {
    PyObject* tuple = Py_BuildValue("(iiy#)", item.level, item.type, item.data.data(),
                                    static_cast<Py_ssize_t>(item.data.size()));
    if (tuple == nullptr || PyList_Append(list, tuple) != 0) {
      Py_XDECREF(tuple);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(tuple);
  }
  return list;
}

// CloseDescriptors closes the SCM_RIGHTS descriptors of a result Python never saw.
void CloseDescriptors(const std::vector<AncillaryItem>& items) {
  for (int fd : UnpackFds(items)) {
    try {
      sockref::close(fd);
    } catch (...) {
    }
  }
}

PyObject* SendMsg(PyObject* obj, PyObject* args) {
  PyObject* data_arg = nullptr;
  PyObject* anc_arg = nullptr;
  int flags = 0;
  PyObject* address_arg = nullptr;
  if (!PyArg_ParseTuple(args, "O|OiO:sendmsg", &data_arg, &anc_arg, &flags, &address_arg)) {
    return nullptr;
  }
  try {
    Socket& s = Sock(obj);
    std::optional<Address> address;
    if (address_arg != nullptr && address_arg != Py_None) {
      address.emplace();
      if (!ParseAddress(address_arg, Kind(s), "sendmsg", &*address)) return nullptr;
      if (PySys_Audit("socket.sendmsg", "OO", obj, address_arg) < 0) return nullptr;
    }
    Buffers buffers;
    if (!FillBuffers(data_arg, "sendmsg() argument 1 must be an iterable",
                     "sendmsg() argument 1 is too long",
                     "y*;sendmsg() argument 1 must be an iterable of bytes-like objects",
                     &buffers)) {
      return nullptr;
    }
    std::vector<AncillaryItem> ancdata;
    if (!ParseAncillary(anc_arg, &ancdata)) return nullptr;
    const std::vector<ConstBuffer> views = buffers.Const();
    const std::int64_t n =
        WithoutGil([&] { return s.sendmsg(views, ancdata, flags, address); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  } catch (...) {
    return RaiseCurrentException();
  }
}

// RecvMsgTuple builds (first, ancdata, msg_flags, address), closing any received
// descriptors if the tuple cannot be built.
template <typename Result>
PyObject* RecvMsgTuple(PyObject* first, const Result& r) {
  PyObject* anc = first != nullptr ? AncillaryToPython(r.ancdata) : nullptr;
  PyObject* address = anc != nullptr ? AddressToPython(r.address) : nullptr;
  PyObject* result = nullptr;
  if (address != nullptr) result = Py_BuildValue("(OOiO)", first, anc, r.msg_flags, address);
  Py_XDECREF(first);
  Py_XDECREF(anc);
  Py_XDECREF(address);
  if (result == nullptr) CloseDescriptors(r.ancdata);
  return result;
}

PyObject* RecvMsg(PyObject* obj, PyObject* args) {
  Py_ssize_t bufsize = 0;
  Py_ssize_t ancbufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "n|ni:recvmsg", &bufsize, &ancbufsize, &flags)) return nullptr;
  try {
    Socket& s = Sock(obj);
    RecvMsgResult r = WithoutGil([&] { return s.recvmsg(bufsize, ancbufsize, flags); });
    return RecvMsgTuple(BytesFrom(r.data), r);
  } catch (...) {
    return RaiseCurrentException();
  }
}

PyObject* RecvMsgInto(PyObject* obj, PyObject* args) {
  PyObject* buffers_arg = nullptr;
  Py_ssize_t ancbufsize = 0;
  int flags = 0;
  if (!PyArg_ParseTuple(args, "O|ni:recvmsg_into", &buffers_arg, &ancbufsize, &flags)) {
    return nullptr;
  }
  try {
    Socket& s = Sock(obj);
    Buffers buffers;
    if (!FillBuffers(buffers_arg, "recvmsg_into() argument 1 must be an iterable",
                     "recvmsg_into() argument 1 is too long",
                     "w*;recvmsg_into() argument 1 must be an iterable of single-segment "
                     "read-write buffers",
                     &buffers)) {
      return nullptr;
    }
    const std::vector<MutableBuffer> views = buffers.Mutable();
    RecvMsgIntoResult r = WithoutGil([&] { return s.recvmsg_into(views, ancbufsize, flags); });
    return RecvMsgTuple(PyLong_FromSsize_t(static_cast<Py_ssize_t>(r.nbytes)), r);
  } catch (...) {
    return RaiseCurrentException();
  }
}

// SendMsgAfalg is sendmsg_afalg(msg=(), *, op, iv=None, assoclen=None, flags=0):
// op and assoclen are read as C ints; sockref checks their values.
PyObject* SendMsgAfalg(PyObject* obj, PyObject* args, PyObject* kwds) {
  static const char* keywords[] = {"msg", "op", "iv", "assoclen", "flags", nullptr};
  PyObject* data_arg = nullptr;
  PyObject* op_arg = nullptr;
  ScopedBuffer iv;
  PyObject* assoclen_arg = nullptr;
  int flags = 0;
  try {
    Sock(obj).CheckAfalgFamily();  // before the arguments, as CPython
  } catch (...) {
    return RaiseCurrentException();
  }
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$Oy*Oi:sendmsg_afalg",
                                   const_cast<char**>(keywords), &data_arg, &op_arg, iv.get(),
                                   &assoclen_arg, &flags)) {
    return nullptr;
  }
  int op = -1;  // missing: sockref raises "Invalid or missing argument 'op'"
  if (op_arg != nullptr && !IntArg(op_arg, &op)) return nullptr;
  std::optional<std::int64_t> assoclen;
  if (assoclen_arg != nullptr) {
    int value = 0;
    if (!IntArg(assoclen_arg, &value)) return nullptr;
    assoclen = value;
  }
  try {
    Socket& s = Sock(obj);
    Buffers buffers;
    if (data_arg != nullptr &&
        !FillBuffers(data_arg, "sendmsg() argument 1 must be an iterable",
                     "sendmsg() argument 1 is too long",
                     "y*;sendmsg() argument 1 must be an iterable of bytes-like objects",
                     &buffers)) {
      return nullptr;
    }
    std::optional<ConstBuffer> iv_view;
    if ((*iv).obj != nullptr) iv_view = ConstView(*iv);
    const std::vector<ConstBuffer> views = buffers.Const();
    const std::int64_t n =
        WithoutGil([&] { return s.sendmsg_afalg(views, op, iv_view, assoclen, flags); });
    return PyLong_FromSsize_t(static_cast<Py_ssize_t>(n));
  } catch (...) {
    return RaiseCurrentException();
  }
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
  socket_type.tp_name = "_sockref_socket.socket";
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
