#include "impl/testing/open_fds.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>

namespace sockref::testing {

std::optional<std::set<int>> OpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::set<int> fds;
  const int own = ::dirfd(dir);
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != own) fds.insert(fd);
  }
  ::closedir(dir);
  return fds;
}

int CountOpenFds() {
  const std::optional<std::set<int>> fds = OpenFds();
  return fds ? static_cast<int>(fds->size()) : -1;
}

int HighestOpenFd() {
  const std::optional<std::set<int>> fds = OpenFds();
  return fds && !fds->empty() ? *fds->rbegin() : -1;
}

bool SameFile(int a, int b) {
  struct stat sa {
  }, sb{};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace sockref::testing
