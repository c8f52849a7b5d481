// in_process_driver.h: a driver that is a function in this process.
//
// The reference implementation's driver runs in the runner's own process: no pipes, no JSON
// text, and sanitizers see straight into it. Each request runs on a worker thread so a hang
// is still a verdict rather than a stuck runner:
//
//   InProcessDriver driver([] { return JsonHandler(MyHandler()); });
//   nlohmann::json hello = driver.Start(Deadline(5));
//   DriverReply r = driver.Call({{"op", "begin"}, {"case", "x.y"}}, Deadline(10));
//
// A handler that hangs is abandoned, not stopped (C++ cannot kill a thread): its worker thread
// keeps the handler alive until it returns, and Start() makes a fresh handler. A handler that
// crashes the process takes the runner with it; use the reference-binary implementation to
// survive that.
#ifndef SOCKREF_CONFORMANCE_RUNNER_IN_PROCESS_DRIVER_H_
#define SOCKREF_CONFORMANCE_RUNNER_IN_PROCESS_DRIVER_H_

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "conformance/runner/driver_connection.h"

namespace sockref::conformance::runner {

// JsonHandler answers one protocol request (ReferenceDriver::Handle's shape).
using JsonHandler = std::function<nlohmann::json(const nlohmann::json&)>;

class InProcessDriver : public DriverConnection {
 public:
  // `make_handler` makes a fresh handler (a fresh driver state) at each Start.
  explicit InProcessDriver(std::function<JsonHandler()> make_handler);
  ~InProcessDriver() override;
  InProcessDriver(const InProcessDriver&) = delete;
  InProcessDriver& operator=(const InProcessDriver&) = delete;

  // Start throws DriverUnavailable when `make_handler` throws or hello is wrong.
  nlohmann::json Start(Clock::time_point deadline) override;
  // Call returns kCrashed when the handler throws, kHung when it has not returned by
  // `deadline`, and kGarbage when it returns something other than a JSON object.
  DriverReply Call(const nlohmann::json& request, Clock::time_point deadline) override;
  void Stop() override;
  bool InProcess() const override { return true; }

  struct Worker;  // implementation detail, shared with the worker thread

 private:
  std::function<JsonHandler()> make_handler_;
  std::shared_ptr<Worker> worker_;
};

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_IN_PROCESS_DRIVER_H_
