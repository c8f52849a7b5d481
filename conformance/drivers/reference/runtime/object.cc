#include "conformance/drivers/reference/runtime/object.h"

#include "conformance/language/utf8.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

#include "conformance/drivers/reference/runtime/conversions.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "impl/constants.h"
#include "impl/error.h"
#include "conformance/language/value.h"

namespace sockref::conformance::reference {
namespace {

const EnumClass kAddressFamily{"AddressFamily", "AF_", false};
const EnumClass kSocketKind{"SocketKind", "SOCK_", false};
const EnumClass kMsgFlag{"MsgFlag", "MSG_", true};
const EnumClass kAddressInfo{"AddressInfo", "AI_", true};

bool IsUpper(std::string_view name) {
  return std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Members returns value -> canonical member name for `cls`. Python's enum conversion sorts
// the module's constants by (value, name), so among aliases (AF_NETLINK, AF_ROUTE) the first
// name in that order is the member and the others are aliases of it.
const std::map<long long, std::string>& Members(const EnumClass& cls) {
  static const auto* tables = [] {
    auto* t = new std::map<const EnumClass*, std::map<long long, std::string>>;
    for (const EnumClass* c : {&kAddressFamily, &kSocketKind, &kMsgFlag, &kAddressInfo}) {
      auto& members = (*t)[c];
      for (const Constant& k : AllConstants()) {
        if (EnumClassForConstant(k.name) != c) continue;
        auto [it, inserted] = members.emplace(k.value, std::string(k.name));
        if (!inserted && std::string_view(k.name) < it->second) it->second = std::string(k.name);
      }
    }
    return t;
  }();
  return tables->at(&cls);
}

std::string HexAddress(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%zx", reinterpret_cast<std::size_t>(p));
  return buf;
}

// ReadItem returns the item at `p` of array typecode `code` as a Python object.
Ref ReadItem(char code, const char* p) {
  auto read = [p](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (code) {
    case 'b':
      return Int(read(static_cast<signed char>(0)));
    case 'B':
      return Int(read(static_cast<unsigned char>(0)));
    case 'h':
      return Int(read(static_cast<short>(0)));
    case 'H':
      return Int(read(static_cast<unsigned short>(0)));
    case 'i':
      return Int(read(0));
    case 'I':
      return Int(read(0u));
    case 'l':
      return Int(read(0L));
    case 'L':
      return Int(read(0UL));
    case 'q':
      return Int(read(0LL));
    case 'Q':
      return Int(read(0ULL));
    case 'f':
      return Float(read(0.0f));
    case 'd':
      return Float(read(0.0));
  }
  throw Unsupported(std::string("array typecode '") + code + "'");
}

}  // namespace

// ----- Values ------------------------------------------------------------------------------------

std::string PyIntToString(PyInt v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  auto magnitude =
      negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  while (magnitude > 0) {
    digits += static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  if (negative) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

Value IntObject::ToValue() const {
  if (value >= std::numeric_limits<std::int64_t>::min() &&
      value <= std::numeric_limits<std::int64_t>::max()) {
    return Value::Int(static_cast<std::int64_t>(value));
  }
  return Value::IntFromDecimal(PyIntToString(value));
}

std::size_t ArrayObject::ItemSize(char typecode) {
  switch (typecode) {
    case 'b':
    case 'B':
      return 1;
    case 'h':
    case 'H':
      return sizeof(short);
    case 'i':
    case 'I':
      return sizeof(int);
    case 'l':
    case 'L':
      return sizeof(long);
    case 'q':
    case 'Q':
      return sizeof(long long);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
  }
  return 0;
}

std::vector<Ref> ArrayObject::Items() const {
  const std::size_t size = ItemSize(typecode);
  std::vector<Ref> items;
  for (std::size_t i = 0; i + size <= data.size(); i += size) {
    items.push_back(ReadItem(typecode, data.data() + i));
  }
  return items;
}

Value ArrayObject::ToValue() const {
  std::string repr = std::string("array('") + typecode + "'";
  std::vector<Ref> items = Items();
  if (!items.empty()) {
    repr += ", [";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) repr += ", ";
      repr += ReprOf(items[i]);
    }
    repr += "]";
  }
  return Value::Object("array", repr + ")");
}

Value MemoryViewObject::ToValue() const {
  // Python shows the view's address, which no two runs share; the runner compares the type.
  return Value::Object("memoryview", "<memory at " + HexAddress(this) + ">");
}

Value FileObject::ToValue() const {
  // io's reprs: the reader and writer show their raw stream's name (the socket's descriptor,
  // -1 once the socket is closed); the pair has no name. A TextIOWrapper shows its buffer's
  // name, if any, its mode and its encoding.
  const bool pair = type_name == "BufferedRWPair";
  const int fd = stream->closed() ? -1 : As<SocketObject>(socket)->socket.fileno();
  if (text) {
    return Value::Object("TextIOWrapper",
                         "<_io.TextIOWrapper " + (pair ? "" : "name=" + std::to_string(fd) + " ") +
                             "mode=" + Repr(Value::Str(text->mode)) +
                             " encoding=" + Repr(Value::Str(text->encoding)) + ">");
  }
  if (pair) {
    return Value::Object(type_name, "<_io.BufferedRWPair object at " + HexAddress(this) + ">");
  }
  return Value::Object(type_name, "<_io." + type_name + " name=" + std::to_string(fd) + ">");
}

Value TupleObject::ToValue() const {
  std::vector<Value> values;
  for (const Ref& item : items) values.push_back(item->ToValue());
  return Value::Tuple(std::move(values));
}

Value ListObject::ToValue() const {
  std::vector<Value> values;
  for (const Ref& item : items) values.push_back(item->ToValue());
  return Value::List(std::move(values));
}

// ----- Enums -------------------------------------------------------------------------------------

const EnumClass& AddressFamilyClass() { return kAddressFamily; }
const EnumClass& SocketKindClass() { return kSocketKind; }
const EnumClass& MsgFlagClass() { return kMsgFlag; }
const EnumClass& AddressInfoClass() { return kAddressInfo; }

const EnumClass* EnumClassForConstant(std::string_view name) {
  if (!IsUpper(name)) return nullptr;  // AF_DECnet stays a plain int, as in Lib/socket.py
  for (const EnumClass* c : {&kAddressFamily, &kSocketKind, &kMsgFlag, &kAddressInfo}) {
    if (name.starts_with(c->prefix)) return c;
  }
  return nullptr;
}

std::optional<Ref> EnumMember(const EnumClass& cls, std::int64_t value) {
  const auto& members = Members(cls);
  if (auto it = members.find(value); it != members.end()) {
    return std::make_shared<EnumObject>(cls, it->second, value);
  }
  if (!cls.is_flag || value <= 0) return std::nullopt;
  // A flag combination: every set bit must belong to a single-bit member. Python lists the
  // members by ascending value.
  std::string name;
  for (int bit = 0; bit < 63; ++bit) {
    const long long mask = 1LL << bit;
    if ((value & mask) == 0) continue;
    auto it = members.find(mask);
    if (it == members.end()) return std::nullopt;
    name += (name.empty() ? "" : "|") + it->second;
  }
  return std::make_shared<EnumObject>(cls, name, value);
}

Ref IntOrEnum(const EnumClass& cls, std::int64_t value) {
  if (auto member = EnumMember(cls, value)) return *member;
  return Int(value);
}

Value StrObject::ToValue() const {
  if (IsValidUtf8(utf8)) return Value::Str(utf8);
  return Value::Object("str", Repr(Value::Str(utf8)));
}

// ----- Sockets -----------------------------------------------------------------------------------

std::string SocketObject::Repr() const {
  const bool is_closed = closed.load();
  std::string out = "<socket.socket";
  if (is_closed) out += " [closed]";
  out += " fd=" + std::to_string(socket.fileno()) + ", family=" + std::to_string(socket.family()) +
         ", type=" + std::to_string(socket.type()) + ", proto=" + std::to_string(socket.proto());
  if (!is_closed) {
    // Lib/socket.py shows each address only when getsockname()/getpeername() succeed and
    // return something true (not None, not ''), formatted with str().
    for (const char* which : {"laddr", "raddr"}) {
      try {
        const Address a = which[0] == 'l' ? socket.getsockname() : socket.getpeername();
        Ref address = AddressToRef(a);
        if (Truth(address)) out += std::string(", ") + which + "=" + StrOf(address);
      } catch (const OSError&) {
      }
    }
  }
  return out + ">";
}

void SocketObject::Close() {
  closed = true;
  {
    std::lock_guard<std::mutex> lock(io_mu_);
    if (io_refs_ > 0) return;
  }
  socket.close();
}

void SocketObject::AddFileRef() {
  std::lock_guard<std::mutex> lock(io_mu_);
  ++io_refs_;
}

void SocketObject::ReleaseFileRef() {
  {
    std::lock_guard<std::mutex> lock(io_mu_);
    if (--io_refs_ > 0 || !closed) return;
  }
  socket.close();
}

// ----- Files -------------------------------------------------------------------------------------

FileObject::FileObject(Ref socket, std::unique_ptr<sockref::SocketStream> stream,
                       std::string type_name, std::unique_ptr<TextLayer> text)
    : Object(kKind),
      socket(std::move(socket)),
      stream(std::move(stream)),
      type_name(std::move(type_name)),
      text(std::move(text)) {
  As<SocketObject>(this->socket)->AddFileRef();
}

FileObject::~FileObject() {
  try {
    Close();
  } catch (const std::exception&) {
  }
}

void FileObject::Close() {
  if (released_.exchange(true)) return;
  // As TextIOWrapper.close() and BufferedWriter.close(): the buffer and the raw file are
  // closed even when the flush fails.
  std::exception_ptr flush_error;
  if (text && !text->pending.empty()) {
    try {
      stream->clear();
      stream->write(text->pending.data(), static_cast<std::streamsize>(text->pending.size()));
    } catch (...) {
      flush_error = std::current_exception();
    }
    text->pending.clear();
  }
  try {
    stream->close();
  } catch (...) {
    if (!flush_error) flush_error = std::current_exception();
  }
  As<SocketObject>(socket)->ReleaseFileRef();
  if (flush_error) std::rethrow_exception(flush_error);
}

// ----- Constructors ------------------------------------------------------------------------------

Ref None() {
  static const Ref none = std::make_shared<NoneObject>();
  return none;
}

Ref Bool(bool value) {
  static const Ref t = std::make_shared<BoolObject>(true);
  static const Ref f = std::make_shared<BoolObject>(false);
  return value ? t : f;
}

Ref Int(PyInt value) { return std::make_shared<IntObject>(value); }
Ref Float(double value) { return std::make_shared<FloatObject>(value); }
Ref Str(std::string utf8) { return std::make_shared<StrObject>(std::move(utf8)); }
Ref NewBytes(std::string data) { return std::make_shared<BytesObject>(std::move(data)); }
Ref NewByteArray(std::string data) { return std::make_shared<ByteArrayObject>(std::move(data)); }
Ref NewTuple(std::vector<Ref> items) { return std::make_shared<TupleObject>(std::move(items)); }
Ref NewList(std::vector<Ref> items) { return std::make_shared<ListObject>(std::move(items)); }
Ref NewFunction(std::string repr, NativeFn fn, std::string type_name) {
  return std::make_shared<FunctionObject>(std::move(repr), std::move(fn), std::move(type_name));
}

Ref FromValue(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNone:
      return None();
    case Value::Type::kBool:
      return Bool(v.as_bool());
    case Value::Type::kInt: {
      std::string_view digits = v.int_decimal();
      const bool negative = !digits.empty() && digits[0] == '-';
      if (negative) digits.remove_prefix(1);
      constexpr auto kMax = static_cast<unsigned __int128>(std::numeric_limits<PyInt>::max());
      unsigned __int128 magnitude = 0;
      for (char c : digits) {
        if (magnitude > (kMax - (c - '0')) / 10) {
          throw Unsupported("the reference driver holds ints of at most 127 bits, not " +
                            v.int_decimal());
        }
        magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
      }
      const auto value = static_cast<PyInt>(magnitude);
      return Int(negative ? -value : value);
    }
    case Value::Type::kFloat:
      return Float(v.as_float());
    case Value::Type::kStr:
      return Str(v.data());
    case Value::Type::kBytes:
      return NewBytes(v.data());
    case Value::Type::kByteArray:
      return NewByteArray(v.data());
    case Value::Type::kTuple:
    case Value::Type::kList: {
      std::vector<Ref> items;
      for (const Value& item : v.items()) items.push_back(FromValue(item));
      if (v.type() == Value::Type::kTuple) return NewTuple(std::move(items));
      return NewList(std::move(items));
    }
    case Value::Type::kEnum:
    case Value::Type::kObject:
      break;
  }
  throw Unsupported("a literal cannot be " + Repr(v));
}

// ----- Protocols ---------------------------------------------------------------------------------

std::optional<PyInt> IndexValue(const Ref& x) {
  switch (x->kind()) {
    case Kind::kInt:
      return As<IntObject>(x)->value;
    case Kind::kBool:
      return As<BoolObject>(x)->value ? 1 : 0;
    case Kind::kEnum:
      return As<EnumObject>(x)->value;
    default:
      return std::nullopt;
  }
}

std::optional<BufferView> GetBuffer(const Ref& x) {
  switch (x->kind()) {
    case Kind::kBytes: {
      // Read-only: the const_cast only lets one view type serve both directions.
      auto& data = As<BytesObject>(x)->data;
      return BufferView{reinterpret_cast<std::byte*>(const_cast<char*>(data.data())), data.size(),
                        true};
    }
    case Kind::kByteArray: {
      auto& data = As<ByteArrayObject>(x)->data;
      return BufferView{reinterpret_cast<std::byte*>(data.data()), data.size(), false};
    }
    case Kind::kArray: {
      auto& data = As<ArrayObject>(x)->data;
      return BufferView{reinterpret_cast<std::byte*>(data.data()), data.size(), false};
    }
    case Kind::kMemoryView: {
      auto* view = As<MemoryViewObject>(x);
      auto base = GetBuffer(view->base);
      return BufferView{base->data + view->offset, view->length, view->readonly};
    }
    default:
      return std::nullopt;
  }
}

Ref MemoryViewOf(const Ref& x) {
  if (auto* view = As<MemoryViewObject>(x)) {
    return std::make_shared<MemoryViewObject>(view->base, view->offset, view->length,
                                              view->itemsize, view->format, view->readonly);
  }
  const BufferView b = *GetBuffer(x);
  std::size_t itemsize = 1;
  char format = 'B';
  if (auto* array = As<ArrayObject>(x)) {
    itemsize = ArrayObject::ItemSize(array->typecode);
    format = array->typecode;
  }
  return std::make_shared<MemoryViewObject>(x, 0, b.size, itemsize, format, b.readonly);
}

bool Truth(const Ref& x) {
  switch (x->kind()) {
    case Kind::kNone:
      return false;
    case Kind::kFloat:
      return As<FloatObject>(x)->value != 0;
    case Kind::kStr:
      return !As<StrObject>(x)->utf8.empty();
    case Kind::kBytes:
    case Kind::kByteArray:
    case Kind::kArray:
    case Kind::kMemoryView:
      return GetBuffer(x)->size != 0;
    case Kind::kTuple:
      return !As<TupleObject>(x)->items.empty();
    case Kind::kList:
      return !As<ListObject>(x)->items.empty();
    case Kind::kInt:
    case Kind::kBool:
    case Kind::kEnum:
      return *IndexValue(x) != 0;
    default:
      return true;
  }
}

std::string ReprOf(const Ref& x) { return Repr(x->ToValue()); }

std::string StrOf(const Ref& x) {
  if (auto* s = As<StrObject>(x)) return s->utf8;
  // Python 3.11's IntEnum and IntFlag print as their integer value.
  if (auto* e = As<EnumObject>(x)) return std::to_string(e->value);
  return ReprOf(x);
}

}  // namespace sockref::conformance::reference
