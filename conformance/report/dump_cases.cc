// dump_cases: parses case files and prints them as JSON, the way the runner sees them.
//
//   bazel run //conformance/report:dump_cases -- $PWD/conformance/cases/example_inet.cases
//   dump_cases --compact a.cases b.cases      # one case per line
//   dump_cases --exec a.cases                 # only the `exec` messages a driver would receive
//   dump_cases --seeds ../shared/seeds a.cases  # also check every doc: reference
//
// Exit status: 0 on success, 1 on a malformed file or a failed doc: reference, 2 on bad usage.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/case_parser.h"
#include "conformance/language/doc_refs.h"
#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/exec_request.h"

namespace {

using sockref::conformance::Case;
using sockref::conformance::CaseParseError;

int Usage() {
  std::cerr << "usage: dump_cases [--compact | --exec] [--seeds DIR] FILE.cases...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool compact = false;
  bool exec_only = false;
  std::string seeds_dir;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--compact") {
      compact = true;
    } else if (arg == "--exec") {
      exec_only = true;
    } else if (arg == "--seeds" && i + 1 < argc) {
      seeds_dir = argv[++i];
    } else if (arg.substr(0, 2) == "--") {
      return Usage();
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) return Usage();

  std::vector<Case> cases;
  try {
    cases = sockref::conformance::ParseCaseFiles(paths);
  } catch (const CaseParseError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (!seeds_dir.empty()) {
    std::vector<std::string> problems = sockref::conformance::VerifyDocRefs(cases, seeds_dir);
    for (const std::string& p : problems) std::cerr << p << "\n";
    if (!problems.empty()) return 1;
  }

  if (exec_only) {
    for (const Case& c : cases) {
      std::cout << nlohmann::json{{"op", "begin"}, {"case", c.id}}.dump() << "\n";
      for (std::size_t i = 0; i < c.steps.size(); ++i) {
        std::cout << sockref::conformance::ExecRequest(c.steps[i], int(i + 1)).dump() << "\n";
      }
      std::cout << nlohmann::json{{"op", "end"}}.dump() << "\n";
    }
    return 0;
  }
  if (compact) {
    for (const Case& c : cases) std::cout << sockref::conformance::CaseToJson(c).dump() << "\n";
    return 0;
  }
  nlohmann::json all = nlohmann::json::array();
  for (const Case& c : cases) all.push_back(sockref::conformance::CaseToJson(c));
  std::cout << all.dump(2) << "\n";
  return 0;
}
