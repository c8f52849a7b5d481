// html.h: the conformance matrix as one self-contained HTML page.
//
//   Matrix m = MatrixFromResults(results_json);
//   std::ofstream out("docs/conformance-matrix.html");
//   WriteHtmlMatrix(out, m, {.source_prefix = "../"});
//
// Everything is inline (CSS, script, data), so the page reads offline, from a file, and can be
// mailed or attached to an issue. The tables are static HTML, readable without script; the
// script adds filters (area, implementation, verdict, "implementations differ", case id text),
// kept in the address's #fragment so a filtered view can be linked, and sorting by any column
// within each area. A cell that is not a pass opens to its first differing step and both
// outcomes.
#ifndef SOCKREF_CONFORMANCE_REPORT_MATRIX_HTML_H_
#define SOCKREF_CONFORMANCE_REPORT_MATRIX_HTML_H_

#include <ostream>
#include <string>

#include "conformance/report/matrix/matrix.h"

namespace sockref::conformance::matrix {

// WriteHtmlMatrix writes `m` as one HTML document to `out`.
void WriteHtmlMatrix(std::ostream& out, const Matrix& m, const PageOptions& options = {});

// HtmlEscape returns `text` with &, <, >, " and ' replaced by character references.
std::string HtmlEscape(const std::string& text);

}  // namespace sockref::conformance::matrix

#endif  // SOCKREF_CONFORMANCE_REPORT_MATRIX_HTML_H_
