// Every blocking socket call under a storm of signals: PEP 475 says a call
// interrupted by a signal whose handler returns is retried, with a timeout's
// remaining time recomputed, so a SIGALRM every millisecond must never surface
// as InterruptedError, never lose or repeat data, and never stretch or shorten
// a timeout.
//
// timeout_engine_test.cc covers timeout-mode recv (expiry), blocking recv,
// timeout-mode sendall and timeout-mode accept with a process-wide timer. Here
// each of accept, connect, recv, recv_into, recvmsg, send, sendall and sendmsg
// is run in blocking mode and in timeout mode, both until a peer lets it
// complete and (timeout mode) until its timeout expires. The signals are aimed
// at the thread making the call (a per-thread POSIX timer), and the peer only
// acts once that thread is asleep in the kernel and has been interrupted at
// least kInterruptions times, so every case really is interrupted.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "impl/ancillary.h"
#include "impl/error.h"
#include "impl/fd_passing.h"
#include "impl/reliability/pattern.h"
#include "impl/reliability/thread_probe.h"
#include "impl/socket.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref::reliability {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::RaisesTimeout;
using ::sockref::testing::ReturnsNormally;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// How many signals must hit the blocked thread before its peer lets the call
// complete: enough that a retry bug cannot hide behind a lucky first attempt.
constexpr int kInterruptions = 20;
// The timeout of the expiry cases, and how far the measured time may stray:
// never early by more than kEarly (poll rounds to milliseconds), late by at most
// kLate (generous: sanitizers and a shared 2-core machine).
constexpr auto kShortTimeout = 250ms;
constexpr auto kEarly = 5ms;
constexpr auto kLate = 1500ms;
// The timeout of the completion cases: long enough never to expire.
constexpr Seconds kLongTimeout{20.0};

std::atomic<int> storm_signals{0};
void CountStormSignal(int) { storm_signals.fetch_add(1, std::memory_order_relaxed); }

// ThreadSignalStorm sends SIGALRM to one thread every millisecond while it
// lives. The handler is installed once per process, without SA_RESTART, and
// never removed: a signal still pending when a storm ends must find it, not
// SIGALRM's default action (which would end the test binary).
class ThreadSignalStorm {
 public:
  explicit ThreadSignalStorm(pid_t target) {
    static const bool installed = [] {
      struct sigaction sa {};
      sa.sa_handler = CountStormSignal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = 0;  // no SA_RESTART: every blocking call sees EINTR
      return ::sigaction(SIGALRM, &sa, nullptr) == 0;
    }();
    EXPECT_TRUE(installed);
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGALRM;
    event._sigev_un._tid = target;  // glibc 2.36 has no sigev_notify_thread_id
    created_ = ::timer_create(CLOCK_MONOTONIC, &event, &timer_) == 0;
    EXPECT_TRUE(created_) << "timer_create: errno " << errno;
    const itimerspec every_ms{{0, 1'000'000}, {0, 1'000'000}};
    if (created_) {
      EXPECT_EQ(::timer_settime(timer_, 0, &every_ms, nullptr), 0);
    }
  }
  ~ThreadSignalStorm() {
    if (created_) ::timer_delete(timer_);
  }
  ThreadSignalStorm(const ThreadSignalStorm&) = delete;
  ThreadSignalStorm& operator=(const ThreadSignalStorm&) = delete;

  static int delivered() { return storm_signals.load(std::memory_order_relaxed); }

 private:
  timer_t timer_{};
  bool created_ = false;
};

// SignalIsBlocked returns whether the calling thread blocks `signo`: a storm at
// a thread that blocks SIGALRM would interrupt nothing and prove nothing.
bool SignalIsBlocked(int signo) {
  sigset_t mask;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  return sigismember(&mask, signo) == 1;
}

