#include "conformance/report/text_report.h"

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "conformance/language/ast.h"
#include "conformance/report/verdict_counts.h"
#include "conformance/runner/run_status.h"

namespace sockref::conformance::report {
namespace {

using namespace runner;
using nlohmann::json;

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

int Get(const VerdictCounts& c, VerdictKind k) { return c.kinds.count(k) ? c.kinds.at(k) : 0; }

std::string CountsRow(const std::string& label, const VerdictCounts& c, bool oracle) {
  std::string row =
      Format("  %-24s %5d %5d %5d %5d %5d %5d %5d %5d", label.c_str(), c.Get(VerdictKind::kPass),
             c.Get(VerdictKind::kFail), c.Get(VerdictKind::kCrash), c.Get(VerdictKind::kHang),
             c.Get(VerdictKind::kUnsupported), c.Get(VerdictKind::kUnavailable),
             c.Get(VerdictKind::kNotRun),
             c.Get(VerdictKind::kNotApplicable));
  if (oracle) {
    row += Format("  %7s %8s %7d %8d", "-", "-", c.Get(VerdictKind::kDivergence),
                  c.Get(VerdictKind::kUnstable));
  } else {
    row += Format("  %7d %8d %7s %8s", c.agree, c.disagree, "-", "-");
  }
  row += Format(" %5d %6d %6d %5d\n", c.known, c.unexpected_pass, c.differently, c.leaks);
  return row;
}

std::string Header(const char* title) {
  return Format("%-26s %5s %5s %5s %5s %5s %5s %5s %5s  %7s %8s %7s %8s %5s %6s %6s %5s\n",
                title, "pass", "fail", "crash", "hang", "unsup", "unav", "norun", "n/a", "agree",
                "disagree", "table", "unstable", "known", "unexp", "differ", "leaks");
}

std::string Location(const Case& c) { return c.file + ":" + std::to_string(c.line); }

void WriteDifference(std::ostream& out, const Case& c, const Difference& d,
                     const char* expected_label, const char* actual_label) {
  out << "    " << StepLabel(d, c.steps.size());
  if (d.step >= 1 && d.step <= static_cast<int>(c.steps.size())) {
    out << ", line " << d.line << ": " << d.source;
  }
  out << "\n";
  out << "      " << expected_label << d.expected << "\n";
  out << "      " << actual_label << d.actual << "\n";
  if (!d.note.empty()) out << "      why:      " << d.note << "\n";
}

std::string Describe(const ImplementationInfo& info) {
  if (!info.available) return "UNAVAILABLE: " + info.unavailable_reason;
  const json& h = info.hello;
  auto text = [&](const char* key) {
    return h.contains(key) && h[key].is_string() ? h[key].get<std::string>() : std::string("?");
  };
  std::string s = info.is_oracle ? "oracle; " : "";
  s += text("implementation") + " " + text("version");
  if (h.contains("interpreter") && h["interpreter"].is_string())
    s += " (" + text("interpreter") + ")";
  if (h.contains("module")) s += ", module " + text("module");
  if (h.contains("module_version") && h["module_version"].is_string()) {
    s += " " + text("module_version");
  }
  s += "; judged at Python " + ToString(info.version) + " (" + info.version_source + ")";
  s += Format("; %d driver%s", info.drivers, info.drivers == 1 ? "" : "s");
  if (info.restarts > 0) s += Format(", %d restarted", info.restarts);
  return s;
}

// AreasOf returns the areas of the run's cases.
std::set<std::string> AreasOf(const RunResults& results) {
  std::set<std::string> areas;
  for (const CaseResult& c : results.cases) areas.insert(c.area);
  return areas;
}

// WriteRecordedDivergences lists the documentation divergences the case table already
// records (`divergence:` lines): the case expects what CPython does, and the note says
// how the documentation's text differs. Cases the oracle itself flagged above are not
// repeated.
void WriteRecordedDivergences(std::ostream& out, const RunResults& results) {
  bool header = false;
  for (const CaseResult& c : results.cases) {
    if (c.c->divergence.empty()) continue;
    auto it = c.results.find(results.oracle);
    if (it != c.results.end() && it->second.verdict.kind == VerdictKind::kDivergence) continue;
    if (!header) {
      out << "\nDOCUMENTATION DIVERGENCES RECORDED IN THE CASE TABLE (the case expects what "
             "CPython does; the note says how the documentation differs)\n";
      header = true;
    }
    out << "  " << c.c->id << "  (" << Location(*c.c) << ")\n    " << c.c->divergence << "\n";
  }
}

// WriteHeading writes the run's first line and each implementation with what its hello said.
void WriteHeading(std::ostream& out, const RunResults& results) {
  out << "sockref conformance: " << results.cases.size() << " cases in " << AreasOf(results).size()
      << (AreasOf(results).size() == 1 ? " area" : " areas") << " on "
      << results.implementations.size() << " implementations; oracle: "
      << (results.oracle.empty() ? "none chosen (judged against the documentation)"
                                 : results.oracle)
      << "\n\nImplementations\n";
  for (const ImplementationInfo& info : results.implementations) {
    out << Format("  %-16s ", info.name.c_str()) << Describe(info) << "\n";
  }
}

// WriteCountTables writes the counts by area and by implementation.
void WriteCountTables(std::ostream& out, const RunResults& results) {
  std::map<std::string, std::map<std::string, VerdictCounts>> by_area;  // area -> impl -> counts
  std::map<std::string, VerdictCounts> by_impl;
  for (const CaseResult& c : results.cases) {
    for (const auto& [name, r] : c.results) {
      by_area[c.area][name].Add(r);
      by_impl[name].Add(r);
    }
  }
  out << "\n" << Header("By area");
  for (const auto& [area, impls] : by_area) {
    out << "  " << area << "\n";
    for (const ImplementationInfo& info : results.implementations) {
      auto it = impls.find(info.name);
      if (it != impls.end()) out << CountsRow("  " + info.name, it->second, info.is_oracle);
    }
  }
  out << "\n" << Header("By implementation");
  for (const ImplementationInfo& info : results.implementations) {
    out << CountsRow(info.name, by_impl[info.name], info.is_oracle);
  }
}

// WriteOracleFindings writes where the table and CPython part ways, and where CPython's two runs
// differed: both are failures, since the table is the specification and the oracle confirms it.
void WriteOracleFindings(std::ostream& out, const RunResults& results) {
  for (VerdictKind kind : {VerdictKind::kDivergence, VerdictKind::kUnstable}) {
    const bool divergence = kind == VerdictKind::kDivergence;
    bool header = false;
    for (const CaseResult& c : results.cases) {
      auto it = c.results.find(results.oracle);
      if (it == c.results.end() || it->second.verdict.kind != kind) continue;
      if (!header) {
        out << (divergence ? "\nTABLE VS CPYTHON (a failure: CPython does other than the table "
                             "says; fix the table, or record the difference; the others are "
                             "compared with what CPython did)\n"
                           : "\nORACLE UNSTABLE (a failure: CPython's two runs differ, so the "
                             "case confirms nothing; the others are compared with the table)\n");
        header = true;
      }
      out << "  " << c.c->id << "  (" << Location(*c.c) << ")\n";
      if (it->second.verdict.difference) {
        WriteDifference(out, *c.c, *it->second.verdict.difference, divergence ? "table:   " : "",
                        divergence ? "CPython: " : "");
      }
      if (!c.c->divergence.empty()) out << "    noted in the case: " << c.c->divergence << "\n";
    }
  }
  WriteRecordedDivergences(out, results);
}

// Compared says whether a verdict compared anything: unavailable and not-run results are listed
// per implementation (WriteNotCompared), not per case.
bool Compared(VerdictKind k) { return k != VerdictKind::kUnavailable && k != VerdictKind::kNotRun; }

// WriteFailure writes one result that is not a pass.
void WriteFailure(std::ostream& out, const std::string& impl, const CaseResult& c,
                  const ImplResult& r) {
  const std::string tag = r.expectation == ExpectationMatch::kNotListed
                              ? ""
                              : std::string("  [") + MatchName(r.expectation) + "]";
  std::string what = r.expectation == ExpectationMatch::kUnexpectedPass
                         ? "PASS"
                         : std::string(VerdictName(r.verdict.kind));
  for (char& ch : what) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  out << "  " << what << " " << impl << "  " << c.c->id << "  (" << Location(*c.c) << ")" << tag
      << "\n";
  if (r.verdict.difference) {
    WriteDifference(out, *c.c, *r.verdict.difference, "expected: ", "actual:   ");
  } else if (!r.verdict.detail.empty()) {
    out << "    " << r.verdict.detail << "\n";
  }
  if (r.expectation == ExpectationMatch::kUnexpectedPass) {
    out << "    listed in the expectations file but passes: remove its line\n";
  } else if (r.expectation != ExpectationMatch::kAsListed) {
    out << "    expectations line: " << c.c->id << " " << Signature(r.verdict, c.c->steps.size())
        << "\n";
  }
}

// WriteFailures lists every result that is not a pass, with its first differing step: those the
// expectations files list are tagged and do not count.
void WriteFailures(std::ostream& out, const RunResults& results) {
  out << "\nFAILURES\n";
  int listed = 0;
  for (const ImplementationInfo& info : results.implementations) {
    for (const CaseResult& c : results.cases) {
      const ImplResult& r = c.results.at(info.name);
      // n/a is not a failure: the versions or the machine left nothing to ask.
      const bool failed = r.verdict.kind != VerdictKind::kPass &&
                          r.verdict.kind != VerdictKind::kNotApplicable && Compared(r.verdict.kind);
      if (!failed && r.expectation != ExpectationMatch::kUnexpectedPass) continue;
      ++listed;
      WriteFailure(out, info.name, c, r);
    }
  }
  if (listed == 0) out << "  none\n";
}

// WriteNotCompared says, per implementation, how many cases were not compared at all and why.
void WriteNotCompared(std::ostream& out, const RunResults& results) {
  bool header = false;
  for (const ImplementationInfo& info : results.implementations) {
    std::map<VerdictKind, std::pair<int, std::string>> missed;  // kind -> count, first detail
    for (const CaseResult& c : results.cases) {
      const ImplResult& r = c.results.at(info.name);
      if (Compared(r.verdict.kind) || !CountsAsFailure(r)) continue;
      auto& [count, detail] = missed[r.verdict.kind];
      if (count++ == 0) detail = r.verdict.detail;
    }
    for (const auto& [kind, entry] : missed) {
      if (!header) out << "\nNOT COMPARED (failures: nothing was compared)\n";
      header = true;
      out << "  " << info.name << ": " << VerdictName(kind) << " for " << entry.first
          << (entry.first == 1 ? " case: " : " cases: ") << entry.second << "\n";
    }
  }
}

// WriteStaleExpectations lists expectations lines naming cases that no longer exist.
void WriteStaleExpectations(std::ostream& out, const RunResults& results) {
  for (const auto& [name, stale] : results.stale_expectations) {
    out << "\nSTALE EXPECTATIONS for " << name << " (these cases no longer exist)\n";
    for (const KnownFailure& k : stale) out << "  line " << k.line << ": " << k.case_id << "\n";
  }
}

// WriteResult writes the wall time and the run's one-line verdict.
void WriteResult(std::ostream& out, const RunResults& results) {
  const int failures = FailureCount(results);
  out << Format("\nWall time: %.1f s (SOCKREF_TIME_MULTIPLIER %g)\n", results.wall_seconds,
                results.multiplier);
  if (failures == 0) {
    out << "Result: OK\n";
  } else {
    out << "Result: FAILED, " << failures << (failures == 1 ? " problem" : " problems")
        << " not covered by expectations files: " << FailureSummary(results) << "\n";
  }
}

// WriteLeftOut names the implementations a pattern chose that could not start here.
void WriteLeftOut(std::ostream& out, const RunResults& results) {
  if (results.left_out.empty()) return;
  out << "\nLEFT OUT (chosen by an --impl pattern, cannot start on this machine: not run)\n";
  for (const auto& [name, reason] : results.left_out) out << "  " << name << ": " << reason << "\n";
}

// WriteMachineLacks says which cases nobody could run here because the machine lacks what
// they need (machine_capabilities.h): not failures, and not passes either.
void WriteMachineLacks(std::ostream& out, const RunResults& results) {
  std::map<std::string, int> cases_by_reason;
  for (const CaseResult& c : results.cases) {
    for (const auto& [name, r] : c.results) {
      if (r.verdict.kind == VerdictKind::kNotApplicable &&
          r.verdict.detail.rfind("this machine lacks ", 0) == 0) {
        ++cases_by_reason[r.verdict.detail];
        break;
      }
    }
  }
  if (cases_by_reason.empty()) return;
  out << "\nNOT APPLICABLE ON THIS MACHINE (n/a: neither passed nor failed)\n";
  for (const auto& [reason, count] : cases_by_reason) {
    out << "  " << count << (count == 1 ? " case: " : " cases: ") << reason << "\n";
  }
}

}  // namespace

void WriteTextReport(std::ostream& out, const RunResults& results) {
  WriteHeading(out, results);
  WriteCountTables(out, results);
  WriteOracleFindings(out, results);
  WriteFailures(out, results);
  WriteNotCompared(out, results);
  WriteMachineLacks(out, results);
  WriteLeftOut(out, results);
  WriteStaleExpectations(out, results);
  WriteResult(out, results);
}

}  // namespace sockref::conformance::report
