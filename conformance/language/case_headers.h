// case_headers.h (private to case_parser): the lines of a case that are parsed on their own,
// without the parser's state: a `doc:` line's seed and fragment, a `needs:` line's capability
// names, and the `[<versions>] ` qualifier of an expectation line. Each fails with
// language_internal::Fail (LineError), to which the file parser adds "file:line: ".
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_CASE_HEADERS_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_CASE_HEADERS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/language/ast.h"

namespace sockref::conformance::language_internal {

// ParseDocRef reads what follows `doc:` (`002 "fragment"`), on source line `line`.
DocRef ParseDocRef(std::string_view rest, int line);

// AddNeeds appends the capability names that follow `needs:` (`ipv6, unix # why`) to `needs`;
// an unknown name or one already in `needs` fails.
void AddNeeds(std::string_view rest, std::vector<std::string>& needs);

// VersionRangeError is the message for `text`, found `where`, that is no version range.
std::string VersionRangeError(std::string_view text, std::string_view where);

// VersionQualifierEnd returns the length of a leading "[<versions>] " (the bracket and the
// spaces after it), 0 when `line` does not start with one. A list value such as [1, 2] or
// [3.6] alone is not a qualifier: one is followed by an expectation.
std::size_t VersionQualifierEnd(std::string_view line);

}  // namespace sockref::conformance::language_internal

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_CASE_HEADERS_H_
