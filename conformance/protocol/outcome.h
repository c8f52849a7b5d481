// outcome.h: what one step did in a driver, as an `exec` reply reports it (PROTOCOL.md).
//
//   Outcome o = OutcomeFromJson(reply.at("outcome"));   // throws ProtocolError
//   std::cout << Describe(o);                           // "OSError: [Errno 9] Bad file descriptor"
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_OUTCOME_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_OUTCOME_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "conformance/language/value.h"
#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {

// RaisedException is an exception as a driver reports it.
struct RaisedException {
  std::string type;              // traceback spelling: "OSError", "socket.gaierror"
  std::vector<std::string> mro;  // the same spelling for each class of type.__mro__
  std::optional<std::int64_t> errno_value;
  std::optional<std::string> errno_name;
  std::string str;  // str(exc)
};

// Outcome is what one step did in a driver: returned a value, raised, or could not be tried
// because the implementation lacks a name the step uses (distinct from raising).
struct Outcome {
  enum class Kind { kValue, kRaised, kUnsupported };
  Kind kind = Kind::kValue;
  Value value;              // kValue
  RaisedException raised;   // kRaised
  std::string unsupported;  // kUnsupported: what is missing
};

// OutcomeFromJson decodes the "outcome" member of an exec reply; throws ProtocolError.
Outcome OutcomeFromJson(const nlohmann::json& j);
nlohmann::json OutcomeToJson(const Outcome& o);

// Describe returns the outcome as Python's REPL would show it: "b'x'", "OSError: [Errno 9] Bad
// file descriptor", or "unsupported: module 'socket' has no attribute 'x'".
std::string Describe(const Outcome& o);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_OUTCOME_H_
