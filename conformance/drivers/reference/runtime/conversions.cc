#include "conformance/drivers/reference/runtime/conversions.h"

#include <sys/socket.h>

#include <climits>
#include <cmath>
#include <limits>
#include <utility>
#include <variant>

#include "conformance/drivers/reference/runtime/errors.h"
#include "conformance/language/utf8.h"
#include "impl/error.h"

namespace sockref::conformance::reference {
namespace {

constexpr PyInt kLongMin = std::numeric_limits<long>::min();
constexpr PyInt kLongMax = std::numeric_limits<long>::max();

std::string Plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// ConverterTypeName is how PyArg's converters name an argument's type in "must be X, not Y":
// None is "None", everything else its type name.
std::string ConverterTypeName(const Ref& x) {
  return x->kind() == Kind::kNone ? "None" : x->TypeName();
}

[[noreturn]] void NoKeywords(const Signature& sig) {
  throw TypeError(sig.qualname + "() takes no keyword arguments");
}

void BindNoArgs(const Signature& sig, const CallArgs& args) {
  if (!args.keywords.empty()) NoKeywords(sig);
  if (!args.positional.empty()) {
    throw TypeError(sig.qualname + "() takes no arguments (" +
                    std::to_string(args.positional.size()) + " given)");
  }
}

std::vector<Ref> BindOneArg(const Signature& sig, const CallArgs& args) {
  if (!args.keywords.empty()) NoKeywords(sig);
  if (args.positional.size() != 1) {
    throw TypeError(sig.qualname + "() takes exactly one argument (" +
                    std::to_string(args.positional.size()) + " given)");
  }
  return {args.positional[0]};
}

std::vector<Ref> BindVarargs(const Signature& sig, const CallArgs& args) {
  // A METH_VARARGS function called with keywords names itself without its class (CPython's
  // cfunction_call), unlike METH_NOARGS and METH_O ones.
  if (!args.keywords.empty()) throw TypeError(sig.name + "() takes no keyword arguments");
  const std::size_t n = args.positional.size();
  const std::size_t min = sig.required;
  const std::size_t max = sig.params.size();
  if (n < min || n > max) {
    const char* how = min == max ? "exactly" : n < min ? "at least" : "at most";
    const std::size_t count = n < min ? min : max;
    throw TypeError(sig.name + "() takes " + how + " " + Plural(count, "argument") + " (" +
                    std::to_string(n) + " given)");
  }
  std::vector<Ref> out(max);
  for (std::size_t i = 0; i < n; ++i) out[i] = args.positional[i];
  return out;
}

// BindKeywords follows CPython 3.11's vgetargskeywords() (and Argument Clinic's
// _PyArg_UnpackKeywords, which words its errors the same): the total count first, then each
// parameter in order (a missing required one fails), then leftover keywords.
std::vector<Ref> BindKeywords(const Signature& sig, const CallArgs& args) {
  const std::size_t nargs = args.positional.size();
  const std::size_t nkw = args.keywords.size();
  const std::size_t max = sig.params.size();
  if (nargs + nkw > max) {
    throw TypeError(sig.name + "() takes at most " + std::to_string(max) + " " +
                    (nargs == 0 ? "keyword " : "") + (max == 1 ? "argument" : "arguments") + " (" +
                    std::to_string(nargs + nkw) + " given)");
  }
  std::vector<Ref> out(max);
  for (std::size_t i = 0; i < max; ++i) {
    if (i < nargs) {
      out[i] = args.positional[i];
      continue;
    }
    for (const auto& [key, value] : args.keywords) {
      if (key == sig.params[i]) out[i] = value;
    }
    if (!out[i] && i < sig.required) {
      throw TypeError(sig.name + "() missing required argument '" + sig.params[i] + "' (pos " +
                      std::to_string(i + 1) + ")");
    }
  }
  for (const auto& [key, value] : args.keywords) {
    std::size_t index = max;
    for (std::size_t i = 0; i < max; ++i) {
      if (sig.params[i] == key) index = i;
    }
    if (index == max) {
      throw TypeError("'" + key + "' is an invalid keyword argument for " + sig.name + "()");
    }
    if (index < nargs) {
      throw TypeError("argument for " + sig.name + "() given by name ('" + key +
                      "') and position (" + std::to_string(index + 1) + ")");
    }
  }
  return out;
}

// BindPython follows the interpreter's binding of a Python function's arguments: keywords
// first (unexpected, duplicated), then the positional count, then missing parameters.
std::vector<Ref> BindPython(const Signature& sig, const CallArgs& args) {
  const std::size_t max = sig.params.size();
  const std::size_t nargs = args.positional.size();
  std::vector<std::string> names = sig.params;
  names.insert(names.end(), sig.keyword_only.begin(), sig.keyword_only.end());
  std::vector<Ref> out(names.size());
  for (std::size_t i = 0; i < nargs && i < max; ++i) out[i] = args.positional[i];
  for (const auto& [key, value] : args.keywords) {
    std::size_t index = names.size();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == key) index = i;
    }
    if (index == names.size()) {
      throw TypeError(sig.qualname + "() got an unexpected keyword argument '" + key + "'");
    }
    if (out[index]) {
      throw TypeError(sig.qualname + "() got multiple values for argument '" + key + "'");
    }
    out[index] = value;
  }
  if (nargs > max) {
    const std::size_t self = sig.is_method ? 1 : 0;
    std::string takes = sig.required == max ? std::to_string(max + self)
                                            : "from " + std::to_string(sig.required + self) +
                                                  " to " + std::to_string(max + self);
    const std::size_t given = nargs + self;
    throw TypeError(sig.qualname + "() takes " + takes + " positional argument" +
                    (sig.required == max && max + self == 1 ? "" : "s") + " but " +
                    std::to_string(given) + (given == 1 ? " was" : " were") + " given");
  }
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < sig.required; ++i) {
    if (!out[i]) missing.push_back("'" + sig.params[i] + "'");
  }
  if (!missing.empty()) {
    std::string names;
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (i > 0) names += missing.size() == 2 ? " and " : i + 1 == missing.size() ? ", and " : ", ";
      names += missing[i];
    }
    throw TypeError(sig.qualname + "() missing " + std::to_string(missing.size()) + " required " +
                    "positional argument" + (missing.size() == 1 ? "" : "s") + ": " + names);
  }
  return out;
}

