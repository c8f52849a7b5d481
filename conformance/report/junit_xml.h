// junit_xml.h: the differential run's results as JUnit XML, for any CI that reads test reports
// (report --junit FILE, matrix --junit FILE).
//
//   nlohmann::json results = ResultsWithDescriptions(run, registry);   // results_json.h
//   std::ofstream out("conformance.xml");
//   WriteJUnitXml(out, results);
//
// One <testsuite> per implementation, one <testcase> per case and implementation
// (classname = the implementation, name = the case id, file and line = where the case is):
//   * a result that fails the run (CountsAsFailure: a failure no expectations file lists, an
//     unexpected pass, a listed failure that now fails otherwise) is a <failure> whose type is
//     the verdict and whose text has the first differing step and both outcomes;
//   * a result the run does not judge is <skipped> with the reason: `n/a` (the case states no
//     behaviour of the implementation's Python version), and a failure listed in the
//     implementation's expectations file, which also carries <property name="expectation"
//     value="as listed"/> and the difference in <system-out>, so a known failure is never
//     mistaken for a pass;
//   * a pass is a bare <testcase>.
// Each stale expectations line (a case that no longer exists) is one more failing testcase, so
// the document's failure count is the run's (report's "Result:" line, the exit status).
#ifndef SOCKREF_CONFORMANCE_REPORT_JUNIT_XML_H_
#define SOCKREF_CONFORMANCE_REPORT_JUNIT_XML_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace sockref::conformance::report {

// WriteJUnitXml writes `results`, in ResultsToJson's shape (results_json.h), as one JUnit XML
// document. Members it does not find are taken as empty, so saved results of an older run
// (matrix --from-json) still give a document. The output is well-formed XML 1.0 for any input:
// every string goes through XmlEscape.
void WriteJUnitXml(std::ostream& out, const nlohmann::json& results);

// WriteJUnitFile writes WriteJUnitXml's document to `path`. Returns false when the file cannot
// be written.
bool WriteJUnitFile(const std::string& path, const nlohmann::json& results);

// XmlEscape returns `text` as XML 1.0 character data, or as an attribute value when
// `attribute`: `& < > " '` become references; invalid UTF-8 (and U+FFFE, U+FFFF) becomes U+FFFD;
// a control character XML cannot hold at all (below 0x20 but tab, newline and carriage return)
// becomes the visible text `\x01`, as Python's repr() writes it; in an attribute, tab, newline and
// carriage return become character references, which attribute-value normalization would
// otherwise turn into spaces.
std::string XmlEscape(std::string_view text, bool attribute = false);

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_JUNIT_XML_H_
