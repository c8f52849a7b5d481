// binding.h: what the files of sockref's CPython extension share.
//
// The extension (_sockref_socket, built as //python:_sockref_socket.so) stands in
// for CPython's `_socket`: Lib/socket.py runs on it unchanged. It is a thin
// binding over //impl:sockref. Each entry point parses its Python arguments with
// the C API's own argument functions and CPython's format strings (so argument
// errors carry CPython's words), calls sockref with the GIL released around
// anything that can block, and turns sockref's exceptions into Python's:
//
//   PyObject* Recv(SocketObject* self, PyObject* args) {
//     Py_ssize_t n;
//     int flags = 0;
//     if (!PyArg_ParseTuple(args, "n|i:recv", &n, &flags)) return nullptr;
//     return Bridge([&]() -> PyObject* {
//       Bytes data = WithoutGil([&] { return Sock(self).recv(n, flags); });
//       return PyBytes_FromStringAndSize(data.data(), data.size());
//     });
//   }
//
// Behaviour (ranges, messages of what is not an argument-shape error, timeouts,
// PEP 475) lives in impl/; this folder only converts.
#ifndef SOCKREF_PYTHON_BINDING_H_
#define SOCKREF_PYTHON_BINDING_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <optional>
#include <string_view>
#include <utility>

#include "impl/address.h"
#include "impl/socket.h"
#include "impl/timeout.h"

namespace sockref::python {

// --- Errors (errors.cc) ---------------------------------------------------------

// PythonErrorSet is thrown through sockref when a Python exception is already set
// (a signal handler raised inside the interrupt check, a conversion failed).
struct PythonErrorSet {};

// RaiseCurrentException sets the Python exception for the C++ exception being
// handled (call it only inside a catch block) and returns nullptr:
// sockref::OSError with an errno -> OSError(errno, strerror), whose constructor
// picks the PEP 3151 subclass as CPython's PyErr_SetFromErrno does; without errno
// -> OSError(message) or TimeoutError("timed out"); gaierror/herror -> the module's
// classes with (code, message); ValueError/OverflowError/TypeError -> the same;
// std::bad_alloc -> MemoryError; PythonErrorSet -> the error already set.
PyObject* RaiseCurrentException();
// RaiseCurrentExceptionInt is RaiseCurrentException for slots that return int.
int RaiseCurrentExceptionInt();

// Bridge returns f() (a new reference, or nullptr with a Python error set), or, when f throws,
// nullptr with the Python exception for the C++ one (RaiseCurrentException): the one place an
// entry point's C++ exceptions become Python's. WithoutGil inside f has taken the GIL back
// before the exception reaches here, so the exception is always set with the GIL held.
template <typename F>
PyObject* Bridge(F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (...) {
    return RaiseCurrentException();
  }
}

// The module's own exception classes, created by CreateExceptionClasses().
extern PyObject* herror_class;
extern PyObject* gaierror_class;
// CreateExceptionClasses makes socket.herror and socket.gaierror (subclasses of
// OSError). Returns false with a Python error set.
bool CreateExceptionClasses();

// InstallSignalCheck makes every blocked sockref call run PyErr_CheckSignals()
// after EINTR (impl/interrupt.h), so a Python signal handler that raises ends the
// call with its exception, as in CPython (PEP 475).
void InstallSignalCheck();

// WithoutGil runs `f` with the GIL released and takes it back before returning or
// propagating an exception. `f` must not touch Python objects.
template <typename F>
auto WithoutGil(F&& f) -> decltype(f()) {
  struct Reacquire {
    PyThreadState* state;
    ~Reacquire() { PyEval_RestoreThread(state); }
  } reacquire{PyEval_SaveThread()};
  return std::forward<F>(f)();
}

// --- Conversions (convert.cc) -----------------------------------------------------

// ParseTimeout converts settimeout()'s argument as CPython's socket_parse_timeout
// does: None is blocking, a float or an int are seconds. Returns false with a
// Python error set (TypeError for other types; sockref's ValueError/OverflowError
// for negative, NaN or huge values).
bool ParseTimeout(PyObject* obj, TimeoutNs* out);
// TimeoutToPython returns None or the timeout in float seconds.
PyObject* TimeoutToPython(std::optional<Seconds> timeout);

// BytesFrom returns a new bytes object holding `data`.
inline PyObject* BytesFrom(std::string_view data) {
  return PyBytes_FromStringAndSize(data.data(), static_cast<Py_ssize_t>(data.size()));
}

// BufferView returns a ConstBuffer over a Py_buffer filled by "y*" / "w*".
inline ConstBuffer ConstView(const Py_buffer& b) {
  return ConstBuffer(b.buf, static_cast<std::size_t>(b.len));
}
inline MutableBuffer MutableView(const Py_buffer& b) {
  return MutableBuffer(b.buf, static_cast<std::size_t>(b.len));
}

// ScopedBuffer releases a Py_buffer filled by PyArg_Parse* when it goes away.
class ScopedBuffer {
 public:
  ScopedBuffer() { view_.obj = nullptr; }
  ~ScopedBuffer() {
    if (view_.obj != nullptr) PyBuffer_Release(&view_);
  }
  ScopedBuffer(const ScopedBuffer&) = delete;
  ScopedBuffer& operator=(const ScopedBuffer&) = delete;
  Py_buffer* get() { return &view_; }
  const Py_buffer& operator*() const { return view_; }

