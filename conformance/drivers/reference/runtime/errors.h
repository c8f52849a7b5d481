// errors.h: how the reference driver raises Python exceptions of its own and reports every
// exception as the protocol's RaisedException.
//
// Three things can go wrong in a step, and the protocol keeps them apart:
//   * a Python exception: a sockref::PythonException from the library (OSError subclasses,
//     socket.gaierror, ValueError, ...), or a PyException the driver's runtime raises where
//     CPython's interpreter would (IndexError, NameError, ...);
//   * Unsupported: the step names an attribute the implementation does not have (Python's
//     AttributeError), reported as the outcome `unsupported`, never as an exception;
//   * anything else (a stray std::exception) is a bug in the driver, reported as an internal
//     error so that it can never pass for a Python outcome.
//
//   try {
//     ...
//   } catch (...) {
//     ExceptionReport r = ReportCurrentException();
//     if (r.outcome) reply["outcome"] = OutcomeToJson(*r.outcome);
//     else reply["error"] = r.internal_error;
//   }
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_ERRORS_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_ERRORS_H_

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/protocol/outcome.h"

namespace sockref::conformance::reference {

// PyException is a Python exception the driver raises itself. `type` is the traceback
// spelling of a class ClassMro knows ("IndexError"); `message` is str(exc).
class PyException : public std::runtime_error {
 public:
  PyException(std::string type, std::string message)
      : std::runtime_error(message), type_(std::move(type)), message_(std::move(message)) {}
  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }

 private:
  std::string type_;
  std::string message_;
};

// Unsupported says the implementation lacks what a step uses. what() is the AttributeError
// message Python would give ("module 'socket' has no attribute 'if_nameindex'") or, for
// values the driver cannot represent, a sentence saying so.
class Unsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// NoAttribute returns the Unsupported for `owner`'s missing attribute, worded as CPython's
// AttributeError: "'socket' object has no attribute 'x'" (owner "'socket' object") or
// "module 'socket' has no attribute 'x'" (owner "module 'socket'").
Unsupported NoAttribute(std::string_view owner, std::string_view name);

// ClassMro returns the __mro__ of the class spelled `name` (traceback spelling, see
// ExceptionTypeName), "object" last; empty when the class is unknown to the driver.
std::vector<std::string> ClassMro(std::string_view name);

// ClassRepr returns repr() of a known class: "<class 'OSError'>", "<class 'socket.gaierror'>".
std::string ClassRepr(std::string_view name);

// ErrnoName returns errno.errorcode[value] ("EBADF"), nullopt for a value Python does not name.
std::optional<std::string> ErrnoName(int value);

// EaiName returns the socket.EAI_* name of a getaddrinfo() error code ("EAI_NONAME" for -2).
std::optional<std::string> EaiName(int value);

// ExceptionReport is what ReportCurrentException() found: an outcome (raised or
// unsupported), or an internal error description.
struct ExceptionReport {
  std::optional<Outcome> outcome;
  std::string internal_error;
};

// ReportCurrentException converts the exception being handled into a report. Call it only
// inside a catch block. sockref::PythonException and PyException become kRaised outcomes,
// std::bad_alloc becomes MemoryError, Unsupported becomes kUnsupported, and anything else an
// internal error.
ExceptionReport ReportCurrentException();

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_ERRORS_H_