// RecvExactly reads until it has `n` bytes or the stream ends.
Bytes RecvExactly(Socket& s, std::size_t n) {
  Bytes out;
  while (out.size() < n) {
    Bytes chunk = s.recv(static_cast<std::int64_t>(n - out.size()));
    if (chunk.empty()) break;
    out += chunk;
  }
  return out;
}

// FillSendBuffer sends from `s` without blocking until the kernel takes no
// more, and returns what it took; `s` is left non-blocking.
Bytes FillSendBuffer(Socket& s) {
  s.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
  s.setblocking(false);
  const Bytes chunk = Pattern(1, 1024);
  Bytes sent;
  for (;;) {
    try {
      const std::int64_t n = s.send(chunk);
      sent.append(chunk, 0, static_cast<std::size_t>(n));
    } catch (const BlockingIOError&) {
      return sent;
    }
  }
}

InetAddress LoopbackAny() { return InetAddress{"127.0.0.1", 0}; }

// Scenario is one blocking call and the peer action that lets it complete. The
// test thread runs Block(); the peer thread runs Release(); Check() runs after
// both and verifies that the call's results are complete and correct.
class Scenario {
 public:
  virtual ~Scenario() = default;
  // subject is the socket whose call blocks; the test sets its mode.
  virtual Socket& subject() = 0;
  virtual void Block() = 0;
  virtual void Release() = 0;
  virtual void Check() = 0;
};

class AcceptScenario : public Scenario {
 public:
  AcceptScenario() {
    listener_.bind(LoopbackAny());
    listener_.listen();
  }
  Socket& subject() override { return listener_; }
  void Block() override { accepted_.emplace(listener_.accept()); }
  void Release() override {
    client_.emplace(AF_INET, SOCK_STREAM);
    client_->settimeout(kLongTimeout);
    client_->connect(listener_.getsockname());
  }
  void Check() override {
    ASSERT_TRUE(accepted_ && client_);
    EXPECT_EQ(accepted_->address, client_->getsockname());
    client_->sendall("ping");
    accepted_->conn.settimeout(kLongTimeout);
    EXPECT_EQ(RecvExactly(accepted_->conn, 4), "ping");
  }

 private:
  Socket listener_{AF_INET, SOCK_STREAM};
  std::optional<AcceptResult> accepted_;
  std::optional<Socket> client_;
};

// The listener's accept queue holds one connection (backlog 0) and a filler
// occupies it, so the kernel drops the subject's SYN and connect() waits.
// Accepting the filler frees the slot; the SYN retransmitted after the initial
// 1 s retransmission timeout then completes the connection.
class ConnectScenario : public Scenario {
 public:
  ConnectScenario() {
    listener_.bind(LoopbackAny());
    listener_.listen(0);
    listener_.settimeout(kLongTimeout);
    filler_.connect(listener_.getsockname());
  }
  Socket& subject() override { return client_; }
  void Block() override { client_.connect(listener_.getsockname()); }
  void Release() override { filler_conn_.emplace(listener_.accept()); }
  void Check() override {
    EXPECT_EQ(client_.getpeername(), listener_.getsockname());
    AcceptResult conn = listener_.accept();
    EXPECT_EQ(conn.address, client_.getsockname());
    client_.settimeout(kLongTimeout);
    client_.sendall("ping");
    conn.conn.settimeout(kLongTimeout);
    EXPECT_EQ(RecvExactly(conn.conn, 4), "ping");
  }

 private:
  Socket listener_{AF_INET, SOCK_STREAM};
  Socket filler_{AF_INET, SOCK_STREAM};
  Socket client_{AF_INET, SOCK_STREAM};
  std::optional<AcceptResult> filler_conn_;
};

// The receive cases share a socketpair: the subject waits for `payload_`.
class PairScenario : public Scenario {
 public:
  PairScenario() : PairScenario(socketpair()) {}
  Socket& subject() override { return subject_; }

 protected:
  Socket subject_;
  Socket peer_;
  const Bytes payload_ = Pattern(2, 64);

