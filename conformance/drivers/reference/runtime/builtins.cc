// builtins.cc: the builtins the case language allows (CASES.md, "Names": bytearray, bytes,
// memoryview, len, array, isinstance, issubclass and the exception classes), attribute
// access on every kind of object, and calling objects.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "conformance/drivers/reference/runtime/bindings.h"
#include "conformance/drivers/reference/runtime/conversions.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "impl/error.h"

namespace sockref::conformance::reference {
namespace {

using bindings_internal::IterableItems;

// kMaxAllocation bounds the byte strings a case can ask for (bytes(n), b"x" * n): beyond it
// the driver reports MemoryError rather than letting the allocator's overcommit decide.
constexpr PyInt kMaxAllocation = PyInt(1) << 32;

std::string TypeOwner(const std::string& class_name) {
  const std::size_t dot = class_name.rfind('.');
  return "type object '" + (dot == std::string::npos ? class_name : class_name.substr(dot + 1)) +
         "'";
}

// ----- bytes and bytearray -----------------------------------------------------------------------

// EncodeText encodes `utf8` with one of the codecs a case might name. Only ASCII text is
// encoded with the 8-bit codecs: the exact UnicodeEncodeError for anything else is not worth
// imitating, so it is reported as unsupported.
std::string EncodeText(const std::string& utf8, const std::string& encoding) {
  std::string codec;
  for (char c : encoding) codec += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  if (codec == "utf-8" || codec == "utf8") return utf8;
  if (codec == "ascii" || codec == "latin-1" || codec == "latin1" || codec == "iso-8859-1") {
    for (unsigned char c : utf8) {
      if (c >= 0x80) {
        throw Unsupported("the reference driver encodes only ASCII text with " + encoding);
      }
    }
    return utf8;
  }
  throw PyException("LookupError", "unknown encoding: " + encoding);
}

// MakeByteString implements bytes(...) and bytearray(...): `type` names the class in messages.
std::string MakeByteString(const std::vector<Ref>& a, const std::string& type) {
  const Ref& source = a[0];
  const Ref& encoding = a[1];
  const Ref& errors = a[2];
  if (encoding) {
    auto* e = As<StrObject>(encoding);
    if (e == nullptr) {
      throw TypeError(type + "() argument 'encoding' must be str, not " + encoding->TypeName());
    }
    auto* text = source ? As<StrObject>(source) : nullptr;
    if (text == nullptr) throw TypeError("encoding without a string argument");
    return EncodeText(text->utf8, e->utf8);
  }
  if (errors) {
    if (!source || !As<StrObject>(source)) throw TypeError("errors without a string argument");
  }
  if (!source) return "";
  if (source->kind() == Kind::kStr) throw TypeError("string argument without an encoding");
  if (auto b = GetBuffer(source)) return std::string(reinterpret_cast<char*>(b->data), b->size);
  if (auto n = IndexValue(source)) {
    if (*n < std::numeric_limits<std::int64_t>::min() ||
        *n > std::numeric_limits<std::int64_t>::max()) {
      throw OverflowError("cannot fit 'int' into an index-sized integer");
    }
    if (*n < 0) throw ValueError("negative count");
    if (*n > kMaxAllocation) throw std::bad_alloc();
    return std::string(static_cast<std::size_t>(*n), '\0');
  }
  if (auto items = IterableItems(source)) {
    std::string out;
    for (const Ref& item : *items) {
      const PyInt v = ArgIndex(item);
      if (v < 0 || v > 255) {
        throw ValueError(std::string(type == "bytes" ? "bytes" : "byte") +
                         " must be in range(0, 256)");
      }
      out += static_cast<char>(v);
    }
    return out;
  }
  throw TypeError("cannot convert '" + source->TypeName() + "' object to " + type);
}

Ref BytesBuiltin(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Keywords("bytes", {"source", "encoding", "errors"}, 0));
  return NewBytes(MakeByteString(Bind(*sig, args), "bytes"));
}

Ref ByteArrayBuiltin(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Keywords("bytearray", {"source", "encoding", "errors"}, 0));
  return NewByteArray(MakeByteString(Bind(*sig, args), "bytearray"));
}

