#include "conformance/language/case_ast.h"
#include "conformance/language/utf8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <utility>

namespace sockref::conformance {
namespace {

using nlohmann::json;

// ----- base64 (RFC 4648, standard alphabet, padded) -----

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(data[i]) << 16) | (std::uint8_t(data[i + 1]) << 8) |
                      std::uint8_t(data[i + 2]);
    out += kBase64Alphabet[n >> 18];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (std::size_t rest = data.size() - i; rest > 0) {
    std::uint32_t n = std::uint8_t(data[i]) << 16;
    if (rest == 2) n |= std::uint8_t(data[i + 1]) << 8;
    out += kBase64Alphabet[n >> 18];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) throw ProtocolError("base64 text length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t n = 0;
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      std::size_t pos = kBase64Alphabet.find(c);
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++padding;
        pos = 0;
      } else if (pos == std::string_view::npos || padding > 0) {
        throw ProtocolError("invalid base64 text");
      }
      n = (n << 6) | std::uint32_t(pos);
    }
    out += char(n >> 16);
    if (padding < 2) out += char((n >> 8) & 0xff);
    if (padding < 1) out += char(n & 0xff);
  }
  return out;
}

// ----- Python reprs -----

// DecodeUtf8 splits valid UTF-8 into code points (the parser and the JSON library only let
// valid UTF-8 into a Value).
std::vector<char32_t> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1f) : extra == 2 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k <= extra && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3f);
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}


// QuoteFor picks the quote Python's repr picks: ' unless the text has ' and no ".
char QuoteFor(std::string_view s) {
  bool single = s.find('\'') != std::string_view::npos;
  bool dbl = s.find('"') != std::string_view::npos;
  return single && !dbl ? '"' : '\'';
}

std::string HexEscape(const char* prefix, unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, width, value);
  return buf;
}

std::string ReprBytes(std::string_view data) {
  char quote = QuoteFor(data);
  std::string out = "b";
  out += quote;
  for (unsigned char c : data) {
    if (c == '\\' || c == quote) {
      out += '\\';
      out += char(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += HexEscape("\\x", c, 2);
    } else {
      out += char(c);
    }
  }
  out += quote;
  return out;
}

std::string ReprStr(std::string_view utf8) {
  char quote = QuoteFor(utf8);
  std::string out(1, quote);
  for (char32_t cp : DecodeUtf8(utf8)) {
    if (cp == '\\' || cp == char32_t(quote)) {
      out += '\\';
      out += char(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      // Control characters; Python also escapes other non-printable code points, which a
      // socket case has no reason to contain.
      out += HexEscape("\\x", unsigned(cp), 2);
    } else {
      AppendUtf8(out, cp);
    }
  }
  out += quote;
  return out;
}

// ReprFloat prints like Python's repr(float): the shortest round-tripping digits, in
// positional form for 1e-4 <= |x| < 1e16 and with an exponent otherwise.
std::string ReprFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, end);  // "-1.5e+16"
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  std::size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exponent = std::stoi(sci.substr(e + 1));
  int decpt = exponent + 1;  // the value is 0.<digits> * 10**decpt
  std::string out = negative ? "-" : "";
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0." + std::string(-decpt, '0') + digits;
    } else if (std::size_t(decpt) >= digits.size()) {
      out += digits + std::string(decpt - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, decpt) + "." + digits.substr(decpt);
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  }
  return out;
}

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

// FlagNames splits "MSG_PEEK|MSG_WAITALL" into a set, so flag combinations compare whatever
// order a Python version lists them in.
std::set<std::string_view> FlagNames(std::string_view name) {
  std::set<std::string_view> out;
  while (true) {
    std::size_t bar = name.find('|');
    out.insert(name.substr(0, bar));
    if (bar == std::string_view::npos) return out;
    name.remove_prefix(bar + 1);
  }
}

// ----- JSON helpers -----

const json& Member(const json& j, const char* key, const char* what) {
  if (!j.is_object() || !j.contains(key)) {
    throw ProtocolError(std::string(what) + " lacks \"" + key + "\": " + j.dump());
  }
  return j.at(key);
}

std::string StringMember(const json& j, const char* key, const char* what) {
  const json& v = Member(j, key, what);
  if (!v.is_string()) throw ProtocolError(std::string(what) + ": \"" + key + "\" is not a string");
  return v.get<std::string>();
}

