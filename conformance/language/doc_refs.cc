#include "conformance/language/doc_refs.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace sockref::conformance {
namespace {

// NormalizeForSearch folds what differs between a seed and a case author's keyboard: runs of
// whitespace (seeds are flattened and re-wrapped) and typographic quotes (’ “ ”).
std::string NormalizeForSearch(std::string_view s) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    std::string_view rest = s.substr(i, 3);
    if (rest == "\xE2\x80\x98" || rest == "\xE2\x80\x99") {
      out += '\'';
      i += 2;
    } else if (rest == "\xE2\x80\x9C" || rest == "\xE2\x80\x9D") {
      out += '"';
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> VerifyDocRefs(const std::vector<Case>& cases,
                                       const std::string& seeds_dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> seeds;  // seed number -> normalised text
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(seeds_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() < 8 || name[3] != '_' || name.substr(name.size() - 4) != ".txt") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    seeds[name.substr(0, 3)] = NormalizeForSearch(buffer.str());
  }
  std::vector<std::string> problems;
  if (ec) {
    problems.push_back(seeds_dir + ": cannot list: " + ec.message());
    return problems;
  }
  for (const Case& c : cases) {
    for (const DocRef& d : c.docs) {
      std::string where = c.file + ":" + std::to_string(d.line) + ": ";
      auto it = seeds.find(d.seed);
      if (it == seeds.end()) {
        problems.push_back(where + "no seed document " + d.seed + "_*.txt in " + seeds_dir);
      } else if (it->second.find(NormalizeForSearch(d.fragment)) == std::string::npos) {
        problems.push_back(where + "seed " + d.seed + " does not contain \"" + d.fragment + "\"");
      }
    }
  }
  return problems;
}

}  // namespace sockref::conformance