Ref MemoryViewBuiltin(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Keywords("memoryview", {"object"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  if (!GetBuffer(a[0])) {
    throw TypeError("memoryview: a bytes-like object is required, not '" + a[0]->TypeName() + "'");
  }
  return MemoryViewOf(a[0]);
}

std::size_t Length(const Ref& x) {
  switch (x->kind()) {
    case Kind::kStr: {
      std::size_t n = 0;
      for (unsigned char c : As<StrObject>(x)->utf8) n += (c & 0xc0) != 0x80;
      return n;
    }
    case Kind::kTuple:
      return As<TupleObject>(x)->items.size();
    case Kind::kList:
      return As<ListObject>(x)->items.size();
    case Kind::kArray: {
      auto* array = As<ArrayObject>(x);
      return array->data.size() / ArrayObject::ItemSize(array->typecode);
    }
    case Kind::kMemoryView: {
      auto* view = As<MemoryViewObject>(x);
      return view->length / view->itemsize;
    }
    case Kind::kBytes:
    case Kind::kByteArray:
      return GetBuffer(x)->size;
    default:
      throw TypeError("object of type '" + x->TypeName() + "' has no len()");
  }
}

Ref LenBuiltin(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("len", "obj"));
  return Int(static_cast<PyInt>(Length(Bind(*sig, args)[0])));
}

// interrupt(exc=None): CASES.md, "Signals". The handler returns, or raises `exc`.
Ref InterruptBuiltin(Session& session, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Keywords("interrupt", {"exc"}, 0));
  const std::vector<Ref> a = Bind(*sig, args);
  std::optional<std::string> raising;
  if (a[0] && a[0]->kind() != Kind::kNone) {
    auto* c = As<ClassObject>(a[0]);
    const std::vector<std::string> mro = c ? ClassMro(c->name) : std::vector<std::string>();
    if (std::find(mro.begin(), mro.end(), "BaseException") == mro.end()) {
      throw TypeError("interrupt() takes an exception class, not '" + a[0]->TypeName() + "'");
    }
    raising = c->name;
  }
  session.interrupts().Interrupt(std::move(raising));
  return None();
}

Ref InterruptsBuiltin(Session& session, const CallArgs& args) {
  Bind(Signature::NoArgs("interrupts"), args);
  return Int(session.interrupts().Handled());
}

Ref ReprBuiltin(Session&, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::OneArg("repr", "obj"));
  return Str(ReprOf(Bind(*sig, args)[0]));
}

// ----- isinstance and issubclass -----------------------------------------------------------------

// ClassesOf flattens a classinfo argument (a class or nested tuples of classes); nullopt when
// something else is in it.
std::optional<std::vector<std::string>> ClassesOf(const Ref& classinfo) {
  if (auto* c = As<ClassObject>(classinfo)) return std::vector<std::string>{c->name};
  if (auto* t = As<TupleObject>(classinfo)) {
    std::vector<std::string> out;
    for (const Ref& item : t->items) {
      auto inner = ClassesOf(item);
      if (!inner) return std::nullopt;
      out.insert(out.end(), inner->begin(), inner->end());
    }
    return out;
  }
  return std::nullopt;
}

bool MroContains(const std::string& cls, const std::vector<std::string>& candidates) {
  for (const std::string& base : ClassMro(cls)) {
    for (const std::string& c : candidates) {
      if (base == c) return true;
    }
  }
  return false;
}

std::pair<Ref, Ref> TwoArgs(const std::string& name, const CallArgs& args) {
  if (!args.keywords.empty()) throw TypeError(name + "() takes no keyword arguments");
  if (args.positional.size() != 2) {
    throw TypeError(name + " expected 2 arguments, got " + std::to_string(args.positional.size()));
  }
  return {args.positional[0], args.positional[1]};
}

Ref IsInstance(Session&, const CallArgs& args) {
  auto [obj, classinfo] = TwoArgs("isinstance", args);
  auto classes = ClassesOf(classinfo);
  if (!classes) throw TypeError("isinstance() arg 2 must be a type, a tuple of types, or a union");
  return Bool(MroContains(obj->ClassName(), *classes));
}

Ref IsSubclass(Session&, const CallArgs& args) {
  auto [cls, classinfo] = TwoArgs("issubclass", args);
  auto* c = As<ClassObject>(cls);
  if (c == nullptr) throw TypeError("issubclass() arg 1 must be a class");
  auto classes = ClassesOf(classinfo);
  if (!classes) {
    throw TypeError("issubclass() arg 2 must be a class, a tuple of classes, or a union");
  }
  return Bool(MroContains(c->name, *classes));
}

