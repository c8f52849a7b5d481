// cli.h: what the suite's command-line front ends (report, matrix) share: where the suite's
// files are, paths as the user typed them, and the options that choose what runs.
//
//   SuiteOptions options;
//   options.root = FindRoot(argv[0]);
//   for (int i = 1; i < argc; ++i) {
//     switch (ParseSuiteFlag(argc, argv, i, options)) {
//       case FlagParse::kTaken: continue;
//       case FlagParse::kBad: return Usage(2);
//       case FlagParse::kNotMine: break;  // a front-end specific flag
//     }
//   }
#ifndef SOCKREF_CONFORMANCE_REPORT_CLI_H_
#define SOCKREF_CONFORMANCE_REPORT_CLI_H_

#include <string>

#include "conformance/runner/suite_loader.h"

namespace sockref::conformance::report {

// EnsureStandardDescriptors opens /dev/null on any of descriptors 0, 1 and 2 that is closed.
// Started with stdin closed, the first pipe to a driver would otherwise get descriptor 0, and
// the driver's own stdin would be wired to the wrong end.
void EnsureStandardDescriptors();

// PrepareProcess readies a front end's process for untrusted drivers: EnsureStandardDescriptors,
// and a fixed malloc mmap threshold. glibc otherwise raises the threshold after freeing a large
// reply, so each lane's thread keeps megabytes it no longer uses (measured: 272 MB peak with 16
// lanes of 6 MiB replies, 63 MB with the threshold fixed).
void PrepareProcess();

// FindRoot returns the directory holding conformance/ (the case table, the registry, the
// drivers): the runfiles tree under `bazel run` (which starts us inside it), else the
// directory of a release tree the binary sits in, else the current directory or the workspace.
// Returns "" when none holds conformance/implementations.json.
std::string FindRoot(const char* argv0);

// UserPath resolves a path the user typed against where they typed it (`bazel run` changes
// directory and says where it was in BUILD_WORKING_DIRECTORY).
std::string UserPath(const std::string& path);

// FlagParse says what ParseSuiteFlag made of argv[i].
enum class FlagParse {
  kTaken,    // a suite option, stored in `options` (i advanced past its value)
  kBad,      // a suite option with a missing or malformed value; `error` says which
  kNotMine,  // not a suite option: the front end's own, or unknown
};

// ParseSuiteFlag reads the suite option at argv[i] (and its value) into `options`:
//   --impl NAME, --registry FILE, --expectations NAME=FILE, --filter GLOB, --cases DIR,
//   --jobs N.
FlagParse ParseSuiteFlag(int argc, char** argv, int& i, runner::SuiteOptions& options,
                         std::string& error);

// kSuiteFlagsUsage documents the options ParseSuiteFlag takes, for each front end's --help.
extern const char kSuiteFlagsUsage[];

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_CLI_H_
