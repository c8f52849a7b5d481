// pattern_parser.h: expectation lines (CASES.md, "Expectations"): value patterns with
// captures, and exceptions by message or errno name. Internal to //conformance/language.
//
//   Expected e = ParseExpectation("('127.0.0.1', $port:int)", "expected a value");
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_PATTERN_PARSER_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_PATTERN_PARSER_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/lexer.h"

namespace sockref::conformance::language_internal {

// ParseExpectation reads a value pattern or an exception line (`| ` already removed); when the
// line is neither, fails with `generic_error` and the line. Throws LineError.
Expected ParseExpectation(std::string_view line, std::string_view generic_error);

// kMaxCaseSeconds is the longest delay or duration a case may state.
inline constexpr double kMaxCaseSeconds = 600;

// ParseSeconds reads a number of seconds from 0 to kMaxCaseSeconds from tokens[pos]; `what`
// names it in the error. Throws LineError.
double ParseSeconds(const std::vector<Token>& tokens, std::size_t pos, std::string_view what);

// ForEachCapture calls `f` with each capture of `p` and its path from the outside in.
void ForEachCapture(const Pattern& p, std::vector<std::size_t>& path,
                    const std::function<void(const Pattern&, const std::vector<std::size_t>&)>& f);

}  // namespace sockref::conformance::language_internal

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_PATTERN_PARSER_H_
