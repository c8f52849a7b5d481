// case_parser.h: reads `.cases` files (the language is CASES.md) into `Case`s.
//
// The runner parses the case table once, up front; a malformed file stops it with one line
// that says where and what was expected:
//
//   try {
//     std::vector<Case> cases = ParseCaseFiles({"conformance/cases/inet.cases",
//                                               "conformance/cases/timeouts.cases"});
//   } catch (const CaseParseError& e) {
//     // e.what(): "conformance/cases/timeouts.cases:42: expected an expectation line, a '>>>'
//     //            step or a new 'case', got 'elapsed 0.1'"
//   }
//
// Parsing checks everything that can be checked without running a case: the syntax of each
// line, that names are bound before use, that case variables do not shadow socket module
// names, capture rules, capability names, errno names, and the uniqueness of case ids. What a
// case *means* (its AST and expectations) is ast.h.
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_CASE_PARSER_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_CASE_PARSER_H_

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/language/ast.h"

namespace sockref::conformance {

// CaseParseError is the one error the parser raises. what() is "file:line: message" (or
// "file: message" when no line applies, such as an unreadable file).
class CaseParseError : public std::runtime_error {
 public:
  CaseParseError(std::string file, int line, std::string message);
  const std::string& file() const { return file_; }
  // line returns the 1-based line, or 0 for errors about the whole file.
  int line() const { return line_; }
  // message returns what() without the "file:line: " prefix.
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  std::string message_;
};

// CaseFile is one parsed file. `area` is its file name without directory and ".cases"; every
// case id in it starts with "<area>.".
struct CaseFile {
  std::string path;
  std::string area;
  std::vector<Case> cases;
};

// ParseCaseText parses `text` as the contents of the case file `path` (used for the area and
// in messages; not opened). Throws CaseParseError at the first malformed line.
CaseFile ParseCaseText(std::string_view path, std::string_view text);

// ParseCaseFile reads and parses the file at `path`. Throws CaseParseError when the file
// cannot be read or is malformed.
CaseFile ParseCaseFile(const std::string& path);

// ParseCaseFiles parses each file and returns all their cases in order. Throws CaseParseError
// as ParseCaseFile does, and when two cases (in any files) share an id or a test name
// (TestNameForCaseId).
std::vector<Case> ParseCaseFiles(const std::vector<std::string>& paths);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_CASE_PARSER_H_
