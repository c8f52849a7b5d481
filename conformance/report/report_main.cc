// report: the differential conformance report (reference implementation vs CPython, by default).
//
//   bazel run //conformance:report
//   bazel run //conformance:report -- --impl reference --impl cpython --impl pypy3
//   bazel run //conformance:report -- --filter 'timeout.*' --json /tmp/results.json
//   bazel run //conformance:report -- --filter 'inet.*' --filter 'netdb.*'   # either
//   bazel run //conformance:report -- --cases conformance/cases --jobs 8
//
// Progress goes to stderr, the report to stdout. Exit status: 0 when every result is a pass
// or covered by conformance/expectations/<impl>.txt, 1 otherwise, 2 on bad usage or a
// malformed case, expectations or registry file.
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/runner/timing_policy.h"
#include "conformance/language/case_parser.h"
#include "conformance/runner/differential_run.h"
#include "conformance/runner/implementations.h"
#include "conformance/report/reference_in_process.h"
#include "conformance/runner/report.h"

namespace {

namespace fs = std::filesystem;
using namespace sockref::conformance;
using namespace sockref::conformance::runner;

constexpr char kUsage[] =
    "usage: report [--impl NAME]... [--json FILE] [--filter GLOB]... [--cases DIR] [--jobs N]\n"
    "              [--list]\n"
    "  --impl NAME    run this implementation (repeatable; default: the registry's defaults)\n"
    "  --json FILE    also write machine-readable results to FILE\n"
    "  --filter GLOB  only cases whose id matches GLOB (fnmatch), e.g. 'timeout.*'\n"
    "                 (repeatable: cases matching any of them)\n"
    "  --cases DIR    read DIR/*.cases instead of conformance/cases\n"
    "  --jobs N       driver processes per subprocess implementation (default 6)\n"
    "  --list         list the registry's implementations and exit\n";

struct Flags {
  std::vector<std::string> impls;
  std::string json_path;
  std::vector<std::string> filters;  // any of them; none: every case
  std::string cases_dir;
  int jobs = 6;
  bool list = false;
};

// Root returns the directory holding conformance/ and oracle/: the runfiles tree under
// `bazel run` (which starts us inside it), else the workspace, else the current directory.
std::string Root(const char* argv0) {
  std::vector<std::string> candidates;
  if (const char* r = std::getenv("RUNFILES_DIR"))
    candidates.push_back(std::string(r) + "/sockref");
  candidates.push_back(std::string(argv0) + ".runfiles/sockref");
  candidates.push_back(fs::current_path().string());
  if (const char* w = std::getenv("BUILD_WORKSPACE_DIRECTORY")) candidates.push_back(w);
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (fs::exists(c + "/conformance/implementations.json", ec)) return fs::absolute(c).string();
  }
  return fs::current_path().string();
}

// UserPath resolves a path the user typed against where they typed it (bazel run changes
// directory and says where it was in BUILD_WORKING_DIRECTORY).
std::string UserPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  return wd != nullptr ? std::string(wd) + "/" + path : path;
}

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--impl" && value(v)) {
      flags.impls.push_back(v);
    } else if (arg == "--json" && value(v)) {
      flags.json_path = UserPath(v);
    } else if (arg == "--filter" && value(v)) {
      flags.filters.push_back(v);
    } else if (arg == "--cases" && value(v)) {
      flags.cases_dir = UserPath(v);
    } else if (arg == "--jobs" && value(v) && std::atoi(v.c_str()) > 0) {
      flags.jobs = std::atoi(v.c_str());
    } else if (arg == "--list") {
      flags.list = true;
    } else {
      std::cerr << "report: bad argument '" << arg << "'\n" << kUsage;
      return false;
    }
  }
  return true;
}

std::vector<std::string> CaseFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".cases") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

int Run(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return 2;
  const std::string root = Root(argv[0]);
  Registry registry;
  try {
    registry = LoadRegistry(root + "/conformance/implementations.json");
  } catch (const RegistryError& e) {
    std::cerr << "report: " << e.what() << "\n";
    return 2;
  }
  if (flags.list) {
    for (const Implementation& i : registry.implementations) {
      std::cout << i.name << (i.name == registry.oracle ? " (oracle)" : "") << ": " << i.description
                << "\n";
    }
    return 0;
  }
  if (flags.impls.empty()) flags.impls = registry.defaults;
  for (const std::string& name : flags.impls) {
    if (registry.Find(name) == nullptr) {
      std::cerr << "report: unknown implementation '" << name << "' (try --list)\n";
      return 2;
    }
  }

  RunSetup setup;
  setup.registry = &registry;
  setup.names = flags.impls;
  setup.root = root;
  setup.factories = ReferenceFactories();
  setup.jobs = flags.jobs;
  std::vector<Case> cases;
  try {
    setup.execution.multiplier = TimeMultiplierFromEnv();
    // Relative when we run inside root (as under `bazel run`), so reports name
    // conformance/cases/<area>.cases.
    std::string dir = flags.cases_dir.empty() ? root + "/conformance/cases" : flags.cases_dir;
    if (flags.cases_dir.empty() && fs::equivalent(root, fs::current_path())) {
      dir = "conformance/cases";
    }
    std::vector<std::string> files = CaseFiles(dir);
    if (files.empty()) {
      std::cerr << "report: no .cases files in " << dir << "\n";
      return 2;
    }
    cases = ParseCaseFiles(files);
    for (const std::string& name : flags.impls) {
      setup.expectations[name] =
          Expectations::Load(root + "/conformance/expectations/" + name + ".txt");
    }
  } catch (const std::exception& e) {  // CaseParseError, ExpectationsError, bad multiplier
    std::cerr << "report: " << e.what() << "\n";
    return 2;
  }
  std::vector<const Case*> selected;
  for (const Case& c : cases) {
    const bool wanted =
        flags.filters.empty() ||
        std::any_of(flags.filters.begin(), flags.filters.end(), [&](const std::string& glob) {
          return ::fnmatch(glob.c_str(), c.id.c_str(), 0) == 0;
        });
    if (wanted) selected.push_back(&c);
  }
  std::cerr << "report: " << selected.size() << " of " << cases.size() << " cases on";
  for (const std::string& n : flags.impls) std::cerr << " " << n;
  std::cerr << "\n";
  setup.progress = [](const std::string& line) { std::cerr << "report: " << line << std::endl; };

  RunResults results = RunDifferential(cases, selected, setup);
  WriteTextReport(std::cout, results);
  std::cout.flush();
  if (!flags.json_path.empty()) {
    std::ofstream out(flags.json_path);
    out << ResultsToJson(results).dump(2) << "\n";
    if (!out) {
      std::cerr << "report: cannot write " << flags.json_path << "\n";
      return 2;
    }
  }
  return ExitStatus(results);
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
