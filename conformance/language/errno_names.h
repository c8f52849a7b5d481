// errno_names.h: errno names as cases and drivers spell them (Python's errno.errorcode).
//
//   CanonicalErrnoName("EWOULDBLOCK") == "EAGAIN"   // Linux aliases compare equal
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_ERRNO_NAMES_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_ERRNO_NAMES_H_

#include <string_view>

namespace sockref::conformance {

// CanonicalErrnoName folds the Linux errno aliases onto the name Python's errno.errorcode uses.
std::string_view CanonicalErrnoName(std::string_view name);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_ERRNO_NAMES_H_
