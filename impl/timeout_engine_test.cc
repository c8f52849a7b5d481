// Tests the timeout engine through Socket under a storm of signals: PEP 475 says
// an interrupted call is retried with the remaining time recomputed, so a signal
// every millisecond must neither raise InterruptedError nor stretch a timeout.
#include <signal.h>
#include <sys/time.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "impl/socket.h"
#include "impl/testing/raises.h"
#include "impl/timeout_engine.h"

namespace sockref {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::RaisesTimeout;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::atomic<int> signals_seen{0};
void CountSignal(int) { signals_seen.fetch_add(1, std::memory_order_relaxed); }

// SignalStorm delivers SIGALRM every millisecond while it lives. The handler is
// installed without SA_RESTART, so every blocking system call sees EINTR.
class SignalStorm {
 public:
  SignalStorm() {
    struct sigaction sa {};
    sa.sa_handler = CountSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: interrupted calls fail with EINTR
    sigaction(SIGALRM, &sa, &old_);
    itimerval every_ms{{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &every_ms, nullptr);
  }
  ~SignalStorm() {
    itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
    sigaction(SIGALRM, &old_, nullptr);
  }

 private:
  struct sigaction old_ {};
};

TEST(TimeoutEngineTest, TimeoutIsHonouredUnderSignalStorm) {
  auto pair = socketpair();
  Socket& a = pair.first;
  a.settimeout(Seconds(0.2));
  SignalStorm storm;
  const int before = signals_seen.load();
  const auto start = Clock::now();
  EXPECT_THAT(Outcome([&] { a.recv(1); }), RaisesTimeout());
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 195ms);
  EXPECT_LT(elapsed, 450ms);
  EXPECT_GT(signals_seen.load() - before, 20) << "the storm must actually interrupt the wait";
}

TEST(TimeoutEngineTest, BlockingRecvCompletesUnderSignalStorm) {
  auto pair = socketpair();
  Socket& a = pair.first;
  Socket& b = pair.second;
  SignalStorm storm;
  std::thread peer([&b] {
    std::this_thread::sleep_for(50ms);  // the wait is what gets interrupted
    b.sendall("done");
  });
  EXPECT_EQ(a.recv(4), "done");
  peer.join();
}

TEST(TimeoutEngineTest, SendallDeliversEverythingUnderSignalStorm) {
  auto pair = socketpair();
  Socket& a = pair.first;
  Socket& b = pair.second;
  a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
  const std::string payload(4 << 20, 'z');
  std::string received;
  std::thread reader([&] {
    while (received.size() < payload.size()) received += b.recv(65536);
  });
  {
    SignalStorm storm;
    a.settimeout(Seconds(20.0));
    a.sendall(payload);
  }
  reader.join();
  EXPECT_EQ(received, payload);
}

TEST(TimeoutEngineTest, AcceptInTimeoutModeSurvivesSignalStorm) {
  Socket listener(AF_INET, SOCK_STREAM);
  listener.bind(InetAddress{"127.0.0.1", 0});
  listener.listen();
  listener.settimeout(Seconds(5.0));
  SignalStorm storm;
  std::thread client([&] {
    std::this_thread::sleep_for(50ms);
    Socket c(AF_INET, SOCK_STREAM);
    c.connect(listener.getsockname());
  });
  AcceptResult accepted = listener.accept();
  EXPECT_GE(accepted.conn.fileno(), 0);
  client.join();
}

// --- Adaptive polling ---------------------------------------------------------
// The engine is driven directly with a counting attempt, so each test can see
// whether the engine polled first (one attempt for data that arrives later) or
// tried first (two attempts: EAGAIN, then the real one).

using timeout_engine::Readiness;
using timeout_engine::WaitHints;

constexpr TimeoutNs kFiveSeconds = TimeoutNs::FromNanoseconds(5'000'000'000);

class AdaptivePollingTest : public ::testing::Test {
 protected:
  AdaptivePollingTest() : pair_(socketpair()) {}

  // Receive runs one engine call that receives one byte from the first socket,
  // with the peer sending that byte after `delay` (0: before the call), and
  // returns how many attempts the engine made.
  int Receive(std::chrono::milliseconds delay) {
    std::thread peer;
    if (delay == 0ms) {
      pair_.second.sendall("x");
    } else {
      peer = std::thread([this, delay] {
        std::this_thread::sleep_for(delay);
        pair_.second.sendall("x");
      });
    }
    int attempts = 0;
    char byte = 0;
    const int fd = pair_.first.fileno();
    const ssize_t n = timeout_engine::Call([fd] { return fd; }, Readiness::kReadable,
                                           kFiveSeconds, &hints_, [&](int fd) {
                                             ++attempts;
                                             return ::recv(fd, &byte, 1, MSG_DONTWAIT);
                                           });
    if (peer.joinable()) peer.join();
    EXPECT_EQ(n, 1);
    EXPECT_EQ(byte, 'x');
    return attempts;
  }

  bool PollsFirst(Readiness want) const {
    std::atomic<std::uint8_t> copy(hints_.load());
    return WaitHints(copy).Has(WaitHints::PollFirstBit(want));
  }

  std::pair<Socket, Socket> pair_;
  std::atomic<std::uint8_t> hints_{0};
};

TEST_F(AdaptivePollingTest, ReadyDataIsOneAttemptWithoutPolling) {
  EXPECT_EQ(Receive(0ms), 1);
  EXPECT_FALSE(PollsFirst(Readiness::kReadable));
}

TEST_F(AdaptivePollingTest, AfterAnOperationWaitedTheNextPollsFirst) {
  EXPECT_EQ(Receive(30ms), 2);  // tried, EAGAIN, polled, tried again
  EXPECT_TRUE(PollsFirst(Readiness::kReadable));
  EXPECT_FALSE(PollsFirst(Readiness::kWritable)) << "directions are remembered apart";
  EXPECT_EQ(Receive(30ms), 1);  // polled, then one attempt: CPython's two calls
  EXPECT_TRUE(PollsFirst(Readiness::kReadable)) << "it waited again";
}

TEST_F(AdaptivePollingTest, ASocketFoundReadyAtOnceIsTriedFirstAgain) {
  EXPECT_EQ(Receive(30ms), 2);
  ASSERT_TRUE(PollsFirst(Readiness::kReadable));
  // A poll that finds data already there returns within microseconds; allow a
  // busy machine a few chances to be that quick.
  for (int i = 0; i < 50 && PollsFirst(Readiness::kReadable); ++i) EXPECT_EQ(Receive(0ms), 1);
  EXPECT_FALSE(PollsFirst(Readiness::kReadable));
  EXPECT_EQ(Receive(0ms), 1);
}

TEST_F(AdaptivePollingTest, AClosedSocketIsNotPolledFirst) {
  hints_ = WaitHints::kPollFirstRead;
  const auto start = Clock::now();
  EXPECT_THAT(Outcome([&] {
                timeout_engine::Call([] { return -1; }, Readiness::kReadable, kFiveSeconds,
                                     &hints_, [](int fd) { return ::recv(fd, nullptr, 0, 0); });
              }),
              ::sockref::testing::RaisesOSError(EBADF));
  EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(AdaptivePollingTest, PollingFirstStillTimesOut) {
  hints_ = WaitHints::kPollFirstRead;
  const int fd = pair_.first.fileno();
  const auto start = Clock::now();
  EXPECT_THAT(Outcome([&] {
                timeout_engine::Call([fd] { return fd; }, Readiness::kReadable,
                                     TimeoutNs::FromNanoseconds(100'000'000), &hints_,
                                     [](int fd) {
                                       char byte;
                                       return ::recv(fd, &byte, 1, MSG_DONTWAIT);
                                     });
              }),
              RaisesTimeout());
  EXPECT_GE(Clock::now() - start, 95ms);
}

TEST_F(AdaptivePollingTest, SocketsInTimeoutModeAdaptThroughTheirOperations) {
  // The same through Socket: data that arrives later, then data already there.
  Socket& a = pair_.first;
  a.settimeout(Seconds(5.0));
  std::thread peer([this] {
    std::this_thread::sleep_for(30ms);
    pair_.second.sendall("late");
  });
  EXPECT_EQ(a.recv(4), "late");
  peer.join();
  for (int i = 0; i < 20; ++i) {
    pair_.second.sendall("now");
    EXPECT_EQ(a.recv(3), "now");
  }
}

}  // namespace
}  // namespace sockref
