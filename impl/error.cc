#include "impl/error.h"

#include <netdb.h>

#include <cerrno>
#include <cstring>

namespace sockref {
namespace {

std::string FormatErrno(int code, const std::string& text) {
  return "[Errno " + std::to_string(code) + "] " + text;
}

// std::error_category for EAI_* codes, so gaierror::code() compares sensibly.
class GaiCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return gai_strerror(code); }
};

class HostCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "netdb"; }
  std::string message(int code) const override { return hstrerror(code); }
};

const std::error_category& gai_category() {
  static const GaiCategory category;
  return category;
}

const std::error_category& host_category() {
  static const HostCategory category;
  return category;
}

}  // namespace

std::string_view PythonName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOSError: return "OSError";
    case ErrorKind::kBlockingIOError: return "BlockingIOError";
    case ErrorKind::kChildProcessError: return "ChildProcessError";
    case ErrorKind::kConnectionError: return "ConnectionError";
    case ErrorKind::kBrokenPipeError: return "BrokenPipeError";
    case ErrorKind::kConnectionAbortedError: return "ConnectionAbortedError";
    case ErrorKind::kConnectionRefusedError: return "ConnectionRefusedError";
    case ErrorKind::kConnectionResetError: return "ConnectionResetError";
    case ErrorKind::kFileExistsError: return "FileExistsError";
    case ErrorKind::kFileNotFoundError: return "FileNotFoundError";
    case ErrorKind::kInterruptedError: return "InterruptedError";
    case ErrorKind::kIsADirectoryError: return "IsADirectoryError";
    case ErrorKind::kNotADirectoryError: return "NotADirectoryError";
    case ErrorKind::kPermissionError: return "PermissionError";
    case ErrorKind::kProcessLookupError: return "ProcessLookupError";
    case ErrorKind::kTimeoutError: return "TimeoutError";
    case ErrorKind::kGaiError: return "gaierror";
    case ErrorKind::kHError: return "herror";
    case ErrorKind::kValueError: return "ValueError";
    case ErrorKind::kUnicodeError: return "UnicodeError";
    case ErrorKind::kOverflowError: return "OverflowError";
    case ErrorKind::kTypeError: return "TypeError";
    case ErrorKind::kExceptionGroup: return "ExceptionGroup";
  }
  return "OSError";
}

OSError::OSError(std::error_code code, std::optional<int> errno_value,
                 std::optional<std::string> strerror, std::string message)
    : std::system_error(code),
      errno_(errno_value),
      strerror_(std::move(strerror)),
      message_(std::move(message)) {}

OSError::OSError(int errno_value) : OSError(errno_value, std::strerror(errno_value)) {}

OSError::OSError(int errno_value, std::string strerror)
    : OSError(std::error_code(errno_value, std::generic_category()), errno_value, strerror,
              FormatErrno(errno_value, strerror)) {}

OSError::OSError(std::string message)
    : OSError(std::error_code(), std::nullopt, std::nullopt, std::move(message)) {}

TimeoutError MakeTimeout() { return TimeoutError(std::string("timed out")); }

gaierror::gaierror(int eai_code) : gaierror(eai_code, gai_strerror(eai_code)) {}

gaierror::gaierror(int eai_code, std::string message)
    : OSError(std::error_code(eai_code, gai_category()), eai_code, message,
              FormatErrno(eai_code, message)) {}

herror::herror(int h_errno_code)
    : OSError(std::error_code(h_errno_code, host_category()), h_errno_code,
              std::string(hstrerror(h_errno_code)),
              FormatErrno(h_errno_code, hstrerror(h_errno_code))) {}

ErrorKind ErrorKindForErrno(int errno_value) noexcept {
  switch (errno_value) {
    case EAGAIN:  // == EWOULDBLOCK on Linux
    case EALREADY:
    case EINPROGRESS:
      return ErrorKind::kBlockingIOError;
    case ECHILD: return ErrorKind::kChildProcessError;
    case EPIPE:
    case ESHUTDOWN:
      return ErrorKind::kBrokenPipeError;
    case ECONNABORTED: return ErrorKind::kConnectionAbortedError;
    case ECONNREFUSED: return ErrorKind::kConnectionRefusedError;
    case ECONNRESET: return ErrorKind::kConnectionResetError;
    case EEXIST: return ErrorKind::kFileExistsError;
    case ENOENT: return ErrorKind::kFileNotFoundError;
    case EINTR: return ErrorKind::kInterruptedError;
    case EISDIR: return ErrorKind::kIsADirectoryError;
    case ENOTDIR: return ErrorKind::kNotADirectoryError;
    case EACCES:
    case EPERM:
      return ErrorKind::kPermissionError;
    case ESRCH: return ErrorKind::kProcessLookupError;
    case ETIMEDOUT: return ErrorKind::kTimeoutError;
    default: return ErrorKind::kOSError;
  }
}

void ThrowOSError(int errno_value) { ThrowOSError(errno_value, std::strerror(errno_value)); }

void ThrowOSError(int errno_value, std::string strerror) {
  switch (ErrorKindForErrno(errno_value)) {
    case ErrorKind::kBlockingIOError: throw BlockingIOError(errno_value, std::move(strerror));
    case ErrorKind::kChildProcessError: throw ChildProcessError(errno_value, std::move(strerror));
    case ErrorKind::kBrokenPipeError: throw BrokenPipeError(errno_value, std::move(strerror));
    case ErrorKind::kConnectionAbortedError:
      throw ConnectionAbortedError(errno_value, std::move(strerror));
    case ErrorKind::kConnectionRefusedError:
      throw ConnectionRefusedError(errno_value, std::move(strerror));
    case ErrorKind::kConnectionResetError:
      throw ConnectionResetError(errno_value, std::move(strerror));
    case ErrorKind::kFileExistsError: throw FileExistsError(errno_value, std::move(strerror));
    case ErrorKind::kFileNotFoundError: throw FileNotFoundError(errno_value, std::move(strerror));
    case ErrorKind::kInterruptedError: throw InterruptedError(errno_value, std::move(strerror));
    case ErrorKind::kIsADirectoryError: throw IsADirectoryError(errno_value, std::move(strerror));
    case ErrorKind::kNotADirectoryError:
      throw NotADirectoryError(errno_value, std::move(strerror));
    case ErrorKind::kPermissionError: throw PermissionError(errno_value, std::move(strerror));
    case ErrorKind::kProcessLookupError:
      throw ProcessLookupError(errno_value, std::move(strerror));
    case ErrorKind::kTimeoutError: throw TimeoutError(errno_value, std::move(strerror));
    default: throw OSError(errno_value, std::move(strerror));
  }
}

void ThrowLastOSError() { ThrowOSError(errno); }

}  // namespace sockref
