// Running out of descriptors: with RLIMIT_NOFILE lowered so that no descriptor
// number is free, every call that creates one raises what CPython 3.11 raises,
// OSError(EMFILE, "Too many open files") (plain OSError: EMFILE has no PEP 3151
// subclass), leaks nothing, and succeeds again as soon as descriptors are freed.
//
// Two outcomes differ from "raise EMFILE", in CPython exactly as here, because
// the kernel decides them:
//   * accept(): the pending connection is not lost; it stays queued and a later
//     accept() returns it;
//   * recv_fds()/recvmsg() with descriptors in flight do not fail at all: the
//     kernel installs the descriptors that fit, closes the others, and sets
//     MSG_CTRUNC; the data is returned normally.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "impl/ancillary.h"
#include "impl/error.h"
#include "impl/fd_passing.h"
#include "impl/socket.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref::reliability {
namespace {

using ::sockref::testing::CallOutcome;
using ::sockref::testing::CountOpenFds;
using ::sockref::testing::HighestOpenFd;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::ReturnsNormally;
using ::testing::AllOf;
using namespace std::chrono_literals;

// What CPython prints for the error every test here expects.
constexpr char kEmfileMessage[] = "[Errno 24] Too many open files";

auto RaisesEmfile() {
  return AllOf(RaisesOSError(EMFILE), Raises(ErrorKind::kOSError, kEmfileMessage));
}

// AtDescriptorLimit puts the process at its descriptor limit for its lifetime:
// RLIMIT_NOFILE's soft limit is lowered to just above the highest descriptor
// open, then every number still free below it is taken by a /dev/null
// placeholder. (The limit bounds descriptor numbers, not their count, so gaps
// below the highest one must be filled too.) The destructor closes the
// placeholders and restores the old limit.
class AtDescriptorLimit {
 public:
  AtDescriptorLimit() {
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(HighestOpenFd() + 1 + kSpare);
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        EXPECT_EQ(errno, EMFILE);
        break;
      }
      placeholders_.push_back(fd);
    }
    EXPECT_GE(placeholders_.size(), static_cast<std::size_t>(kSpare));
  }
  ~AtDescriptorLimit() {
    for (int fd : placeholders_) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }
  AtDescriptorLimit(const AtDescriptorLimit&) = delete;
  AtDescriptorLimit& operator=(const AtDescriptorLimit&) = delete;

  // Free closes `n` placeholders, so that `n` more descriptors can be created.
  void Free(int n) {
    for (int i = 0; i < n && !placeholders_.empty(); ++i) {
      ::close(placeholders_.back());
      placeholders_.pop_back();
    }
  }

 private:
  static constexpr int kSpare = 4;
  rlimit saved_{};
  std::vector<int> placeholders_;
};

// Checking at the limit. UBSan's vptr check (--config=ubsan) validates an object
// type it has not seen yet by writing the object to a fresh pipe(2); at the
// descriptor limit that fails and it reports a false "invalid vptr". So the
// tests only *record* outcomes (CallOutcome is a plain struct) while at the
// limit and check them once it is lifted, and every test first raises and
// inspects one OSError with descriptors free, which puts the exception types
// sockref throws at the limit into UBSan's cache.
void WarmUpTypeChecks() {
  EXPECT_THAT(Outcome([] { Socket s(AF_INET, SOCK_STREAM, /*proto=*/IPPROTO_UDP); }),
              RaisesOSError(EPROTONOSUPPORT));
}

// Each test checks that nothing leaked once its sockets and the limit are gone.
class FdExhaustionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WarmUpTypeChecks();
    before_ = CountOpenFds();
  }
  void TearDown() override { EXPECT_EQ(CountOpenFds(), before_); }

 private:
  int before_ = 0;
};

TEST_F(FdExhaustionTest, SocketRaisesEmfileThenSucceedsOnceADescriptorIsFree) {
  CallOutcome inet, unix_datagram, after_free;
  {
    AtDescriptorLimit limit;
    inet = Outcome([] { Socket s(AF_INET, SOCK_STREAM); });
    unix_datagram = Outcome([] { Socket s(AF_UNIX, SOCK_DGRAM); });
    limit.Free(1);
    after_free = Outcome([] { Socket s(AF_INET, SOCK_STREAM); });
  }
  EXPECT_THAT(inet, RaisesEmfile());
  EXPECT_THAT(unix_datagram, RaisesEmfile());
  EXPECT_THAT(after_free, ReturnsNormally());
}

