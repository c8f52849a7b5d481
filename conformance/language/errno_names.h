// errno_names.h: errno names as cases and drivers spell them (Python's errno.errorcode).
//
//   CanonicalErrnoName("EWOULDBLOCK") == "EAGAIN"   // Linux aliases compare equal
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_ERRNO_NAMES_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_ERRNO_NAMES_H_

#include <string_view>

namespace sockref::conformance {

// CanonicalErrnoName folds the Linux errno aliases onto the name Python's errno.errorcode uses.
std::string_view CanonicalErrnoName(std::string_view name);

// IsErrnoName says whether `name` is in Python's errno.errorcode on Linux (CPython 3.6-3.13
// list the same names), or is one of socket's EAI_* codes (which gaierror carries).
bool IsErrnoName(std::string_view name);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_ERRNO_NAMES_H_
