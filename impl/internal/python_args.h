// python_args.h (internal): the PyArg_ParseTuple format units the address codec
// uses, run over a PyValue (python_value.h), each raising exactly what CPython's
// unit raises for the same object.
//
//   // PyArg_ParseTuple(t, "si;AF_INET address must be a pair (host, port)", ...)
//   TupleArgs args(t, "", "AF_INET address must be a pair (host, port)");
//   args.CheckCount(2, 2);
//   int port = ParseInt(args, 1);  // OverflowError beyond C int
#ifndef SOCKREF_IMPL_INTERNAL_PYTHON_ARGS_H_
#define SOCKREF_IMPL_INTERNAL_PYTHON_ARGS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "impl/buffer.h"
#include "impl/internal/python_value.h"

namespace sockref::python_internal {

// TupleArgs is one PyArg_ParseTuple(args, "units[:fname][;custom]", ...) call:
// `fname` names the function in CPython's default messages and `custom` replaces
// the messages for a wrong item count and for items of the wrong type.
// REQUIRES: `args` is a tuple and outlives this object.
class TupleArgs {
 public:
  TupleArgs(const PyValue& args, std::string fname, std::string custom)
      : args_(args), fname_(std::move(fname)), custom_(std::move(custom)) {}

  // CheckCount raises the TypeError PyArg_ParseTuple raises for a tuple of the wrong
  // length ("function takes exactly 2 arguments (3 given)", or `custom`). CPython
  // checks the length before it converts any item.
  void CheckCount(std::size_t min, std::size_t max) const {
    if (size() < min || size() > max) ThrowCountError(min, max);
  }

  std::size_t size() const { return args_.items.size(); }
  const PyValue& at(std::size_t i) const { return args_.items[i]; }

  // Mismatch raises the TypeError for item `i` not being of the `expected` type
  // ("argument 1 must be str, not int", or `custom`).
  [[noreturn]] void Mismatch(std::size_t i, std::string_view expected) const;

 private:
  [[noreturn]] void ThrowCountError(std::size_t min, std::size_t max) const;

  const PyValue& args_;
  std::string fname_;
  std::string custom_;
};

// NotAnInteger raises TypeError("'str' object cannot be interpreted as an integer").
[[noreturn]] void NotAnInteger(const PyValue& v);

// ParseInt is the 'i' unit: a C int. Raises NotAnInteger's TypeError for a non-int
// and OverflowError ("signed integer is greater than maximum", "... less than
// minimum", "Python int too large to convert to C long") out of range.
int ParseInt(const TupleArgs& args, std::size_t i);

// ParseMask is the 'I', 'H' and 'B' units: any int, reduced modulo 2**64 (the
// caller narrows it further), never an overflow. Raises NotAnInteger's TypeError.
std::uint64_t ParseMask(const TupleArgs& args, std::size_t i);

// ParseMaskStrict is the 'k' and 'K' units: like ParseMask, but a non-int is an
// argument-type mismatch (TupleArgs::Mismatch) rather than an __index__ failure.
std::uint64_t ParseMaskStrict(const TupleArgs& args, std::size_t i);

// ParseStr is the 's' unit: a str. Raises Mismatch's TypeError for another type and
// ValueError("embedded null character") for a str holding a NUL.
std::string ParseStr(const TupleArgs& args, std::size_t i);

// ParseBuffer is the 'y*' unit: any bytes-like object (str is not one). Raises
// TypeError("a bytes-like object is required, not 'str'").
Bytes ParseBuffer(const PyValue& v);

// FsConvert is PyUnicode_FSConverter: str or bytes, without NUL bytes. Raises
// TypeError("expected str, bytes or os.PathLike object, not int") and
// ValueError("embedded null byte").
Bytes FsConvert(const PyValue& v);

}  // namespace sockref::python_internal

#endif  // SOCKREF_IMPL_INTERNAL_PYTHON_ARGS_H_