bool IsJsonInt(const json& j) { return j.is_number_integer() || j.is_number_unsigned(); }

std::optional<std::int64_t> JsonInt64(const json& j) {
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    if (u > std::uint64_t(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return std::int64_t(u);
  }
  if (j.is_number_integer()) return j.get<std::int64_t>();
  return std::nullopt;
}

std::string OneKey(const json& j) {
  if (!j.is_object() || j.empty()) throw ProtocolError("expected a JSON object, got " + j.dump());
  return j.begin().key();
}

json PathToJson(const std::vector<std::size_t>& path) {
  json out = json::array();
  for (std::size_t i : path) out.push_back(i);
  return out;
}

// ----- matching -----

bool MatchPattern(const Pattern& p, const Value& v, Bindings& bindings) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return p.value == v;
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      Value::Type want = p.kind == Pattern::Kind::kTuple ? Value::Type::kTuple : Value::Type::kList;
      if (v.type() != want || v.items().size() != p.items.size()) return false;
      for (std::size_t i = 0; i < p.items.size(); ++i) {
        if (!MatchPattern(p.items[i], v.items()[i], bindings)) return false;
      }
      return true;
    }
    case Pattern::Kind::kCapture: {
      if (!p.capture_type.empty() && v.type_name() != p.capture_type) return false;
      auto [it, inserted] = bindings.emplace(p.capture, v);
      return inserted || it->second == v;
    }
  }
  return false;
}

bool MatchRaised(const Expected& e, const RaisedException& r) {
  if (e.exception != r.type) return false;
  if (e.errno_name) {
    return r.errno_name && CanonicalErrnoName(*e.errno_name) == CanonicalErrnoName(*r.errno_name);
  }
  return e.message && *e.message == r.str;
}

}  // namespace

// ===== Value =====

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Int(std::int64_t i) {
  Value v;
  v.type_ = Type::kInt;
  v.text_ = std::to_string(i);
  return v;
}

Value Value::IntFromDecimal(std::string_view decimal) {
  // Accept leading zeros and "-0" by normalising; reject anything that is not digits.
  std::string_view digits = decimal;
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw ProtocolError("not a decimal integer: '" + std::string(decimal) + "'");
  }
  std::size_t first = digits.find_first_not_of('0');
  Value v;
  v.type_ = Type::kInt;
  v.text_ = first == std::string_view::npos ? "0" : std::string(digits.substr(first));
  if (negative && v.text_ != "0") v.text_.insert(0, "-");
  return v;
}

Value Value::Float(double d) {
  Value v;
  v.type_ = Type::kFloat;
  v.float_ = d;
  return v;
}

Value Value::Str(std::string utf8) {
  Value v;
  v.type_ = Type::kStr;
  v.text_ = std::move(utf8);
  return v;
}

Value Value::Bytes(std::string data) {
  Value v;
  v.type_ = Type::kBytes;
  v.text_ = std::move(data);
  return v;
}

Value Value::ByteArray(std::string data) {
  Value v;
  v.type_ = Type::kByteArray;
  v.text_ = std::move(data);
  return v;
}

Value Value::Tuple(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kTuple;
  v.items_ = std::move(items);
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kList;
  v.items_ = std::move(items);
  return v;
}

Value Value::Enum(std::string enum_class, std::string member, std::int64_t value) {
  Value v;
  v.type_ = Type::kEnum;
  v.type_name_ = std::move(enum_class);
  v.text_ = std::move(member);
  v.enum_value_ = value;
  return v;
}

Value Value::Object(std::string type_name, std::string repr) {
  Value v;
  v.type_ = Type::kObject;
  v.type_name_ = std::move(type_name);
  v.text_ = std::move(repr);
  return v;
}

Value Value::Omitted(std::string type_name, std::optional<std::uint64_t> length) {
  std::string repr = "<" + type_name;
  if (length) repr += " of len " + std::to_string(*length);
  Value v = Object(std::move(type_name), repr + ", not sent>");
  v.omitted_ = true;
  v.omitted_length_ = length;
  return v;
}

