#include "conformance/runner/report.h"

#include <array>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;

constexpr std::array<VerdictKind, 8> kKinds = {VerdictKind::kPass,        VerdictKind::kFail,
                                               VerdictKind::kCrash,       VerdictKind::kHang,
                                               VerdictKind::kUnsupported, VerdictKind::kUnavailable,
                                               VerdictKind::kDivergence,  VerdictKind::kUnstable};

struct Counts {
  std::map<VerdictKind, int> kinds;
  int agree = 0;
  int disagree = 0;
  int known = 0;  // failing as the expectations file lists
  int unexpected_pass = 0;
  int differently = 0;
  int leaks = 0;     // cases that left descriptors open
  int failures = 0;  // CountsAsFailure

  void Add(const ImplResult& r) {
    ++kinds[r.verdict.kind];
    if (r.agrees) ++(*r.agrees ? agree : disagree);
    known += r.expectation == ExpectationMatch::kAsListed;
    unexpected_pass += r.expectation == ExpectationMatch::kUnexpectedPass;
    differently += r.expectation == ExpectationMatch::kDifferently;
    leaks += r.leaked_descriptors.value_or(0) > 0;
    failures += CountsAsFailure(r);
  }

  json ToJson() const {
    json out;
    for (VerdictKind k : kKinds) out[VerdictName(k)] = kinds.count(k) ? kinds.at(k) : 0;
    out["agree"] = agree;
    out["disagree"] = disagree;
    out["known_failures"] = known;
    out["unexpected_passes"] = unexpected_pass;
    out["fails_differently"] = differently;
    out["leaks"] = leaks;
    out["failures"] = failures;
    return out;
  }
};

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

int Get(const Counts& c, VerdictKind k) { return c.kinds.count(k) ? c.kinds.at(k) : 0; }

std::string CountsRow(const std::string& label, const Counts& c, bool oracle) {
  std::string row =
      Format("  %-24s %5d %5d %5d %5d %5d %5d", label.c_str(), Get(c, VerdictKind::kPass),
             Get(c, VerdictKind::kFail), Get(c, VerdictKind::kCrash), Get(c, VerdictKind::kHang),
             Get(c, VerdictKind::kUnsupported), Get(c, VerdictKind::kUnavailable));
  if (oracle) {
    row += Format("  %7s %8s %7d %8d", "-", "-", Get(c, VerdictKind::kDivergence),
                  Get(c, VerdictKind::kUnstable));
  } else {
    row += Format("  %7d %8d %7s %8s", c.agree, c.disagree, "-", "-");
  }
  row += Format(" %5d %6d %6d %5d\n", c.known, c.unexpected_pass, c.differently, c.leaks);
  return row;
}

std::string Header(const char* title) {
  return Format("%-26s %5s %5s %5s %5s %5s %5s  %7s %8s %7s %8s %5s %6s %6s %5s\n", title, "pass",
                "fail", "crash", "hang", "unsup", "unav", "agree", "disagree", "diverge",
                "unstable", "known", "unexp", "differ", "leaks");
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
  s += Format("; %d driver%s", info.drivers, info.drivers == 1 ? "" : "s");
  if (info.restarts > 0) s += Format(", %d restarted", info.restarts);
  return s;
}

}  // namespace

int FailureCount(const RunResults& results) {
  int n = 0;
  for (const CaseResult& c : results.cases) {
    for (const auto& [name, r] : c.results) n += CountsAsFailure(r);
  }
  for (const auto& [name, stale] : results.stale_expectations) n += static_cast<int>(stale.size());
  return n;
}

int ExitStatus(const RunResults& results) { return FailureCount(results) == 0 ? 0 : 1; }

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

