#include "conformance/report/junit_xml.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <vector>

namespace sockref::conformance::report {
namespace {

using nlohmann::json;

// Str returns j[key] when it is a string, else "".
std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Bool(const json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

double Number(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0 : s);
  return buf;
}

std::string Attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + XmlEscape(value, /*attribute=*/true) + "\"";
}

// Utf8Length returns the length of the valid UTF-8 sequence starting at text[i] that XML 1.0
// allows, or 0 when there is none (a stray byte, an overlong form, a surrogate, a code point
// past U+10FFFF, U+FFFE or U+FFFF).
std::size_t Utf8Length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  std::size_t n;
  char32_t cp;
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2, cp = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3, cp = b & 0x0F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4, cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  const char32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
      cp == 0xFFFF) {
    return 0;
  }
  return n;
}

// Result is one case on one implementation, as the JSON results give it.
struct Result {
  const json* c;  // the case
  const json* r;  // its result on the implementation
};

enum class Kind { kPass, kFailure, kNotApplicable, kListed };

// Classify says how a result is shown. A result that is not a pass and that nothing explains
// (saved results missing members, say) is a failure: nothing unexplained passes.
Kind Classify(const json& r) {
  const std::string verdict = Str(r, "verdict");
  const std::string expectation = Str(r, "expectation");
  if (Bool(r, "counts_as_failure")) return Kind::kFailure;
  if (verdict == "n/a") return Kind::kNotApplicable;
  if (verdict != "pass" && expectation == "as listed") return Kind::kListed;
  if (verdict == "pass" && (expectation == "not listed" || expectation.empty())) return Kind::kPass;
  return Kind::kFailure;
}

// DifferenceText is the first differing step and both outcomes, as the text report shows them.
std::string DifferenceText(const json& c, const json& r) {
  std::string s = Str(r, "verdict") + ": " + Str(c, "id") + " (" + Str(c, "file") + ":" +
                  std::to_string(static_cast<long long>(Number(c, "line"))) + ")\n";
  if (!Str(r, "step").empty()) {
    s += Str(r, "step");
    const long long line = static_cast<long long>(Number(r, "line"));
    if (line > 0) s += ", line " + std::to_string(line);
    if (!Str(r, "source").empty()) s += ": " + Str(r, "source");
    s += "\n  expected: " + Str(r, "expected") + "\n  actual:   " + Str(r, "actual") + "\n";
    if (!Str(r, "note").empty()) s += "  why:      " + Str(r, "note") + "\n";
  }
  if (!Str(r, "detail").empty() && Str(r, "detail") != Str(r, "actual")) {
    s += Str(r, "detail") + "\n";
  }
  return s;
}

// FailureMessage is the one-line summary a CI shows beside the test's name.
std::string FailureMessage(const json& r) {
  const std::string expectation = Str(r, "expectation");
  if (expectation == "unexpected pass") {
    return "passes, but the expectations file lists it as failing: remove its line";
  }
  std::string m = Str(r, "verdict");
  if (!Str(r, "step").empty()) {
    m += " at " + Str(r, "step") + ": expected " + Str(r, "expected") + ", got " + Str(r, "actual");
  } else if (!Str(r, "detail").empty()) {
    m += ": " + Str(r, "detail");
  }
  if (expectation == "fails differently") m += " (listed in the expectations file otherwise)";
  return m;
}

void WriteTestcase(std::ostream& out, const std::string& impl, const Result& result) {
  const json& c = *result.c;
  const json& r = *result.r;
  const std::string verdict = Str(r, "verdict");
  const std::string expectation = Str(r, "expectation");
  out << "    <testcase" << Attr("classname", impl) << Attr("name", Str(c, "id"))
      << Attr("file", Str(c, "file"))
      << Attr("line", std::to_string(static_cast<long long>(Number(c, "line"))))
      << Attr("time", Seconds(Number(r, "seconds")));
  const std::string signature = Str(c, "id") + " " + Str(r, "signature");
  const Kind kind = Classify(r);
  if (kind == Kind::kFailure) {
    std::string type = expectation == "unexpected pass" || expectation == "fails differently"
                           ? expectation
                           : verdict;
    if (type.empty()) type = "no verdict";
    std::string body = DifferenceText(c, r);
    if (!Str(r, "signature").empty() && expectation != "unexpected pass") {
      body += "expectations line: " + signature + "\n";
    }
    out << ">\n      <failure" << Attr("type", type) << Attr("message", FailureMessage(r)) << ">"
        << XmlEscape(body) << "</failure>\n    </testcase>\n";
  } else if (kind == Kind::kNotApplicable) {
    out << ">\n      <skipped"
        << Attr("message", "n/a: " + (Str(r, "detail").empty()
                                          ? std::string("the case states no behaviour of this "
                                                        "implementation's Python version")
                                          : Str(r, "detail")))
        << "/>\n    </testcase>\n";
  } else if (kind == Kind::kListed) {
    // A listed failure: skipped, never a silent pass, and marked as such.
    out << ">\n      <properties>\n        <property name=\"expectation\""
        << Attr("value", expectation) << "/>\n        <property name=\"verdict\""
        << Attr("value", verdict) << "/>\n      </properties>\n      <skipped"
        << Attr("message", "known " + verdict + ", listed in " + impl +
                               "'s expectations file: " + signature)
        << "/>\n      <system-out>" << XmlEscape(DifferenceText(c, r)) << "</system-out>\n"
        << "    </testcase>\n";
  } else {
    out << "/>\n";
  }
}

}  // namespace