std::string Value::type_name() const {
  switch (type_) {
    case Type::kNone:
      return "NoneType";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kStr:
      return "str";
    case Type::kBytes:
      return "bytes";
    case Type::kByteArray:
      return "bytearray";
    case Type::kTuple:
      return "tuple";
    case Type::kList:
      return "list";
    case Type::kEnum:
    case Type::kObject:
      return type_name_;
  }
  return "";
}

std::optional<std::int64_t> Value::as_int64() const {
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), out);
  if (ec != std::errc() || ptr != text_.data() + text_.size()) return std::nullopt;
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Value::Type::kNone:
      return true;
    case Value::Type::kBool:
      return a.bool_ == b.bool_;
    case Value::Type::kFloat:
      if (std::isnan(a.float_) || std::isnan(b.float_)) {
        return std::isnan(a.float_) && std::isnan(b.float_);
      }
      return a.float_ == b.float_ && std::signbit(a.float_) == std::signbit(b.float_);
    case Value::Type::kInt:
    case Value::Type::kStr:
    case Value::Type::kBytes:
    case Value::Type::kByteArray:
      return a.text_ == b.text_;
    case Value::Type::kTuple:
    case Value::Type::kList:
      return a.items_ == b.items_;
    case Value::Type::kEnum:
      return a.type_name_ == b.type_name_ && a.enum_value_ == b.enum_value_ &&
             FlagNames(a.text_) == FlagNames(b.text_);
    case Value::Type::kObject:
      return a.type_name_ == b.type_name_ && a.text_ == b.text_ && a.omitted_ == b.omitted_;
  }
  return false;
}

std::string Repr(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNone:
      return "None";
    case Value::Type::kBool:
      return v.as_bool() ? "True" : "False";
    case Value::Type::kInt:
      return v.int_decimal();
    case Value::Type::kFloat:
      return ReprFloat(v.as_float());
    case Value::Type::kStr:
      return ReprStr(v.data());
    case Value::Type::kBytes:
      return ReprBytes(v.data());
    case Value::Type::kByteArray:
      return "bytearray(" + ReprBytes(v.data()) + ")";
    case Value::Type::kTuple:
    case Value::Type::kList: {
      bool tuple = v.type() == Value::Type::kTuple;
      std::string out = tuple ? "(" : "[";
      for (std::size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out += ", ";
        out += Repr(v.items()[i]);
      }
      if (tuple && v.items().size() == 1) out += ",";
      return out + (tuple ? ")" : "]");
    }
    case Value::Type::kEnum:
      return "<" + v.type_name() + "." + v.enum_member() + ": " + std::to_string(v.enum_value()) +
             ">";
    case Value::Type::kObject:
      return v.object_repr();
  }
  return "";
}

std::string Repr(const Pattern& p) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return Repr(p.value);
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      bool tuple = p.kind == Pattern::Kind::kTuple;
      std::string out = tuple ? "(" : "[";
      for (std::size_t i = 0; i < p.items.size(); ++i) {
        if (i > 0) out += ", ";
        out += Repr(p.items[i]);
      }
      if (tuple && p.items.size() == 1) out += ",";
      return out + (tuple ? ")" : "]");
    }
    case Pattern::Kind::kCapture:
      return "$" + p.capture + (p.capture_type.empty() ? "" : ":" + p.capture_type);
  }
  return "";
}

std::string Describe(const Expected& e) {
  if (e.kind == Expected::Kind::kValue) return Repr(e.value);
  if (e.errno_name) return e.exception + "(errno=" + *e.errno_name + ")";
  if (e.message && !e.message->empty()) return e.exception + ": " + *e.message;
  return e.exception;
}