PyInt CheckLong(PyInt v) {
  if (v < kLongMin || v > kLongMax) {
    throw OverflowError("Python int too large to convert to C long");
  }
  return v;
}

// HostBytes converts the host of an AF_INET/AF_INET6 tuple as CPython's idna_converter:
// str (UTF-8; the codec applies IDNA), bytes or bytearray.
std::string HostBytes(const Ref& host) {
  if (auto* s = As<StrObject>(host)) return s->utf8;
  if (auto* b = As<BytesObject>(host)) return b->data;
  if (auto* b = As<ByteArrayObject>(host)) return b->data;
  throw TypeError("str, bytes or bytearray expected, not " + host->TypeName());
}

// PortValue converts a port for the codec, which range-checks it: a value beyond 64 bits is
// clamped, as it is out of range either way and CPython reports both the same.
std::int64_t PortValue(const Ref& port) {
  const PyInt v = ArgIndex(port);
  if (v > std::numeric_limits<std::int64_t>::max()) return std::numeric_limits<std::int64_t>::max();
  if (v < std::numeric_limits<std::int64_t>::min()) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(v);
}

const std::vector<Ref>& TupleItems(const Ref& x, std::string_view caller, std::string_view family) {
  auto* t = As<TupleObject>(x);
  if (t == nullptr) {
    throw TypeError(std::string(caller) + "(): " + std::string(family) +
                    " address must be tuple, not " + x->TypeName());
  }
  return t->items;
}

// Mask32 is PyArg_ParseTuple's "I": any int taken modulo 2**32.
std::uint32_t Mask32(const Ref& x) { return static_cast<std::uint32_t>(ArgUnsignedMask(x, 32)); }

