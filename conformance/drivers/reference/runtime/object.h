// object.h: the reference driver's runtime values, Python-like objects with identity.
//
// A conformance step such as `n = a.recv_into(memoryview(buf)[2:5])` needs more than plain
// values: `buf` is one bytearray that the memoryview slice aliases, `a` is one socket that every
// later step refers to. So the driver evaluates steps over shared, reference-counted objects:
//
//   Ref buf = NewByteArray(std::string(8, '\0'));
//   Ref view = MemoryViewOf(buf);                 // aliases buf's storage
//   std::optional<BufferView> b = GetBuffer(view);  // b->data points into buf
//   Value v = buf->ToValue();                     // bytearray(b'\x00...'), for the protocol
//
// Immutable kinds (None, bool, int, float, str, bytes, tuple, enum members) are still objects,
// so a tuple can hold a socket. Identity matters for bytearray, memoryview, list, array and
// socket objects, exactly as in Python.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_OBJECT_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_OBJECT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "impl/python_int.h"
#include <vector>

#include "impl/python_int.h"

#include "conformance/language/value.h"
#include "conformance/drivers/reference/runtime/text_codec.h"
#include "impl/socket.h"
#include "impl/socket_stream.h"

namespace sockref::conformance::reference {

// PyInt is a Python int as the driver holds it (impl/python_int.h).
using PyInt = ::sockref::PyInt;

class Object;
// Ref is a reference to an object, Python's "name". Never null.
using Ref = std::shared_ptr<Object>;

class Session;
struct CallArgs;

// NativeFn is the body of a built-in callable: it receives the case's session and the
// evaluated arguments, and returns the result or throws (a sockref exception, PyException,
// or Unsupported; see errors.h).
using NativeFn = std::function<Ref(Session&, const CallArgs&)>;

// CallArgs is one call's evaluated arguments: positional ones in order, then keyword ones in
// the order the case wrote them.
struct CallArgs {
  std::vector<Ref> positional;
  std::vector<std::pair<std::string, Ref>> keywords;
};

enum class Kind {
  kNone,
  kBool,
  kInt,
  kFloat,
  kStr,
  kBytes,
  kByteArray,
  kMemoryView,
  kTuple,
  kList,
  kEnum,
  kArray,
  kSocket,
  kFunction,
  kClass,
  kModule,
  kFile,
};

// Object is the base of every runtime value.
class Object {
 public:
  explicit Object(Kind kind) : kind_(kind) {}
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  Kind kind() const { return kind_; }
  // TypeName returns type(x).__name__ ("int", "bytearray", "socket", "AddressFamily").
  virtual std::string TypeName() const = 0;
  // ToValue returns the object as the protocol carries it (language/value.h's Value).
  virtual Value ToValue() const = 0;
  // ClassName returns the class as a traceback spells it ("socket.socket", "OSError"), the
  // key isinstance() compares; see classes in errors.h.
  virtual std::string ClassName() const { return TypeName(); }

 private:
  const Kind kind_;
};

// As returns `ref` as a T when it is one (T::kKind), else nullptr.
template <typename T>
T* As(const Ref& ref) {
  return ref && ref->kind() == T::kKind ? static_cast<T*>(ref.get()) : nullptr;
}

// ----- Plain values ------------------------------------------------------------------------------

class NoneObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kNone;
  NoneObject() : Object(kKind) {}
  std::string TypeName() const override { return "NoneType"; }
  Value ToValue() const override { return Value::None(); }
};

class BoolObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kBool;
  explicit BoolObject(bool value) : Object(kKind), value(value) {}
  std::string TypeName() const override { return "bool"; }
  Value ToValue() const override { return Value::Bool(value); }
  const bool value;
};

class IntObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kInt;
  explicit IntObject(PyInt value) : Object(kKind), value(value) {}
  std::string TypeName() const override { return "int"; }
  Value ToValue() const override;
  const PyInt value;
};

class FloatObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kFloat;
  explicit FloatObject(double value) : Object(kKind), value(value) {}
  std::string TypeName() const override { return "float"; }
  Value ToValue() const override { return Value::Float(value); }
  const double value;
};

// StrObject holds UTF-8 text; a lone surrogate (from surrogateescape) as its three bytes.
class StrObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kStr;
  explicit StrObject(std::string utf8) : Object(kKind), utf8(std::move(utf8)) {}
  std::string TypeName() const override { return "str"; }
  // A str holding a lone surrogate (a surrogateescape'd path) cannot travel as JSON text: it
  // is sent as an object with its repr (PROTOCOL.md, "Values").
  Value ToValue() const override;
  const std::string utf8;
};

class BytesObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kBytes;
  explicit BytesObject(std::string data) : Object(kKind), data(std::move(data)) {}
  std::string TypeName() const override { return "bytes"; }
  Value ToValue() const override { return Value::Bytes(data); }
  const std::string data;
};

// ByteArrayObject is a mutable byte string. Its size never changes after construction (no
// operation of the case language resizes one), so views into it stay valid.
class ByteArrayObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kByteArray;
  explicit ByteArrayObject(std::string data) : Object(kKind), data(std::move(data)) {}
  std::string TypeName() const override { return "bytearray"; }
  Value ToValue() const override { return Value::ByteArray(data); }
  std::string data;
};

// ArrayObject is array.array: items of one C type, stored packed in native byte order.
class ArrayObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kArray;
  ArrayObject(char typecode, std::string data)
      : Object(kKind), typecode(typecode), data(std::move(data)) {}
  std::string TypeName() const override { return "array"; }
  std::string ClassName() const override { return "array.array"; }
  Value ToValue() const override;
  // ItemSize returns the size in bytes of one item of `typecode` (0 for an unknown code).
  static std::size_t ItemSize(char typecode);
  // Items returns the items as Python values.
  std::vector<Ref> Items() const;
  const char typecode;
  std::string data;
};

// MemoryViewObject is a memoryview: a window of `length` bytes at `offset` into the buffer of
// `base` (bytes, bytearray or array), never a copy.
class MemoryViewObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kMemoryView;
  MemoryViewObject(Ref base, std::size_t offset, std::size_t length, std::size_t itemsize,
                   char format, bool readonly)
      : Object(kKind),
        base(std::move(base)),
        offset(offset),
        length(length),
        itemsize(itemsize),
        format(format),
        readonly(readonly) {}
  std::string TypeName() const override { return "memoryview"; }
  Value ToValue() const override;
  const Ref base;
  const std::size_t offset;
  const std::size_t length;    // bytes
  const std::size_t itemsize;  // 1 for 'B', 4 for an array('i'), ...
  const char format;           // struct format of one item
  const bool readonly;
};

class TupleObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kTuple;
  explicit TupleObject(std::vector<Ref> items) : Object(kKind), items(std::move(items)) {}
  std::string TypeName() const override { return "tuple"; }
  Value ToValue() const override;
  const std::vector<Ref> items;
};

class ListObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kList;
  explicit ListObject(std::vector<Ref> items) : Object(kKind), items(std::move(items)) {}
  std::string TypeName() const override { return "list"; }
  Value ToValue() const override;
  std::vector<Ref> items;
};

// ----- Enums -------------------------------------------------------------------------------------

// EnumClass is one of the socket module's enum classes. Membership follows Lib/socket.py: a
// constant belongs to the class whose prefix it starts with (and is all upper case).
struct EnumClass {
  std::string_view name;    // "AddressFamily"
  std::string_view prefix;  // "AF_"
  bool is_flag;             // IntFlag (MsgFlag, AddressInfo) rather than IntEnum
};

// The four enum classes of the socket module.
const EnumClass& AddressFamilyClass();
const EnumClass& SocketKindClass();
const EnumClass& MsgFlagClass();
const EnumClass& AddressInfoClass();

// EnumClassForConstant returns the enum class the module constant `name` is a member of, or
// nullptr for a plain int constant (SOL_SOCKET, AF_DECnet).
const EnumClass* EnumClassForConstant(std::string_view name);

// EnumObject is a member of an IntEnum or IntFlag class; it behaves as an int everywhere.
class EnumObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kEnum;
  EnumObject(const EnumClass& cls, std::string member, std::int64_t value)
      : Object(kKind), cls(cls), member(std::move(member)), value(value) {}
  std::string TypeName() const override { return std::string(cls.name); }
  std::string ClassName() const override { return "socket." + std::string(cls.name); }
  Value ToValue() const override { return Value::Enum(std::string(cls.name), member, value); }
  const EnumClass& cls;
  const std::string member;  // canonical member name, "MSG_PEEK|MSG_WAITALL" for a combination
  const std::int64_t value;
};

