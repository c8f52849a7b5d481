// driver_connection.h: one conversation with a driver (PROTOCOL.md), request by request.
//
// The runner never trusts a driver: a driver may crash, hang, or print garbage, and the run
// must go on. So every call has a deadline and says how it ended:
//
//   std::unique_ptr<DriverConnection> driver = ...;  // SubprocessDriver, InProcessDriver
//   nlohmann::json hello = driver->Start(Deadline(5.0));  // throws DriverUnavailable
//   DriverReply r = driver->Call({{"op", "begin"}, {"case", "x.y"}}, Deadline(10.0));
//   if (r.status != DriverReply::Status::kOk) {
//     // r.detail says what happened ("driver exited with status 1; stderr: ...");
//     // the driver is dead: Start() a fresh one before the next case.
//   }
#ifndef SOCKREF_CONFORMANCE_RUNNER_DRIVER_CONNECTION_H_
#define SOCKREF_CONFORMANCE_RUNNER_DRIVER_CONNECTION_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>

namespace sockref::conformance::runner {

using Clock = std::chrono::steady_clock;

// Deadline returns the time point `seconds` from now.
Clock::time_point Deadline(double seconds);

// DriverUnavailable is thrown by DriverConnection::Start when no working driver can be had:
// the program is missing, it cannot load its module, or it answers `hello` wrongly. what()
// is the reason, for the report's "unavailable" line.
class DriverUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  DriverUnavailable(const std::string& what, bool absent)
      : std::runtime_error(what), absent_(absent) {}
  // absent says the driver exited with kAbsentExitStatus before hello: the implementation is
  // not on this machine (PROTOCOL.md, "Starting"), as opposed to broken or too slow.
  bool absent() const { return absent_; }

 private:
  bool absent_ = false;
};

// kAbsentExitStatus is the exit status with which a driver says, before answering hello, that
// its implementation is not on this machine (automake's "skipped" status).
inline constexpr int kAbsentExitStatus = 77;

// DriverReply is how one request ended.
struct DriverReply {
  enum class Status {
    kOk,       // `message` is the reply: a JSON object (possibly {"error": ...})
    kCrashed,  // the driver died (exited, was killed, threw) before replying
    kHung,     // no reply by the deadline; the driver has been killed
    kGarbage,  // the reply was not one JSON object; the driver has been killed
  };
  Status status = Status::kOk;
  nlohmann::json message;  // kOk only
  std::string detail;      // otherwise: what happened, with the driver's last stderr words
  // How long the runner itself held the reply back (bounding the memory large replies take):
  // not the driver's time, so the caller extends its deadlines by it.
  Clock::duration throttled = Clock::duration::zero();
};

// StatusName returns "ok", "crashed", "hung" or "garbage".
const char* StatusName(DriverReply::Status status);

// DriverConnection is one live driver instance. Not thread-safe: one caller at a time.
class DriverConnection {
 public:
  virtual ~DriverConnection() = default;

  // Start discards the current driver instance, if any (killing it), starts a fresh one and
  // exchanges `hello`. Returns the hello reply. Throws DriverUnavailable when that fails.
  virtual nlohmann::json Start(Clock::time_point deadline) = 0;

  // Call sends `request` and waits until `deadline` for its reply. After any status but kOk
  // the instance is gone; Call returns kCrashed until the next Start().
  // REQUIRES: Start() succeeded.
  virtual DriverReply Call(const nlohmann::json& request, Clock::time_point deadline) = 0;

  // Stop says `quit` (briefly) and ends the instance. Idempotent.
  virtual void Stop() = 0;

  // ReleaseReplyMemory says the caller is done with the last reply (decoded, kept or dropped);
  // a connection that bounds the memory replies take may reuse it. Calling it is optional.
  virtual void ReleaseReplyMemory() {}

  // InProcess says whether the driver shares this process (its descriptors and globals).
  virtual bool InProcess() const = 0;
};

// MismatchedReply returns why `reply` does not answer `request`, or nullopt when it does: a
// reply echoes the request's "op" and, where the request has one, its "step" (PROTOCOL.md).
// An answer to some other request means the conversation is out of step for good.
std::optional<std::string> MismatchedReply(const nlohmann::json& request,
                                           const nlohmann::json& reply);

// HelloRequest returns the `hello` message the runner opens every conversation with.
nlohmann::json HelloRequest();

// CheckHello returns `reply` when it is a `hello` reply for this protocol version, with a
// "capabilities" array of strings; otherwise throws DriverUnavailable saying what is wrong.
const nlohmann::json& CheckHello(const nlohmann::json& reply);

// DescriptorTableLock guards this process's descriptor table for leak counting: code that
// opens or closes descriptors outside a case (starting or killing subprocess drivers) holds
// it shared; a case run in-process holds it exclusively from `begin` to `end`, so a count of
// /proc/self/fd around the case sees only what the case did, and no fork() copies the case's
// sockets into a child meanwhile.
std::shared_mutex& DescriptorTableLock();

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_DRIVER_CONNECTION_H_
