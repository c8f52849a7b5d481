// Tests for Socket::sendfile. Expected values were taken from CPython 3.11 running
// the same steps with the file opened as open(path, "rb", buffering=0).
//
// Socket pairs are held by reference rather than structured bindings because
// clang 14 (the sanitizer configs) cannot capture structured bindings in lambdas.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>

#include "impl/socket.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::RaisesTimeout;
using ::sockref::testing::ReturnsNormally;
using namespace std::chrono_literals;

// Pattern returns `size` bytes of 0, 1, ..., 255, 0, 1, ... (Python's
// bytes(range(256)) repeated), so any slice is recognisable.
std::string Pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i % 256);
  return s;
}

// TempFile is a regular file (memfd) holding `content`, offset at 0.
class TempFile {
 public:
  explicit TempFile(const std::string& content) : fd_(::memfd_create("sendfile", MFD_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd_, content.data() + done, content.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    EXPECT_EQ(done, content.size());
    ::lseek(fd_, 0, SEEK_SET);
  }
  ~TempFile() { ::close(fd_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }
  // position returns the file offset: Python's file.tell().
  std::int64_t position() const { return ::lseek(fd_, 0, SEEK_CUR); }

 private:
  int fd_;
};

bool SigpipeIsPending() {
  sigset_t pending;
  ::sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

bool SigpipeIsBlocked() {
  sigset_t mask;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

// ReadAvailable drains what `sock` holds right now, without waiting.
std::string ReadAvailable(Socket& sock) {
  std::string all;
  sock.setblocking(false);
  for (;;) {
    try {
      Bytes chunk = sock.recv(1 << 16);
      if (chunk.empty()) break;
      all += chunk;
    } catch (const BlockingIOError&) {
      break;
    }
  }
  sock.setblocking(true);
  return all;
}

class SendfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fds_before_ = CountOpenFds();
    // The tests about broken pipes need the default disposition (death by
    // SIGPIPE), not whatever the test runner installed.
    old_sigpipe_ = ::signal(SIGPIPE, SIG_DFL);
  }
  void TearDown() override {
    ::signal(SIGPIPE, old_sigpipe_);
    EXPECT_FALSE(SigpipeIsPending()) << "sendfile left a SIGPIPE pending";
    EXPECT_FALSE(SigpipeIsBlocked()) << "sendfile left SIGPIPE blocked";
    EXPECT_EQ(CountOpenFds(), fds_before_) << "a descriptor leaked";
  }

 private:
  int fds_before_ = 0;
  sighandler_t old_sigpipe_ = SIG_DFL;
};

TEST_F(SendfileTest, SendsTheWholeFileAndLeavesOffsetAtItsEnd) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  EXPECT_EQ(a.sendfile(file.fd()), 100);
  EXPECT_EQ(b.recv(1000), Pattern(100));
  EXPECT_EQ(file.position(), 100);
}

// Python: sock.sendfile(f, 10, 5) -> 5, f.tell() == 15.
TEST_F(SendfileTest, OffsetAndCountSendThatSliceAndSeekAfterIt) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  EXPECT_EQ(a.sendfile(file.fd(), 10, 5), 5);
  EXPECT_EQ(b.recv(1000), Pattern(100).substr(10, 5));
  EXPECT_EQ(file.position(), 15);
}

// Python: sock.sendfile(f, 90) -> 10, f.tell() == 100.
TEST_F(SendfileTest, OffsetWithoutCountSendsTheTail) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  EXPECT_EQ(a.sendfile(file.fd(), 90), 10);
  EXPECT_EQ(b.recv(1000), Pattern(100).substr(90));
  EXPECT_EQ(file.position(), 100);
}

TEST_F(SendfileTest, CountBeyondTheEndStopsAtEndOfFile) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  EXPECT_EQ(a.sendfile(file.fd(), 0, 1000), 100);
  EXPECT_EQ(b.recv(1000), Pattern(100));
}

// Python: with f.tell() == 15, sock.sendfile(f, 1000) -> 0 and f.tell() is still
// 15: nothing was sent, so nothing is seeked.
TEST_F(SendfileTest, OffsetPastTheEndSendsNothingAndKeepsTheOffset) {
  auto ab = socketpair();
  Socket& a = ab.first;
  TempFile file(Pattern(100));
  ::lseek(file.fd(), 15, SEEK_SET);
  EXPECT_EQ(a.sendfile(file.fd(), 1000), 0);
  EXPECT_EQ(file.position(), 15);
}

