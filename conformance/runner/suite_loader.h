// suite_loader.h: loads the conformance suite (registry, cases, expectations) and runs it.
//
// Every front end (report, matrix, the per-case GoogleTest, the example driver's test) loads
// the suite here: the project's registry, optionally extended by registry files of
// implementations that live elsewhere, the case table, each implementation's expectations
// file, and RunDifferential (differential_run.h):
//
//   SuiteOptions options{.root = root, .implementations = {"reference", "cpython", "toy"},
//                        .extra_registries = {"/path/to/toy_registry.json"},
//                        .filters = {"byteorder.*"},
//                        .factories = ReferenceFactories()};
//   std::unique_ptr<Suite> suite = LoadSuite(options);  // throws SuiteError
//   RunResults results = RunSuite(*suite);
//
// An extra registry file has the project registry's shape (implementations.h) with only the
// "implementations" array required; in its "argv", "{dir}" stands for the directory holding
// that file (and "{root}", as everywhere, for the directory holding conformance/ and oracle/).
#ifndef SOCKREF_CONFORMANCE_RUNNER_SUITE_LOADER_H_
#define SOCKREF_CONFORMANCE_RUNNER_SUITE_LOADER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/python_version.h"
#include "conformance/runner/differential_run.h"
#include "conformance/runner/implementations.h"

namespace sockref::conformance::runner {

// SuiteError is a problem with the suite's configuration: an unreadable or malformed registry,
// case or expectations file, an unknown implementation, no case files. what() says which.
class SuiteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SuiteOptions {
  std::string root;  // holds conformance/implementations.json, conformance/cases, oracle/
  // Implementations to run, in column order; empty: the registry's defaults.
  std::vector<std::string> implementations;
  // Registry files whose implementations are added to the project's (names must be new).
  std::vector<std::string> extra_registries;
  // Expectations files by implementation name, instead of
  // <root>/conformance/expectations/<name>.txt.
  std::map<std::string, std::string> expectations;
  std::string cases_dir;  // empty: <root>/conformance/cases
  // fnmatch(3) globs over case ids: the cases matching any of them; none: every case. A filter
  // set that matches no case is an error (SuiteError), never an empty, passing run.
  std::vector<std::string> filters;
  int jobs = 6;           // driver processes per subprocess implementation
  double multiplier = 1;  // SOCKREF_TIME_MULTIPLIER
  std::function<void(const std::string&)> progress;  // may be empty
  std::function<void(int done, int total, const std::string& area)> case_done;  // RunSetup's
  // The in-process implementations the front end links in (e.g. ReferenceFactories() of
  // //conformance/report), so the runner itself depends on no driver.
  InProcessFactories factories;
  // Judge every implementation but the oracle at this version (--target-version).
  std::optional<PythonVersion> target_version;
  // The implementation that is the oracle instead of the registry's (--oracle); it must be
  // chosen to run.
  std::string oracle;
};

// Suite is a loaded suite, ready to run. Not copyable: setup points into registry and
// selected into cases.
struct Suite {
  Registry registry;
  std::vector<Case> cases;            // every case of the table
  std::vector<const Case*> selected;  // those matching the filter, in table order
  RunSetup setup;                     // names, root, expectations, jobs, factories

  Suite() = default;
  Suite(const Suite&) = delete;
  Suite& operator=(const Suite&) = delete;
};

// LoadExtendedRegistry returns the project's registry at <root>/conformance/implementations.json
// with the implementations of each file in `extra` appended. Throws SuiteError.
Registry LoadExtendedRegistry(const std::string& root, const std::vector<std::string>& extra);

// LoadSuite loads everything `options` names. Throws SuiteError.
std::unique_ptr<Suite> LoadSuite(const SuiteOptions& options);

// CaseFilesIn returns the `.cases` files of `dir`, sorted.
std::vector<std::string> CaseFilesIn(const std::string& dir);

// SelectCases returns the cases whose id matches any of `globs` (all when there is none), in
// table order.
std::vector<const Case*> SelectCases(const std::vector<Case>& cases,
                                     const std::vector<std::string>& globs);

// RunSuite runs the selected cases on the chosen implementations.
RunResults RunSuite(const Suite& suite);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_SUITE_LOADER_H_
