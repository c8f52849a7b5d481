#include "conformance/language/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

#include "conformance/language/utf8.h"

namespace sockref::conformance {
namespace {

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
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += HexEscape("\\u", unsigned(cp), 4);  // a lone surrogate is not printable
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

}  // namespace

Value Value::WithText(Type type, std::string text) {
  Value v;
  v.type_ = type;
  v.text_ = std::move(text);
  return v;
}

Value Value::WithItems(Type type, std::vector<Value> items) {
  Value v;
  v.type_ = type;
  v.items_ = std::move(items);
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Int(std::int64_t i) { return WithText(Type::kInt, std::to_string(i)); }

Value Value::IntFromDecimal(std::string_view decimal) {
  // Accept leading zeros and "-0" by normalising; reject anything that is not digits.
  std::string_view digits = decimal;
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw std::invalid_argument("not a decimal integer: '" + std::string(decimal) + "'");
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

Value Value::Str(std::string utf8) { return WithText(Type::kStr, std::move(utf8)); }

Value Value::Bytes(std::string data) { return WithText(Type::kBytes, std::move(data)); }

Value Value::ByteArray(std::string data) { return WithText(Type::kByteArray, std::move(data)); }

Value Value::Tuple(std::vector<Value> items) { return WithItems(Type::kTuple, std::move(items)); }

Value Value::List(std::vector<Value> items) { return WithItems(Type::kList, std::move(items)); }

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

Value Value::Digest(std::string type_name, std::uint64_t length, std::uint64_t hash) {
  char hex[19];
  std::snprintf(hex, sizeof hex, "0x%016llx", static_cast<unsigned long long>(hash));
  Value v = Object(type_name, "<" + type_name + " of len " + std::to_string(length) +
                                  ", fnv1a64 " + hex + ">");
  v.digest_ = true;
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

}  // namespace sockref::conformance
