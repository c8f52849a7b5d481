#include "conformance/language/case_headers.h"

#include <algorithm>

#include "conformance/language/lexer.h"
#include "conformance/language/parse_support.h"
#include "conformance/language/python_names.h"
#include "conformance/language/python_version.h"

namespace sockref::conformance::language_internal {

DocRef ParseDocRef(std::string_view rest, int line) {
  DocRef doc;
  doc.line = line;
  if (rest.size() < 4 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || !IsDigit(rest[2]) ||
      (rest[3] != ' ' && rest[3] != '\t')) {
    Fail("expected a three-digit seed document number such as 002 after 'doc:', got " +
         Quote(rest));
  }
  doc.seed = std::string(rest.substr(0, 3));
  std::vector<Token> tokens = Tokenize(rest.substr(4));
  if (tokens[0].kind != Tok::kStr || tokens[1].kind != Tok::kEnd) {
    Fail("expected the quoted sentence fragment the case checks after 'doc: " + doc.seed +
         "', got " + Quote(Trim(rest.substr(4))));
  }
  doc.fragment = tokens[0].value;
  if (Trim(doc.fragment).empty()) Fail("the 'doc:' fragment is empty");
  return doc;
}

void AddNeeds(std::string_view rest, std::vector<std::string>& needs) {
  if (std::size_t hash = rest.find('#'); hash != std::string_view::npos)
    rest = Trim(rest.substr(0, hash));
  if (rest.empty()) Fail("expected capability names after 'needs:'");
  while (true) {
    std::size_t comma = rest.find(',');
    std::string name(Trim(rest.substr(0, comma)));
    const auto& known = KnownCapabilities();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      Fail("unknown capability " + Quote(name) + " (known: " + list + ")");
    }
    if (std::find(needs.begin(), needs.end(), name) != needs.end()) {
      Fail("capability " + Quote(name) + " is listed twice");
    }
    needs.push_back(name);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
}

std::string VersionRangeError(std::string_view text, std::string_view where) {
  return "expected Python versions such as 3.8, 3.6-3.9 or 3.12+ (from " +
         ToString(kOldestTableVersion) + " to " + ToString(kNewestTableVersion) + ") " +
         std::string(where) + ", got " + Quote(text);
}

std::size_t VersionQualifierEnd(std::string_view line) {
  if (line.empty() || line[0] != '[') return 0;
  const std::size_t close = line.find(']');
  if (close == std::string_view::npos) return 0;
  const std::string_view inside = line.substr(1, close - 1);
  if (inside.empty() || inside.find_first_not_of("0123456789.-+") != std::string_view::npos ||
      inside.find('.') == std::string_view::npos) {
    return 0;
  }
  std::size_t end = close + 1;
  if (end >= line.size() || (line[end] != ' ' && line[end] != '\t')) return 0;
  while (end < line.size() && (line[end] == ' ' || line[end] == '\t')) ++end;
  return end < line.size() && line[end] != '#' ? end : 0;
}

}  // namespace sockref::conformance::language_internal