// ----- array -------------------------------------------------------------------------------------

// PackFloat appends `item` to `out` as one item of typecode 'f' or 'd'.
void PackFloat(char code, const Ref& item, std::string& out) {
  double v;
  if (auto* f = As<FloatObject>(item)) {
    v = f->value;
  } else if (auto i = IndexValue(item)) {
    v = static_cast<double>(*i);
  } else {
    throw TypeError("must be real number, not " + item->TypeName());
  }
  if (code == 'f') {
    const auto f = static_cast<float>(v);
    out.append(reinterpret_cast<const char*>(&f), sizeof f);
  } else {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
}

// Range is what an integer typecode accepts, with the messages array prints outside it.
struct Range {
  PyInt min, max;
  const char* below;
  const char* above;
};

// RangeOf returns the range of integer typecode `code` for the value `v` (typecode 'i' first
// fails as a C long would).
Range RangeOf(char code, PyInt v) {
  switch (code) {
    case 'b':
      return {-128, 127, "signed char is less than minimum", "signed char is greater than maximum"};
    case 'B':
      return {0, 255, "unsigned byte integer is less than minimum",
           "unsigned byte integer is greater than maximum"};
    case 'h':
      return {std::numeric_limits<short>::min(), std::numeric_limits<short>::max(),
              "signed short integer is less than minimum",
           "signed short integer is greater than maximum"};
    case 'H':
      return {0, std::numeric_limits<unsigned short>::max(), "unsigned short is less than minimum",
           "unsigned short is greater than maximum"};
    case 'i':
      if (v < std::numeric_limits<long>::min() || v > std::numeric_limits<long>::max()) {
        throw OverflowError("Python int too large to convert to C long");
      }
      return {std::numeric_limits<int>::min(), std::numeric_limits<int>::max(),
           "signed integer is less than minimum", "signed integer is greater than maximum"};
    case 'I':
      return {0, std::numeric_limits<unsigned>::max(), "can't convert negative value to unsigned int",
           "unsigned int is greater than maximum"};
    case 'l':
    case 'q':
      return {std::numeric_limits<long>::min(), std::numeric_limits<long>::max(),
           "int too big to convert", "int too big to convert"};
    case 'L':
    case 'Q':
      return {0, static_cast<PyInt>(std::numeric_limits<unsigned long>::max()),
           "can't convert negative int to unsigned", "int too big to convert"};
    default:
      throw Unsupported(std::string("array typecode '") + code + "'");
  }
}

// PackItem appends `item` to `out` as one item of typecode `code`, with array's range errors.
void PackItem(char code, const Ref& item, std::string& out) {
  if (code == 'f' || code == 'd') return PackFloat(code, item, out);
  const PyInt v = ArgIndex(item);
  const Range r = RangeOf(code, v);
  if (v < r.min) throw OverflowError(r.below);
  if (v > r.max) throw OverflowError(r.above);
  const std::size_t size = ArrayObject::ItemSize(code);
  // Little-endian hosts keep an integer's low-order bytes first, so the first `size` bytes
  // of the 128-bit value are the item (two's complement included).
  char bytes[sizeof(PyInt)];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, size);
}

Ref ConstructArray(Session&, const CallArgs& args) {
  static const auto* sig =
      new Signature(Signature::Varargs("array", "array.array", {"typecode", "initializer"}, 1));
  const std::vector<Ref> a = Bind(*sig, args);
  auto* code = As<StrObject>(a[0]);
  if (code == nullptr || code->utf8.size() != 1) {
    throw TypeError("array() argument 1 must be a unicode character, not " + a[0]->TypeName());
  }
  const char typecode = code->utf8[0];
  if (typecode == 'u') throw Unsupported("array typecode 'u'");
  const std::size_t itemsize = ArrayObject::ItemSize(typecode);
  if (itemsize == 0) {
    throw ValueError("bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)");
  }
  std::string data;
  if (a[1]) {
    if (a[1]->kind() == Kind::kStr) {
      throw TypeError(std::string("cannot use a str to initialize an array with typecode '") +
                      typecode + "'");
    }
    if (auto b = GetBuffer(a[1]); b && a[1]->kind() != Kind::kArray) {
      if (b->size % itemsize != 0) throw ValueError("bytes length not a multiple of item size");
      data.assign(reinterpret_cast<const char*>(b->data), b->size);
    } else if (auto items = IterableItems(a[1])) {
      for (const Ref& item : *items) PackItem(typecode, item, data);
    } else {
      throw TypeError("'" + a[1]->TypeName() + "' object is not iterable");
    }
  }
  return std::make_shared<ArrayObject>(typecode, std::move(data));
}

