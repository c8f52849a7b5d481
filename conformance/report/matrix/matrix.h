// matrix.h: the conformance matrix, cases × implementations, built from a run's results.
//
// The matrix is a view of the report's machine-readable results (report.h's ResultsToJson, the
// file `//conformance:report --json` writes), so it can be drawn from a live run or from a saved
// results file alike:
//
//   Matrix m = MatrixFromResults(ResultsToJson(results));
//   for (const MatrixArea& area : m.areas) {
//     for (const MatrixRow& row : area.rows) ... row.cells[i].verdict ...  // i: m.columns[i]
//   }
//   WriteMarkdownMatrix(out, m);  // markdown.h;  WriteHtmlMatrix(out, m): html.h
//
// A cell is one case on one implementation; its verdict is the runner's (verdict.h): pass,
// fail, crash, hang, unsupported, unavailable, and for the oracle divergence or unstable.
// "unsupported" (a lacking capability or a missing name) is always its own verdict, never a
// pass.
#ifndef SOCKREF_CONFORMANCE_REPORT_MATRIX_MATRIX_H_
#define SOCKREF_CONFORMANCE_REPORT_MATRIX_MATRIX_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sockref::conformance::matrix {

// MatrixError is a results document without the shape ResultsToJson gives it; what() says
// which part.
class MatrixError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The verdict names, in the order the matrix counts them (the report's order).
inline constexpr const char* kVerdicts[] = {"pass",        "fail",        "crash",      "hang",
                                            "unsupported", "unavailable", "divergence", "unstable",
                                            "not run",     "n/a"};

// MatrixColumn is one implementation, as its driver introduced itself.
struct MatrixColumn {
  std::string name;         // the registry name: "pypy3"
  std::string description;  // the registry's description, when the results carry it
  bool oracle = false;
  bool available = false;
  std::string unavailable_reason;  // !available
  std::string implementation;      // hello: "PyPy"
  std::string version;             // hello: "3.9.16"
  std::string module;              // hello: "gevent.socket"
  std::string module_version;      // hello: "22.10.2"
  std::string interpreter;         // hello: the interpreter's file name ("python3"), never
                                   // its directory, which names a user's home or a build tree
  std::string concurrency;         // hello: "threads", "gevent", ...
  int drivers = 0;
  int restarts = 0;  // drivers replaced after crashes and hangs
};

// MatrixCell is one case on one implementation.
struct MatrixCell {
  std::string verdict = "unavailable";  // a name from kVerdicts
  std::string expectation;              // "not listed", "as listed", "unexpected pass",
                                        // "fails differently" (expectations.h)
  bool counts_as_failure = false;       // the run fails because of this cell
  std::optional<bool> agrees;           // did what CPython did; nullopt when unknown
  // Where the verdict was decided: the first differing step, when there is one.
  std::string step;       // "step 3", "begin", "end"; empty when no step is named
  int line = 0;           // its case file line
  std::string source;     // the statement
  std::string expected;   // what it should have done (for the oracle: what the case documents)
  std::string actual;     // what it did
  std::string note;       // why actual is not expected, when the texts do not show it
  std::string detail;     // crash or hang details, the missing capabilities, ...
  std::string signature;  // the expectations-file form: "fail@3: 2"

  // Listed says whether the expectations file lists this very result (a known failure).
  bool Listed() const { return expectation == "as listed"; }
  // Passed says whether the verdict is "pass".
  bool Passed() const { return verdict == "pass"; }
  // Diverges says whether this cell belongs in the list of divergences: the implementation
  // did other than expected (fail, crash, hang; the oracle: divergence, unstable), or passes
  // where the expectations file says it should not.
  bool Diverges() const;
};

// MatrixRow is one case on every implementation; cells follow Matrix::columns.
struct MatrixRow {
  std::string id;
  std::string file;
  int line = 0;
  std::string divergence_note;  // the case's own `divergence:` text, if any
  std::vector<MatrixCell> cells;
};

// MatrixTotals counts cells of one column (over all cases or one area).
struct MatrixTotals {
  int cases = 0;
  std::map<std::string, int> verdicts;  // by verdict name; every kVerdicts name present
  int agree = 0;                        // cells that did what CPython did
  int disagree = 0;                     // cells that did otherwise
  int listed = 0;                       // failures the expectations file lists
  int unexpected = 0;                   // unexpected passes and "fails differently"
  int failures = 0;                     // cells that fail the run (CountsAsFailure)

  int Count(const std::string& verdict) const;
};

// MatrixArea is the cases of one case file, in table order.
struct MatrixArea {
  std::string name;  // "timeouts"
  std::vector<MatrixRow> rows;
  std::vector<MatrixTotals> totals;  // one per column
};

// HistoryEntry is one change the case table records between two consecutive Python versions
// (version_history --json): in `version`, step `step` of case `case_id` went from `before` to
// `after` (both empty when the case itself begins to apply).
struct HistoryEntry {
  std::string version;
  std::string case_id;
  std::string where;
  std::string step;
  std::string before;
  std::string after;
};

// HistoryFromJson reads version_history's --json document. Throws MatrixError on a bad shape.
std::vector<HistoryEntry> HistoryFromJson(const nlohmann::json& history);

struct Matrix {
  std::vector<MatrixColumn> columns;  // in the order chosen for the run
  std::vector<MatrixArea> areas;      // sorted by name
  std::vector<MatrixTotals> totals;   // one per column, over every case
  std::string oracle;                 // the oracle's column name; empty when not run
  double wall_seconds = 0;
  double multiplier = 1;  // SOCKREF_TIME_MULTIPLIER of the run
  int failures = 0;       // results that fail the run, stale expectation lines included
  std::map<std::string, std::vector<std::string>> stale_expectations;  // impl -> case ids
  // Provenance for the page's header, set by whoever draws the matrix: the command line and
  // the date of the run. Empty: not shown.
  std::string command;
  std::string date;
  // The table's version history (matrix --history), shown as its own section; may be empty.
  std::vector<HistoryEntry> history;

  // CaseCount returns the number of rows over all areas.
  int CaseCount() const;
  // Column returns the index of column `name`, or -1.
  int Column(const std::string& name) const;
};

// MatrixFromResults builds the matrix from a results document. Implementations may carry a
// "description" member besides ResultsToJson's. Throws MatrixError when a required member is
// missing or has the wrong type.
Matrix MatrixFromResults(const nlohmann::json& results);

// PageOptions says how a writer (markdown.h, html.h) links the page to the workspace.
struct PageOptions {
  // Prepended to a case's workspace-relative file to link it ("../" for a page in docs/);
  // empty: case locations are shown as text only. Absolute files are never linked.
  std::string source_prefix;
};

// StepMark returns where `cell`'s verdict was decided, as the matrix cells show it: " @3",
// " @begin", " @end"; empty when no step is named.
std::string StepMark(const MatrixCell& cell);

// VerdictSymbol returns the one-character mark the writers show for `verdict`: ✓ pass,
// ✗ fail, ! crash, ◷ hang, – unsupported, · unavailable, ≠ divergence, ? unstable. Each is in
// DejaVu Sans, Debian's default font, so a browser there draws it rather than a missing-glyph
// box (⌛, the obvious hang mark, is in none of Debian's default fonts).
const char* VerdictSymbol(const std::string& verdict);

// VerdictToken returns `verdict` as one word for HTML classes and data attributes ("n/a" is
// "na", "not run" "notrun"; the others are themselves).
std::string VerdictToken(const std::string& verdict);

// VerdictLabel returns how the writers spell `verdict` for people: the report's own name,
// "pass", "fail", ..., "unsupported"; "?" for a name it does not know.
const char* VerdictLabel(const std::string& verdict);

// Shorten returns `text` on one line (newlines become spaces), cut to at most `max` bytes
// (never inside a UTF-8 sequence) with "…" appended when it was longer.
std::string Shorten(const std::string& text, std::size_t max = 400);

}  // namespace sockref::conformance::matrix

#endif  // SOCKREF_CONFORMANCE_REPORT_MATRIX_MATRIX_H_
