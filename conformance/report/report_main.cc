// report: the differential conformance report (reference implementation vs CPython, by default).
//
//   bazel run //conformance:report
//   bazel run //conformance:report -- --impl reference --impl cpython --impl pypy3
//   bazel run //conformance:report -- --filter 'timeouts.*' --json /tmp/results.json
//   bazel run //conformance:report -- --junit /tmp/conformance.xml        # for any CI
//   bazel run //conformance:report -- --filter 'inet.*' --filter 'netdb.*'   # either
//   bazel run //conformance:report -- --cases conformance/cases --jobs 8
//
// Progress goes to stderr (one updating line on a terminal, a line per area elsewhere), the
// report to stdout. Exit status: 0 when every result is a pass
// or covered by conformance/expectations/<impl>.txt, 1 otherwise, 2 on bad usage, a
// malformed case, expectations or registry file, or a report that could not be written.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "conformance/report/cli.h"
#include "conformance/report/junit_xml.h"
#include "conformance/report/private_streams.h"
#include "conformance/report/progress_line.h"
#include "conformance/report/reference_in_process.h"
#include "conformance/report/results_json.h"
#include "conformance/report/text_report.h"
#include "conformance/runner/run_status.h"
#include "conformance/runner/suite_loader.h"
#include "conformance/runner/timing_policy.h"

namespace {

using namespace sockref::conformance;
using namespace sockref::conformance::report;
using namespace sockref::conformance::runner;

constexpr char kUsageHead[] =
    "usage: report [--impl NAME]... [--registry FILE]... [--expectations NAME=FILE]...\n"
    "              [--filter GLOB]... [--cases DIR] [--jobs N] [--json FILE] [--junit FILE]\n"
    "              [--list]\n"
    "Runs the conformance cases on each implementation and compares them with the oracle.\n"
    "  --json FILE       also write machine-readable results to FILE\n"
    "  --junit FILE      also write the results as JUnit XML to FILE, for CI (one testcase per\n"
    "                    case and implementation)\n"
    "  --list            list the registry's implementations and exit\n"
    "  --help            print this and exit\n";

struct Flags {
  SuiteOptions suite;
  std::string json_path;
  std::string junit_path;
  bool list = false;
  bool help = false;
};

void PrintUsage(std::ostream& out) { out << kUsageHead << kSuiteFlagsUsage; }

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string error;
    switch (ParseSuiteFlag(argc, argv, i, flags.suite, error)) {
      case FlagParse::kTaken:
        continue;
      case FlagParse::kBad:
        std::cerr << "report: " << error << "\n";
        PrintUsage(std::cerr);
        return false;
      case FlagParse::kNotMine:
        break;
    }
    const std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc) {
      flags.json_path = UserPath(argv[++i]);
    } else if (arg == "--junit" && i + 1 < argc) {
      flags.junit_path = UserPath(argv[++i]);
    } else if (arg == "--list") {
      flags.list = true;
    } else if (arg == "--help" || arg == "-h") {
      flags.help = true;
    } else {
      std::cerr << "report: bad argument '" << arg << "'\n";
      PrintUsage(std::cerr);
      return false;
    }
  }
  return true;
}

int List(const SuiteOptions& options) {
  const Registry registry = LoadExtendedRegistry(options.root, options.extra_registries);
  for (const Implementation& i : registry.implementations) {
    std::cout << i.name << (i.name == registry.oracle ? " (oracle)" : "") << ": " << i.description
              << "\n";
  }
  return 0;
}

int Run(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return 2;
  if (flags.help) {
    PrintUsage(std::cout);
    return 0;
  }
  flags.suite.root = FindRoot(argv[0]);
  if (flags.suite.root.empty()) {
    std::cerr << "report: cannot find the suite (conformance/implementations.json): run it with "
                 "`bazel run //conformance:report`, from the workspace, or from a release tree\n";
    return 2;
  }
  flags.suite.factories = ReferenceFactories();
  ProgressLine progress(std::cerr, "report", ProgressLine::IsTerminal(STDERR_FILENO));
  flags.suite.progress = [&progress](const std::string& line) { progress.Area(line); };
  flags.suite.case_done = [&progress](int done, int total, const std::string& area) {
    progress.Case(done, total, area);
  };
  std::unique_ptr<Suite> suite;
  try {
    if (flags.list) return List(flags.suite);
    flags.suite.multiplier = TimeMultiplierFromEnv();
    suite = LoadSuite(flags.suite);
  } catch (const std::exception& e) {  // SuiteError, a bad multiplier
    std::cerr << "report: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "report: " << suite->selected.size() << " of " << suite->cases.size() << " cases on";
  for (const std::string& n : suite->setup.names) std::cerr << " " << n;
  std::cerr << std::endl;

  const RunResults results = RunSuite(*suite);
  progress.Finish();
  WriteTextReport(std::cout, results);
  std::cout.flush();
  const nlohmann::json machine = ResultsWithDescriptions(results, suite->registry);
  if (!flags.json_path.empty()) {
    std::ofstream out(flags.json_path);
    // Replace, never throw: a driver's bytes must not cost the run its report.
    out << machine.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out.close();  // a full disk shows when the last buffer is written, not before
    if (!out) {
      std::cerr << "report: cannot write " << flags.json_path << "\n";
      return 2;
    }
  }
  if (!flags.junit_path.empty() && !WriteJUnitFile(flags.junit_path, machine)) {
    std::cerr << "report: cannot write " << flags.junit_path << "\n";
    return 2;
  }
  return ExitStatus(results);
}

}  // namespace

int main(int argc, char** argv) {
  sockref::conformance::report::PrepareProcess();
  // Before any case runs: the in-process reference shares this process's descriptors.
  sockref::conformance::report::PrivateStandardStreams streams("report");
  return streams.Finish(Run(argc, argv));
}