const Ref& ArrayModule() {
  static const Ref* module = new Ref(
      std::make_shared<ModuleObject>("array", [](std::string_view name) -> std::optional<Ref> {
        static const Ref cls = std::make_shared<ClassObject>("array.array", "<class 'array.array'>",
                                                             "type", ConstructArray);
        if (name == "array" || name == "ArrayType") return cls;
        return std::nullopt;
      }));
  return *module;
}

// ----- attributes of plain objects ---------------------------------------------------------------

// Method returns a bound built-in method named `name` of `self` with no arguments.
Ref NoArgMethod(const Ref& self, const std::string& type, const std::string& name,
                std::function<Ref(const Ref&)> body) {
  return NewFunction("<built-in method " + name + " of " + type + " object>",
                     [self, type, name, body](Session&, const CallArgs& args) {
                       Bind(Signature::NoArgs(type + "." + name), args);
                       return body(self);
                     });
}

std::optional<Ref> MemoryViewAttribute(const Ref& self, std::string_view name) {
  auto* view = As<MemoryViewObject>(self);
  if (name == "nbytes") return Int(static_cast<PyInt>(view->length));
  if (name == "readonly") return Bool(view->readonly);
  if (name == "itemsize") return Int(static_cast<PyInt>(view->itemsize));
  if (name == "format") return Str(std::string(1, view->format));
  if (name == "obj") return view->base;
  if (name == "tobytes") {
    return NoArgMethod(self, "memoryview", "tobytes", [](const Ref& x) {
      const BufferView b = *GetBuffer(x);
      return NewBytes(std::string(reinterpret_cast<char*>(b.data), b.size));
    });
  }
  if (name == "tolist") {
    return NoArgMethod(self, "memoryview", "tolist",
                       [](const Ref& x) { return NewList(*IterableItems(x)); });
  }
  return std::nullopt;
}

std::optional<Ref> ArrayAttribute(const Ref& self, std::string_view name) {
  auto* array = As<ArrayObject>(self);
  if (name == "typecode") return Str(std::string(1, array->typecode));
  if (name == "itemsize") return Int(static_cast<PyInt>(ArrayObject::ItemSize(array->typecode)));
  if (name == "tobytes") {
    return NoArgMethod(self, "array.array", "tobytes",
                       [](const Ref& x) { return NewBytes(As<ArrayObject>(x)->data); });
  }
  if (name == "tolist") {
    return NoArgMethod(self, "array.array", "tolist",
                       [](const Ref& x) { return NewList(As<ArrayObject>(x)->Items()); });
  }
  return std::nullopt;
}

const std::map<std::string, Ref, std::less<>>& Builtins() {
  static const auto* builtins = [] {
    auto* b = new std::map<std::string, Ref, std::less<>>;
    auto define = [b](const std::string& name, NativeFn fn) {
      (*b)[name] = NewFunction("<built-in function " + name + ">", std::move(fn));
    };
    auto define_class = [b](const std::string& name, NativeFn fn) {
      (*b)[name] = std::make_shared<ClassObject>(name, ClassRepr(name), "type", std::move(fn));
    };
    define_class("bytes", BytesBuiltin);
    define_class("bytearray", ByteArrayBuiltin);
    define_class("memoryview", MemoryViewBuiltin);
    define("len", LenBuiltin);
    define("repr", ReprBuiltin);
    define("interrupt", InterruptBuiltin);
    define("interrupts", InterruptsBuiltin);
    define("isinstance", IsInstance);
    define("issubclass", IsSubclass);
    (*b)["array"] = ArrayModule();
    for (const char* name :
         {"BlockingIOError", "BrokenPipeError", "ConnectionAbortedError", "ConnectionError",
          "ConnectionRefusedError", "ConnectionResetError", "FileExistsError", "FileNotFoundError",
          "InterruptedError", "OSError", "OverflowError", "PermissionError", "TimeoutError",
          "TypeError", "ValueError"}) {
      (*b)[name] = ExceptionClass(name);
    }
    return b;
  }();
  return *builtins;
}

}  // namespace

