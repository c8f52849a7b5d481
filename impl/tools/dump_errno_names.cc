// dump_errno_names prints errno_names.h's tables, one "table value name" line a
// row, for check_errno_names.py to compare with Python's.
#include <cstdio>
#include <span>
#include <string>

#include "impl/errno_names.h"

namespace {

void Dump(const char* table, std::span<const sockref::NamedNumber> rows) {
  for (const sockref::NamedNumber& row : rows) {
    std::printf("%s %d %s\n", table, row.value, std::string(row.name).c_str());
  }
}

}  // namespace

int main() {
  Dump("errno", sockref::ErrnoNames());
  Dump("alias", sockref::ErrnoAliases());
  Dump("eai", sockref::EaiNames());
  return 0;
}
