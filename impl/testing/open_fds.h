// open_fds.h: this process's open descriptors, read from /proc/self/fd, for leak
// checks in tests, fuzzers and the conformance runner and reference driver; and
// whether two descriptors share a file.
//
//   const int before = sockref::testing::CountOpenFds();
//   ... code under test ...
//   EXPECT_EQ(sockref::testing::CountOpenFds(), before);
#ifndef SOCKREF_IMPL_TESTING_OPEN_FDS_H_
#define SOCKREF_IMPL_TESTING_OPEN_FDS_H_

#include <optional>
#include <set>

namespace sockref::testing {

// OpenFds returns the descriptors open in this process, without the one used to
// read /proc/self/fd; std::nullopt when /proc/self/fd cannot be read.
std::optional<std::set<int>> OpenFds();

// CountOpenFds returns how many descriptors are open (OpenFds()'s size), or -1
// when /proc/self/fd cannot be read.
int CountOpenFds();

// HighestOpenFd returns the largest descriptor number open, or -1 when none is
// open or /proc/self/fd cannot be read.
int HighestOpenFd();

// SameFile returns whether descriptors a and b refer to the same file (same
// device and inode), e.g. a descriptor received over SCM_RIGHTS and its original.
bool SameFile(int a, int b);

}  // namespace sockref::testing

#endif  // SOCKREF_IMPL_TESTING_OPEN_FDS_H_
