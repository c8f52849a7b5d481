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

}  // namespace
}  // namespace sockref
