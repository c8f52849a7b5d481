// Tests of DescriptorBuf: output reaches the descriptor it was made from, or is refused, never
// written elsewhere or lost without a reason.
#include "conformance/report/private_streams.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <ostream>
#include <string>

namespace sockref::conformance::report {
namespace {

using ::testing::HasSubstr;

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, std::size_t(n));
  return out;
}

TEST(DescriptorBufTest, WritesToAHighCloseOnExecDuplicate) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  {
    DescriptorBuf buf(p[1], /*buffered=*/true);
    EXPECT_GE(buf.fd(), DescriptorBuf::kFirstPrivateFd);
    EXPECT_NE(::fcntl(buf.fd(), F_GETFD) & FD_CLOEXEC, 0);
    ::close(p[1]);  // what a case closing "stdout" does: the duplicate lives on
    std::ostream out(&buf);
    out << "Result: OK\n" << std::flush;
    EXPECT_TRUE(out.good());
    EXPECT_EQ(buf.error(), "");
  }
  EXPECT_EQ(ReadAll(p[0]), "Result: OK\n");
  ::close(p[0]);
}

// A duplicate closed and its number reused by another file is never written to.
TEST(DescriptorBufTest, RefusesADescriptorNumberNowHoldingAnotherFile) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  int q[2];
  ASSERT_EQ(::pipe(q), 0);
  {
    DescriptorBuf buf(p[1], /*buffered=*/false);
    ASSERT_EQ(::dup2(q[1], buf.fd()), buf.fd());  // the number now names the other pipe
    std::ostream out(&buf);
    out << "Result: OK\n";
    EXPECT_FALSE(out.good());
    EXPECT_THAT(buf.error(), HasSubstr("no longer is the file it was duplicated from"));
  }  // closes the number, the other pipe's last write end but q[1]
  ::close(q[1]);
  EXPECT_EQ(ReadAll(q[0]), "");
  for (int fd : {p[0], p[1], q[0]}) ::close(fd);
}

TEST(DescriptorBufTest, KeepsTheFirstWriteError) {
  const int full = ::open("/dev/full", O_WRONLY);
  ASSERT_GE(full, 0);
  DescriptorBuf buf(full, /*buffered=*/true);
  ::close(full);
  std::ostream out(&buf);
  out << "Result: OK\n" << std::flush;
  EXPECT_FALSE(out.good());
  EXPECT_EQ(buf.error(), "write failed: No space left on device");
}

}  // namespace
}  // namespace sockref::conformance::report
