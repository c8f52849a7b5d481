// open_fds.h: counts this process's open descriptors, for leak checks.
//
//   const int before = sockref::testing::CountOpenFds();
//   ... code under test ...
//   EXPECT_EQ(sockref::testing::CountOpenFds(), before);
#ifndef SOCKREF_IMPL_TESTING_OPEN_FDS_H_
#define SOCKREF_IMPL_TESTING_OPEN_FDS_H_

#include <dirent.h>

namespace sockref::testing {

// CountOpenFds returns the number of entries in /proc/self/fd, not counting the
// descriptor used to read the directory itself.
inline int CountOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;
}

}  // namespace sockref::testing

#endif  // SOCKREF_IMPL_TESTING_OPEN_FDS_H_