std::string TestNameForCaseId(std::string_view id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '.' || c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

// ===== JSON =====

json ValueToJson(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNone:
      return nullptr;
    case Value::Type::kBool:
      return v.as_bool();
    case Value::Type::kInt:
      if (auto i = v.as_int64()) return *i;
      return {{"int", v.int_decimal()}};
    case Value::Type::kFloat: {
      double d = v.as_float();
      if (std::isnan(d)) return {{"float", "nan"}};
      if (std::isinf(d)) return {{"float", d > 0 ? "inf" : "-inf"}};
      return {{"float", d}};
    }
    case Value::Type::kStr:
      return v.data();
    case Value::Type::kBytes:
      return {{"bytes", Base64Encode(v.data())}};
    case Value::Type::kByteArray:
      return {{"bytearray", Base64Encode(v.data())}};
    case Value::Type::kTuple:
    case Value::Type::kList: {
      json items = json::array();
      for (const Value& item : v.items()) items.push_back(ValueToJson(item));
      return {{v.type() == Value::Type::kTuple ? "tuple" : "list", items}};
    }
    case Value::Type::kEnum:
      return {{"enum", v.type_name()}, {"name", v.enum_member()}, {"value", v.enum_value()}};
    case Value::Type::kObject:
      if (v.omitted()) {
        return {{"omitted", v.type_name()},
                {"len", v.omitted_length() ? json(*v.omitted_length()) : json(nullptr)}};
      }
      return {{"object", v.type_name()}, {"repr", v.object_repr()}};
  }
  return nullptr;
}

// The JSON decoders recurse once per nesting level of their input, and a driver's
// replies are not trusted (PROTOCOL.md): a reply nested thousands of levels deep
// overflowed the stack (found by //fuzz:protocol_fuzzer). kMaxJsonNesting bounds
// the recursion far above anything a case produces (the case parser itself stops
// at 200 levels) and far below what a thread's stack holds.
constexpr int kMaxJsonNesting = 1000;

class JsonNestingGuard {
 public:
  explicit JsonNestingGuard(const char* what) {
    if (depth_ >= kMaxJsonNesting) {
      throw ProtocolError(std::string(what) + " nested more than " +
                          std::to_string(kMaxJsonNesting) + " levels deep");
    }
    ++depth_;
  }
  ~JsonNestingGuard() { --depth_; }
  JsonNestingGuard(const JsonNestingGuard&) = delete;
  JsonNestingGuard& operator=(const JsonNestingGuard&) = delete;

 private:
  static thread_local int depth_;
};

thread_local int JsonNestingGuard::depth_ = 0;

Value ValueFromJson(const json& j) {
  const JsonNestingGuard guard("a value");
  if (j.is_null()) return Value::None();
  if (j.is_boolean()) return Value::Bool(j.get<bool>());
  if (j.is_number_unsigned()) return Value::IntFromDecimal(std::to_string(j.get<std::uint64_t>()));
  if (j.is_number_integer()) return Value::Int(j.get<std::int64_t>());
  if (j.is_number_float()) {
    throw ProtocolError("a float value is written {\"float\": x}, got bare " + j.dump());
  }
  if (j.is_string()) return Value::Str(j.get<std::string>());
  if (j.is_array()) {
    throw ProtocolError("a tuple or list is written {\"tuple\": [...]} or {\"list\": [...]}, got " +
                        j.dump());
  }
  if (j.is_object() && j.contains("enum")) {
    if (j.size() != 3 || !j["enum"].is_string() || !j.contains("name") || !j["name"].is_string() ||
        !j.contains("value") || !JsonInt64(j["value"])) {
      throw ProtocolError(
          "an enum value is {\"enum\": class, \"name\": member, \"value\": int}, got " + j.dump());
    }
    return Value::Enum(j["enum"].get<std::string>(), j["name"].get<std::string>(),
                       *JsonInt64(j["value"]));
  }
  if (j.is_object() && j.contains("object")) {
    if (j.size() != 2 || !j["object"].is_string() || !j.contains("repr") ||
        !j["repr"].is_string()) {
      throw ProtocolError("an object value is {\"object\": type, \"repr\": text}, got " + j.dump());
    }
    return Value::Object(j["object"].get<std::string>(), j["repr"].get<std::string>());
  }
  if (j.is_object() && j.contains("omitted")) {
    const json len = j.value("len", json());
    if (j.size() > 2 || !j["omitted"].is_string() || (j.size() == 2 && !j.contains("len")) ||
        !(len.is_null() || len.is_number_unsigned() ||
          (len.is_number_integer() && len.get<std::int64_t>() >= 0))) {
      throw ProtocolError("an omitted value is {\"omitted\": type, \"len\": int or null}, got " +
                          j.dump());
    }
    std::optional<std::uint64_t> length;
    if (!len.is_null()) length = len.get<std::uint64_t>();
    return Value::Omitted(j["omitted"].get<std::string>(), length);
  }
  if (!j.is_object() || j.size() != 1) throw ProtocolError("not a value encoding: " + j.dump());
  const std::string key = j.begin().key();
  const json& body = j.begin().value();
  if (key == "int") {
    if (!body.is_string()) throw ProtocolError("{\"int\": ...} takes a decimal string");
    return Value::IntFromDecimal(body.get<std::string>());
  }
  if (key == "float") {
    if (body.is_number()) return Value::Float(body.get<double>());
    if (body == "nan") return Value::Float(std::numeric_limits<double>::quiet_NaN());
    if (body == "inf") return Value::Float(std::numeric_limits<double>::infinity());
    if (body == "-inf") return Value::Float(-std::numeric_limits<double>::infinity());
    throw ProtocolError("{\"float\": ...} takes a number, \"nan\", \"inf\" or \"-inf\"");
  }
  if (key == "bytes" || key == "bytearray") {
    if (!body.is_string()) throw ProtocolError("{\"" + key + "\": ...} takes base64 text");
    std::string data = Base64Decode(body.get<std::string>());
    return key == "bytes" ? Value::Bytes(std::move(data)) : Value::ByteArray(std::move(data));
  }
  if (key == "tuple" || key == "list") {
    if (!body.is_array()) throw ProtocolError("{\"" + key + "\": ...} takes an array");
    std::vector<Value> items;
    for (const json& item : body) items.push_back(ValueFromJson(item));
    return key == "tuple" ? Value::Tuple(std::move(items)) : Value::List(std::move(items));
  }
  throw ProtocolError("unknown value encoding \"" + key + "\"");
}

