#include "conformance/runner/expectations.h"

#include <fstream>
#include <set>
#include <sstream>
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<VerdictKind> KindFromName(std::string_view name) {
  for (VerdictKind k :
       {VerdictKind::kFail, VerdictKind::kCrash, VerdictKind::kHang, VerdictKind::kUnsupported,
        VerdictKind::kUnavailable, VerdictKind::kDivergence, VerdictKind::kUnstable,
        VerdictKind::kNotRun}) {
    if (name == VerdictName(k)) return k;
  }
  return std::nullopt;
}

std::string WhereOf(const Difference& d, std::size_t steps) {
  if (d.step == 0) return "begin";
  if (d.step == static_cast<int>(steps) + 1) return "end";
  return std::to_string(d.step);
}

bool ValidWhere(std::string_view w) {
  if (w == "begin" || w == "end") return true;
  if (w.empty() || w[0] == '0') return false;
  for (char ch : w) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// OneLine keeps an outcome on its entry's line.
std::string OneLine(std::string text) {
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return std::string(Trim(text));
}

}  // namespace

const char* MatchName(ExpectationMatch m) {
  switch (m) {
    case ExpectationMatch::kNotListed:
      return "not listed";
    case ExpectationMatch::kAsListed:
      return "as listed";
    case ExpectationMatch::kUnexpectedPass:
      return "unexpected pass";
    case ExpectationMatch::kDifferently:
      return "fails differently";
  }
  return "?";
}

std::string Signature(const Verdict& v, std::size_t steps) {
  std::string out = VerdictName(v.kind);
  if (!v.difference) return out;
  out += "@" + WhereOf(*v.difference, steps);
  // A crash or hang reads differently each time (pids, stderr); where it happens is enough.
  if (v.kind == VerdictKind::kCrash || v.kind == VerdictKind::kHang) return out;
  return out + ": " + OneLine(v.difference->actual);
}

Expectations Expectations::Parse(std::string_view path, std::string_view text) {
  Expectations out;
  out.path_ = std::string(path);
  int number = 0;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++number;
    auto fail = [&](const std::string& why) {
      throw ExpectationsError(out.path_ + ":" + std::to_string(number) + ": " + why);
    };
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    std::size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos)
      fail("expected '<case id> <verdict>', got '" + std::string(line) + "'");
    KnownFailure entry;
    entry.line = number;
    entry.case_id = std::string(line.substr(0, space));
    std::string_view rest = Trim(line.substr(space));
    std::size_t colon = rest.find(':');
    std::string_view signature = Trim(rest.substr(0, colon));
    if (colon != std::string_view::npos) entry.actual = std::string(Trim(rest.substr(colon + 1)));
    std::size_t at = signature.find('@');
    std::string_view kind = signature.substr(0, at);
    std::optional<VerdictKind> k = KindFromName(kind);
    if (!k) {
      fail("unknown verdict '" + std::string(kind) +
           "' (expected fail, crash, hang, unsupported, divergence or unstable)");
    }
    entry.kind = *k;
    if (at != std::string_view::npos) {
      std::string_view where = signature.substr(at + 1);
      if (!ValidWhere(where)) {
        fail("expected a step number, 'begin' or 'end' after '@', got '" + std::string(where) +
             "'");
      }
      entry.where = std::string(where);
    }
    if (out.entries_.count(entry.case_id) != 0) {
      fail("case " + entry.case_id + " is already listed on line " +
           std::to_string(out.entries_[entry.case_id].line));
    }
    out.entries_[entry.case_id] = std::move(entry);
  }
  return out;
}

Expectations Expectations::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    Expectations none;
    none.path_ = path;
    return none;
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(path, text.str());
}

const KnownFailure* Expectations::Find(const std::string& case_id) const {
  auto it = entries_.find(case_id);
  return it == entries_.end() ? nullptr : &it->second;
}

ExpectationMatch Expectations::Match(const std::string& case_id, const Verdict& v,
                                     std::size_t steps) const {
  const KnownFailure* known = Find(case_id);
  if (known == nullptr) return ExpectationMatch::kNotListed;
  if (v.kind == VerdictKind::kPass) return ExpectationMatch::kUnexpectedPass;
  if (v.kind != known->kind) return ExpectationMatch::kDifferently;
  if (known->where && (!v.difference || WhereOf(*v.difference, steps) != *known->where)) {
    return ExpectationMatch::kDifferently;
  }
  if (known->actual && (!v.difference || OneLine(v.difference->actual) != *known->actual)) {
    return ExpectationMatch::kDifferently;
  }
  return ExpectationMatch::kAsListed;
}

std::vector<KnownFailure> Expectations::ListedAs(VerdictKind kind) const {
  std::vector<KnownFailure> out;
  for (const auto& [id, entry] : entries_) {
    if (entry.kind == kind) out.push_back(entry);
  }
  return out;
}

std::vector<KnownFailure> Expectations::Unknown(const std::vector<Case>& cases) const {
  std::set<std::string> ids;
  for (const Case& c : cases) ids.insert(c.id);
  std::vector<KnownFailure> out;
  for (const auto& [id, entry] : entries_) {
    if (ids.count(id) == 0) out.push_back(entry);
  }
  return out;
}

}  // namespace sockref::conformance::runner
