// raises.h: GoogleTest matchers that name the Python-visible outcome of a call.
//
//   EXPECT_THAT(Outcome([&] { sock.recv(1); }), RaisesOSError(EBADF));
//   EXPECT_THAT(Outcome([&] { sockref::htons(-1); }),
//               Raises(ErrorKind::kOverflowError, "htons: can't convert negative ..."));
//   EXPECT_THAT(Outcome([&] { sock.recv(1); }), RaisesTimeout());
//
// There is deliberately no "raises anything" matcher: a test names the specific error.
#ifndef SOCKREF_IMPL_TESTING_RAISES_H_
#define SOCKREF_IMPL_TESTING_RAISES_H_

#include <gmock/gmock.h>

#include <optional>
#include <ostream>
#include <string>

#include "impl/error.h"

namespace sockref::testing {

// CallOutcome records what a call did: returned normally, or raised a sockref
// exception (its Python class, errno and message), or threw something foreign.
struct CallOutcome {
  bool raised = false;
  bool foreign = false;  // threw something that is not a sockref PythonException
  ErrorKind kind = ErrorKind::kOSError;
  std::optional<int> errno_value;
  std::string message;
};

inline void PrintTo(const CallOutcome& o, std::ostream* os) {
  if (!o.raised) {
    *os << "returned normally";
  } else if (o.foreign) {
    *os << "threw a non-sockref exception: " << o.message;
  } else {
    *os << "raised " << PythonName(o.kind) << "(";
    if (o.errno_value) *os << "errno=" << *o.errno_value << ", ";
    *os << "\"" << o.message << "\")";
  }
}

// Outcome runs `call` and records how it ended.
template <typename Call>
CallOutcome Outcome(Call&& call) {
  CallOutcome o;
  try {
    call();
  } catch (const OSError& e) {
    o = {true, false, e.kind(), e.errno_value(), std::string(e.message())};
  } catch (const PythonException& e) {
    o = {true, false, e.kind(), std::nullopt, std::string(e.message())};
  } catch (const std::exception& e) {
    o = {true, true, ErrorKind::kOSError, std::nullopt, e.what()};
  }
  return o;
}

MATCHER(ReturnsNormally, "returns without raising") { return !arg.raised; }

MATCHER_P(Raises, kind, "raises " + std::string(PythonName(kind))) {
  return arg.raised && !arg.foreign && arg.kind == kind;
}

MATCHER_P2(Raises, kind, message,
           "raises " + std::string(PythonName(kind)) + "(\"" + std::string(message) + "\")") {
  return arg.raised && !arg.foreign && arg.kind == kind && arg.message == message;
}

// RaisesOSError matches an OSError (of whatever PEP 3151 subclass) with this errno.
MATCHER_P(RaisesOSError, errno_value,
          "raises an OSError with errno " + ::testing::PrintToString(errno_value)) {
  return arg.raised && !arg.foreign && arg.errno_value == errno_value &&
         arg.kind == ErrorKindForErrno(errno_value);
}

// RaisesTimeout matches socket.timeout: TimeoutError("timed out") without errno.
MATCHER(RaisesTimeout, "raises socket.timeout (\"timed out\", no errno)") {
  return arg.raised && !arg.foreign && arg.kind == ErrorKind::kTimeoutError &&
         !arg.errno_value && arg.message == "timed out";
}

}  // namespace sockref::testing

#endif  // SOCKREF_IMPL_TESTING_RAISES_H_