// Linux allocates the new descriptor before it dequeues the connection, so an
// EMFILE accept() leaves the connection where it was (CPython: the same).
TEST_F(FdExhaustionTest, AcceptRaisesEmfileAndTheConnectionStaysQueued) {
  Socket listener(AF_INET, SOCK_STREAM);
  listener.bind(InetAddress{"127.0.0.1", 0});
  listener.listen();
  Socket client(AF_INET, SOCK_STREAM);
  client.connect(listener.getsockname());  // handshake done: the connection is queued
  CallOutcome first, second, after_free;
  std::optional<AcceptResult> accepted;
  {
    AtDescriptorLimit limit;
    first = Outcome([&] { listener.accept(); });
    second = Outcome([&] { listener.accept(); });
    limit.Free(1);
    after_free = Outcome([&] { accepted.emplace(listener.accept()); });
  }
  EXPECT_THAT(first, RaisesEmfile());
  EXPECT_THAT(second, RaisesEmfile()) << "still nothing free";
  EXPECT_THAT(after_free, ReturnsNormally());
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->address, client.getsockname());
  client.sendall("still here");
  EXPECT_EQ(accepted->conn.recv(64), "still here");
}

// In timeout mode the listener is readable, so accept(2) is tried at once and
// its EMFILE is raised at once: it is not turned into a wait or a timeout.
TEST_F(FdExhaustionTest, TimeoutModeAcceptRaisesEmfileAtOnce) {
  Socket listener(AF_INET, SOCK_STREAM);
  listener.bind(InetAddress{"127.0.0.1", 0});
  listener.listen();
  listener.settimeout(Seconds(5.0));
  Socket client(AF_INET, SOCK_STREAM);
  client.connect(listener.getsockname());
  CallOutcome at_limit, after_free;
  std::chrono::steady_clock::duration elapsed{};
  std::optional<AcceptResult> accepted;
  {
    AtDescriptorLimit limit;
    const auto start = std::chrono::steady_clock::now();
    at_limit = Outcome([&] { listener.accept(); });
    elapsed = std::chrono::steady_clock::now() - start;
    limit.Free(1);
    after_free = Outcome([&] { accepted.emplace(listener.accept()); });
  }
  EXPECT_THAT(at_limit, RaisesEmfile());
  EXPECT_LT(elapsed, 2s);
  EXPECT_THAT(after_free, ReturnsNormally());
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->address, client.getsockname());
}

// socketpair(2) needs two descriptors and installs neither unless it has both.
TEST_F(FdExhaustionTest, SocketpairRaisesEmfileUnlessTwoDescriptorsAreFree) {
  CallOutcome none_free, one_free, one_socket, two_free;
  bool pair_works = false;
  {
    AtDescriptorLimit limit;
    none_free = Outcome([] { socketpair(); });
    limit.Free(1);
    one_free = Outcome([] { socketpair(); });
    one_socket = Outcome([] { Socket s(AF_UNIX, SOCK_STREAM); });
    limit.Free(1);
    two_free = Outcome([&] {
      auto sockets = socketpair();
      sockets.first.sendall("x");
      pair_works = sockets.second.recv(1) == "x";
    });
  }
  EXPECT_THAT(none_free, RaisesEmfile());
  EXPECT_THAT(one_free, RaisesEmfile());
  EXPECT_THAT(one_socket, ReturnsNormally())
      << "the one free descriptor was not consumed by the failed socketpair";
  EXPECT_THAT(two_free, ReturnsNormally());
  EXPECT_TRUE(pair_works);
}

