// convert.cc: Python values <-> sockref's timeout values.
#include "python/binding.h"

namespace sockref::python {

bool ParseTimeout(PyObject* obj, TimeoutNs* out) {
  try {
    if (obj == Py_None) {
      *out = TimeoutNs();
      return true;
    }
    if (PyFloat_Check(obj)) {
      *out = TimeoutNs::FromSeconds(Seconds(PyFloat_AsDouble(obj)));
      return true;
    }
    // Anything else goes through __index__, as CPython's _PyTime_FromSecondsObject
    // does (so settimeout("") is a TypeError), with its overflow message.
    const long long seconds = PyLong_AsLongLong(obj);
    if (seconds == -1 && PyErr_Occurred()) {
      if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
        PyErr_SetString(PyExc_OverflowError, "timestamp too large to convert to C _PyTime_t");
      }
      return false;
    }
    *out = TimeoutNs::FromIntegerSeconds(seconds);
    return true;
  } catch (...) {
    RaiseCurrentException();
    return false;
  }
}

PyObject* TimeoutToPython(std::optional<Seconds> timeout) {
  if (!timeout) Py_RETURN_NONE;
  return PyFloat_FromDouble(timeout->count());
}

}  // namespace sockref::python
