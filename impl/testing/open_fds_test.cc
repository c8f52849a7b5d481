#include "impl/testing/open_fds.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sockref::testing {
namespace {

TEST(OpenFdsTest, SeesADescriptorFromOpenToClose) {
  const int before = CountOpenFds();
  ASSERT_GE(before, 3);  // stdin, stdout, stderr at least
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(OpenFds()->count(fd), 1u);
  EXPECT_EQ(CountOpenFds(), before + 1);
  EXPECT_GE(HighestOpenFd(), fd);
  ::close(fd);
  EXPECT_EQ(OpenFds()->count(fd), 0u);
  EXPECT_EQ(CountOpenFds(), before);
}

TEST(OpenFdsTest, LeavesOutTheDescriptorThatReadsTheDirectory) {
  // Reading /proc/self/fd takes the lowest free number; it must not be counted.
  const std::optional<std::set<int>> first = OpenFds();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(OpenFds(), first);
}

TEST(SameFileTest, TellsADuplicateFromAnotherOpenOfTheSameKind) {
  const int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int b = ::dup(a);
  const int c = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  EXPECT_TRUE(SameFile(a, b));
  EXPECT_FALSE(SameFile(a, c));
  EXPECT_FALSE(SameFile(a, -1));
  ::close(a);
  ::close(b);
  ::close(c);
}

}  // namespace
}  // namespace sockref::testing
