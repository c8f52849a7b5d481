// exec_request.h: the `exec` message that asks a driver to run one step (PROTOCOL.md).
//
//   driver.Call(ExecRequest(c.steps[0], 1), deadline);
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_EXEC_REQUEST_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_EXEC_REQUEST_H_

#include <nlohmann/json.hpp>

#include "conformance/language/ast.h"

namespace sockref::conformance {

// ExecRequest returns the `exec` message for `step`, numbered `number` (1-based) in its case.
// It says "want_value": false when nothing looks at the step's value (ValueIsUnchecked), so a
// driver may answer with an Omitted value instead of, say, 10 MB of base64.
nlohmann::json ExecRequest(const Step& step, int number);

// ValueIsUnchecked says whether no expectation of `step` looks at the value it returns: a
// background action, or an assignment without expectation lines or captures.
bool ValueIsUnchecked(const Step& step);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_EXEC_REQUEST_H_
