// subprocess_driver.h: a driver that is another program, spoken to over pipes.
//
// Most implementations under test (CPython's socket, PyPy, gevent, the reference driver
// binary) are programs reading JSON Lines on stdin. SubprocessDriver runs one, gives each
// request a deadline, and kills it (its whole process group) when it hangs, dies or writes
// something that is not a reply, so the caller can Start() a fresh one:
//
//   SubprocessDriver cpython({"python3", "conformance/drivers/oracle/driver.py"});
//   nlohmann::json hello = cpython.Start(Deadline(10));
//   DriverReply r = cpython.Call({{"op", "begin"}, {"case", "x.y"}}, Deadline(10));
#ifndef SOCKREF_CONFORMANCE_RUNNER_SUBPROCESS_DRIVER_H_
#define SOCKREF_CONFORMANCE_RUNNER_SUBPROCESS_DRIVER_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/driver_connection.h"

namespace sockref::conformance::runner {

// FindProgram returns the path exec would run for `program`: `program` itself when it
// contains a '/', else the first executable match in $PATH. nullopt when there is none.
std::optional<std::string> FindProgram(const std::string& program);

class SubprocessDriver : public DriverConnection {
 public:
  // `argv[0]` is found with FindProgram at each Start. The child inherits the environment and
  // working directory; its stderr is kept (the last few lines) for crash reports.
  // REQUIRES: !argv.empty().
  explicit SubprocessDriver(std::vector<std::string> argv);
  ~SubprocessDriver() override;
  SubprocessDriver(const SubprocessDriver&) = delete;
  SubprocessDriver& operator=(const SubprocessDriver&) = delete;

  nlohmann::json Start(Clock::time_point deadline) override;
  DriverReply Call(const nlohmann::json& request, Clock::time_point deadline) override;
  // ReleaseReplyMemory gives back the place a large reply took in the runner-wide limit
  // (kMaxLargeReplies read, parsed and decoded at once); the next Call does it too.
  void ReleaseReplyMemory() override;
  void Stop() override;
  bool InProcess() const override { return false; }

 private:
  // Spawn forks and execs argv_; throws DriverUnavailable when exec fails.
  void Spawn();
  // Kill ends the child (SIGKILL to its group unless it has exited), reaps it, closes the
  // pipes, and returns how it ended ("it exited with status 1", "the runner killed it").
  std::string Kill();
  // ReadLine waits until deadline for one line on the child's stdout, draining stderr too.
  // Returns the status and, for kOk, the line.
  DriverReply::Status ReadLine(Clock::time_point deadline, std::string& line);
  bool WriteAll(const std::string& data, Clock::time_point deadline);
  void DrainStderr();
  // Failure kills the child and builds a non-ok reply whose detail ends with its stderr.
  DriverReply Failure(DriverReply::Status status, const std::string& what);
  DriverReply CallOnce(const nlohmann::json& request, Clock::time_point deadline);

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int to_child_ = -1;        // the child's stdin
  int from_child_ = -1;      // the child's stdout
  int child_err_ = -1;       // the child's stderr
  std::string pending_;      // stdout bytes after the last complete line
  bool holds_large_reply_ = false;  // holds one of LargeReplyGate's places
  Clock::duration throttled_{};     // this Call's wait for such a place
  std::string stderr_tail_;  // the last bytes of stderr
  int last_exit_status_ = -1;  // of the last driver Kill() reaped, if it exited by itself
};

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_SUBPROCESS_DRIVER_H_