// AddressText is a text field of an address tuple parsed with "s" under a ";message" format:
// a wrong type raises the format's message; an embedded NUL, "s"'s own ValueError.
std::string AddressText(const Ref& x, const char* shape_message) {
  auto* s = As<StrObject>(x);
  if (s == nullptr) throw TypeError(shape_message);
  if (s->utf8.find('\0') != std::string::npos) throw ValueError("embedded null character");
  return s->utf8;
}

Address ArgNetlinkAddress(const Ref& x, std::string_view caller) {
  const auto& items = TupleItems(x, caller, "AF_NETLINK");
  if (items.size() != 2) throw TypeError("AF_NETLINK address must be a pair (pid, groups)");
  return NetlinkAddress{Mask32(items[0]), Mask32(items[1])};
}

// ArgVsockAddress: CPython names its C function, not the caller, in both messages.
Address ArgVsockAddress(const Ref& x) {
  auto* t = As<TupleObject>(x);
  if (t == nullptr) {
    throw TypeError("getsockaddrarg: AF_VSOCK address must be tuple, not " + x->TypeName());
  }
  if (t->items.size() != 2) {
    throw TypeError("getsockaddrarg() takes exactly 2 arguments (" +
                    std::to_string(t->items.size()) + " given)");
  }
  return VsockAddress{Mask32(t->items[0]), Mask32(t->items[1])};
}

// ArgPacketAddress parses (ifname, proto[, pkttype[, hatype[, addr]]]) as "si|iiy*". An int
// beyond a C int is "address argument out of range" whichever field it is; the codec checks
// the interface, the hardware address's length and proto's range, in CPython's order.
Address ArgPacketAddress(const Ref& x, std::string_view caller) {
  static constexpr char kShape[] = "AF_PACKET address must be a tuple of two to five elements";
  const auto& items = TupleItems(x, caller, "AF_PACKET");
  if (items.size() < 2 || items.size() > 5) throw TypeError(kShape);
  PacketAddress a;
  a.ifname = AddressText(items[0], kShape);
  try {
    a.proto = ArgInt(items[1]);
    if (items.size() > 2) a.pkttype = ArgInt(items[2]);
    if (items.size() > 3) a.hatype = ArgInt(items[3]);
  } catch (const OverflowError&) {
    throw OverflowError(std::string(caller) + "(): address argument out of range");
  }
  if (items.size() > 4) a.addr = Bytes(ArgBytesLike(items[4]).as_string_view());
  return a;
}

Address ArgTipcAddress(const Ref& x, std::string_view caller) {
  const auto& items = TupleItems(x, caller, "AF_TIPC");
  if (items.size() < 4 || items.size() > 5) {
    throw TypeError("AF_TIPC address must be a tuple (addr_type, v1, v2, v3[, scope])");
  }
  TipcAddress a;
  a.addr_type = static_cast<int>(Mask32(items[0]));
  a.v1 = Mask32(items[1]);
  a.v2 = Mask32(items[2]);
  a.v3 = Mask32(items[3]);
  if (items.size() > 4) a.scope = static_cast<int>(Mask32(items[4]));
  return a;
}

// ArgAlgAddress parses (type, name[, feat[, mask]]) as "ss|HH": feat and mask are taken
// modulo 2**16.
Address ArgAlgAddress(const Ref& x, std::string_view caller) {
  static constexpr char kShape[] = "AF_ALG address must be a tuple (type, name[, feat[, mask]])";
  const auto& items = TupleItems(x, caller, "AF_ALG");
  if (items.size() < 2 || items.size() > 4) throw TypeError(kShape);
  AlgAddress a;
  a.type = AddressText(items[0], kShape);
  a.name = AddressText(items[1], kShape);
  if (items.size() > 2) a.feat = static_cast<std::uint32_t>(ArgUnsignedMask(items[2], 16));
  if (items.size() > 3) a.mask = static_cast<std::uint32_t>(ArgUnsignedMask(items[3], 16));
  return a;
}

}  // namespace

// ----- Signature ---------------------------------------------------------------------------------

