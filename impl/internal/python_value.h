// python_value.h (internal): a model of the few Python objects a socket address can
// be (None, int, str, bytes and tuples of them), with type(v).__name__ and repr().
//
// The address codec turns a typed C++ address into the Python object it stands for,
// then parses that object as CPython does (python_args.h), so that each error quotes
// the object's Python type; operator<< on an Address prints its repr().
//
//   using sockref::python_internal::PyValue;
//   PyValue v = PyValue::Tuple({PyValue::Str("::1"), PyValue::Int(80)});
//   Repr(v);      // "('::1', 80)"
//   TypeName(v);  // "tuple"
#ifndef SOCKREF_IMPL_INTERNAL_PYTHON_VALUE_H_
#define SOCKREF_IMPL_INTERNAL_PYTHON_VALUE_H_

#include <string>
#include <utility>
#include <vector>

#include "impl/python_int.h"

namespace sockref::python_internal {

// PyValue is one Python object: None, an int, a str, a bytes or a tuple.
struct PyValue {
  enum class Type { kNone, kInt, kStr, kBytes, kTuple };
  Type type = Type::kNone;
  PyInt number = 0;
  std::string text;  // kStr (UTF-8, or raw bytes for file-system text) and kBytes
  std::vector<PyValue> items;

  static PyValue None() { return {}; }
  static PyValue Int(PyInt v) {
    PyValue p;
    p.type = Type::kInt;
    p.number = v;
    return p;
  }
  static PyValue Str(std::string s) {
    PyValue p;
    p.type = Type::kStr;
    p.text = std::move(s);
    return p;
  }
  static PyValue Bytes(std::string s) {
    PyValue p;
    p.type = Type::kBytes;
    p.text = std::move(s);
    return p;
  }
  static PyValue Tuple(std::vector<PyValue> items) {
    PyValue p;
    p.type = Type::kTuple;
    p.items = std::move(items);
    return p;
  }
};

// TypeName returns type(v).__name__: "NoneType", "int", "str", "bytes", "tuple".
std::string TypeName(const PyValue& v);

// Repr returns Python's repr(v). A str's text that is not UTF-8 is shown as
// os.fsdecode() would decode it, each stray byte as a surrogate '\udcXX'.
std::string Repr(const PyValue& v);

}  // namespace sockref::python_internal

#endif  // SOCKREF_IMPL_INTERNAL_PYTHON_VALUE_H_
