// expectations.h: per-implementation known failures, so a known gap does not fail the run.
//
// conformance/expectations/<implementation>.txt lists, one line each, the cases that
// implementation is known to fail and how they fail:
//
//   # pypy3 formats this message differently.
//   inet.aton.two_part_shorthand fail@2: OSError: illegal IP address string
//   timeout.recv.times_out hang@4
//   netdb.if_nameindex unsupported
//
// A line is `<case id> <verdict>[@<step>][: <actual outcome>]`: the verdict (fail, crash,
// hang, unsupported, divergence, unstable), optionally where (a step number, `begin` or
// `end`) and what the step did, exactly as the report prints it (omit it when it carries
// ports or descriptors). The report prints a ready-made line for every unlisted failure.
// A listed case that passes is an "unexpected pass", and one that fails differently is
// reported too, so the file cannot silently rot.
#ifndef SOCKREF_CONFORMANCE_RUNNER_EXPECTATIONS_H_
#define SOCKREF_CONFORMANCE_RUNNER_EXPECTATIONS_H_

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/runner/verdict.h"

namespace sockref::conformance::runner {

// ExpectationsError is a malformed expectations file; what() is "file:line: problem".
class ExpectationsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// KnownFailure is one line of an expectations file.
struct KnownFailure {
  std::string case_id;
  VerdictKind kind = VerdictKind::kFail;
  std::optional<std::string> where;   // "3", "begin", "end"; nullopt: anywhere
  std::optional<std::string> actual;  // nullopt: any outcome
  int line = 0;
};

// ExpectationMatch is how a verdict relates to the file.
enum class ExpectationMatch {
  kNotListed,       // the case is not in the file
  kAsListed,        // it fails exactly as listed: not counted as a failure
  kUnexpectedPass,  // listed, but it passes now: remove the line
  kDifferently,     // listed, but it fails another way now: update the line
};

// MatchName returns "not listed", "as listed", "unexpected pass" or "fails differently".
const char* MatchName(ExpectationMatch m);

// Signature returns how `v` is written in an expectations file: "fail@3: b'x'",
// "unsupported", "hang@end: ...". `steps` is the case's step count. REQUIRES: v is not kPass.
std::string Signature(const Verdict& v, std::size_t steps);

class Expectations {
 public:
  Expectations() = default;

  // Parse reads `text` as the file `path` (for messages). Throws ExpectationsError on a
  // malformed line or a case listed twice.
  static Expectations Parse(std::string_view path, std::string_view text);
  // Load reads and parses the file at `path`; a missing file means no known failures.
  static Expectations Load(const std::string& path);

  // Find returns the entry for `case_id`, or nullptr.
  const KnownFailure* Find(const std::string& case_id) const;
  // Match relates the verdict of case `case_id` (of `steps` steps) to the file.
  ExpectationMatch Match(const std::string& case_id, const Verdict& v, std::size_t steps) const;
  // Unknown returns the entries naming no case of `cases` (renamed or deleted cases).
  std::vector<KnownFailure> Unknown(const std::vector<Case>& cases) const;

  // ListedAs returns the entries of verdict `kind`, in case-id order.
  std::vector<KnownFailure> ListedAs(VerdictKind kind) const;

  const std::string& path() const { return path_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::string path_;
  std::map<std::string, KnownFailure> entries_;
};

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_EXPECTATIONS_H_
