// matching.h: whether a step's outcome is one its case accepts (CASES.md, "Expectations").
//
//   Bindings bindings;  // one per case: what $name captures matched so far
//   if (auto why = MatchOutcome(step, outcome, bindings)) Fail(step.line, *why);
#ifndef SOCKREF_CONFORMANCE_RUNNER_MATCHING_H_
#define SOCKREF_CONFORMANCE_RUNNER_MATCHING_H_

#include <map>
#include <optional>
#include <string>

#include "conformance/language/ast.h"
#include "conformance/language/value.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance {

// Bindings maps each `$name` already captured in a case to the value it matched.
using Bindings = std::map<std::string, Value>;

// MatchOutcome returns nullopt when `step` accepts `outcome`, after adding the step's new
// captures to `bindings`; otherwise a sentence saying what was expected and what happened
// (`bindings` unchanged). An unsupported outcome never matches. Errno names compare after
// folding aliases (EWOULDBLOCK is EAGAIN, EOPNOTSUPP is ENOTSUP, EDEADLK is EDEADLOCK).
// When a capture is what did not fit, the sentence ends with why, which is also stored in
// `*note` (when given; else left empty): "the type name is the mismatch: expected
// $conn:socket, got a value of type _SocketType: <repr>", or "the capture is the mismatch: $p is
// already 3, got 4". Two objects' reprs alone would not show that the type name differed.
std::optional<std::string> MatchOutcome(const Step& step, const Outcome& outcome,
                                        Bindings& bindings, std::string* note = nullptr);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_RUNNER_MATCHING_H_
