// Tests for send_fds / recv_fds. Expected values were produced by CPython 3.11
// running the same calls.
//
// Socket pairs are held by reference rather than structured bindings because
// clang 14 (the sanitizer configs) cannot capture structured bindings in lambdas.
#include "impl/fd_passing.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::SameFile;

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::RaisesTimeout;
using ::testing::IsEmpty;
using ::testing::SizeIs;


// Pipe is a pipe whose ends close with it.
struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
  int fds[2];
};

void CloseAll(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

class FdPassingTest : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = CountOpenFds(); }
  void TearDown() override { EXPECT_EQ(CountOpenFds(), fds_before_) << "a descriptor leaked"; }

 private:
  int fds_before_ = 0;
};

const std::array<ConstBuffer, 1> kData = {ConstBuffer("x")};

TEST_F(FdPassingTest, OneDescriptorRoundTripsAsTheSameFile) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  Pipe pipe;
  const int fds[] = {pipe.write_end()};
  EXPECT_EQ(send_fds(a, kData, fds), 1);
  RecvFdsResult r = recv_fds(b, 10, 1);
  EXPECT_EQ(r.data, "x");
  EXPECT_EQ(r.msg_flags, 0);
  EXPECT_EQ(r.address, Address(NoAddress{}));
  ASSERT_THAT(r.fds, SizeIs(1));
  EXPECT_NE(r.fds[0], pipe.write_end());
  EXPECT_TRUE(SameFile(r.fds[0], pipe.write_end()));
  // The received descriptor really is the pipe's write end.
  ASSERT_EQ(::write(r.fds[0], "hi", 2), 2);
  char buf[4];
  EXPECT_EQ(::read(pipe.read_end(), buf, sizeof buf), 2);
  CloseAll(r.fds);
}

TEST_F(FdPassingTest, ThreeDescriptorsArriveInOrder) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  Pipe p1, p2;
  const int fds[] = {p1.read_end(), p2.write_end(), p1.write_end()};
  const std::array<ConstBuffer, 2> data = {ConstBuffer("ab"), ConstBuffer("cd")};
  EXPECT_EQ(send_fds(a, data, fds), 4);
  RecvFdsResult r = recv_fds(b, 10, 3);
  EXPECT_EQ(r.data, "abcd");
  EXPECT_EQ(r.msg_flags, 0);
  ASSERT_THAT(r.fds, SizeIs(3));
  EXPECT_TRUE(SameFile(r.fds[0], p1.read_end()));
  EXPECT_TRUE(SameFile(r.fds[1], p2.write_end()));
  EXPECT_TRUE(SameFile(r.fds[2], p1.write_end()));
  CloseAll(r.fds);
}

// The kernel installs only what fits, closes the rest, and sets MSG_CTRUNC.
TEST_F(FdPassingTest, MaxfdsSmallerThanSentTruncatesWithoutLeaking) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  Pipe pipe;
  const int fds[] = {pipe.read_end(), pipe.write_end(), pipe.read_end()};
  send_fds(a, kData, fds);
  const int open_before = CountOpenFds();
  RecvFdsResult r = recv_fds(b, 10, 1);
  EXPECT_EQ(r.data, "x");
  EXPECT_NE(r.msg_flags & MSG_CTRUNC, 0);
  ASSERT_THAT(r.fds, SizeIs(1));
  EXPECT_TRUE(SameFile(r.fds[0], pipe.read_end()));
  EXPECT_EQ(CountOpenFds(), open_before + 1) << "only the received descriptor is new";
  CloseAll(r.fds);
}

TEST_F(FdPassingTest, MaxfdsZeroReceivesNoDescriptors) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  Pipe pipe;
  const int fds[] = {pipe.read_end()};
  send_fds(a, kData, fds);
  RecvFdsResult r = recv_fds(b, 10, 0);
  EXPECT_EQ(r.data, "x");
  EXPECT_THAT(r.fds, IsEmpty());
  EXPECT_NE(r.msg_flags & MSG_CTRUNC, 0);
}

// Python: send_fds(a, [b'x'], []) -> 1; the peer's recvmsg sees no items.
TEST_F(FdPassingTest, EmptyDescriptorListSendsTheData) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  EXPECT_EQ(send_fds(a, kData, std::span<const int>()), 1);
  RecvFdsResult r = recv_fds(b, 10, 4);
  EXPECT_EQ(r.data, "x");
  EXPECT_THAT(r.fds, IsEmpty());
  EXPECT_EQ(r.msg_flags, 0);
}

