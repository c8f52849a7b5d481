#include "conformance/language/errno_names.h"

namespace sockref::conformance {

std::string_view CanonicalErrnoName(std::string_view name) {
  if (name == "EWOULDBLOCK") return "EAGAIN";
  if (name == "EOPNOTSUPP") return "ENOTSUP";
  if (name == "EDEADLK") return "EDEADLOCK";
  return name;
}

}  // namespace sockref::conformance