TEST_F(SendfileTest, LargeFileArrivesIntactThroughAReaderThread) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  const std::string content = Pattern(3 * 1024 * 1024 + 7);
  TempFile file(content);
  std::string received;
  std::thread reader([&] {
    for (;;) {
      Bytes chunk = b.recv(1 << 16);
      if (chunk.empty()) break;
      received += chunk;
    }
  });
  EXPECT_EQ(a.sendfile(file.fd(), 0), static_cast<std::int64_t>(content.size()));
  a.shutdown(SHUT_WR);
  reader.join();
  EXPECT_EQ(received, content);
}

TEST_F(SendfileTest, EmptyFileReturnsZeroEvenOnANonBlockingSocket) {
  auto ab = socketpair();
  Socket& a = ab.first;
  TempFile file("");
  a.setblocking(false);
  EXPECT_EQ(a.sendfile(file.fd()), 0);
}

TEST_F(SendfileTest, NonBlockingSocketRaisesValueError) {
  auto ab = socketpair();
  Socket& a = ab.first;
  TempFile file(Pattern(100));
  a.setblocking(false);
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd()); }),
              Raises(ErrorKind::kValueError, "non-blocking sockets are not supported"));
}

TEST_F(SendfileTest, DatagramSocketRaisesValueErrorBeforeCheckingCount) {
  auto ab = socketpair(AF_UNIX, SOCK_DGRAM);
  Socket& a = ab.first;
  TempFile file(Pattern(100));
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), 0, 0); }),
              Raises(ErrorKind::kValueError, "only SOCK_STREAM type sockets are supported"));
}

// CPython checks `type & SOCK_STREAM`, which SOCK_SEQPACKET (5) passes.
TEST_F(SendfileTest, SeqpacketSocketPassesTheStreamCheck) {
  auto ab = socketpair(AF_UNIX, SOCK_SEQPACKET);
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  EXPECT_EQ(a.sendfile(file.fd(), 10, 5), 5);
  EXPECT_EQ(b.recv(100), Pattern(100).substr(10, 5));
}

TEST_F(SendfileTest, CountMustBePositive) {
  auto ab = socketpair();
  Socket& a = ab.first;
  TempFile file(Pattern(100));
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), 0, 0); }),
              Raises(ErrorKind::kValueError, "count must be a positive integer (got 0)"));
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), 0, -5); }),
              Raises(ErrorKind::kValueError, "count must be a positive integer (got -5)"));
}

// sendfile(2) rejects the offset, CPython falls back to read+send, whose
// file.seek(-1) on a raw file is lseek(2)'s EINVAL.
TEST_F(SendfileTest, NegativeOffsetRaisesEinvalFromTheFallbackSeek) {
  auto ab = socketpair();
  Socket& a = ab.first;
  TempFile file(Pattern(100));
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), -1); }), RaisesOSError(EINVAL));
}

// A pipe's fstat() size is 0 on Linux, and CPython returns 0 for a size-0 file
// before trying anything: nothing is sent, the pipe is not read.
TEST_F(SendfileTest, PipeSourceSendsNothingBecauseItsSizeIsZero) {
  auto ab = socketpair();
  Socket& a = ab.first;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(pipe_fds[1], "hello", 5), 5);
  EXPECT_EQ(a.sendfile(pipe_fds[0]), 0);
  char buf[8];
  EXPECT_EQ(::read(pipe_fds[0], buf, sizeof buf), 5);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

// fstat() fails, so CPython gives up on sendfile(2); the fallback's read fails.
TEST_F(SendfileTest, BadFileDescriptorFallsBackAndRaisesEbadf) {
  auto ab = socketpair();
  Socket& a = ab.first;
  EXPECT_THAT(Outcome([&] { a.sendfile(-1); }), RaisesOSError(EBADF));
}

// CPython hands fileno() == -1 to a selector, which rejects it.
TEST_F(SendfileTest, ClosedSocketRaisesInvalidFileDescriptor) {
  auto ab = socketpair();
  Socket& a = ab.first;
  TempFile file(Pattern(100));
  a.close();
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd()); }),
              Raises(ErrorKind::kValueError, "Invalid file descriptor: -1"));
}

// sendfile(2) fails with EPIPE before sending anything, so CPython falls back to
// read+send, which reads a block (moving the offset) and fails again. Python:
// BrokenPipeError, f.tell() == 100. With the default SIGPIPE disposition the
// process survives only because sendfile keeps the signal from being delivered.
TEST_F(SendfileTest, ClosedPeerRaisesBrokenPipeAndTheProcessSurvives) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  b.close();
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd()); }), RaisesOSError(EPIPE));
  EXPECT_EQ(file.position(), 100);
}

// The fallback seeks to a non-zero offset before reading. Python: f.tell() == 100.
TEST_F(SendfileTest, ClosedPeerWithOffsetSeeksThenReads) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  b.close();
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), 7); }), RaisesOSError(EPIPE));
  EXPECT_EQ(file.position(), 100);
}

