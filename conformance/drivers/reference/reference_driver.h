// reference_driver.h: the conformance suite's driver for the C++ reference implementation
// (//impl:sockref): it answers PROTOCOL.md's requests by running each step against sockref.
//
// The runner can call it in-process, which is fast and lets sanitizers see the library at
// work; reference_driver_main.cc wraps the same class as a JSON Lines program:
//
//   ReferenceDriver driver;
//   driver.Handle({{"op", "hello"}, {"protocol", "sockref-driver/1"}});
//   driver.Handle({{"op", "begin"}, {"case", "inet.aton.two_part_shorthand"}});
//   nlohmann::json reply = driver.Handle(ExecRequest(step, 1));
//   // reply["outcome"] == {"value": {"bytes": "AQAAAg=="}}, reply["elapsed"] == 2.1e-06,
//   // reply["started_at"] == the steady clock's reading in seconds as the step began
//   driver.Handle({{"op", "end"}});  // {"op": "end", "background": [], "leaked_fds": 0}
//
// Its answers are meant to equal oracle/driver.py's under CPython for every case the oracle
// can run: values as Python would show them, exceptions with Python's class, mro, errno and
// message, `unsupported` where sockref lacks a name Python has.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_REFERENCE_DRIVER_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_REFERENCE_DRIVER_H_

#include <memory>
#include <nlohmann/json.hpp>

namespace sockref::conformance {

namespace reference_internal {
struct CaseState;
}  // namespace reference_internal

class ReferenceDriver {
 public:
  ReferenceDriver();
  // The destructor ends a case left open, as `quit` does.
  ~ReferenceDriver();
  ReferenceDriver(const ReferenceDriver&) = delete;
  ReferenceDriver& operator=(const ReferenceDriver&) = delete;

  // Handle returns the reply to one request (PROTOCOL.md): hello, begin, exec, end or quit.
  // It never throws: a request the protocol does not define, and a failure of the driver
  // itself, are answered with {"error": "..."} (plus the request's "op" and "step"). A step's
  // own exceptions are outcomes, not errors. Background steps run on threads of their own;
  // Handle itself must be called by one thread at a time.
  nlohmann::json Handle(const nlohmann::json& request);

  // quit_requested says whether a `quit` request has been handled (the program then exits).
  bool quit_requested() const { return quit_; }

 private:
  nlohmann::json Hello();
  nlohmann::json Begin(const nlohmann::json& request);
  nlohmann::json Exec(const nlohmann::json& request);
  nlohmann::json End(const nlohmann::json& request);
  // FinishCase ends the open case: waits up to `deadline_seconds` for its background steps,
  // closes its sockets, and returns {"background": [...], "leaked_fds": n}.
  nlohmann::json FinishCase(double deadline_seconds);

  std::unique_ptr<reference_internal::CaseState> case_;
  bool quit_ = false;
};

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_REFERENCE_DRIVER_H_
