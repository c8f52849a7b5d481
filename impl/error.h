// error.h: exceptions that mirror the ones Python's socket module raises.
//
// Python code catches `ConnectionRefusedError`, `socket.timeout` or `ValueError`;
// C++ code using sockref catches the classes of the same names here:
//
//   try {
//     sock.connect(sockref::InetAddress{"127.0.0.1", port});
//   } catch (const sockref::ConnectionRefusedError& e) {
//     // e.errno_value() == ECONNREFUSED, e.what() == "[Errno 111] Connection refused"
//   }
//
// The hierarchy follows Python's (PEP 3151): every OS-level failure is an `OSError`
// (itself a `std::system_error`), and the subclass is chosen from errno exactly as
// CPython chooses it. Argument errors are `ValueError`, `OverflowError` or
// `TypeError`, which are not `OSError`s, as in Python. Every class also derives from
// `PythonException`, so one handler can name the Python class of whatever was thrown.
#ifndef SOCKREF_IMPL_ERROR_H_
#define SOCKREF_IMPL_ERROR_H_

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sockref {

// ErrorKind names each Python exception class sockref can raise. It is closed:
// a new kind means a new Python class, never a new message.
enum class ErrorKind {
  kOSError,                 // any errno without a more specific class below
  kBlockingIOError,         // EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS
  kChildProcessError,       // ECHILD
  kConnectionError,         // base of the four below; never raised by itself
  kBrokenPipeError,         // EPIPE, ESHUTDOWN
  kConnectionAbortedError,  // ECONNABORTED
  kConnectionRefusedError,  // ECONNREFUSED
  kConnectionResetError,    // ECONNRESET
  kFileExistsError,         // EEXIST
  kFileNotFoundError,       // ENOENT
  kInterruptedError,        // EINTR (only when PEP 475 does not retry)
  kIsADirectoryError,       // EISDIR
  kNotADirectoryError,      // ENOTDIR
  kPermissionError,         // EACCES, EPERM
  kProcessLookupError,      // ESRCH
  kTimeoutError,            // ETIMEDOUT, and socket.timeout ("timed out", no errno)
  kGaiError,                // socket.gaierror: getaddrinfo()/getnameinfo() failures
  kHError,                  // socket.herror: gethostbyaddr() and friends
  kValueError,              // an argument with the right type and a wrong value
  kUnicodeError,            // the idna codec refused a host name (a ValueError subclass)
  kOverflowError,           // an integer argument out of its C range
  kTypeError,               // an argument of the wrong shape (e.g. address family)
  kExceptionGroup,          // several errors at once (create_connection(all_errors=True))
};

// PythonName returns the Python class name of `kind`: "ConnectionRefusedError",
// "gaierror", "herror", "timeout" is spelled "TimeoutError" as in Python 3.10+.
std::string_view PythonName(ErrorKind kind);

// PythonException is the common interface of every exception sockref throws.
class PythonException {
 public:
  virtual ~PythonException() = default;
  // kind returns the Python class this exception mirrors.
  virtual ErrorKind kind() const noexcept = 0;
  // python_name returns PythonName(kind()).
  std::string_view python_name() const noexcept { return PythonName(kind()); }
  // message returns what Python's str() of the exception prints.
  virtual std::string_view message() const noexcept = 0;
};

// OSError mirrors Python's OSError. code() is the errno in the generic category
// (or, for gaierror/herror, the EAI/h_errno code in their own categories).
// errno_value() is std::nullopt for an OSError raised without an errno, such as
// socket.timeout or "AF_UNIX path too long"; what() is Python's str(exc).
class OSError : public std::system_error, public PythonException {
 public:
  // OSError(errno_value) builds "[Errno N] strerror(N)".
  explicit OSError(int errno_value);
  // OSError(errno_value, strerror) builds "[Errno N] strerror".
  OSError(int errno_value, std::string strerror);
  // OSError(message) has no errno: Python's OSError("message").
  explicit OSError(std::string message);

  ErrorKind kind() const noexcept override { return ErrorKind::kOSError; }
  std::string_view message() const noexcept override { return message_; }
  const char* what() const noexcept override { return message_.c_str(); }

  // errno_value returns Python's exc.errno (None -> nullopt).
  std::optional<int> errno_value() const noexcept { return errno_; }
  // strerror returns Python's exc.strerror (None -> nullopt).
  const std::optional<std::string>& strerror() const noexcept { return strerror_; }

 protected:
  OSError(std::error_code code, std::optional<int> errno_value,
          std::optional<std::string> strerror, std::string message);

 private:
  std::optional<int> errno_;
  std::optional<std::string> strerror_;
  std::string message_;
};

// Each PEP 3151 subclass reuses OSError's constructors.
#define SOCKREF_OSERROR_SUBCLASS(Name, Base)                                 \
  class Name : public Base {                                                 \
   public:                                                                   \
    using Base::Base;                                                        \
    ErrorKind kind() const noexcept override { return ErrorKind::k##Name; } \
  }

SOCKREF_OSERROR_SUBCLASS(BlockingIOError, OSError);
SOCKREF_OSERROR_SUBCLASS(ChildProcessError, OSError);
SOCKREF_OSERROR_SUBCLASS(ConnectionError, OSError);
SOCKREF_OSERROR_SUBCLASS(BrokenPipeError, ConnectionError);
SOCKREF_OSERROR_SUBCLASS(ConnectionAbortedError, ConnectionError);
SOCKREF_OSERROR_SUBCLASS(ConnectionRefusedError, ConnectionError);
SOCKREF_OSERROR_SUBCLASS(ConnectionResetError, ConnectionError);
SOCKREF_OSERROR_SUBCLASS(FileExistsError, OSError);
SOCKREF_OSERROR_SUBCLASS(FileNotFoundError, OSError);
SOCKREF_OSERROR_SUBCLASS(InterruptedError, OSError);
SOCKREF_OSERROR_SUBCLASS(IsADirectoryError, OSError);
SOCKREF_OSERROR_SUBCLASS(NotADirectoryError, OSError);
SOCKREF_OSERROR_SUBCLASS(PermissionError, OSError);
SOCKREF_OSERROR_SUBCLASS(ProcessLookupError, OSError);
SOCKREF_OSERROR_SUBCLASS(TimeoutError, OSError);

#undef SOCKREF_OSERROR_SUBCLASS

// timeout is socket.timeout, an alias of TimeoutError since Python 3.10.
// MakeTimeout() builds the instance socket operations raise: message "timed out",
// no errno.
using timeout = TimeoutError;
TimeoutError MakeTimeout();

// gaierror mirrors socket.gaierror: errno_value() is the EAI_* code (negative on
// Linux) and the message is "[Errno code] gai_strerror(code)".
class gaierror : public OSError {
 public:
  explicit gaierror(int eai_code);
  gaierror(int eai_code, std::string message);
  ErrorKind kind() const noexcept override { return ErrorKind::kGaiError; }
};

// herror mirrors socket.herror: errno_value() is the h_errno code and the
// message is "[Errno code] hstrerror(code)".
class herror : public OSError {
 public:
  explicit herror(int h_errno_code);
  ErrorKind kind() const noexcept override { return ErrorKind::kHError; }
};

// ValueError mirrors Python's ValueError: what() is CPython's message.
class ValueError : public std::invalid_argument, public PythonException {
 public:
  explicit ValueError(const std::string& message) : std::invalid_argument(message) {}
  ErrorKind kind() const noexcept override { return ErrorKind::kValueError; }
  std::string_view message() const noexcept override { return what(); }
};

// UnicodeError mirrors Python's UnicodeError, a ValueError: the "idna" codec refused a
// host name getaddrinfo() or gethostby*() was given as str.
class UnicodeError : public ValueError {
 public:
  explicit UnicodeError(const std::string& message) : ValueError(message) {}
  ErrorKind kind() const noexcept override { return ErrorKind::kUnicodeError; }
};

// OverflowError mirrors Python's OverflowError: an integer outside its C range.
class OverflowError : public std::overflow_error, public PythonException {
 public:
  explicit OverflowError(const std::string& message) : std::overflow_error(message) {}
  ErrorKind kind() const noexcept override { return ErrorKind::kOverflowError; }
  std::string_view message() const noexcept override { return what(); }
};

// TypeError mirrors Python's TypeError: an argument of the wrong shape for the
// call, such as an AF_UNIX address given to an AF_INET socket.
class TypeError : public std::invalid_argument, public PythonException {
 public:
  explicit TypeError(const std::string& message) : std::invalid_argument(message) {}
  ErrorKind kind() const noexcept override { return ErrorKind::kTypeError; }
  std::string_view message() const noexcept override { return what(); }
};

// ErrorKindForErrno returns the OSError subclass CPython raises for errno_value.
ErrorKind ErrorKindForErrno(int errno_value) noexcept;

// ThrowOSError throws the OSError subclass for errno_value ("[Errno N] ...").
[[noreturn]] void ThrowOSError(int errno_value);

// ThrowOSError(errno_value, strerror) throws the same subclass with Python's
// OSError(errno, strerror): message "[Errno N] strerror". Python picks the subclass
// from errno whatever the text, e.g. create_server()'s re-raised bind() error.
[[noreturn]] void ThrowOSError(int errno_value, std::string strerror);

// ThrowLastOSError throws ThrowOSError(errno). Call it right after a failed
// system call, before anything can overwrite errno.
[[noreturn]] void ThrowLastOSError();

}  // namespace sockref

#endif  // SOCKREF_IMPL_ERROR_H_