// With offset 0 the fallback does not seek at all and reads from the current
// offset. Python: after f.seek(3), sock.sendfile(f, 0, 10) -> f.tell() == 13.
TEST_F(SendfileTest, ClosedPeerWithZeroOffsetReadsFromTheCurrentOffset) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(100));
  ::lseek(file.fd(), 3, SEEK_SET);
  b.close();
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), 0, 10); }), RaisesOSError(EPIPE));
  EXPECT_EQ(file.position(), 13);
}

// A SIGPIPE that was already pending (blocked by the caller) is not ours to take.
TEST_F(SendfileTest, SigpipePendingBeforeTheCallStaysPending) {
  sigset_t sigpipe, old_mask;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &sigpipe, &old_mask), 0);
  ASSERT_EQ(::raise(SIGPIPE), 0);
  {
    auto ab = socketpair();
    Socket& a = ab.first;
    Socket& b = ab.second;
    TempFile file(Pattern(100));
    b.close();
    EXPECT_THAT(Outcome([&] { a.sendfile(file.fd()); }), RaisesOSError(EPIPE));
  }
  EXPECT_TRUE(SigpipeIsPending());
  EXPECT_TRUE(SigpipeIsBlocked()) << "the caller's mask must be restored";
  const timespec zero{};
  EXPECT_EQ(::sigtimedwait(&sigpipe, nullptr, &zero), SIGPIPE);
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr), 0);
}

// The caller blocked SIGPIPE but none was pending: the one sendfile(2) raises is
// consumed, so the caller does not find a stray signal later.
TEST_F(SendfileTest, SigpipeRaisedByTheCallIsConsumedEvenWhenTheCallerBlocksIt) {
  sigset_t sigpipe, old_mask;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &sigpipe, &old_mask), 0);
  {
    auto ab = socketpair();
    Socket& a = ab.first;
    Socket& b = ab.second;
    TempFile file(Pattern(100));
    b.close();
    EXPECT_THAT(Outcome([&] { a.sendfile(file.fd()); }), RaisesOSError(EPIPE));
  }
  EXPECT_FALSE(SigpipeIsPending());
  EXPECT_TRUE(SigpipeIsBlocked());
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr), 0);
}

// Once bytes have gone out an error is raised as is (no fallback), and the file
// offset is left after the last byte sent. shutdown(SHUT_RD) on the peer makes
// the next write fail with EPIPE deterministically, read data or not.
TEST_F(SendfileTest, BrokenPipeMidTransferLeavesOffsetAfterTheLastByteSent) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  const std::string content = Pattern(8 * 1024 * 1024);
  TempFile file(content);
  testing::CallOutcome outcome;
  std::thread sender([&] { outcome = Outcome([&] { a.sendfile(file.fd(), 0); }); });
  const Bytes first = b.recv(1);  // the sender is under way
  b.shutdown(SHUT_RD);
  sender.join();
  EXPECT_THAT(outcome, RaisesOSError(EPIPE));
  const std::int64_t position = file.position();
  EXPECT_GT(position, 0);
  EXPECT_LT(position, static_cast<std::int64_t>(content.size()));
  // Every byte the peer can still read was sent, and sent bytes are those the
  // offset accounts for.
  const std::string received = first + ReadAvailable(b);
  EXPECT_EQ(static_cast<std::int64_t>(received.size()), position);
  EXPECT_EQ(received, content.substr(0, received.size()));
}

// In timeout mode a chunk that cannot go out within the timeout raises
// socket.timeout; the offset still tells how much was sent.
TEST_F(SendfileTest, TimeoutRaisesSocketTimeoutAndOffsetCountsWhatWasSent) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  const std::string content = Pattern(8 * 1024 * 1024);
  TempFile file(content);
  a.settimeout(Seconds(0.05));
  EXPECT_THAT(Outcome([&] { a.sendfile(file.fd(), 0); }), RaisesTimeout());
  const std::int64_t position = file.position();
  EXPECT_GT(position, 0);
  const std::string received = ReadAvailable(b);
  EXPECT_EQ(static_cast<std::int64_t>(received.size()), position);
  EXPECT_EQ(received, content.substr(0, received.size()));
}

TEST_F(SendfileTest, TimeoutModeSendsAFileThatFits) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  TempFile file(Pattern(1000));
  a.settimeout(Seconds(5));
  EXPECT_THAT(Outcome([&] { EXPECT_EQ(a.sendfile(file.fd(), 1), 999); }), ReturnsNormally());
  EXPECT_EQ(b.recv(2000), Pattern(1000).substr(1));
  EXPECT_EQ(file.position(), 1000);
}

}  // namespace
}  // namespace sockref