TEST_F(FdExhaustionTest, DupAndFromfdRaiseEmfileThenSucceed) {
  auto sockets = socketpair();
  Socket& a = sockets.first;
  Socket& b = sockets.second;
  CallOutcome dup, from_fd, dup_after_free, from_fd_after_free;
  {
    AtDescriptorLimit limit;
    dup = Outcome([&] { a.dup(); });
    from_fd = Outcome([&] { fromfd(a.fileno(), AF_UNIX, SOCK_STREAM); });
    limit.Free(1);
    dup_after_free = Outcome([&] {
      Socket copy = a.dup();
      copy.sendall("via dup");
    });
    from_fd_after_free = Outcome([&] {
      Socket adopted = fromfd(a.fileno(), AF_UNIX, SOCK_STREAM);
      adopted.sendall(" via fromfd");
    });
  }
  EXPECT_THAT(dup, RaisesEmfile());
  EXPECT_THAT(from_fd, RaisesEmfile());
  EXPECT_THAT(dup_after_free, ReturnsNormally());
  EXPECT_THAT(from_fd_after_free, ReturnsNormally());
  b.setblocking(false);
  EXPECT_EQ(b.recv(64), "via dup via fromfd");
}

// Descriptors in flight at the limit: the kernel (scm_detach_fds) installs what
// fits and discards the rest, so recv_fds() returns the data, the descriptors
// that fit and MSG_CTRUNC, as CPython 3.11's recv_fds() does: no EMFILE.
TEST_F(FdExhaustionTest, RecvFdsAtTheLimitReturnsTheDataAndSetsMsgCtrunc) {
  auto sockets = socketpair();
  Socket& a = sockets.first;
  Socket& b = sockets.second;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  const std::array<ConstBuffer, 1> data = {ConstBuffer("x")};
  send_fds(a, data, pipe_fds);
  send_fds(a, data, pipe_fds);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  std::optional<RecvFdsResult> none;
  std::optional<RecvFdsResult> one;
  {
    AtDescriptorLimit limit;
    none.emplace(recv_fds(b, 1, 2));
    limit.Free(1);
    one.emplace(recv_fds(b, 1, 2));
  }
  EXPECT_EQ(none->data, "x");
  EXPECT_THAT(none->fds, ::testing::IsEmpty());
  EXPECT_EQ(none->msg_flags, MSG_CTRUNC);
  EXPECT_EQ(one->data, "x");
  EXPECT_EQ(one->msg_flags, MSG_CTRUNC);
  ASSERT_EQ(one->fds.size(), 1u);
  ::close(one->fds[0]);
}

// The same through recvmsg(): the control message carries only the descriptors
// the kernel could install.
TEST_F(FdExhaustionTest, RecvmsgAtTheLimitReturnsNoDescriptorsAndSetsMsgCtrunc) {
  auto sockets = socketpair();
  Socket& a = sockets.first;
  Socket& b = sockets.second;
  const std::array<ConstBuffer, 1> data = {ConstBuffer("y")};
  const std::array<int, 1> fds = {a.fileno()};
  send_fds(a, data, fds);
  std::optional<RecvMsgResult> message;
  {
    AtDescriptorLimit limit;
    message.emplace(b.recvmsg(1, CmsgSpace(sizeof(int))));
  }
  EXPECT_EQ(message->data, "y");
  EXPECT_EQ(message->msg_flags, MSG_CTRUNC);
  EXPECT_THAT(UnpackFds(message->ancdata), ::testing::IsEmpty());
}

// After all of the above the process is whole: the limit is back and the same
// calls work, many times over (no descriptor was lost along the way: each test's
// TearDown compares the count).
TEST_F(FdExhaustionTest, EverythingWorksAgainOnceTheLimitIsRestored) {
  { AtDescriptorLimit limit; }
  for (int i = 0; i < 64; ++i) {
    Socket listener(AF_INET, SOCK_STREAM);
    listener.bind(InetAddress{"127.0.0.1", 0});
    listener.listen();
    Socket client(AF_INET, SOCK_STREAM);
    client.connect(listener.getsockname());
    AcceptResult accepted = listener.accept();
    auto sockets = socketpair();
    Socket copy = sockets.first.dup();
    Socket adopted = fromfd(sockets.second.fileno(), AF_UNIX, SOCK_STREAM);
  }
}

}  // namespace
}  // namespace sockref::reliability