 private:
  explicit PairScenario(std::pair<Socket, Socket> pair)
      : subject_(std::move(pair.first)), peer_(std::move(pair.second)) {
    peer_.settimeout(kLongTimeout);
  }
};

class RecvScenario : public PairScenario {
 public:
  void Block() override { got_ = subject_.recv(1024); }
  void Release() override { peer_.sendall(payload_); }
  void Check() override { EXPECT_TRUE(SameBytes(payload_, got_)); }

 private:
  Bytes got_;
};

class RecvIntoScenario : public PairScenario {
 public:
  void Block() override { n_ = subject_.recv_into(MutableBuffer(buffer_.data(), buffer_.size())); }
  void Release() override { peer_.sendall(payload_); }
  void Check() override {
    ASSERT_EQ(n_, static_cast<std::int64_t>(payload_.size()));
    EXPECT_TRUE(SameBytes(payload_, std::string_view(buffer_.data(), payload_.size())));
  }

 private:
  std::array<char, 1024> buffer_{};
  std::int64_t n_ = -1;
};

// recvmsg with a descriptor in flight: the retry must neither lose nor leak it.
class RecvmsgScenario : public PairScenario {
 public:
  RecvmsgScenario() { EXPECT_EQ(::pipe2(pipe_, O_CLOEXEC), 0); }
  ~RecvmsgScenario() override {
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
  void Block() override { got_ = subject_.recvmsg(1024, CmsgSpace(sizeof(int))); }
  void Release() override {
    const std::array<ConstBuffer, 1> data = {ConstBuffer(payload_)};
    const std::array<int, 1> fds = {pipe_[0]};
    send_fds(peer_, data, fds);
  }
  void Check() override {
    EXPECT_TRUE(SameBytes(payload_, got_.data));
    EXPECT_EQ(got_.msg_flags, 0);
    const std::vector<int> fds = UnpackFds(got_.ancdata);
    ASSERT_EQ(fds.size(), 1u);
    struct stat st {};
    EXPECT_EQ(::fstat(fds[0], &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the received descriptor is the pipe";
    ::close(fds[0]);
  }

 private:
  int pipe_[2] = {-1, -1};
  RecvMsgResult got_;
};

// The send cases fill the subject's send buffer first, so the call under test
// waits for the peer to drain it.
class FullBufferScenario : public PairScenario {
 public:
  FullBufferScenario() : filled_(FillSendBuffer(subject_)) {}
  // Release drains what the fill put in flight, which makes room.
  void Release() override { drained_ = RecvExactly(peer_, filled_.size()); }

 protected:
  // CheckDelivered verifies the fill and then `expected` arrived, in order.
  void CheckDelivered(std::string_view expected) {
    EXPECT_TRUE(SameBytes(filled_, drained_));
    EXPECT_TRUE(SameBytes(expected, RecvExactly(peer_, expected.size())));
  }

  const Bytes filled_;
  Bytes drained_;
  const Bytes message_ = Pattern(3, 64 * 1024);
};

class SendScenario : public FullBufferScenario {
 public:
  void Block() override { sent_ = subject_.send(message_); }
  void Check() override {
    ASSERT_GT(sent_, 0);
    ASSERT_LE(sent_, static_cast<std::int64_t>(message_.size()));
    CheckDelivered(std::string_view(message_).substr(0, static_cast<std::size_t>(sent_)));
  }

 private:
  std::int64_t sent_ = -1;
};

class SendallScenario : public FullBufferScenario {
 public:
  void Block() override { subject_.sendall(big_); }
  // The peer keeps reading until it has everything: sendall only returns once
  // the last byte is in the kernel, and its buffer is far smaller than big_.
  void Release() override {
    FullBufferScenario::Release();
    rest_ = RecvExactly(peer_, big_.size());
  }
  void Check() override {
    EXPECT_TRUE(SameBytes(filled_, drained_));
    EXPECT_TRUE(SameBytes(big_, rest_));
  }

 private:
  const Bytes big_ = Pattern(4, 1 << 20);
  Bytes rest_;
};

class SendmsgScenario : public FullBufferScenario {
 public:
  void Block() override {
    const std::array<ConstBuffer, 2> parts = {
        ConstBuffer(std::string_view(message_).substr(0, 1000)),
        ConstBuffer(std::string_view(message_).substr(1000))};
    sent_ = subject_.sendmsg(parts);
  }
  void Check() override {
    ASSERT_GT(sent_, 0);
    CheckDelivered(std::string_view(message_).substr(0, static_cast<std::size_t>(sent_)));
  }

 private:
  std::int64_t sent_ = -1;
};

struct Operation {
  std::string name;
  std::function<std::unique_ptr<Scenario>()> make;
};

void PrintTo(const Operation& operation, std::ostream* os) { *os << operation.name; }

std::vector<Operation> Operations() {
  return {
      {"Accept", [] { return std::make_unique<AcceptScenario>(); }},
      {"Connect", [] { return std::make_unique<ConnectScenario>(); }},
      {"Recv", [] { return std::make_unique<RecvScenario>(); }},
      {"RecvInto", [] { return std::make_unique<RecvIntoScenario>(); }},
      {"Recvmsg", [] { return std::make_unique<RecvmsgScenario>(); }},
      {"Send", [] { return std::make_unique<SendScenario>(); }},
      {"Sendall", [] { return std::make_unique<SendallScenario>(); }},
      {"Sendmsg", [] { return std::make_unique<SendmsgScenario>(); }},
  };
}

enum class Mode { kBlocking, kTimeout };

void PrintTo(Mode mode, std::ostream* os) {
  *os << (mode == Mode::kBlocking ? "blocking" : "timeout");
}

// ReleaseAfterInterruptions starts the peer: once `blocked` is asleep in a
// socket call and has taken kInterruptions more signals, it runs Release().
// It gives up (and the test fails on its own) if the call returns first.
std::thread ReleaseAfterInterruptions(pid_t blocked, Scenario& scenario,
                                      const std::atomic<bool>& call_returned) {
  return std::thread([blocked, &scenario, &call_returned] {
    EXPECT_TRUE(WaitUntilBlockedInSocketCall(blocked)) << "the call never blocked";
    const int start = ThreadSignalStorm::delivered();
    const auto give_up = Clock::now() + 20s;
    while (ThreadSignalStorm::delivered() - start < kInterruptions) {
      if (call_returned.load() || Clock::now() > give_up) return;
      std::this_thread::sleep_for(200us);
    }
    scenario.Release();
  });
}

class StormCompletionTest : public ::testing::TestWithParam<std::tuple<Operation, Mode>> {};

TEST_P(StormCompletionTest, CompletesWithoutInterruptedErrorAndDeliversEverything) {
  ASSERT_FALSE(SignalIsBlocked(SIGALRM));
  const auto& [operation, mode] = GetParam();
  const int fds_before = CountOpenFds();
  {
    std::unique_ptr<Scenario> scenario = operation.make();
    if (mode == Mode::kBlocking) {
      scenario->subject().settimeout(std::nullopt);
    } else {
      scenario->subject().settimeout(kLongTimeout);
    }
    std::atomic<bool> call_returned{false};
    int interrupted = 0;
    {
      ThreadSignalStorm storm(CurrentThreadId());
      const int start = ThreadSignalStorm::delivered();
      std::thread peer = ReleaseAfterInterruptions(CurrentThreadId(), *scenario, call_returned);
      EXPECT_THAT(Outcome([&] { scenario->Block(); }), ReturnsNormally());
      call_returned = true;
      interrupted = ThreadSignalStorm::delivered() - start;
      peer.join();
    }
    EXPECT_GE(interrupted, kInterruptions) << "the storm must interrupt the blocked call";
    scenario->Check();
  }
  EXPECT_EQ(CountOpenFds(), fds_before);
}

std::string CompletionName(const ::testing::TestParamInfo<std::tuple<Operation, Mode>>& info) {
  const auto& [operation, mode] = info.param;
  return (mode == Mode::kBlocking ? "Blocking" : "Timeout") + operation.name;
}

INSTANTIATE_TEST_SUITE_P(AllOperations, StormCompletionTest,
                         ::testing::Combine(::testing::ValuesIn(Operations()),
                                            ::testing::Values(Mode::kBlocking, Mode::kTimeout)),
                         CompletionName);

// Nobody releases the call: socket.timeout must come on schedule although the
// wait is cut into ~1 ms slices, each re-armed with the time that is left.
class StormTimeoutTest : public ::testing::TestWithParam<Operation> {};

TEST_P(StormTimeoutTest, TimesOutOnScheduleWithoutInterruptedError) {
  ASSERT_FALSE(SignalIsBlocked(SIGALRM));
  const int fds_before = CountOpenFds();
  {
    std::unique_ptr<Scenario> scenario = GetParam().make();
    scenario->subject().settimeout(Seconds(kShortTimeout));
    ThreadSignalStorm storm(CurrentThreadId());
    const int signals_before = ThreadSignalStorm::delivered();
    const auto start = Clock::now();
    EXPECT_THAT(Outcome([&] { scenario->Block(); }), RaisesTimeout());
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, kShortTimeout - kEarly);
    EXPECT_LE(elapsed, kShortTimeout + kLate);
    // A 1 ms timer coalesces when the thread is slow to take the signal; a
    // tenth of the nominal rate still proves the wait was cut up.
    EXPECT_GE(ThreadSignalStorm::delivered() - signals_before, 25);
  }
  EXPECT_EQ(CountOpenFds(), fds_before);
}

INSTANTIATE_TEST_SUITE_P(AllOperations, StormTimeoutTest, ::testing::ValuesIn(Operations()),
                         [](const ::testing::TestParamInfo<Operation>& info) {
                           return info.param.name;
                         });

// CPython's PEP 475 treatment of connect() (bpo-23618) assumes an interrupted
// connect goes on asynchronously and waits for writability. That holds for TCP
// (above) but not for AF_UNIX, whose connect(2) simply fails with EINTR and
// leaves the socket unconnected; the poll then reports it writable at once and
// SO_ERROR is 0, so CPython 3.11's connect() returns as if it had succeeded and
// the next send raises OSError ENOTCONN. sockref reproduces this on purpose
// (docs/reliability.md); the test pins it so a change is a decision, not an
// accident. One signal is enough: the AF_UNIX wait for a full backlog is
// interrupted by the first.
TEST(StormUnixConnectTest, InterruptedBlockingUnixConnectReturnsUnconnectedAsCPython) {
  ASSERT_FALSE(SignalIsBlocked(SIGALRM));
  // An abstract address: nothing in the file system to clean up.
  const UnixAddress address{std::string("\0sockref-storm-", 15) + std::to_string(::getpid())};
  Socket listener(AF_UNIX, SOCK_STREAM);
  listener.bind(address);
  listener.listen(0);
  Socket filler(AF_UNIX, SOCK_STREAM);
  filler.connect(address);  // a backlog of 0 admits exactly one
  Socket client(AF_UNIX, SOCK_STREAM);
  int interrupted = 0;
  {
    ThreadSignalStorm storm(CurrentThreadId());
    const int before = ThreadSignalStorm::delivered();
    EXPECT_THAT(Outcome([&] { client.connect(address); }), ReturnsNormally());
    interrupted = ThreadSignalStorm::delivered() - before;
  }
  EXPECT_GE(interrupted, 1) << "connect() returns only once a signal interrupts its wait";
  EXPECT_THAT(Outcome([&] { client.send("x"); }), ::sockref::testing::RaisesOSError(ENOTCONN));
}

}  // namespace
}  // namespace sockref::reliability
