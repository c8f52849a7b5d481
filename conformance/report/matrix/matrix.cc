#include "conformance/report/matrix/matrix.h"

#include <algorithm>

namespace sockref::conformance::matrix {
namespace {

using nlohmann::json;

// Member returns results[key], throwing MatrixError when it is absent or not of the type
// `is` checks; `where` names the enclosing part for the message.
const json& Member(const json& object, const char* key, bool (json::*is)() const noexcept,
                   const char* type, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || !(object[key].*is)()) {
    throw MatrixError(where + ": expected \"" + key + "\" to be " + type);
  }
  return object[key];
}

std::string String(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int Int(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

bool Bool(const json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

bool KnownVerdict(const std::string& v) {
  return std::any_of(std::begin(kVerdicts), std::end(kVerdicts),
                     [&](const char* k) { return v == k; });
}

MatrixTotals EmptyTotals() {
  MatrixTotals t;
  for (const char* v : kVerdicts) t.verdicts[v] = 0;
  return t;
}

void Add(MatrixTotals& t, const MatrixCell& c) {
  ++t.cases;
  ++t.verdicts[c.verdict];
  if (c.agrees) ++(*c.agrees ? t.agree : t.disagree);
  t.listed += c.Listed();
  t.unexpected += c.expectation == "unexpected pass" || c.expectation == "fails differently";
  t.failures += c.counts_as_failure;
}

// ShortPath turns a path in Bazel's output tree (".../execroot/<ws>/bazel-out/k8-fastbuild/bin/x")
// into "bazel-bin/x": the rest names one machine's cache, not the program.
// FileName returns the last component of `path`: the page names an interpreter ("python3",
// "pypy3") beside its version, never where it lives (a home directory, a build tree).
std::string FileName(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

MatrixColumn ColumnFromJson(const json& j, std::size_t index) {
  const std::string where = "implementations[" + std::to_string(index) + "]";
  MatrixColumn c;
  c.name = Member(j, "name", &json::is_string, "a string", where).get<std::string>();
  c.description = String(j, "description");
  c.oracle = Bool(j, "oracle");
  c.available = Bool(j, "available");
  c.unavailable_reason = String(j, "unavailable_reason");
  const json hello = j.value("hello", json::object());
  c.implementation = String(hello, "implementation");
  c.version = String(hello, "version");
  c.module = String(hello, "module");
  c.module_version = String(hello, "module_version");
  c.interpreter = FileName(String(hello, "interpreter"));
  c.concurrency = String(hello, "concurrency");
  c.drivers = Int(j, "drivers");
  c.restarts = Int(j, "restarts");
  return c;
}

MatrixCell CellFromJson(const json& j, const std::string& where) {
  MatrixCell c;
  c.verdict = Member(j, "verdict", &json::is_string, "a string", where).get<std::string>();
  if (!KnownVerdict(c.verdict)) throw MatrixError(where + ": unknown verdict '" + c.verdict + "'");
  c.expectation = String(j, "expectation");
  if (c.expectation.empty()) c.expectation = "not listed";
  c.counts_as_failure = Bool(j, "counts_as_failure");
  if (j.contains("agrees") && j["agrees"].is_boolean()) c.agrees = j["agrees"].get<bool>();
  c.step = String(j, "step");
  c.line = Int(j, "line");
  c.source = String(j, "source");
  c.expected = String(j, "expected");
  c.actual = String(j, "actual");
  c.note = String(j, "note");
  c.detail = String(j, "detail");
  c.signature = String(j, "signature");
  return c;
}

}  // namespace

bool MatrixCell::Diverges() const {
  return verdict == "fail" || verdict == "crash" || verdict == "hang" || verdict == "divergence" ||
         verdict == "unstable" || expectation == "unexpected pass";
}

int MatrixTotals::Count(const std::string& verdict) const {
  auto it = verdicts.find(verdict);
  return it == verdicts.end() ? 0 : it->second;
}

int Matrix::CaseCount() const {
  int n = 0;
  for (const MatrixArea& a : areas) n += static_cast<int>(a.rows.size());
  return n;
}

int Matrix::Column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Matrix MatrixFromResults(const json& results) {
  if (!results.is_object()) throw MatrixError("results: expected a JSON object");
  Matrix m;
  const json& impls = Member(results, "implementations", &json::is_array, "an array", "results");
  for (std::size_t i = 0; i < impls.size(); ++i) {
    m.columns.push_back(ColumnFromJson(impls[i], i));
    if (m.columns.back().oracle) m.oracle = m.columns.back().name;
  }
  if (results.contains("wall_seconds") && results["wall_seconds"].is_number()) {
    m.wall_seconds = results["wall_seconds"].get<double>();
  }
  if (results.contains("multiplier") && results["multiplier"].is_number()) {
    m.multiplier = results["multiplier"].get<double>();
  }
  m.failures = Int(results, "failures");
  if (results.contains("stale_expectations") && results["stale_expectations"].is_object()) {
    for (const auto& [name, ids] : results["stale_expectations"].items()) {
      for (const json& id : ids) {
        if (id.is_string()) m.stale_expectations[name].push_back(id.get<std::string>());
      }
    }
  }

  std::map<std::string, MatrixArea> areas;
  const json& cases = Member(results, "cases", &json::is_array, "an array", "results");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string where = "cases[" + std::to_string(i) + "]";
    const json& c = cases[i];
    MatrixRow row;
    row.id = Member(c, "id", &json::is_string, "a string", where).get<std::string>();
    const std::string area =
        Member(c, "area", &json::is_string, "a string", where).get<std::string>();
    row.file = String(c, "file");
    row.line = Int(c, "line");
    row.divergence_note = String(c, "divergence_note");
    const json& per_impl = Member(c, "results", &json::is_object, "an object", where);
    for (const MatrixColumn& col : m.columns) {
      auto it = per_impl.find(col.name);
      // A case without a result for a chosen implementation was not run there.
      row.cells.push_back(it == per_impl.end() ? MatrixCell{}
                                               : CellFromJson(*it, where + ".results." + col.name));
    }
    MatrixArea& a = areas[area];
    a.name = area;
    a.rows.push_back(std::move(row));
  }
  m.totals.assign(m.columns.size(), EmptyTotals());
  for (auto& [name, area] : areas) {
    area.totals.assign(m.columns.size(), EmptyTotals());
    for (const MatrixRow& row : area.rows) {
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        Add(area.totals[i], row.cells[i]);
        Add(m.totals[i], row.cells[i]);
      }
    }
    m.areas.push_back(std::move(area));
  }
  return m;
}

std::string StepMark(const MatrixCell& cell) {
  if (cell.step.empty()) return "";
  const std::string prefix = "step ";
  if (cell.step.compare(0, prefix.size(), prefix) == 0) {
    return " @" + cell.step.substr(prefix.size());
  }
  return " @" + cell.step;
}

const char* VerdictSymbol(const std::string& verdict) {
  if (verdict == "pass") return "✓";
  if (verdict == "fail") return "✗";
  if (verdict == "crash") return "!";
  if (verdict == "hang") return "◷";
  if (verdict == "unsupported") return "–";
  if (verdict == "unavailable") return "·";
  if (verdict == "divergence") return "≠";
  if (verdict == "unstable") return "?";
  if (verdict == "not run") return "⊘";
  if (verdict == "n/a") return "∘";
  return "?";
}

std::string VerdictToken(const std::string& verdict) {
  if (verdict == "n/a") return "na";
  if (verdict == "not run") return "notrun";
  return verdict;
}

const char* VerdictLabel(const std::string& verdict) {
  for (const char* v : kVerdicts) {
    if (verdict == v) return v;
  }
  return "?";
}

std::string Shorten(const std::string& text, std::size_t max) {
  std::string out = text;
  for (char& ch : out) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  if (out.size() <= max) return out;
  std::size_t cut = max;
  // Step back over UTF-8 continuation bytes so a character is never split.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "…";
}

std::vector<HistoryEntry> HistoryFromJson(const nlohmann::json& history) {
  if (!history.is_array()) throw MatrixError("the version history is not a JSON array");
  std::vector<HistoryEntry> out;
  auto text = [](const nlohmann::json& e, const char* key) {
    const nlohmann::json& v = e.value(key, nlohmann::json());
    return v.is_string() ? v.get<std::string>() : std::string();
  };
  for (const nlohmann::json& e : history) {
    if (!e.is_object() || !e.value("version", nlohmann::json()).is_string() ||
        !e.value("case", nlohmann::json()).is_string()) {
      throw MatrixError("a version history entry lacks \"version\" or \"case\"");
    }
    out.push_back({text(e, "version"), text(e, "case"), text(e, "where"), text(e, "step"),
                   text(e, "before"), text(e, "after")});
  }
  return out;
}

}  // namespace sockref::conformance::matrix
