// value.h: a Python value as a case states it and a driver reports it, and its repr().
//
//   Value v = Value::Tuple({Value::Str("127.0.0.1"), Value::Int(8080)});
//   Repr(v);                                   // "('127.0.0.1', 8080)"
//   v == Value::List(v.items());               // false: doctest prints them differently
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_VALUE_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockref::conformance {

// Value is a Python value as the protocol carries it: None, bool, int (any size), float, str,
// bytes, bytearray, tuple, list, an enum member (AF_INET), or an opaque object (a socket, a
// memoryview) known only by its type name and repr, or a value the driver did not send
// (Omitted: the runner had said nothing would look at it).
//
// Equality (operator==) is doctest's: two values are equal when Python would print the same
// repr for them. So 1, 1.0 and True differ; (1,) and [1] differ; b'a' and bytearray(b'a')
// differ; nan equals nan and 0.0 differs from -0.0. Objects are equal when type name and repr
// are.
class Value {
 public:
  enum class Type {
    kNone,
    kBool,
    kInt,
    kFloat,
    kStr,
    kBytes,
    kByteArray,
    kTuple,
    kList,
    kEnum,
    kObject,
  };

  // A default Value is None.
  Value() = default;

  static Value None() { return Value(); }
  static Value Bool(bool b);
  static Value Int(std::int64_t i);
  // IntFromDecimal returns the int written in `decimal` (an optional '-' then digits, any
  // length). Throws std::invalid_argument when `decimal` is not of that form.
  static Value IntFromDecimal(std::string_view decimal);
  static Value Float(double d);
  // Str holds UTF-8 text.
  static Value Str(std::string utf8);
  static Value Bytes(std::string data);
  static Value ByteArray(std::string data);
  static Value Tuple(std::vector<Value> items);
  static Value List(std::vector<Value> items);
  // Enum is a member of an int enum or flag class: Enum("AddressFamily", "AF_INET", 2). A flag
  // combination is named with '|' ("MSG_PEEK|MSG_WAITALL"); such names compare as sets.
  static Value Enum(std::string enum_class, std::string member, std::int64_t value);
  // Object is anything else: Object("socket", "<socket.socket fd=3, ...>").
  static Value Object(std::string type_name, std::string repr);
  // Omitted is a value a driver left out of its reply because the `exec` request said
  // "want_value": false (PROTOCOL.md): only its type name and, for str, bytes, bytearray,
  // tuple and list, its len() are known. It is an object (type() == kObject, omitted() true)
  // whose repr says so: "<bytes of len 10000000, not sent>".
  static Value Omitted(std::string type_name, std::optional<std::uint64_t> length);
  // Digest stands for a str, bytes or bytearray too large to keep in memory: its type, len()
  // and a 64-bit hash of its data. An object (type() == kObject, digest() true) of that type
  // name, equal to another digest when all three are equal; its repr says what it stands for:
  // "<bytes of len 6000000, fnv1a64 0x0123456789abcdef>".
  static Value Digest(std::string type_name, std::uint64_t length, std::uint64_t hash);

  Type type() const { return type_; }
  // type_name returns the Python type name: "NoneType", "bool", "int", "float", "str", "bytes",
  // "bytearray", "tuple", "list", the enum class, or the object's type. `$x:T` compares T to it.
  std::string type_name() const;

  // REQUIRES: type() == kBool.
  bool as_bool() const { return bool_; }
  // REQUIRES: type() == kInt. The canonical decimal spelling ("-12", "0").
  const std::string& int_decimal() const { return text_; }
  // REQUIRES: type() == kInt. The value when it fits in int64, else nullopt.
  std::optional<std::int64_t> as_int64() const;
  // REQUIRES: type() == kFloat.
  double as_float() const { return float_; }
  // REQUIRES: type() is kStr (UTF-8), kBytes or kByteArray (raw bytes).
  const std::string& data() const { return text_; }
  // REQUIRES: type() is kTuple or kList.
  const std::vector<Value>& items() const { return items_; }
  // REQUIRES: type() == kEnum. The member name ("AF_INET") and its integer value.
  const std::string& enum_member() const { return text_; }
  std::int64_t enum_value() const { return enum_value_; }
  // REQUIRES: type() == kObject. Python's repr() of the object.
  const std::string& object_repr() const { return text_; }
  // omitted says whether this is an Omitted value; omitted_length is its len(), if known.
  bool omitted() const { return omitted_; }
  // digest says whether this is a Digest value.
  bool digest() const { return digest_; }
  std::optional<std::uint64_t> omitted_length() const { return omitted_length_; }

  friend bool operator==(const Value& a, const Value& b);

 private:
  // The factories of the kinds that are a type and its text, or a type and its items.
  static Value WithText(Type type, std::string text);
  static Value WithItems(Type type, std::vector<Value> items);

  Type type_ = Type::kNone;
  bool bool_ = false;
  double float_ = 0;
  std::int64_t enum_value_ = 0;
  std::string text_;       // int digits, str/bytes data, enum member, object repr
  std::string type_name_;  // enum class or object type
  std::vector<Value> items_;
  bool omitted_ = false;
  bool digest_ = false;
  std::optional<std::uint64_t> omitted_length_;
};

// Repr returns what Python's repr() prints for `v`: b'\x01', 'a', (1,), <AddressFamily.AF_INET: 2>.
std::string Repr(const Value& v);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_VALUE_H_
