// open_fds.h: descriptor checks for tests: counting this process's open
// descriptors (leak checks) and telling whether two descriptors share a file.
//
//   const int before = sockref::testing::CountOpenFds();
//   ... code under test ...
//   EXPECT_EQ(sockref::testing::CountOpenFds(), before);
#ifndef SOCKREF_IMPL_TESTING_OPEN_FDS_H_
#define SOCKREF_IMPL_TESTING_OPEN_FDS_H_

#include <dirent.h>
#include <sys/stat.h>

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

// SameFile returns whether descriptors a and b refer to the same file (same
// device and inode), e.g. a descriptor received over SCM_RIGHTS and its original.
inline bool SameFile(int a, int b) {
  struct stat sa {}, sb {};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace sockref::testing

#endif  // SOCKREF_IMPL_TESTING_OPEN_FDS_H_