// EnumMember returns cls(value) as Python's enum lookup would: the canonical member (for an
// IntFlag, the combination of members covering every bit), or nullopt when `value` is not a
// member (Lib/socket.py's _intenum_converter then keeps the plain int).
std::optional<Ref> EnumMember(const EnumClass& cls, std::int64_t value);

// IntOrEnum returns EnumMember(cls, value), or a plain int when it is not a member: what
// socket.family, socket.type and getaddrinfo() report.
Ref IntOrEnum(const EnumClass& cls, std::int64_t value);

// ----- Sockets, callables, classes, modules ------------------------------------------------------

// SocketObject is a socket.socket: a sockref::Socket plus the Python-level `_closed` flag that
// Lib/socket.py keeps (set by close() and detach(), shown as "[closed]" in the repr).
class SocketObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kSocket;
  explicit SocketObject(sockref::Socket socket) : Object(kKind), socket(std::move(socket)) {}
  std::string TypeName() const override { return "socket"; }
  std::string ClassName() const override { return "socket.socket"; }
  Value ToValue() const override { return Value::Object("socket", Repr()); }
  // Repr returns Lib/socket.py's repr: "<socket.socket fd=3, family=2, type=1, proto=0,
  // laddr=('127.0.0.1', 5000)>"; "[closed]" once closed; laddr/raddr only when known.
  std::string Repr() const;

  // Close is Lib/socket.py's close(): marks the object closed, and closes the descriptor
  // unless makefile() files still use it (then the last file to close does). Raises what
  // Socket::close raises.
  void Close();
  // AddFileRef / ReleaseFileRef count makefile() files, Lib/socket.py's _io_refs;
  // ReleaseFileRef closes the descriptor when the socket was closed meanwhile.
  void AddFileRef();
  void ReleaseFileRef();

  sockref::Socket socket;
  std::atomic<bool> closed{false};

 private:
  std::mutex io_mu_;
  int io_refs_ = 0;
};

// FunctionObject is a built-in function or bound method.
class FunctionObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kFunction;
  FunctionObject(std::string repr, NativeFn fn, std::string type_name)
      : Object(kKind), repr(std::move(repr)), fn(std::move(fn)), type_name(std::move(type_name)) {}
  std::string TypeName() const override { return type_name; }
  Value ToValue() const override { return Value::Object(TypeName(), repr); }
  const std::string repr;  // "<built-in function inet_aton>"
  const NativeFn fn;
  // "builtin_function_or_method" for C functions, "function" for those Lib/socket.py
  // defines (socketpair, fromfd, getaddrinfo), "method" for its socket methods.
  const std::string type_name;
};

// ClassObject is a class a case can name: exception classes (for isinstance/issubclass),
// socket.socket, the enum classes, array.array. `name` is the traceback spelling and the
// identity of the class; calling it runs `construct` when set.
class ClassObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kClass;
  ClassObject(std::string name, std::string repr, std::string metatype, NativeFn construct)
      : Object(kKind),
        name(std::move(name)),
        repr(std::move(repr)),
        metatype(std::move(metatype)),
        construct(std::move(construct)) {}
  std::string TypeName() const override { return metatype; }
  Value ToValue() const override { return Value::Object(metatype, repr); }
  const std::string name;      // "OSError", "socket.gaierror", "socket.socket"
  const std::string repr;      // "<class 'OSError'>", "<enum 'AddressFamily'>"
  const std::string metatype;  // "type", "EnumType"
  const NativeFn construct;    // empty: calling the class is unsupported
  // For the socket module's enum classes, which one: their members are attributes.
  const EnumClass* enum_class = nullptr;
};

// ModuleObject is a module (`socket`); attributes come from `lookup`, which returns nullopt
// for a name the module lacks.
class ModuleObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kModule;
  using Lookup = std::function<std::optional<Ref>(std::string_view name)>;
  ModuleObject(std::string name, Lookup lookup)
      : Object(kKind), name(std::move(name)), lookup(std::move(lookup)) {}
  std::string TypeName() const override { return "module"; }
  Value ToValue() const override {
    return Value::Object("module", "<module '" + name + "' (built-in)>");
  }
  const std::string name;
  const Lookup lookup;
};