void WriteTextReport(std::ostream& out, const RunResults& results) {
  std::map<std::string, std::map<std::string, Counts>> by_area;  // area -> impl -> counts
  std::map<std::string, Counts> by_impl;
  for (const CaseResult& c : results.cases) {
    for (const auto& [name, r] : c.results) {
      by_area[c.area][name].Add(r);
      by_impl[name].Add(r);
    }
  }
  out << "sockref conformance: " << results.cases.size() << " cases in " << by_area.size()
      << (by_area.size() == 1 ? " area" : " areas") << " on " << results.implementations.size()
      << " implementations; oracle: "
      << (results.oracle.empty() ? "none chosen (judged against the documentation)"
                                 : results.oracle)
      << "\n\nImplementations\n";
  for (const ImplementationInfo& info : results.implementations) {
    out << Format("  %-16s ", info.name.c_str()) << Describe(info) << "\n";
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

  // The oracle's own findings: where the documentation and CPython part ways.
  for (VerdictKind kind : {VerdictKind::kDivergence, VerdictKind::kUnstable}) {
    bool divergence = kind == VerdictKind::kDivergence;
    bool header = false;
    for (const CaseResult& c : results.cases) {
      auto it = c.results.find(results.oracle);
      if (it == c.results.end() || it->second.verdict.kind != kind) continue;
      if (!header) {
        out << (divergence ? "\nDOCUMENTATION DIVERGENCES (CPython does other than the case "
                             "documents; the others are compared with what CPython did)\n"
                           : "\nORACLE UNSTABLE (CPython's two runs differ; the others are "
                             "compared with the documentation)\n");
        header = true;
      }
      out << "  " << c.c->id << "  (" << Location(*c.c) << ")\n";
      if (it->second.verdict.difference) {
        WriteDifference(out, *c.c, *it->second.verdict.difference, divergence ? "documented: " : "",
                        divergence ? "CPython:    " : "");
      }
      if (!c.c->divergence.empty()) out << "    noted in the case: " << c.c->divergence << "\n";
    }
  }
  WriteRecordedDivergences(out, results);

  out << "\nFAILURES\n";
  int listed = 0;
  for (const ImplementationInfo& info : results.implementations) {
    for (const CaseResult& c : results.cases) {
      const ImplResult& r = c.results.at(info.name);
      const VerdictKind k = r.verdict.kind;
      bool failed = k == VerdictKind::kFail || k == VerdictKind::kCrash || k == VerdictKind::kHang;
      if (!failed && r.expectation != ExpectationMatch::kUnexpectedPass) continue;
      ++listed;
      std::string tag = r.expectation == ExpectationMatch::kNotListed
                            ? ""
                            : std::string("  [") + MatchName(r.expectation) + "]";
      std::string what =
          r.expectation == ExpectationMatch::kUnexpectedPass ? "PASS" : std::string(VerdictName(k));
      for (char& ch : what) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out << "  " << what << " " << info.name << "  " << c.c->id << "  (" << Location(*c.c) << ")"
          << tag << "\n";
      if (r.verdict.difference) {
        WriteDifference(out, *c.c, *r.verdict.difference, "expected: ", "actual:   ");
      }
      if (r.expectation == ExpectationMatch::kUnexpectedPass) {
        out << "    listed in the expectations file but passes: remove its line\n";
      } else if (r.expectation != ExpectationMatch::kAsListed) {
        out << "    expectations line: " << c.c->id << " "
            << Signature(r.verdict, c.c->steps.size()) << "\n";
      }
    }
  }
  if (listed == 0) out << "  none\n";

  bool header = false;
  for (const ImplementationInfo& info : results.implementations) {
    for (const CaseResult& c : results.cases) {
      const ImplResult& r = c.results.at(info.name);
      if (r.verdict.kind != VerdictKind::kUnsupported) continue;
      if (!header) out << "\nNOT SUPPORTED (never counted as a pass)\n";
      header = true;
      out << "  " << info.name << "  " << c.c->id << ": ";
      if (r.verdict.difference) {
        out << StepLabel(*r.verdict.difference, c.c->steps.size()) << ": "
            << r.verdict.difference->actual << "\n";
      } else {
        out << r.verdict.detail << "\n";
      }
    }
  }
  for (const auto& [name, stale] : results.stale_expectations) {
    out << "\nSTALE EXPECTATIONS for " << name << " (these cases no longer exist)\n";
    for (const KnownFailure& k : stale) out << "  line " << k.line << ": " << k.case_id << "\n";
  }

  const int failures = FailureCount(results);
  out << Format("\nWall time: %.1f s (SOCKREF_TIME_MULTIPLIER %g)\n", results.wall_seconds,
                results.multiplier);
  if (failures == 0) {
    out << "Result: OK\n";
  } else {
    out << "Result: FAILED, " << failures << (failures == 1 ? " problem" : " problems")
        << " not covered by expectations files\n";
  }
}

json ResultsToJson(const RunResults& results) {
  json out;
  out["wall_seconds"] = results.wall_seconds;
  out["multiplier"] = results.multiplier;
  out["oracle"] = results.oracle.empty() ? json(nullptr) : json(results.oracle);
  json impls = json::array();
  std::map<std::string, Counts> by_impl;
  for (const ImplementationInfo& info : results.implementations) {
    impls.push_back(
        {{"name", info.name},
         {"oracle", info.is_oracle},
         {"available", info.available},
         {"unavailable_reason", info.available ? json(nullptr) : json(info.unavailable_reason)},
         {"hello", info.hello},
         {"drivers", info.drivers},
         {"restarts", info.restarts}});
  }
  out["implementations"] = impls;
  json cases = json::array();
  for (const CaseResult& c : results.cases) {
    json per_impl = json::object();
    for (const auto& [name, r] : c.results) {
      by_impl[name].Add(r);
      json j = {{"verdict", VerdictName(r.verdict.kind)},
                {"expectation", MatchName(r.expectation)},
                {"counts_as_failure", CountsAsFailure(r)},
                {"agrees", r.agrees ? json(*r.agrees) : json(nullptr)},
                {"leaked_fds", r.leaked_descriptors ? json(*r.leaked_descriptors) : json(nullptr)},
                {"seconds", r.seconds},
                {"detail", r.verdict.detail}};
      if (r.verdict.difference) {
        const Difference& d = *r.verdict.difference;
        j["step"] = StepLabel(d, c.c->steps.size());
        j["line"] = d.line;
        j["source"] = d.source;
        j["expected"] = d.expected;
        j["actual"] = d.actual;
        if (r.verdict.kind != VerdictKind::kPass) {
          j["signature"] = Signature(r.verdict, c.c->steps.size());
        }
      }
      per_impl[name] = j;
    }
    cases.push_back(
        {{"id", c.c->id},
         {"test_name", TestNameForCaseId(c.c->id)},
         {"area", c.area},
         {"file", c.c->file},
         {"line", c.c->line},
         {"divergence_note", c.c->divergence.empty() ? json(nullptr) : json(c.c->divergence)},
         {"results", per_impl}});
  }
  json summary = json::object();
  for (const auto& [name, counts] : by_impl) summary[name] = counts.ToJson();
  out["summary"] = summary;
  out["cases"] = cases;
  json stale = json::object();
  for (const auto& [name, entries] : results.stale_expectations) {
    for (const KnownFailure& k : entries) stale[name].push_back(k.case_id);
  }
  out["stale_expectations"] = stale;
  out["failures"] = FailureCount(results);
  return out;
}

}  // namespace sockref::conformance::runner