 private:
  Py_buffer view_{};
};

// --- Addresses (addresses.cc) -------------------------------------------------------

// ParseAddress converts a Python address object for a socket of `kind`, with the
// shape checks and messages of CPython's getsockaddrarg(); `caller` names the
// method in messages. Ranges, name resolution and the encoding itself are
// sockref's (EncodeAddress), run when the Address is used. Returns false with a
// Python error set.
bool ParseAddress(PyObject* obj, const SocketTriple& kind, const char* caller, Address* out);

// AddressToPython returns the Python object for a decoded address, as CPython's
// makesockaddr() builds it.
PyObject* AddressToPython(const Address& address);

// --- The socket type (socket_object.cc) ---------------------------------------------

// SocketObject is an instance of _sockref_socket.socket. `sock` is empty until
// __init__ has run (every method then fails with EBADF, as CPython's would on a
// socket whose descriptor is -1).
struct SocketObject {
  PyObject_HEAD
  std::optional<Socket> sock;
};

extern PyTypeObject socket_type;

// ReadySocketType readies socket_type. Returns false with a Python error set.
bool ReadySocketType();

// NewSocketObject returns a new instance of the base socket type owning `sock`.
PyObject* NewSocketObject(Socket sock);

// Sock returns the object's Socket; a socket whose __init__ never ran behaves as
// CPython's with descriptor -1: EBADF (thrown as OSError).
Socket& Sock(PyObject* obj);

// Kind returns the {family, type, proto} the address parsers need.
SocketTriple Kind(const Socket& s);

// IntArg is CPython's _PyLong_AsInt(): a C int from an int-like object, with its
// messages ("Python int too large to convert to C int" at any size).
bool IntArg(PyObject* obj, int* out);

// The socket methods with ancillary data (socket_messages.cc), for the method table.
PyObject* SendMsg(PyObject* obj, PyObject* args);
PyObject* RecvMsg(PyObject* obj, PyObject* args);
PyObject* RecvMsgInto(PyObject* obj, PyObject* args);
PyObject* SendMsgAfalg(PyObject* obj, PyObject* args, PyObject* kwds);

// --- Module functions (module_functions.cc) ----------------------------------------

// kModuleFunctions is the module's method table, ending with a null entry.
extern PyMethodDef kModuleFunctions[];

}  // namespace sockref::python

#endif  // SOCKREF_PYTHON_BINDING_H_
