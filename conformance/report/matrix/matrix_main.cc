// matrix: runs the conformance suite on chosen implementations and writes the conformance
// matrix (cases × implementations) as Markdown and as one self-contained HTML page.
//
//   bazel run //conformance:matrix -- --impl reference --impl cpython --impl pypy3
//       --markdown docs/conformance-matrix.md --html docs/conformance-matrix.html
//   bazel run //conformance:matrix -- --registry ~/mysock/registry.json --impl cpython
//       --impl mysock --expectations mysock=$HOME/mysock/expected.txt --html /tmp/m.html
//   bazel run //conformance:matrix -- --from-json /tmp/results.json --markdown /tmp/m.md
//
// It prints the same text report as //conformance:report on stdout, progress on stderr.
// Exit status: 0 when every result is a pass or covered by the expectations files and every
// chosen implementation could be started; 1 otherwise; 2 on bad usage or a malformed case,
// expectations or registry file.
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/report/cli.h"
#include "conformance/report/junit_xml.h"
#include "conformance/report/private_streams.h"
#include "conformance/report/progress_line.h"
#include "conformance/report/matrix/html.h"
#include "conformance/report/matrix/markdown.h"
#include "conformance/report/matrix/matrix.h"
#include "conformance/report/reference_in_process.h"
#include "conformance/report/results_json.h"
#include "conformance/report/text_report.h"
#include "conformance/runner/run_status.h"
#include "conformance/runner/suite_loader.h"
#include "conformance/runner/timing_policy.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sockref::conformance;
using namespace sockref::conformance::matrix;
using namespace sockref::conformance::report;
using namespace sockref::conformance::runner;

constexpr char kUsage[] =
    "usage: matrix [--impl NAME]... [--markdown FILE] [--html FILE] [--json FILE] [--junit FILE]\n"
    "              [--registry FILE]... [--expectations NAME=FILE]... [--filter GLOB]...\n"
    "              [--cases DIR] [--jobs N] [--from-json FILE] [--history FILE] [--list]\n"
    "Runs the suite and writes the conformance matrix; each --impl is a column.\n"
    "  --markdown FILE   write the matrix as Markdown to FILE\n"
    "  --html FILE       write the matrix as one self-contained HTML page to FILE\n"
    "  --json FILE       write the machine-readable results (report --json's format) to FILE\n"
    "  --junit FILE      write the results as JUnit XML to FILE (report --junit's format)\n"
    "  --from-json FILE  draw the matrix from saved results instead of running the suite\n"
    "                    (needs no suite: it runs anywhere)\n"
    "  --history FILE    add the table's version history (version_history --json) to the\n"
    "                    HTML page\n"
    "  --list            list the implementations (with --registry's) and exit\n"
    "  --help            print this and exit\n";

struct Flags {
  SuiteOptions suite;
  std::string markdown;
  std::string html;
  std::string json;
  std::string junit;
  std::string from_json;
  std::string history;  // version_history --json output, shown as the page's history section
  bool list = false;
  bool help = false;
  std::vector<std::string> args;  // as given, for the page's provenance line
};

// ChoosesWhatToRun says whether any suite option that selects cases or implementations is set.
bool ChoosesWhatToRun(const SuiteOptions& suite) {
  return !suite.implementations.empty() || !suite.extra_registries.empty() ||
         !suite.expectations.empty() || !suite.cases_dir.empty() || !suite.filters.empty() ||
         suite.target_version.has_value() || !suite.oracle.empty();
}