json ExprToJson(const Expr& e) {
  auto all = [](const std::vector<Expr>& exprs, std::size_t from, std::size_t to) {
    json out = json::array();
    for (std::size_t i = from; i < to; ++i) out.push_back(ExprToJson(exprs[i]));
    return out;
  };
  switch (e.kind) {
    case ExprKind::kLiteral:
      return {{"lit", ValueToJson(e.literal)}};
    case ExprKind::kName:
      return {{"name", e.name}};
    case ExprKind::kAttr:
      return {{"attr", {ExprToJson(e.operands.at(0)), e.name}}};
    case ExprKind::kCall: {
      std::size_t n = e.operands.size();
      std::size_t positional_end = n - e.keyword_names.size();
      json kwargs = json::object();
      for (std::size_t i = positional_end; i < n; ++i) {
        kwargs[e.keyword_names[i - positional_end]] = ExprToJson(e.operands[i]);
      }
      return {{"call", ExprToJson(e.operands.at(0))},
              {"args", all(e.operands, 1, positional_end)},
              {"kwargs", kwargs}};
    }
    case ExprKind::kTuple:
      return {{"tuple", all(e.operands, 0, e.operands.size())}};
    case ExprKind::kList:
      return {{"list", all(e.operands, 0, e.operands.size())}};
    case ExprKind::kIndex:
      return {{"index", all(e.operands, 0, 2)}};
    case ExprKind::kSlice:
      return {{"slice", all(e.operands, 0, 3)}};
    case ExprKind::kBinOp:
      return {{"binop", {e.name, ExprToJson(e.operands.at(0)), ExprToJson(e.operands.at(1))}}};
    case ExprKind::kNeg:
      return {{"neg", ExprToJson(e.operands.at(0))}};
    case ExprKind::kOmitted:
      return nullptr;
  }
  return nullptr;
}

