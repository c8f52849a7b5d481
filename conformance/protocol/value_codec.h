// value_codec.h: a Value in the protocol's JSON encoding (PROTOCOL.md, "Values").
//
//   ValueToJson(Value::Bytes("\x01"));              // {"bytes": "AQ=="}
//   Value v = ValueFromJson(reply.at("value"));     // throws ProtocolError on a bad shape
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_VALUE_CODEC_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_VALUE_CODEC_H_

#include <nlohmann/json.hpp>

#include "conformance/language/value.h"
#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {

// ValueToJson / ValueFromJson convert between a Value and its protocol encoding. ValueFromJson
// throws ProtocolError on anything PROTOCOL.md does not define.
nlohmann::json ValueToJson(const Value& v);
Value ValueFromJson(const nlohmann::json& j);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_VALUE_CODEC_H_
