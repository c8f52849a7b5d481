// json_reading.h: checked access to the members of an untrusted JSON message, for the
// protocol's decoders. Every accessor throws ProtocolError naming what was wrong. Internal to
// //conformance/protocol.
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_JSON_READING_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_JSON_READING_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "conformance/protocol/json_depth.h"

namespace sockref::conformance {

// Member returns j[key]; throws ProtocolError saying that `what` lacks `key`.
const nlohmann::json& Member(const nlohmann::json& j, const char* key, const char* what);
// StringMember returns j[key] as a string; throws ProtocolError when it is missing or not one.
std::string StringMember(const nlohmann::json& j, const char* key, const char* what);
// IsJsonInt says whether j is an integer (signed or unsigned).
bool IsJsonInt(const nlohmann::json& j);
// JsonInt64 returns j as an int64 when it is an integer that fits, else nullopt.
std::optional<std::int64_t> JsonInt64(const nlohmann::json& j);
// OneKey returns the first key of a non-empty object; throws ProtocolError otherwise.
std::string OneKey(const nlohmann::json& j);
// PathToJson encodes a capture path as an array of indices.
nlohmann::json PathToJson(const std::vector<std::size_t>& path);

// JsonNestingGuard counts, per thread, how deeply the recursive decoders have descended, and
// throws ProtocolError past kMaxProtocolNesting levels: the decoders recurse once per level of
// an untrusted message, and a reply nested thousands deep overflowed the stack (found by
// //fuzz:protocol_fuzzer).
class JsonNestingGuard {
 public:
  explicit JsonNestingGuard(const char* what);
  ~JsonNestingGuard() { --depth_; }
  JsonNestingGuard(const JsonNestingGuard&) = delete;
  JsonNestingGuard& operator=(const JsonNestingGuard&) = delete;

 private:
  static thread_local int depth_;
};

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_JSON_READING_H_
