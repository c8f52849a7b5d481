#include "conformance/language/errno_names.h"

#include <functional>
#include <set>
#include <string>

namespace sockref::conformance {
namespace {

const std::set<std::string, std::less<>>& ErrnoNames() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "E2BIG",        "EACCES",          "EADDRINUSE",      "EADDRNOTAVAIL",
      "EADV",         "EAFNOSUPPORT",    "EAGAIN",          "EALREADY",
      "EBADE",        "EBADF",           "EBADFD",          "EBADMSG",
      "EBADR",        "EBADRQC",         "EBADSLT",         "EBFONT",
      "EBUSY",        "ECANCELED",       "ECHILD",          "ECHRNG",
      "ECOMM",        "ECONNABORTED",    "ECONNREFUSED",    "ECONNRESET",
      "EDEADLK",      "EDEADLOCK",       "EDESTADDRREQ",    "EDOM",
      "EDOTDOT",      "EDQUOT",          "EEXIST",          "EFAULT",
      "EFBIG",        "EHOSTDOWN",       "EHOSTUNREACH",    "EIDRM",
      "EILSEQ",       "EINPROGRESS",     "EINTR",           "EINVAL",
      "EIO",          "EISCONN",         "EISDIR",          "EISNAM",
      "EKEYEXPIRED",  "EKEYREJECTED",    "EKEYREVOKED",     "EL2HLT",
      "EL2NSYNC",     "EL3HLT",          "EL3RST",          "ELIBACC",
      "ELIBBAD",      "ELIBEXEC",        "ELIBMAX",         "ELIBSCN",
      "ELNRNG",       "ELOOP",           "EMEDIUMTYPE",     "EMFILE",
      "EMLINK",       "EMSGSIZE",        "EMULTIHOP",       "ENAMETOOLONG",
      "ENAVAIL",      "ENETDOWN",        "ENETRESET",       "ENETUNREACH",
      "ENFILE",       "ENOANO",          "ENOBUFS",         "ENOCSI",
      "ENODATA",      "ENODEV",          "ENOENT",          "ENOEXEC",
      "ENOKEY",       "ENOLCK",          "ENOLINK",         "ENOMEDIUM",
      "ENOMEM",       "ENOMSG",          "ENONET",          "ENOPKG",
      "ENOPROTOOPT",  "ENOSPC",          "ENOSR",           "ENOSTR",
      "ENOSYS",       "ENOTBLK",         "ENOTCONN",        "ENOTDIR",
      "ENOTEMPTY",    "ENOTNAM",         "ENOTRECOVERABLE", "ENOTSOCK",
      "ENOTSUP",      "ENOTTY",          "ENOTUNIQ",        "ENXIO",
      "EOPNOTSUPP",   "EOVERFLOW",       "EOWNERDEAD",      "EPERM",
      "EPFNOSUPPORT", "EPIPE",           "EPROTO",          "EPROTONOSUPPORT",
      "EPROTOTYPE",   "ERANGE",          "EREMCHG",         "EREMOTE",
      "EREMOTEIO",    "ERESTART",        "ERFKILL",         "EROFS",
      "ESHUTDOWN",    "ESOCKTNOSUPPORT", "ESPIPE",          "ESRCH",
      "ESRMNT",       "ESTALE",          "ESTRPIPE",        "ETIME",
      "ETIMEDOUT",    "ETOOMANYREFS",    "ETXTBSY",         "EUCLEAN",
      "EUNATCH",      "EUSERS",          "EWOULDBLOCK",     "EXDEV",
      "EXFULL",       "EAI_ADDRFAMILY",  "EAI_AGAIN",       "EAI_BADFLAGS",
      "EAI_FAIL",     "EAI_FAMILY",      "EAI_MEMORY",      "EAI_NODATA",
      "EAI_NONAME",   "EAI_OVERFLOW",    "EAI_SERVICE",     "EAI_SOCKTYPE",
      "EAI_SYSTEM",
  };
  return *names;
}

}  // namespace

std::string_view CanonicalErrnoName(std::string_view name) {
  if (name == "EWOULDBLOCK") return "EAGAIN";
  if (name == "EOPNOTSUPP") return "ENOTSUP";
  if (name == "EDEADLK") return "EDEADLOCK";
  return name;
}

bool IsErrnoName(std::string_view name) { return ErrnoNames().count(name) > 0; }

}  // namespace sockref::conformance
