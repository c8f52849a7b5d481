// managed_driver.h: a driver instance that comes back fresh after a crash or hang.
//
// A crashed, hung or garbage-writing driver must cost one case, not the run. ManagedDriver
// runs cases on one DriverConnection and starts a fresh driver after each failure:
//
//   ManagedDriver cpython(MakeDriver(*registry.Find("cpython"), root, {}));
//   if (!cpython.Start()) Report(cpython.failure());  // unavailable
//   CaseRun run = cpython.Run(c, options);  // kCrashed? the next Run has a new driver
#ifndef SOCKREF_CONFORMANCE_RUNNER_MANAGED_DRIVER_H_
#define SOCKREF_CONFORMANCE_RUNNER_MANAGED_DRIVER_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/runner/timing_policy.h"
#include "conformance/runner/case_execution.h"
#include "conformance/runner/driver_connection.h"

namespace sockref::conformance::runner {

class ManagedDriver {
 public:
  // How long a driver may take to start and answer `hello`, before the multiplier: the
  // case watchdog (PROTOCOL.md).
  static constexpr double kStartSeconds = kDefaultWatchdogSeconds;

  explicit ManagedDriver(std::unique_ptr<DriverConnection> connection, double multiplier = 1);
  ~ManagedDriver();

  // Start starts the driver. Returns false when it cannot (then failure() says why).
  bool Start();
  // Run executes `c` (ExecuteCase, stopping where `go_on` says) and restarts the driver when the run crashed or hung. When
  // no driver can be had, returns a kCrashed run at `begin` saying why.
  CaseRun Run(const Case& c, const ExecutionOptions& options, const GoOn& go_on = {});
  // Stop ends the driver.
  void Stop();

  bool running() const { return running_; }
  const std::string& failure() const { return failure_; }
  // absent says the last failed start was the driver saying its implementation is not on this
  // machine (DriverUnavailable::absent).
  bool absent() const { return absent_; }
  // hello returns the last hello reply (null before a successful Start).
  const nlohmann::json& hello() const { return hello_; }
  // restarts counts the fresh drivers started after failures.
  int restarts() const { return restarts_; }

 private:
  std::unique_ptr<DriverConnection> connection_;
  double multiplier_;
  bool running_ = false;
  std::string failure_;
  bool absent_ = false;
  nlohmann::json hello_;
  std::vector<std::string> capabilities_;
  int restarts_ = 0;
};

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_MANAGED_DRIVER_H_
