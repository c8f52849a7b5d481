#include "conformance/protocol/json_reading.h"

#include <limits>

#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {

using nlohmann::json;

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

thread_local int JsonNestingGuard::depth_ = 0;

JsonNestingGuard::JsonNestingGuard(const char* what) {
  if (depth_ >= kMaxProtocolNesting) {
    throw ProtocolError(std::string(what) + " nested more than " +
                        std::to_string(kMaxProtocolNesting) + " levels deep");
  }
  ++depth_;
}

}  // namespace sockref::conformance
