// errors.cc: sockref's C++ exceptions as Python exceptions, and PEP 475's signal
// check for calls blocked with the GIL released.
#include <new>
#include <stdexcept>
#include <string>

#include "impl/error.h"
#include "impl/interrupt.h"
#include "python/binding.h"

namespace sockref::python {

PyObject* herror_class = nullptr;
PyObject* gaierror_class = nullptr;

namespace {

// SetErrnoStyle raises `cls`(code, text): the args CPython gives OSError and its
// gaierror/herror subclasses. For OSError itself the constructor picks the
// subclass from the errno (ConnectionRefusedError, ...).
void SetErrnoStyle(PyObject* cls, int code, const std::string& text) {
  PyObject* args = Py_BuildValue("(is)", code, text.c_str());
  if (args == nullptr) return;
  PyErr_SetObject(cls, args);
  Py_DECREF(args);
}

void SetOSError(const sockref::OSError& e) {
  if (e.kind() == ErrorKind::kGaiError) {
    SetErrnoStyle(gaierror_class, e.errno_value().value_or(0), e.strerror().value_or(""));
  } else if (e.kind() == ErrorKind::kHError) {
    SetErrnoStyle(herror_class, e.errno_value().value_or(0), e.strerror().value_or(""));
  } else if (e.errno_value()) {
    SetErrnoStyle(PyExc_OSError, *e.errno_value(), e.strerror().value_or(""));
  } else if (e.kind() == ErrorKind::kTimeoutError) {
    // socket.timeout: TimeoutError("timed out"), no errno.
    PyErr_SetString(PyExc_TimeoutError, e.what());
  } else {
    PyErr_SetString(PyExc_OSError, e.what());
  }
}

// CheckPythonSignals is the interrupt check: it runs on the interrupted thread,
// which released the GIL, so it takes the GIL for PyErr_CheckSignals() and leaves
// any exception a handler raised set for the binding to return.
void CheckPythonSignals() {
  const PyGILState_STATE state = PyGILState_Ensure();
  const int failed = PyErr_CheckSignals();
  PyGILState_Release(state);
  if (failed != 0) throw PythonErrorSet{};
}

}  // namespace

PyObject* RaiseCurrentException() {
  try {
    throw;
  } catch (const PythonErrorSet&) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "error return without exception set");
  } catch (const sockref::OSError& e) {
    SetOSError(e);
  } catch (const sockref::UnicodeError& e) {
    PyErr_SetString(PyExc_UnicodeError, e.what());
  } catch (const sockref::ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const sockref::OverflowError& e) {
    PyErr_SetString(PyExc_OverflowError, e.what());
  } catch (const sockref::TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_Format(PyExc_SystemError, "sockref: unexpected C++ exception: %s", e.what());
  } catch (...) {
    PyErr_SetString(PyExc_SystemError, "sockref: unexpected C++ exception");
  }
  return nullptr;
}

int RaiseCurrentExceptionInt() {
  RaiseCurrentException();
  return -1;
}

bool CreateExceptionClasses() {
  herror_class = PyErr_NewException("socket.herror", PyExc_OSError, nullptr);
  if (herror_class == nullptr) return false;
  gaierror_class = PyErr_NewException("socket.gaierror", PyExc_OSError, nullptr);
  return gaierror_class != nullptr;
}

void InstallSignalCheck() { SetInterruptCheck(CheckPythonSignals); }

}  // namespace sockref::python
