// markdown.h: the conformance matrix as a Markdown page (GitHub-flavoured tables).
//
//   Matrix m = MatrixFromResults(results_json);
//   std::ofstream out("docs/conformance-matrix.md");
//   WriteMarkdownMatrix(out, m, {.source_prefix = "../"});
//
// The page has, in order: provenance and a legend; the implementations as their drivers
// introduced themselves; totals per implementation; totals per area; the matrix itself, one
// table per area (cases × implementations); every divergence with its first differing step
// and both outcomes; what is unsupported where; stale expectation lines.
#ifndef SOCKREF_CONFORMANCE_REPORT_MATRIX_MARKDOWN_H_
#define SOCKREF_CONFORMANCE_REPORT_MATRIX_MARKDOWN_H_

#include <ostream>
#include <string>

#include "conformance/report/matrix/matrix.h"

namespace sockref::conformance::matrix {

// WriteMarkdownMatrix writes `m` as one Markdown document to `out`.
void WriteMarkdownMatrix(std::ostream& out, const Matrix& m, const PageOptions& options = {});

}  // namespace sockref::conformance::matrix

#endif  // SOCKREF_CONFORMANCE_REPORT_MATRIX_MARKDOWN_H_
