#include "conformance/protocol/outcome.h"

#include <string>

#include "conformance/protocol/json_reading.h"
#include "conformance/protocol/value_codec.h"
#include "conformance/language/value.h"
#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {

using nlohmann::json;

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

}  // namespace sockref::conformance
