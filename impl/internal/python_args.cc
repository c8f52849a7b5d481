#include "impl/internal/python_args.h"

#include <climits>

#include "impl/error.h"

namespace sockref::python_internal {

void TupleArgs::ThrowCountError(std::size_t min, std::size_t max) const {
  const std::size_t len = size();
  if (!custom_.empty()) throw TypeError(custom_);
  const std::size_t bound = len < min ? min : max;
  throw TypeError((fname_.empty() ? std::string("function") : fname_ + "()") + " takes " +
                  (min == max  ? "exactly"
                   : len < min ? "at least"
                               : "at most") +
                  " " + std::to_string(bound) + " argument" + (bound == 1 ? "" : "s") + " (" +
                  std::to_string(len) + " given)");
}

void TupleArgs::Mismatch(std::size_t i, std::string_view expected) const {
  if (!custom_.empty()) throw TypeError(custom_);
  const PyValue& v = at(i);
  // CPython spells None's type "None" in this message only.
  const std::string got = v.type == PyValue::Type::kNone ? "None" : TypeName(v);
  throw TypeError((fname_.empty() ? std::string() : fname_ + "() ") + "argument " +
                  std::to_string(i + 1) + " must be " + std::string(expected) + ", not " + got);
}

void NotAnInteger(const PyValue& v) {
  throw TypeError("'" + TypeName(v) + "' object cannot be interpreted as an integer");
}

int ParseInt(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kInt) NotAnInteger(v);
  if (v.number > INT64_MAX || v.number < INT64_MIN) {
    throw OverflowError("Python int too large to convert to C long");
  }
  if (v.number > INT_MAX) throw OverflowError("signed integer is greater than maximum");
  if (v.number < INT_MIN) throw OverflowError("signed integer is less than minimum");
  return static_cast<int>(v.number);
}

std::uint64_t ParseMask(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kInt) NotAnInteger(v);
  return static_cast<std::uint64_t>(v.number);
}

std::uint64_t ParseMaskStrict(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kInt) args.Mismatch(i, "int");
  return static_cast<std::uint64_t>(v.number);
}

std::string ParseStr(const TupleArgs& args, std::size_t i) {
  const PyValue& v = args.at(i);
  if (v.type != PyValue::Type::kStr) args.Mismatch(i, "str");
  if (v.text.find('\0') != std::string::npos) throw ValueError("embedded null character");
  return v.text;
}

Bytes ParseBuffer(const PyValue& v) {
  if (v.type != PyValue::Type::kBytes) {
    throw TypeError("a bytes-like object is required, not '" + TypeName(v) + "'");
  }
  return v.text;
}

Bytes FsConvert(const PyValue& v) {
  if (v.type != PyValue::Type::kStr && v.type != PyValue::Type::kBytes) {
    throw TypeError("expected str, bytes or os.PathLike object, not " + TypeName(v));
  }
  if (v.text.find('\0') != std::string::npos) throw ValueError("embedded null byte");
  return v.text;
}

}  // namespace sockref::python_internal