Signature Signature::NoArgs(std::string qualname) {
  Signature s;
  s.style = Style::kNoArgs;
  s.qualname = std::move(qualname);
  return s;
}

Signature Signature::OneArg(std::string qualname, std::string param) {
  Signature s;
  s.style = Style::kOneArg;
  s.qualname = std::move(qualname);
  s.params = {std::move(param)};
  s.required = 1;
  return s;
}

Signature Signature::Varargs(std::string name, std::string qualname,
                             std::vector<std::string> params, std::size_t required) {
  Signature s;
  s.style = Style::kVarargs;
  s.name = std::move(name);
  s.qualname = std::move(qualname);
  s.params = std::move(params);
  s.required = required;
  return s;
}

Signature Signature::Keywords(std::string name, std::vector<std::string> params,
                              std::size_t required) {
  Signature s;
  s.style = Style::kKeywords;
  s.name = std::move(name);
  s.params = std::move(params);
  s.required = required;
  return s;
}

Signature Signature::Python(std::string qualname, std::vector<std::string> params,
                            std::size_t required, bool is_method,
                            std::vector<std::string> keyword_only) {
  Signature s;
  s.style = Style::kPython;
  s.qualname = std::move(qualname);
  s.params = std::move(params);
  s.required = required;
  s.is_method = is_method;
  s.keyword_only = std::move(keyword_only);
  return s;
}

std::vector<Ref> Bind(const Signature& sig, const CallArgs& args) {
  switch (sig.style) {
    case Signature::Style::kNoArgs:
      BindNoArgs(sig, args);
      return {};
    case Signature::Style::kOneArg:
      return BindOneArg(sig, args);
    case Signature::Style::kVarargs:
      return BindVarargs(sig, args);
    case Signature::Style::kKeywords:
      return BindKeywords(sig, args);
    case Signature::Style::kPython:
      return BindPython(sig, args);
  }
  return {};
}

// ----- Integers ----------------------------------------------------------------------------------

PyInt ArgIndex(const Ref& x) {
  if (auto v = IndexValue(x)) return *v;
  throw TypeError("'" + x->TypeName() + "' object cannot be interpreted as an integer");
}

int ArgInt(const Ref& x) {
  const PyInt v = CheckLong(ArgIndex(x));
  if (v > INT_MAX) throw OverflowError("signed integer is greater than maximum");
  if (v < INT_MIN) throw OverflowError("signed integer is less than minimum");
  return static_cast<int>(v);
}

int ArgClinicInt(const Ref& x) {
  // _PyLong_AsInt says "C int" also for values beyond a C long (shutdown(2**64)).
  const PyInt v = ArgIndex(x);
  if (v > INT_MAX || v < INT_MIN) throw OverflowError("Python int too large to convert to C int");
  return static_cast<int>(v);
}

std::int64_t ArgLong(const Ref& x) { return static_cast<std::int64_t>(CheckLong(ArgIndex(x))); }

std::int64_t ArgSsize(const Ref& x) {
  const PyInt v = ArgIndex(x);
  if (v < std::numeric_limits<std::int64_t>::min() ||
      v > std::numeric_limits<std::int64_t>::max()) {
    throw OverflowError("Python int too large to convert to C ssize_t");
  }
  return static_cast<std::int64_t>(v);
}

std::uint64_t ArgUnsignedMask(const Ref& x, int bits) {
  const auto v = static_cast<unsigned __int128>(ArgIndex(x));
  if (bits >= 64) return static_cast<std::uint64_t>(v);
  return static_cast<std::uint64_t>(v & ((static_cast<unsigned __int128>(1) << bits) - 1));
}

std::uint64_t ArgUnsignedLongLongMask(const Ref& x, std::string_view function, int position) {
  const std::optional<PyInt> v = IndexValue(x);
  if (!v) {
    throw TypeError(std::string(function) + "() argument " + std::to_string(position) +
                    " must be int, not " + ConverterTypeName(x));
  }
  return static_cast<std::uint64_t>(static_cast<unsigned __int128>(*v));
}