std::string XmlEscape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    const std::size_t n = Utf8Length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, one per bad byte
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (b) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;  // also keeps "]]>" out of character data
      case '"': out += "&quot;"; continue;
      case '\'': out += "&apos;"; continue;
      case '\r': out += "&#13;"; continue;  // a parser would turn a raw one into "\n"
      case '\n': out += attribute ? "&#10;" : "\n"; continue;
      case '\t': out += attribute ? "&#9;" : "\t"; continue;
      default: break;
    }
    if (b < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    } else {
      out += static_cast<char>(b);
    }
  }
  return out;
}

namespace {

// Suites is the results grouped by implementation: the implementations in the results' order,
// each with its introduction (null when only its results name it) and its results in table order.
struct Suites {
  std::vector<std::string> names;
  std::map<std::string, const json*> infos;
  std::map<std::string, std::vector<Result>> by_impl;
};

Suites GroupByImplementation(const json& results) {
  Suites s;
  if (results.contains("implementations") && results["implementations"].is_array()) {
    for (const json& i : results["implementations"]) {
      const std::string name = Str(i, "name");
      if (name.empty() || s.infos.count(name)) continue;
      s.names.push_back(name);
      s.infos[name] = &i;
    }
  }
  if (results.contains("cases") && results["cases"].is_array()) {
    for (const json& c : results["cases"]) {
      if (!c.is_object() || !c.contains("results") || !c["results"].is_object()) continue;
      for (const auto& [name, r] : c["results"].items()) {
        if (!s.infos.count(name)) {  // a result of an implementation not introduced: keep it
          s.names.push_back(name);
          s.infos[name] = nullptr;
        }
        s.by_impl[name].push_back({&c, &r});
      }
    }
  }
  return s;
}

// WriteProperties writes what the implementation's hello said about it.
void WriteProperties(std::ostream& out, const json& info) {
  const json hello = info.value("hello", json::object());
  out << "    <properties>\n";
  out << "      <property name=\"oracle\"" << Attr("value", Bool(info, "oracle") ? "true" : "false")
      << "/>\n";
  out << "      <property name=\"implementation\""
      << Attr("value", Str(hello, "implementation") + " " + Str(hello, "version")) << "/>\n";
  out << "      <property name=\"module\"" << Attr("value", Str(hello, "module")) << "/>\n";
  if (!Bool(info, "available")) {
    out << "      <property name=\"unavailable\""
        << Attr("value", Str(info, "unavailable_reason")) << "/>\n";
  }
  out << "    </properties>\n";
}

// WriteStaleExpectations writes one failed test per case id `name`'s expectations file lists
// though no case has it.
void WriteStaleExpectations(std::ostream& out, const std::string& name, const json& stale) {
  if (!(stale.is_object() && stale.contains(name) && stale[name].is_array())) return;
  for (const json& id : stale[name]) {
    const std::string case_id = id.is_string() ? id.get<std::string>() : id.dump();
    out << "    <testcase" << Attr("classname", name)
        << Attr("name", "stale expectations line: " + case_id) << Attr("time", "0.000")
        << ">\n      <failure type=\"stale expectation\""
        << Attr("message", "the expectations file of " + name + " lists " + case_id +
                               ", which no longer exists: delete its line")
        << "/>\n    </testcase>\n";
  }
}

}  // namespace

void WriteJUnitXml(std::ostream& out, const json& results) {
  Suites suites = GroupByImplementation(results);
  const json stale = results.value("stale_expectations", json::object());
  int tests = 0, failures = 0, skipped = 0;
  std::map<std::string, std::array<int, 3>> counts;  // tests, failures, skipped
  for (const std::string& name : suites.names) {
    std::array<int, 3>& n = counts[name];
    for (const Result& res : suites.by_impl[name]) {
      ++n[0];
      const Kind kind = Classify(*res.r);
      if (kind == Kind::kFailure) ++n[1];
      if (kind == Kind::kNotApplicable || kind == Kind::kListed) ++n[2];
    }
    if (stale.is_object() && stale.contains(name) && stale[name].is_array()) {
      n[0] += static_cast<int>(stale[name].size());
      n[1] += static_cast<int>(stale[name].size());
    }
    tests += n[0], failures += n[1], skipped += n[2];
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"
      << Attr("name", "sockref conformance") << Attr("tests", std::to_string(tests))
      << Attr("failures", std::to_string(failures)) << Attr("errors", "0")
      << Attr("skipped", std::to_string(skipped))
      << Attr("time", Seconds(Number(results, "wall_seconds"))) << ">\n";
  for (const std::string& name : suites.names) {
    const std::array<int, 3>& n = counts[name];
    double seconds = 0;
    for (const Result& res : suites.by_impl[name]) seconds += Number(*res.r, "seconds");
    out << "  <testsuite" << Attr("name", name) << Attr("tests", std::to_string(n[0]))
        << Attr("failures", std::to_string(n[1])) << Attr("errors", "0")
        << Attr("skipped", std::to_string(n[2])) << Attr("time", Seconds(seconds)) << ">\n";
    if (const json* info = suites.infos[name]) WriteProperties(out, *info);
    for (const Result& res : suites.by_impl[name]) WriteTestcase(out, name, res);
    WriteStaleExpectations(out, name, stale);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

bool WriteJUnitFile(const std::string& path, const json& results) {
  std::ofstream out(path);
  WriteJUnitXml(out, results);
  out.close();
  return static_cast<bool>(out);
}

}  // namespace sockref::conformance::report
