#include "conformance/protocol/exec_request.h"

#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/json_reading.h"
#include "conformance/language/ast.h"

namespace sockref::conformance {

using nlohmann::json;

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

}  // namespace sockref::conformance
