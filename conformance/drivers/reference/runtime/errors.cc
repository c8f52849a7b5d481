#include "conformance/drivers/reference/runtime/errors.h"

#include "impl/errno_names.h"

#include <netdb.h>

#include <cerrno>
#include <map>
#include <new>
#include <utility>

#include "impl/error.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance::reference {
namespace {

// kBases gives each class the driver can name its base, spelled as tracebacks spell classes
// (module-qualified unless builtin). Every hierarchy here is single inheritance except
// ExceptionGroup's and io.UnsupportedOperation's, which ClassMro special-cases.
const std::map<std::string, std::string, std::less<>>& Bases() {
  static const auto* bases = new std::map<std::string, std::string, std::less<>>{
      {"BaseException", "object"},
      {"Exception", "BaseException"},
      {"ArithmeticError", "Exception"},
      {"OverflowError", "ArithmeticError"},
      {"LookupError", "Exception"},
      {"IndexError", "LookupError"},
      {"KeyError", "LookupError"},
      {"AttributeError", "Exception"},
      {"MemoryError", "Exception"},
      {"NameError", "Exception"},
      {"RuntimeError", "Exception"},
      {"TypeError", "Exception"},
      {"ValueError", "Exception"},
      {"UnicodeError", "ValueError"},
      {"UnicodeDecodeError", "UnicodeError"},
      {"UnicodeEncodeError", "UnicodeError"},
      {"OSError", "Exception"},
      {"BlockingIOError", "OSError"},
      {"ChildProcessError", "OSError"},
      {"ConnectionError", "OSError"},
      {"BrokenPipeError", "ConnectionError"},
      {"ConnectionAbortedError", "ConnectionError"},
      {"ConnectionRefusedError", "ConnectionError"},
      {"ConnectionResetError", "ConnectionError"},
      {"FileExistsError", "OSError"},
      {"FileNotFoundError", "OSError"},
      {"InterruptedError", "OSError"},
      {"IsADirectoryError", "OSError"},
      {"NotADirectoryError", "OSError"},
      {"PermissionError", "OSError"},
      {"ProcessLookupError", "OSError"},
      {"TimeoutError", "OSError"},
      {"socket.gaierror", "OSError"},
      {"socket.herror", "OSError"},
      {"BaseExceptionGroup", "BaseException"},
      {"socket.socket", "_socket.socket"},
      {"_socket.socket", "object"},
      {"array.array", "object"},
      {"int", "object"},
      {"bool", "int"},
      {"float", "object"},
      {"str", "object"},
      {"bytes", "object"},
      {"bytearray", "object"},
      {"memoryview", "object"},
      {"tuple", "object"},
      {"list", "object"},
      {"NoneType", "object"},
      {"builtin_function_or_method", "object"},
      {"type", "object"},
      {"module", "object"},
  };
  return *bases;
}


// ExceptionTypeName returns the traceback spelling of a sockref exception's class.
std::string ExceptionTypeName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kGaiError:
      return "socket.gaierror";
    case ErrorKind::kHError:
      return "socket.herror";
    default:
      return std::string(PythonName(kind));
  }
}

RaisedException Raised(std::string type, std::string str) {
  RaisedException r;
  r.mro = ClassMro(type);
  r.type = std::move(type);
  r.str = std::move(str);
  return r;
}

Outcome RaisedOutcome(RaisedException raised) {
  Outcome o;
  o.kind = Outcome::Kind::kRaised;
  o.raised = std::move(raised);
  return o;
}

}  // namespace

Unsupported NoAttribute(std::string_view owner, std::string_view name) {
  return Unsupported(std::string(owner) + " has no attribute '" + std::string(name) + "'");
}

std::vector<std::string> ClassMro(std::string_view name) {
  if (name == "io.UnsupportedOperation") {
    return {"io.UnsupportedOperation", "OSError", "ValueError", "Exception",
            "BaseException",           "object"};
  }
  if (name == "ExceptionGroup") {
    return {"ExceptionGroup", "BaseExceptionGroup", "Exception", "BaseException", "object"};
  }
  // The enum classes: IntEnum's and IntFlag's mro as Python 3.11 builds them.
  if (name == "socket.AddressFamily" || name == "socket.SocketKind") {
    return {std::string(name), "enum.IntEnum", "int", "enum.ReprEnum", "enum.Enum", "object"};
  }
  if (name == "socket.MsgFlag" || name == "socket.AddressInfo") {
    return {std::string(name), "enum.IntFlag", "int",   "enum.ReprEnum",
            "enum.Flag",       "enum.Enum",    "object"};
  }
  std::vector<std::string> mro;
  std::string current(name);
  if (current == "object") return {"object"};
  while (current != "object") {
    auto it = Bases().find(current);
    if (it == Bases().end()) return {};
    mro.push_back(current);
    current = it->second;
  }
  mro.push_back("object");
  return mro;
}

std::string ClassRepr(std::string_view name) { return "<class '" + std::string(name) + "'>"; }

std::optional<std::string> ErrnoName(int value) {
  const std::optional<std::string_view> name = sockref::ErrnoName(value);
  return name ? std::optional<std::string>(*name) : std::nullopt;
}

std::optional<std::string> EaiName(int value) {
  const std::optional<std::string_view> name = sockref::EaiName(value);
  return name ? std::optional<std::string>(*name) : std::nullopt;
}

ExceptionReport ReportCurrentException() {
  ExceptionReport report;
  try {
    throw;
  } catch (const OSError& e) {
    RaisedException r = Raised(ExceptionTypeName(e.kind()), std::string(e.message()));
    if (auto value = e.errno_value()) {
      r.errno_value = *value;
      switch (e.kind()) {
        case ErrorKind::kGaiError:
          r.errno_name = EaiName(*value);
          break;
        case ErrorKind::kHError:
          break;  // h_errno codes have no errno names
        default:
          r.errno_name = ErrnoName(*value);
      }
    }
    report.outcome = RaisedOutcome(std::move(r));
  } catch (const PythonException& e) {
    report.outcome = RaisedOutcome(Raised(ExceptionTypeName(e.kind()), std::string(e.message())));
  } catch (const PyException& e) {
    report.outcome = RaisedOutcome(Raised(e.type(), e.message()));
  } catch (const Unsupported& e) {
    Outcome o;
    o.kind = Outcome::Kind::kUnsupported;
    o.unsupported = e.what();
    report.outcome = std::move(o);
  } catch (const std::bad_alloc&) {
    report.outcome = RaisedOutcome(Raised("MemoryError", ""));
  } catch (const std::exception& e) {
    report.internal_error = std::string("internal error in the reference driver: ") + e.what();
  } catch (...) {
    report.internal_error = "internal error in the reference driver: a non-standard exception";
  }
  return report;
}

}  // namespace sockref::conformance::reference