// ----- Buffers and strings -----------------------------------------------------------------------

ConstBuffer ArgBytesLike(const Ref& x) {
  if (auto b = GetBuffer(x)) return ConstBuffer(b->data, b->size);
  throw TypeError("a bytes-like object is required, not '" + x->TypeName() + "'");
}

MutableBuffer ArgWritable(const Ref& x, std::string_view function, int position) {
  auto b = GetBuffer(x);
  if (!b || b->readonly) {
    throw TypeError(std::string(function) + "() argument " + std::to_string(position) +
                    " must be read-write bytes-like object, not " + ConverterTypeName(x));
  }
  return MutableBuffer(b->data, b->size);
}

std::string ArgStr(const Ref& x, std::string_view function, int position) {
  auto* s = As<StrObject>(x);
  if (s == nullptr) {
    throw TypeError(std::string(function) + "() argument " + std::to_string(position) +
                    " must be str, not " + ConverterTypeName(x));
  }
  if (s->utf8.find('\0') != std::string::npos) throw ValueError("embedded null character");
  return s->utf8;
}

std::optional<std::string> ArgStrOrNone(const Ref& x, std::string_view function, int position) {
  if (x->kind() == Kind::kNone) return std::nullopt;
  auto* s = As<StrObject>(x);
  if (s == nullptr) {
    throw TypeError(std::string(function) + "() argument " + std::to_string(position) +
                    " must be str or None, not " + ConverterTypeName(x));
  }
  if (s->utf8.find('\0') != std::string::npos) throw ValueError("embedded null character");
  return s->utf8;
}

// ----- Timeouts ----------------------------------------------------------------------------------

TimeoutNs ArgTimeout(const Ref& x) {
  if (x->kind() == Kind::kNone) return TimeoutNs();
  if (auto* f = As<FloatObject>(x)) return TimeoutNs::FromSeconds(Seconds(f->value));
  const PyInt v = ArgIndex(x);
  if (v < std::numeric_limits<std::int64_t>::min() ||
      v > std::numeric_limits<std::int64_t>::max()) {
    throw OverflowError("timestamp too large to convert to C _PyTime_t");
  }
  return TimeoutNs::FromIntegerSeconds(static_cast<std::int64_t>(v));
}

Ref TimeoutToRef(const std::optional<Seconds>& timeout) {
  if (!timeout) return None();
  return Float(timeout->count());
}

// ----- Addresses ---------------------------------------------------------------------------------

