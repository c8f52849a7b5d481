#include "conformance/protocol/value_codec.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "conformance/protocol/json_reading.h"
#include "conformance/language/value.h"
#include "conformance/protocol/protocol_error.h"

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

// IntFromDecimalText is Value::IntFromDecimal for text a driver sent: malformed digits are a
// protocol error, not a bug of the caller.
Value IntFromDecimalText(std::string_view decimal) {
  try {
    return Value::IntFromDecimal(decimal);
  } catch (const std::invalid_argument& e) {
    throw ProtocolError(e.what());
  }
}

}  // namespace

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


// long-function: one branch per encoding of PROTOCOL.md's closed set of values, so the
// decoder reads as that table.
Value ValueFromJson(const json& j) {
  const JsonNestingGuard guard("a value");
  if (j.is_null()) return Value::None();
  if (j.is_boolean()) return Value::Bool(j.get<bool>());
  if (j.is_number_unsigned()) return IntFromDecimalText(std::to_string(j.get<std::uint64_t>()));
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
    return IntFromDecimalText(body.get<std::string>());
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

}  // namespace sockref::conformance