Expr ExprFromJson(const json& j) {
  const JsonNestingGuard guard("an expression");
  Expr e;
  if (j.is_null()) return e;  // kOmitted; only meaningful as a slice bound
  // A call has three members; every other expression has one.
  const std::string key = j.is_object() && j.contains("call") ? "call" : OneKey(j);
  if (key != "call" && j.size() != 1)
    throw ProtocolError("an expression has one member: " + j.dump());
  auto array_of = [&](std::size_t size) -> const json& {
    const json& body = j.at(key);
    if (!body.is_array() || (size != 0 && body.size() != size)) {
      throw ProtocolError("\"" + key + "\" takes an array" +
                          (size ? " of " + std::to_string(size) : std::string()) + ": " + j.dump());
    }
    return body;
  };
  auto require_present = [&](const Expr& operand) {
    if (operand.kind == ExprKind::kOmitted) throw ProtocolError("null operand in " + j.dump());
  };
  if (key == "lit") {
    e.kind = ExprKind::kLiteral;
    e.literal = ValueFromJson(j.at(key));
  } else if (key == "name") {
    e.kind = ExprKind::kName;
    if (!j.at(key).is_string()) throw ProtocolError("\"name\" takes a string");
    e.name = j.at(key).get<std::string>();
  } else if (key == "attr") {
    const json& body = array_of(2);
    if (!body[1].is_string()) throw ProtocolError("\"attr\" takes [expr, name]");
    e.kind = ExprKind::kAttr;
    e.operands.push_back(ExprFromJson(body[0]));
    e.name = body[1].get<std::string>();
  } else if (key == "call") {
    e.kind = ExprKind::kCall;
    e.operands.push_back(ExprFromJson(j.at("call")));
    const json& args = Member(j, "args", "a call");
    const json& kwargs = Member(j, "kwargs", "a call");
    if (!args.is_array() || !kwargs.is_object()) {
      throw ProtocolError("a call has \"args\": [...] and \"kwargs\": {...}");
    }
    for (const json& a : args) e.operands.push_back(ExprFromJson(a));
    for (auto it = kwargs.begin(); it != kwargs.end(); ++it) {
      e.keyword_names.push_back(it.key());
      e.operands.push_back(ExprFromJson(it.value()));
    }
  } else if (key == "tuple" || key == "list") {
    e.kind = key == "tuple" ? ExprKind::kTuple : ExprKind::kList;
    for (const json& item : array_of(0)) e.operands.push_back(ExprFromJson(item));
  } else if (key == "index") {
    e.kind = ExprKind::kIndex;
    for (const json& item : array_of(2)) e.operands.push_back(ExprFromJson(item));
  } else if (key == "slice") {
    e.kind = ExprKind::kSlice;
    for (const json& item : array_of(3)) e.operands.push_back(ExprFromJson(item));
    require_present(e.operands[0]);
    return e;
  } else if (key == "binop") {
    const json& body = array_of(3);
    if (body[0] != "+" && body[0] != "*") throw ProtocolError("\"binop\" operator is + or *");
    e.kind = ExprKind::kBinOp;
    e.name = body[0].get<std::string>();
    e.operands.push_back(ExprFromJson(body[1]));
    e.operands.push_back(ExprFromJson(body[2]));
  } else if (key == "neg") {
    e.kind = ExprKind::kNeg;
    e.operands.push_back(ExprFromJson(j.at(key)));
  } else {
    throw ProtocolError("unknown expression \"" + key + "\"");
  }
  for (const Expr& operand : e.operands) require_present(operand);
  return e;
}

json StatementToJson(const Statement& s) {
  json assign = nullptr;
  if (!s.targets.empty()) assign = s.targets;
  return {{"assign", assign}, {"expr", ExprToJson(s.expr)}};
}

Statement StatementFromJson(const json& j) {
  Statement s;
  const json& assign = Member(j, "assign", "a statement");
  if (assign.is_array()) {
    for (const json& name : assign) {
      if (!name.is_string()) throw ProtocolError("\"assign\" takes names");
      s.targets.push_back(name.get<std::string>());
    }
    if (s.targets.empty()) throw ProtocolError("\"assign\" takes null or at least one name");
  } else if (!assign.is_null()) {
    throw ProtocolError("\"assign\" takes null or an array of names");
  }
  s.expr = ExprFromJson(Member(j, "expr", "a statement"));
  if (s.expr.kind == ExprKind::kOmitted) throw ProtocolError("a statement's \"expr\" is null");
  return s;
}

json ExecRequest(const Step& step, int number) {
  json out = {{"op", "exec"}, {"step", number}, {"stmt", StatementToJson(step.statement)}};
  if (!step.captures.empty()) {
    json capture = json::object();
    for (const Capture& c : step.captures) capture[c.name] = PathToJson(c.path);
    out["capture"] = capture;
  }
  if (step.background_delay) out["background"] = {{"delay", *step.background_delay}};
  if (ValueIsUnchecked(step)) out["want_value"] = false;
  return out;
}

bool ValueIsUnchecked(const Step& step) {
  // The parser gives an expression statement without expectation lines doctest's `None`, so
  // an empty list means "any success": an assignment, or a background action.
  return step.expected.empty() && step.captures.empty();
}

