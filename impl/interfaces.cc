#include "impl/interfaces.h"

#include <net/if.h>

#include <memory>

#include "impl/error.h"

namespace sockref {

std::vector<InterfaceName> if_nameindex() {
  struct Deleter {
    void operator()(struct if_nameindex* list) const { ::if_freenameindex(list); }
  };
  std::unique_ptr<struct if_nameindex, Deleter> list(::if_nameindex());
  if (list == nullptr) ThrowLastOSError();
  std::vector<InterfaceName> result;
  // The array ends with an entry whose index is 0.
  for (const struct if_nameindex* entry = list.get(); entry->if_index != 0; ++entry) {
    result.push_back(InterfaceName{entry->if_index, entry->if_name});
  }
  return result;
}

unsigned if_nametoindex(std::string_view name) {
  // Python's str goes through the file-system encoder, which refuses NULs.
  if (name.find('\0') != std::string_view::npos) throw ValueError("embedded null byte");
  const unsigned index = ::if_nametoindex(std::string(name).c_str());
  if (index == 0) throw OSError(std::string("no interface with this name"));
  return index;
}

std::string if_indextoname(std::int64_t index) {
  if (index < 0) throw OverflowError("can't convert negative value to unsigned int");
  char name[IF_NAMESIZE + 1] = {};
  if (::if_indextoname(static_cast<unsigned>(index), name) == nullptr) ThrowLastOSError();
  return name;
}

}  // namespace sockref