// ValidCombination says whether the parsed options make a run (having said why not).
bool ValidCombination(const Flags& flags) {
  if (!flags.from_json.empty() && ChoosesWhatToRun(flags.suite)) {
    // Saved results are drawn as they were run; an option that would choose what to run would
    // be silently ignored, and the page would not show what the user asked for.
    std::cerr << "matrix: --from-json draws saved results as they were run: it takes no option "
                 "that chooses what to run (--impl, --registry, --expectations, --cases, "
                 "--filter, --target-version, --oracle)\n";
    return false;
  }
  if (!flags.list && flags.markdown.empty() && flags.html.empty() && flags.json.empty() &&
      flags.junit.empty()) {
    std::cerr << "matrix: nothing to write: give --markdown, --html, --json or --junit\n"
              << kUsage << kSuiteFlagsUsage;
    return false;
  }
  return true;
}

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    flags.args.push_back(arg);
    std::string v;
    auto value = [&]() {
      if (i + 1 >= argc) return false;
      v = argv[++i];
      flags.args.push_back(v);
      return true;
    };
    std::string error;
    const int at = i;
    switch (ParseSuiteFlag(argc, argv, i, flags.suite, error)) {
      case FlagParse::kTaken:
        for (int k = at + 1; k <= i; ++k) flags.args.push_back(argv[k]);
        continue;
      case FlagParse::kBad:
        std::cerr << "matrix: " << error << "\n" << kUsage << kSuiteFlagsUsage;
        return false;
      case FlagParse::kNotMine:
        break;
    }
    if (arg == "--markdown" && value()) {
      flags.markdown = UserPath(v);
    } else if (arg == "--html" && value()) {
      flags.html = UserPath(v);
    } else if (arg == "--json" && value()) {
      flags.json = UserPath(v);
    } else if (arg == "--junit" && value()) {
      flags.junit = UserPath(v);
    } else if (arg == "--from-json" && value()) {
      flags.from_json = UserPath(v);
    } else if (arg == "--history" && value()) {
      flags.history = UserPath(v);
    } else if (arg == "--list") {
      flags.list = true;
    } else if (arg == "--help" || arg == "-h") {
      flags.help = true;
      return true;
    } else {
      std::cerr << "matrix: bad argument '" << arg << "'\n" << kUsage << kSuiteFlagsUsage;
      return false;
    }
  }
  return ValidCombination(flags);
}

// Command returns how this run was started, for the page: the bazel command when run by
// bazel, else the program name, with the multiplier when one was set.
std::string Command(const char* argv0, const std::vector<std::string>& args) {
  std::string out;
  if (const char* m = std::getenv("SOCKREF_TIME_MULTIPLIER")) {
    out += "SOCKREF_TIME_MULTIPLIER=" + std::string(m) + " ";
  }
  out += std::getenv("BUILD_WORKSPACE_DIRECTORY") != nullptr ? "bazel run //conformance:matrix --"
                                                             : fs::path(argv0).filename().string();
  for (const std::string& a : args) {
    const bool plain = a.find_first_of(" '\"*?$\\") == std::string::npos && !a.empty();
    out += " " + (plain ? a : "'" + a + "'");
  }
  return out;
}

std::string Today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "matrix: cannot write " << path << "\n";
    return false;
  }
  std::cerr << "matrix: wrote " << path << "\n";
  return true;
}

// SourcePrefix returns how a page written to `page` reaches the workspace-relative case files,
// "../" for docs/x.html, under `bazel run`; elsewhere the workspace is unknown: no links.
std::string SourcePrefix(const std::string& page) {
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (workspace == nullptr) return "";
  std::error_code ec;
  const fs::path rel = fs::relative(workspace, fs::absolute(page, ec).parent_path(), ec);
  if (ec || rel.empty()) return "";
  return rel == "." ? "./" : rel.string() + "/";
}

int List(const SuiteOptions& options) {
  try {
    const Registry r = LoadExtendedRegistry(options.root, options.extra_registries);
    for (const Implementation& i : r.implementations) {
      std::cout << i.name << (i.name == r.oracle ? " (oracle)" : "") << ": " << i.description
                << "\n";
    }
    return 0;
  } catch (const SuiteError& e) {
    std::cerr << "matrix: " << e.what() << "\n";
    return 2;
  }
}

// ReadResults reads saved results (--from-json). Returns false, having said why, when the file
// cannot be read.
bool ReadResults(const std::string& path, json& results) {
  std::ifstream in(path);
  results = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!in || results.is_discarded()) {
    std::cerr << "matrix: " << path << ": cannot read results JSON\n";
    return false;
  }
  return true;
}