json PatternToJson(const Pattern& p) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return ValueToJson(p.value);
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      json items = json::array();
      for (const Pattern& item : p.items) items.push_back(PatternToJson(item));
      return {{p.kind == Pattern::Kind::kTuple ? "tuple" : "list", items}};
    }
    case Pattern::Kind::kCapture:
      return {{"capture", p.capture},
              {"type", p.capture_type.empty() ? json(nullptr) : json(p.capture_type)}};
  }
  return nullptr;
}

json ExpectedToJson(const Expected& e) {
  if (e.kind == Expected::Kind::kValue) return {{"value", PatternToJson(e.value)}};
  json raised = {{"type", e.exception}};
  if (e.errno_name) raised["errno_name"] = *e.errno_name;
  if (e.message) raised["str"] = *e.message;
  return {{"raised", raised}};
}

json StepToJson(const Step& s) {
  json expected = json::array();
  for (const Expected& e : s.expected) expected.push_back(ExpectedToJson(e));
  json elapsed = nullptr;
  if (s.elapsed) {
    elapsed = {{s.elapsed->kind == Timing::Kind::kAbout ? "about" : "below", s.elapsed->seconds}};
  }
  json capture = json::object();
  for (const Capture& c : s.captures) capture[c.name] = PathToJson(c.path);
  json background = nullptr;
  if (s.background_delay) background = {{"delay", *s.background_delay}};
  return {
      {"line", s.line},           {"source", s.source},   {"stmt", StatementToJson(s.statement)},
      {"background", background}, {"expected", expected}, {"elapsed", elapsed},
      {"capture", capture}};
}

json CaseToJson(const Case& c) {
  json docs = json::array();
  for (const DocRef& d : c.docs) {
    docs.push_back({{"seed", d.seed}, {"fragment", d.fragment}, {"line", d.line}});
  }
  json steps = json::array();
  for (const Step& s : c.steps) steps.push_back(StepToJson(s));
  return {{"id", c.id},
          {"test_name", TestNameForCaseId(c.id)},
          {"file", c.file},
          {"line", c.line},
          {"docs", docs},
          {"needs", c.needs},
          {"divergence", c.divergence.empty() ? json(nullptr) : json(c.divergence)},
          {"steps", steps}};
}

// ===== Outcomes =====

Outcome OutcomeFromJson(const json& j) {
  if (!j.is_object() || j.size() != 1) {
    throw ProtocolError(
        "an outcome is {\"value\": ...}, {\"raised\": ...} or {\"unsupported\": ...}, "
        "got " +
        j.dump());
  }
  Outcome o;
  const std::string key = j.begin().key();
  const json& body = j.begin().value();
  if (key == "value") {
    o.kind = Outcome::Kind::kValue;
    o.value = ValueFromJson(body);
  } else if (key == "unsupported") {
    o.kind = Outcome::Kind::kUnsupported;
    if (!body.is_string()) throw ProtocolError("\"unsupported\" takes a string");
    o.unsupported = body.get<std::string>();
  } else if (key == "raised") {
    o.kind = Outcome::Kind::kRaised;
    RaisedException& r = o.raised;
    r.type = StringMember(body, "type", "a raised exception");
    r.str = StringMember(body, "str", "a raised exception");
    if (body.contains("mro")) {
      if (!body["mro"].is_array()) throw ProtocolError("\"mro\" takes an array of names");
      for (const json& name : body["mro"]) {
        if (!name.is_string()) throw ProtocolError("\"mro\" takes an array of names");
        r.mro.push_back(name.get<std::string>());
      }
    }
    if (body.contains("errno") && !body["errno"].is_null()) {
      if (!IsJsonInt(body["errno"]) || !JsonInt64(body["errno"])) {
        throw ProtocolError("\"errno\" takes an int or null");
      }
      r.errno_value = *JsonInt64(body["errno"]);
    }
    if (body.contains("errno_name") && !body["errno_name"].is_null()) {
      if (!body["errno_name"].is_string()) throw ProtocolError("\"errno_name\" takes a string");
      r.errno_name = body["errno_name"].get<std::string>();
    }
  } else {
    throw ProtocolError("unknown outcome \"" + key + "\"");
  }
  return o;
}

