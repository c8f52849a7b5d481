// Tests the interrupt check: a signal that interrupts a blocked socket call runs
// the installed check on that thread; a check that throws ends the call with its
// exception (as a raising Python signal handler does in CPython), one that
// returns lets the call go on with its remaining time (PEP 475).
#include "impl/interrupt.h"

#include <signal.h>
#include <sys/time.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "impl/socket.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::RaisesTimeout;
using namespace std::chrono_literals;

struct Cancelled {};

std::atomic<int> checks_run{0};
void CountingCheck() { checks_run.fetch_add(1); }
void ThrowingCheck() { throw Cancelled{}; }
void IgnoreSignal(int) {}

// OneAlarm delivers one SIGALRM after `delay`, with a handler installed without
// SA_RESTART so the blocked call fails with EINTR; it installs `check` for its
// lifetime.
class OneAlarm {
 public:
  OneAlarm(std::chrono::microseconds delay, InterruptCheck check) {
    previous_check_ = SetInterruptCheck(check);
    struct sigaction sa {};
    sa.sa_handler = IgnoreSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, &old_);
    itimerval once{{0, 0}, {0, static_cast<suseconds_t>(delay.count())}};
    setitimer(ITIMER_REAL, &once, nullptr);
  }
  ~OneAlarm() {
    itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
    sigaction(SIGALRM, &old_, nullptr);
    SetInterruptCheck(previous_check_);
  }

 private:
  struct sigaction old_ {};
  InterruptCheck previous_check_ = nullptr;
};

TEST(InterruptTest, ThrowingCheckEndsBlockingRecv) {
  auto [a, b] = socketpair();
  OneAlarm alarm(50ms, ThrowingCheck);
  EXPECT_THROW(a.recv(1), Cancelled);
}

TEST(InterruptTest, ThrowingCheckEndsTimeoutModeRecvBeforeItsTimeout) {
  auto [a, b] = socketpair();
  a.settimeout(Seconds(5.0));
  OneAlarm alarm(50ms, ThrowingCheck);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(a.recv(1), Cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(InterruptTest, ReturningCheckRunsAndTheTimeoutStillExpires) {
  auto pair = socketpair();  // not a structured binding: clang 14 cannot capture one
  Socket& a = pair.first;
  a.settimeout(Seconds(0.3));
  const int before = checks_run.load();
  OneAlarm alarm(50ms, CountingCheck);
  EXPECT_THAT(Outcome([&] { a.recv(1); }), RaisesTimeout());
  EXPECT_EQ(checks_run.load() - before, 1);
}

// CPython's check_sendall_interrupted: sendall() of more than the socket buffer
// holds blocks; the signal must end it, whether it lands in a blocked send(2)
// (EINTR) or makes one return short.
TEST(InterruptTest, ThrowingCheckEndsBlockingSendall) {
  auto [a, b] = socketpair();
  const std::string payload(16 << 20, 'x');
  OneAlarm alarm(50ms, ThrowingCheck);
  EXPECT_THROW(a.sendall(payload), Cancelled);
}

TEST(InterruptTest, NoCheckInstalledMeansRetry) {
  auto pair = socketpair();
  Socket& a = pair.first;
  a.settimeout(Seconds(0.2));
  OneAlarm alarm(50ms, nullptr);
  EXPECT_THAT(Outcome([&] { a.recv(1); }), RaisesTimeout());
}

}  // namespace
}  // namespace sockref