// TextLayer is the io.TextIOWrapper a text-mode makefile() puts over its buffered stream: the
// codec, the newline mode, and text in transit (file_bindings.cc implements the methods).
struct TextLayer {
  TextLayer(std::string mode, std::string encoding, std::string errors,
            std::optional<std::string> newline, Codec codec)
      : mode(std::move(mode)),
        encoding(std::move(encoding)),
        errors(errors),
        newline(std::move(newline)),
        codec(codec),
        decoder(codec, std::move(errors)) {
    // newline None or "": universal newlines on reading, translated to "\n" for None.
    if (!this->newline || this->newline->empty()) universal.emplace(!this->newline.has_value());
  }
  const std::string mode;      // makefile()'s mode: TextIOWrapper.mode ("r", "w", "rw")
  const std::string encoding;  // as given ("latin-1"), "UTF-8" by default
  const std::string errors;    // "strict" by default
  const std::optional<std::string> newline;  // None, "", "\n", "\r" or "\r\n"
  const Codec codec;
  Decoder decoder;
  std::optional<NewlineDecoder> universal;
  std::string decoded;  // text read and decoded but not returned yet (UTF-8)
  std::string pending;  // text written and encoded but not handed to the stream yet
};

// FileObject is what socket.makefile() returns: in a binary mode Python's BufferedReader,
// BufferedWriter or BufferedRWPair over the socket, here a sockref::SocketStream; in a text
// mode a TextIOWrapper over one of those, here a TextLayer over the stream. It holds its
// socket object, which the stream borrows.
class FileObject final : public Object {
 public:
  static constexpr Kind kKind = Kind::kFile;
  // `type_name` is the buffered class; `text`, when set, makes this a TextIOWrapper over it.
  // REQUIRES: `socket` is a socket object; its file count is incremented here.
  FileObject(Ref socket, std::unique_ptr<sockref::SocketStream> stream, std::string type_name,
             std::unique_ptr<TextLayer> text = nullptr);
  // The destructor closes the file as Python's IOBase.__del__ does, ignoring errors.
  ~FileObject() override;
  std::string TypeName() const override { return text ? "TextIOWrapper" : type_name; }
  std::string ClassName() const override { return "_io." + TypeName(); }
  Value ToValue() const override;
  // Close is the file's close(): hands pending text to the stream, flushes and closes the
  // stream, then releases the socket (closing it if it was closed meanwhile). The first
  // failure is raised after all that. Closing twice is a no-op.
  void Close();

  const Ref socket;
  const std::unique_ptr<sockref::SocketStream> stream;
  const std::string type_name;            // "BufferedReader", "BufferedWriter", "BufferedRWPair"
  const std::unique_ptr<TextLayer> text;  // null for a binary file

 private:
  std::atomic<bool> released_{false};
};

// ----- Constructors ------------------------------------------------------------------------------

Ref None();
Ref Bool(bool value);
Ref Int(PyInt value);
Ref Float(double value);
Ref Str(std::string utf8);
Ref NewBytes(std::string data);
Ref NewByteArray(std::string data);
Ref NewTuple(std::vector<Ref> items);
Ref NewList(std::vector<Ref> items);
// NewFunction returns a built-in function object; `type_name` as FunctionObject's.
Ref NewFunction(std::string repr, NativeFn fn,
                std::string type_name = "builtin_function_or_method");

// FromValue returns a fresh object holding the protocol value `v` (a literal of a step).
// Raises Unsupported for enum and object values, which a literal cannot be, and for ints
// beyond PyInt.
Ref FromValue(const Value& v);

// ----- Python's protocols ------------------------------------------------------------------------

// IndexValue returns operator.index(x) for an int, bool or enum member, else nullopt.
std::optional<PyInt> IndexValue(const Ref& x);

// BufferView is the buffer protocol's view of a bytes-like object.
struct BufferView {
  std::byte* data = nullptr;
  std::size_t size = 0;
  bool readonly = true;
};

// GetBuffer returns the buffer of bytes, bytearray, memoryview and array objects, nullopt for
// anything else (Python's "a bytes-like object is required").
std::optional<BufferView> GetBuffer(const Ref& x);

// MemoryViewOf returns memoryview(x): a view of the whole buffer.
// REQUIRES: GetBuffer(x) has a value.
Ref MemoryViewOf(const Ref& x);

// Truth returns bool(x) for the kinds a case can produce.
bool Truth(const Ref& x);

// ReprOf returns repr(x); StrOf returns str(x) (they differ for str).
std::string ReprOf(const Ref& x);
std::string StrOf(const Ref& x);

// PyIntToString returns the decimal digits of `v`.
std::string PyIntToString(PyInt v);

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_OBJECT_H_