TEST_F(FdPassingTest, PlainDataReceivesNoDescriptors) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  a.sendall("abc");
  RecvFdsResult r = recv_fds(b, 10, 2);
  EXPECT_EQ(r.data, "abc");
  EXPECT_THAT(r.fds, IsEmpty());
  EXPECT_EQ(r.msg_flags, 0);
}

// CPython 3.11 does not pass flags to sendmsg(): MSG_OOB, which AF_UNIX would
// reject with EOPNOTSUPP, has no effect. Python: send_fds(a, [b'x'], [0], MSG_OOB) -> 1.
TEST_F(FdPassingTest, SendFdsIgnoresFlags) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  Pipe pipe;
  const int fds[] = {pipe.read_end()};
  EXPECT_EQ(send_fds(a, kData, fds, MSG_OOB), 1);
  RecvFdsResult r = recv_fds(b, 10, 1);
  EXPECT_EQ(r.data, "x");
  CloseAll(r.fds);
}

// Nor the address: an unconnected datagram socket stays unconnected. Python:
// OSError '[Errno 107] Transport endpoint is not connected'.
TEST_F(FdPassingTest, SendFdsIgnoresAddress) {
  Socket unconnected(AF_UNIX, SOCK_DGRAM);
  Pipe pipe;
  const int fds[] = {pipe.read_end()};
  EXPECT_THAT(Outcome([&] {
                send_fds(unconnected, kData, fds, 0, UnixAddress{std::string("\0nowhere", 8)});
              }),
              RaisesOSError(ENOTCONN));
}

// Python: recv_fds(b, 10, 1, MSG_PEEK) consumes the data; the next recv finds none.
TEST_F(FdPassingTest, RecvFdsIgnoresFlags) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  a.sendall("abc");
  EXPECT_EQ(recv_fds(b, 10, 1, MSG_PEEK).data, "abc");
  b.setblocking(false);
  EXPECT_THAT(Outcome([&] { b.recv(10); }), RaisesOSError(EAGAIN));
}

TEST_F(FdPassingTest, SendFdsOfAClosedDescriptorRaisesEbadf) {
  auto ab = socketpair();
  Socket& a = ab.first;
  int fd = ::dup(0);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const int fds[] = {fd};
  EXPECT_THAT(Outcome([&] { send_fds(a, kData, fds); }), RaisesOSError(EBADF));
}

TEST_F(FdPassingTest, RecvFdsMaxfdsErrorsComeFirst) {
  auto ab = socketpair();
  Socket& b = ab.second;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_THAT(Outcome([&] { recv_fds(b, 10, -1); }),
              Raises(ErrorKind::kOverflowError, "CMSG_LEN() argument out of range"));
  EXPECT_THAT(Outcome([&] { recv_fds(b, -1, -1); }),
              Raises(ErrorKind::kOverflowError, "CMSG_LEN() argument out of range"));
  // 2**29 * 4 == 2**31 exceeds CMSG_LEN's range; 2**61 * 4 no longer fits ssize_t.
  EXPECT_THAT(Outcome([&] { recv_fds(b, 10, std::int64_t{1} << 29); }),
              Raises(ErrorKind::kOverflowError, "CMSG_LEN() argument out of range"));
  EXPECT_THAT(Outcome([&] { recv_fds(b, 10, std::int64_t{1} << 61); }),
              Raises(ErrorKind::kOverflowError, "Python int too large to convert to C ssize_t"));
  EXPECT_THAT(Outcome([&] { recv_fds(b, 10, kMin / 4); }),
              Raises(ErrorKind::kOverflowError, "CMSG_LEN() argument out of range"));
  EXPECT_THAT(Outcome([&] { recv_fds(b, 10, kMin / 4 - 1); }),
              Raises(ErrorKind::kOverflowError, "Python int too large to convert to C ssize_t"));
  EXPECT_THAT(Outcome([&] { recv_fds(b, -1, 1); }),
              Raises(ErrorKind::kValueError, "negative buffer size in recvmsg()"));
}

TEST_F(FdPassingTest, RecvFdsHonoursTheSocketTimeout) {
  auto ab = socketpair();
  Socket& b = ab.second;
  b.settimeout(Seconds(0.01));
  EXPECT_THAT(Outcome([&] { recv_fds(b, 10, 1); }), RaisesTimeout());
}

}  // namespace
}  // namespace sockref
