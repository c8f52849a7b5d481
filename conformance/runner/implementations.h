// implementations.h: the registry of implementations the runner knows how to start.
//
// conformance/implementations.json names each implementation and says how to start its
// driver: in this process, or as a program whose arguments may mention {root}, the directory
// holding oracle/ and conformance/ (the runfiles tree under Bazel, else the workspace):
//
//   {"oracle": "cpython", "default": ["reference", "cpython"],
//    "implementations": [
//      {"name": "reference", "in_process": true, "check_leaks": true, "reference": true,
//       "description": "..."},
//      {"name": "cpython", "argv": ["python3", "{root}/conformance/drivers/oracle/driver.py"], "description": "..."}]}
//
//   Registry registry = LoadRegistry(root + "/conformance/implementations.json");
//   std::unique_ptr<DriverConnection> d =
//       MakeDriver(*registry.Find("cpython"), root, in_process_factories);
#ifndef SOCKREF_CONFORMANCE_RUNNER_IMPLEMENTATIONS_H_
#define SOCKREF_CONFORMANCE_RUNNER_IMPLEMENTATIONS_H_

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/driver_connection.h"

namespace sockref::conformance::runner {

// RegistryError is a malformed or unreadable registry; what() says which and where.
class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Implementation {
  std::string name;
  std::string description;
  bool in_process = false;        // driven through a linked-in handler, not a program
  std::vector<std::string> argv;  // !in_process: the program and its arguments
  bool check_leaks = false;       // a descriptor left open after a case fails the case
  // The project's own implementation (through any binding): it must implement every step, so
  // its expectations file may not list `unsupported` (LoadSuite refuses one that does).
  bool reference = false;
};

struct Registry {
  std::vector<Implementation> implementations;  // in file order
  std::string oracle;                           // the implementation that is the oracle
  std::vector<std::string> defaults;            // run when none is chosen

  // Find returns the implementation called `name`, or nullptr.
  const Implementation* Find(std::string_view name) const;
};

// ParseRegistry parses `text` (the file `path`, for messages). Throws RegistryError on
// malformed JSON, a missing or duplicate name, an entry neither in-process nor with argv,
// or an oracle or default naming no entry.
Registry ParseRegistry(std::string_view path, std::string_view text);
// LoadRegistry reads and parses the file at `path`; throws RegistryError.
Registry LoadRegistry(const std::string& path);

// ResolveArgv returns `impl.argv` with every "{root}" replaced by `root`.
std::vector<std::string> ResolveArgv(const Implementation& impl, const std::string& root);

// InProcessFactories maps in-process implementation names to what makes their driver; the
// binaries that link a driver in (the report, the Bazel test) provide it.
using InProcessFactories =
    std::map<std::string, std::function<std::unique_ptr<DriverConnection>()>>;

// MakeDriver returns a driver for `impl`, not yet started. Throws DriverUnavailable when it
// is in-process and `factories` has no entry for it.
std::unique_ptr<DriverConnection> MakeDriver(const Implementation& impl, const std::string& root,
                                             const InProcessFactories& factories);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_IMPLEMENTATIONS_H_