json OutcomeToJson(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::kValue:
      return {{"value", ValueToJson(o.value)}};
    case Outcome::Kind::kUnsupported:
      return {{"unsupported", o.unsupported}};
    case Outcome::Kind::kRaised: {
      const RaisedException& r = o.raised;
      return {{"raised",
               {{"type", r.type},
                {"mro", r.mro},
                {"errno", r.errno_value ? json(*r.errno_value) : json(nullptr)},
                {"errno_name", r.errno_name ? json(*r.errno_name) : json(nullptr)},
                {"str", r.str}}}};
    }
  }
  return nullptr;
}

std::string Describe(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::kValue:
      return Repr(o.value);
    case Outcome::Kind::kUnsupported:
      return "unsupported: " + o.unsupported;
    case Outcome::Kind::kRaised:
      return o.raised.str.empty() ? o.raised.type : o.raised.type + ": " + o.raised.str;
  }
  return "";
}

std::optional<std::string> MatchOutcome(const Step& step, const Outcome& outcome,
                                        Bindings& bindings) {
  std::string wanted;
  for (const Expected& e : step.expected) {
    wanted += (wanted.empty() ? "" : " or ") + Describe(e);
  }
  if (step.expected.empty()) wanted = "success";
  if (outcome.kind == Outcome::Kind::kUnsupported) {
    return "expected " + wanted + ", but the implementation does not support the step (" +
           outcome.unsupported + ")";
  }
  if (step.expected.empty()) {
    if (outcome.kind == Outcome::Kind::kValue) return std::nullopt;
    return "expected success, got " + Describe(outcome);
  }
  for (const Expected& e : step.expected) {
    if (e.kind == Expected::Kind::kValue && outcome.kind == Outcome::Kind::kValue) {
      Bindings trial = bindings;
      if (MatchPattern(e.value, outcome.value, trial)) {
        bindings = std::move(trial);
        return std::nullopt;
      }
    } else if (e.kind == Expected::Kind::kRaised && outcome.kind == Outcome::Kind::kRaised) {
      if (MatchRaised(e, outcome.raised)) return std::nullopt;
    }
  }
  std::string got = Describe(outcome);
  if (outcome.kind == Outcome::Kind::kRaised && outcome.raised.errno_name) {
    got += " (errno " + *outcome.raised.errno_name + ")";
  }
  return "expected " + wanted + ", got " + got;
}

std::optional<std::string> MatchElapsed(const Timing& timing, double elapsed_seconds,
                                        double multiplier, double lead_seconds) {
  if (timing.kind == Timing::Kind::kBelow) {
    double limit = timing.seconds * multiplier;
    if (elapsed_seconds < limit) return std::nullopt;
    return "took " + FormatSeconds(elapsed_seconds) + ", expected less than " +
           FormatSeconds(limit);
  }
  const double lead = std::max(0.0, lead_seconds);
  double low = timing.seconds - lead - kEarlySlack;
  double high = timing.seconds +
                std::max(kAbsoluteTolerance, kRelativeTolerance * timing.seconds) * multiplier;
  if (elapsed_seconds >= low && elapsed_seconds <= high) return std::nullopt;
  std::string range = FormatSeconds(low) + " to " + FormatSeconds(high);
  if (lead > 0) {
    range += ", a background action having started its delay " + FormatSeconds(lead) + " earlier";
  }
  return "took " + FormatSeconds(elapsed_seconds) + ", expected about " +
         FormatSeconds(timing.seconds) + " (" + range + ")";
}

double TimeMultiplierFromEnv() {
  const char* text = std::getenv("SOCKREF_TIME_MULTIPLIER");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  double m = std::strtod(text, &end);
  if (*end != '\0' || !(m > 0) || std::isinf(m)) {
    throw std::invalid_argument("SOCKREF_TIME_MULTIPLIER must be a positive number, got '" +
                                std::string(text) + "'");
  }
  return m;
}

std::string_view CanonicalErrnoName(std::string_view name) {
  if (name == "EWOULDBLOCK") return "EAGAIN";
  if (name == "EOPNOTSUPP") return "ENOTSUP";
  if (name == "EDEADLK") return "EDEADLOCK";
  return name;
}

}  // namespace sockref::conformance
