// module.cc: PyInit__sockref_socket, the module object: functions, the socket
// type, the exception classes and the constants, named as _socket names them.
#include "impl/constants.h"
#include "python/binding.h"

namespace sockref::python {
namespace {

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    // Named as the module it stands in for, so that its functions and type name "_socket" in
    // messages and reprs as CPython's do ("_socket.htonl() takes exactly one argument"); the
    // file and its PyInit function keep sockref's name, so both can be loaded side by side.
    "_socket",
    "sockref's implementation of the _socket module: a drop-in stand-in for CPython's _socket, "
    "backed by the C++ reference implementation.",
    -1,
    kModuleFunctions,
};

// Add adds `value` (a new reference, or nullptr on failure) as `name`.
bool Add(PyObject* module, const char* name, PyObject* value) {
  if (value == nullptr) return false;
  if (PyModule_AddObject(module, name, value) != 0) {
    Py_DECREF(value);
    return false;
  }
  return true;
}

bool AddConstants(PyObject* module) {
  for (const Constant& c : AllConstants()) {
    const std::string name(c.name);
    if (!Add(module, name.c_str(), PyLong_FromLongLong(c.value))) return false;
  }
  for (const StringConstant& c : AllStringConstants()) {
    const std::string name(c.name);
    PyObject* value = PyUnicode_FromStringAndSize(c.value.data(), Py_ssize_t(c.value.size()));
    if (!Add(module, name.c_str(), value)) return false;
  }
  return true;
}

bool Populate(PyObject* module) {
  if (!CreateExceptionClasses() || !ReadySocketType()) return false;
  PyObject* type = reinterpret_cast<PyObject*>(&socket_type);
  return Add(module, "error", Py_NewRef(PyExc_OSError)) &&
         Add(module, "timeout", Py_NewRef(PyExc_TimeoutError)) &&
         Add(module, "herror", Py_NewRef(herror_class)) &&
         Add(module, "gaierror", Py_NewRef(gaierror_class)) &&
         Add(module, "socket", Py_NewRef(type)) && Add(module, "SocketType", Py_NewRef(type)) &&
         Add(module, "has_ipv6", PyBool_FromLong(has_ipv6)) && AddConstants(module);
}

}  // namespace
}  // namespace sockref::python

PyMODINIT_FUNC PyInit__sockref_socket() {
  PyObject* module = PyModule_Create(&sockref::python::module_def);
  if (module == nullptr) return nullptr;
  if (!sockref::python::Populate(module)) {
    Py_DECREF(module);
    return nullptr;
  }
  sockref::python::InstallSignalCheck();
  return module;
}