// RunAndCollect runs the suite, prints the text report, and returns the results with how the run
// was started; `status` is the run's exit status. Returns false on a configuration problem.
bool RunAndCollect(Flags& flags, const char* argv0, json& results, int& status) {
  std::unique_ptr<Suite> suite;
  ProgressLine progress(std::cerr, "matrix", ProgressLine::IsTerminal(STDERR_FILENO));
  try {
    flags.suite.multiplier = TimeMultiplierFromEnv();
    flags.suite.progress = [&progress](const std::string& line) { progress.Area(line); };
    flags.suite.case_done = [&progress](int done, int total, const std::string& area) {
      progress.Case(done, total, area);
    };
    suite = LoadSuite(flags.suite);
  } catch (const std::exception& e) {  // SuiteError, a bad multiplier
    std::cerr << "matrix: " << e.what() << "\n";
    return false;
  }
  std::cerr << "matrix: " << suite->selected.size() << " of " << suite->cases.size() << " cases on";
  for (const std::string& n : suite->setup.names) std::cerr << " " << n;
  std::cerr << "\n";
  const RunResults run = RunSuite(*suite);
  progress.Finish();
  WriteTextReport(std::cout, run);
  std::cout.flush();
  status = ExitStatus(run);
  for (const ImplementationInfo& info : run.implementations) {
    if (info.available) continue;
    std::cerr << "matrix: " << info.name << " was unavailable: " << info.unavailable_reason << "\n";
    status = 1;
  }
  results = ResultsWithDescriptions(run, suite->registry);
  results["generated"] = {{"command", Command(argv0, flags.args)}, {"date", Today()}};
  return true;
}

// WriteOutputs writes each file the flags ask for. Returns false when one cannot be written.
bool WriteOutputs(const Flags& flags, const Matrix& m, const json& results) {
  bool written = true;
  if (!flags.json.empty()) written &= WriteFile(
      flags.json, results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!flags.junit.empty()) {
    std::ostringstream text;
    WriteJUnitXml(text, results);
    written &= WriteFile(flags.junit, text.str());
  }
  if (!flags.markdown.empty()) {
    std::ostringstream text;
    WriteMarkdownMatrix(text, m, {SourcePrefix(flags.markdown)});
    written &= WriteFile(flags.markdown, text.str());
  }
  if (!flags.html.empty()) {
    std::ostringstream text;
    WriteHtmlMatrix(text, m, {SourcePrefix(flags.html)});
    written &= WriteFile(flags.html, text.str());
  }
  return written;
}

// FindSuite points `options` at the suite's files and the in-process reference. Returns false,
// having said how to run the matrix so that it finds them, when it is not beside us.
bool FindSuite(const char* argv0, SuiteOptions& options) {
  options.root = FindRoot(argv0);
  if (options.root.empty()) {
    std::cerr << "matrix: cannot find the suite (conformance/implementations.json): run it with "
                 "`bazel run //conformance:matrix`, from the workspace, or from a release tree\n";
    return false;
  }
  options.factories = ReferenceFactories();
  return true;
}

int Run(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return 2;
  if (flags.help) {
    std::cout << kUsage << kSuiteFlagsUsage;
    return 0;
  }
  // Drawing from saved results reads no case, registry or driver: it works anywhere.
  const bool needs_suite = flags.list || flags.from_json.empty();
  if (needs_suite && !FindSuite(argv[0], flags.suite)) return 2;
  if (flags.list) return List(flags.suite);
  json results;
  int status = 0;
  if (!flags.from_json.empty() ? !ReadResults(flags.from_json, results)
                               : !RunAndCollect(flags, argv[0], results, status)) {
    return 2;
  }
  Matrix m;
  try {
    m = MatrixFromResults(results);
  } catch (const MatrixError& e) {
    std::cerr << "matrix: " << e.what() << "\n";
    return 2;
  }
  if (results.contains("generated") && results["generated"].is_object()) {
    m.command = results["generated"].value("command", std::string());
    m.date = results["generated"].value("date", std::string());
  }
  if (!flags.history.empty()) {
    std::ifstream in(flags.history);
    const json history = json::parse(in, nullptr, /*allow_exceptions=*/false);
    try {
      if (!in || history.is_discarded()) throw MatrixError("cannot read " + flags.history);
      m.history = HistoryFromJson(history);
    } catch (const MatrixError& e) {
      std::cerr << "matrix: " << e.what() << "\n";
      return 2;
    }
  }
  if (!WriteOutputs(flags, m, results)) return 2;
  if (!flags.from_json.empty()) {
    status = m.failures == 0 ? 0 : 1;
    for (const MatrixColumn& c : m.columns) status = c.available ? status : 1;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  sockref::conformance::report::PrepareProcess();
  // Before any case runs: the in-process reference shares this process's descriptors.
  sockref::conformance::report::PrivateStandardStreams streams("matrix");
  return streams.Finish(Run(argc, argv));
}