Address ArgAddress(const Ref& x, int family, std::string_view caller) {
  switch (family) {
    case AF_INET: {
      const auto& items = TupleItems(x, caller, "AF_INET");
      if (items.size() != 2) throw TypeError("AF_INET address must be a pair (host, port)");
      std::string host = HostBytes(items[0]);
      return InetAddress{std::move(host), PortValue(items[1])};
    }
    case AF_INET6: {
      const auto& items = TupleItems(x, caller, "AF_INET6");
      if (items.size() < 2 || items.size() > 4) {
        throw TypeError("AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
      }
      std::string host = HostBytes(items[0]);
      const std::int64_t port = PortValue(items[1]);
      // The codec takes a (host, port) pair on AF_INET6 sockets too; keeping the pair keeps
      // messages that repeat the address (create_server's) as Python prints it.
      if (items.size() == 2) return InetAddress{std::move(host), port};
      // flowinfo and scope_id are "I": taken modulo 2**32 without an overflow check.
      const auto flowinfo = static_cast<std::int64_t>(ArgUnsignedMask(items[2], 32));
      const auto scope_id =
          static_cast<std::int64_t>(items.size() > 3 ? ArgUnsignedMask(items[3], 32) : 0);
      return Inet6Address{std::move(host), port, flowinfo, scope_id};
    }
    case AF_UNIX: {
      // str is encoded with the file-system encoding (UTF-8 here, with surrogateescape);
      // any buffer is taken as is.
      if (auto* s = As<StrObject>(x)) return UnixAddress{FsEncode(s->utf8)};
      return UnixAddress{std::string(ArgBytesLike(x).as_string_view())};
    }
    case AF_NETLINK:
      return ArgNetlinkAddress(x, caller);
    case AF_PACKET:
      return ArgPacketAddress(x, caller);
#ifdef AF_VSOCK
    case AF_VSOCK:
      return ArgVsockAddress(x);
#endif
#ifdef AF_TIPC
    case AF_TIPC:
      return ArgTipcAddress(x, caller);
#endif
#ifdef AF_ALG
    case AF_ALG:
      return ArgAlgAddress(x, caller);
#endif
    default:
      // AF_CAN's tuple depends on the socket's protocol, which this conversion is not given.
      throw Unsupported("the reference driver does not convert addresses of family " +
                        std::to_string(family));
  }
}

Address ArgAddressByShape(const Ref& x) {
  if (auto* t = As<TupleObject>(x)) {
    if (t->items.size() == 2) return ArgAddress(x, AF_INET, "bind");
    if (t->items.size() == 3 || t->items.size() == 4) return ArgAddress(x, AF_INET6, "bind");
  }
  if (x->kind() == Kind::kStr || GetBuffer(x)) return ArgAddress(x, AF_UNIX, "bind");
  throw Unsupported("the reference driver does not convert the address " + ReprOf(x));
}

std::string FsDecode(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size();) {
    if (const std::size_t n = Utf8SequenceLength(bytes, i); n > 0) {
      out.append(bytes.substr(i, n));
      i += n;
      continue;
    }
    // A byte that does not start a valid sequence: U+DC80..U+DCFF, surrogateescape's way.
    AppendUtf8(out, 0xdc00 + static_cast<unsigned char>(bytes[i]));
    ++i;
  }
  return out;
}

std::string FsEncode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    // The three bytes of a surrogate U+DC80..U+DCFF (ED B2 80 to ED B3 BF) stand for a byte.
    if (c == 0xed && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      const char32_t cp = ((c & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (cp >= 0xdc80 && cp <= 0xdcff) {
        out += static_cast<char>(cp - 0xdc00);
        i += 3;
        continue;
      }
    }
    out += text[i];
    ++i;
  }
  return out;
}

Ref AddressToRef(const Address& address) {
  struct Visitor {
    Ref operator()(const NoAddress&) const { return None(); }
    Ref operator()(const InetAddress& a) const { return NewTuple({Str(a.host), Int(a.port)}); }
    Ref operator()(const Inet6Address& a) const {
      return NewTuple({Str(a.host), Int(a.port), Int(a.flowinfo), Int(a.scope_id)});
    }
    Ref operator()(const UnixAddress& a) const {
      // Abstract names are bytes; file-system paths are decoded, as PyUnicode_DecodeFSDefault.
      if (a.is_abstract()) return NewBytes(a.path);
      return Str(FsDecode(a.path));
    }
    Ref operator()(const NetlinkAddress& a) const { return NewTuple({Int(a.pid), Int(a.groups)}); }
    Ref operator()(const PacketAddress& a) const {
      return NewTuple(
          {Str(a.ifname), Int(a.proto), Int(a.pkttype), Int(a.hatype), NewBytes(a.addr)});
    }
    Ref operator()(const CanAddress& a) const {
      throw Unsupported("the reference driver does not convert AF_CAN addresses");
      (void)a;
    }
    Ref operator()(const AlgAddress& a) const {
      return NewTuple({Str(a.type), Str(a.name), Int(a.feat), Int(a.mask)});
    }
    Ref operator()(const TipcAddress& a) const {
      return NewTuple({Int(a.addr_type), Int(a.v1), Int(a.v2), Int(a.v3), Int(a.scope)});
    }
    Ref operator()(const VsockAddress& a) const { return NewTuple({Int(a.cid), Int(a.port)}); }
    Ref operator()(const UnknownAddress& a) const {
      return NewTuple({Int(a.family), NewBytes(a.data)});
    }
  };
  return std::visit(Visitor{}, address);
}

}  // namespace sockref::conformance::reference