std::optional<Ref> LookupBuiltin(std::string_view name) {
  const auto& builtins = Builtins();
  if (auto it = builtins.find(name); it != builtins.end()) return it->second;
  return std::nullopt;
}

Ref ExceptionClass(std::string_view name) {
  static std::mutex mu;
  static auto* classes = new std::map<std::string, Ref, std::less<>>;
  std::lock_guard<std::mutex> lock(mu);
  auto it = classes->find(name);
  if (it == classes->end()) {
    const std::string n(name);
    it = classes->emplace(n, std::make_shared<ClassObject>(n, ClassRepr(n), "type", NativeFn()))
             .first;
  }
  return it->second;
}

Ref GetAttribute(const Ref& obj, std::string_view name) {
  std::optional<Ref> found;
  std::string owner = "'" + obj->TypeName() + "' object";
  switch (obj->kind()) {
    case Kind::kModule: {
      auto* module = As<ModuleObject>(obj);
      found = module->lookup(name);
      owner = "module '" + module->name + "'";
      break;
    }
    case Kind::kSocket:
      found = bindings_internal::SocketAttribute(obj, name);
      break;
    case Kind::kMemoryView:
      found = MemoryViewAttribute(obj, name);
      break;
    case Kind::kArray:
      found = ArrayAttribute(obj, name);
      break;
    case Kind::kFile:
      found = bindings_internal::FileAttribute(obj, name);
      owner = "'_io." + obj->TypeName() + "' object";
      break;
    case Kind::kEnum: {
      auto* e = As<EnumObject>(obj);
      if (name == "name") found = e->member.empty() ? None() : Str(e->member);
      if (name == "value") found = Int(e->value);
      break;
    }
    case Kind::kClass: {
      auto* c = As<ClassObject>(obj);
      owner = TypeOwner(c->name);
      if (name == "__name__") {
        const std::size_t dot = c->name.rfind('.');
        found = Str(dot == std::string::npos ? c->name : c->name.substr(dot + 1));
      } else if (c->enum_class != nullptr && EnumClassForConstant(name) == c->enum_class) {
        // socket.AddressFamily.AF_INET: a member (or an alias of one) by name.
        if (std::optional<Ref> constant = bindings_internal::SocketModuleAttribute(name)) {
          found = constant;
        }
      }
      break;
    }
    default:
      break;
  }
  if (!found) throw NoAttribute(owner, name);
  return *found;
}

Ref CallObject(Session& session, const Ref& callee, const CallArgs& args) {
  if (auto* f = As<FunctionObject>(callee)) return f->fn(session, args);
  if (auto* c = As<ClassObject>(callee)) {
    if (c->construct) return c->construct(session, args);
    throw Unsupported("the reference driver cannot instantiate " + c->repr);
  }
  throw TypeError("'" + callee->TypeName() + "' object is not callable");
}

namespace bindings_internal {

std::optional<std::vector<Ref>> SequenceItems(const Ref& x) {
  if (auto* t = As<TupleObject>(x)) return t->items;
  if (auto* l = As<ListObject>(x)) return l->items;
  return std::nullopt;
}

std::optional<std::vector<Ref>> IterableItems(const Ref& x) {
  if (auto items = SequenceItems(x)) return items;
  if (auto* s = As<StrObject>(x)) {
    std::vector<Ref> out;
    for (std::size_t i = 0; i < s->utf8.size();) {
      const auto c = static_cast<unsigned char>(s->utf8[i]);
      const std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      out.push_back(Str(s->utf8.substr(i, n)));
      i += n;
    }
    return out;
  }
  if (auto* a = As<ArrayObject>(x)) return a->Items();
  if (auto* view = As<MemoryViewObject>(x)) {
    if (auto* a = As<ArrayObject>(view->base)) {
      const ArrayObject slice(a->typecode, a->data.substr(view->offset, view->length));
      return slice.Items();
    }
  }
  if (auto b = GetBuffer(x)) {
    std::vector<Ref> out;
    for (std::size_t i = 0; i < b->size; ++i) out.push_back(Int(std::to_integer<int>(b->data[i])));
    return out;
  }
  return std::nullopt;
}

}  // namespace bindings_internal
}  // namespace sockref::conformance::reference
