// json_depth.h: how deeply a JSON text nests, measured without parsing it.
//
// nlohmann::json parses iteratively, but copying, dumping and our decoders recurse
// once per level; a driver is not trusted (PROTOCOL.md), so a reply nested tens of
// thousands of levels deep must be refused before any of that runs (found by
// //fuzz:protocol_fuzzer):
//
//   if (JsonNestingExceeds(line, kMaxProtocolNesting)) return Garbage("nested too deeply");
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_JSON_DEPTH_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_JSON_DEPTH_H_

#include <string_view>

namespace sockref::conformance {

// kMaxProtocolNesting is the deepest nesting a protocol message may have: far above
// anything a case produces (the case parser stops at 200 levels), far below what
// a thread's stack holds.
inline constexpr int kMaxProtocolNesting = 1000;

// JsonNestingExceeds returns whether `text` opens more than `limit` arrays and
// objects inside one another. Brackets inside strings do not count. Malformed
// text is not diagnosed here: the parser does that.
inline bool JsonNestingExceeds(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_JSON_DEPTH_H_
