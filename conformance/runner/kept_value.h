// kept_value.h: what the runner keeps of a driver's reply. Runs are kept until every
// implementation has run the case, and a driver is not trusted: one that answers every step with
// megabytes must not cost the runner gigabytes. Large data is kept as a digest (equal only to the
// same data), long messages are cut with a marker and their full length.
//
//   record.outcome = KeptOutcome(OutcomeFromJson(reply["outcome"]));
#ifndef SOCKREF_CONFORMANCE_RUNNER_KEPT_VALUE_H_
#define SOCKREF_CONFORMANCE_RUNNER_KEPT_VALUE_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "conformance/language/value.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance::runner {

// kMaxKeptBytes is the most data of one str, bytes or bytearray (or one message) kept verbatim:
// far above any value a case states (a case line is short), far below a reply's 6 MiB cap.
inline constexpr std::size_t kMaxKeptBytes = 16 * 1024;

// KeptValue returns `v` with every str, bytes or bytearray (nested in tuples and lists too)
// longer than kMaxKeptBytes replaced by Value::Digest of it.
Value KeptValue(const Value& v);

// KeptOutcome returns `o` with its value kept as KeptValue and its exception message and
// unsupported text shortened as Shortened.
Outcome KeptOutcome(Outcome o);

// Shortened returns `text` when it is at most `limit` bytes, else its first `limit` bytes (cut
// at a UTF-8 boundary) followed by "... (N bytes in all)".
std::string Shortened(std::string_view text, std::size_t limit = kMaxKeptBytes);

// ShownJson returns `j` as compact JSON for a message, invalid UTF-8 replaced and shortened to
// `limit` bytes: a driver's reply quoted in a report.
std::string ShownJson(const nlohmann::json& j, std::size_t limit = 300);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_KEPT_VALUE_H_
