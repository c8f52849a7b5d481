// timeout_engine.h: how every socket operation honours the socket's mode.
//
// The engine is one loop shared by recv, send, accept, sendmsg, ...:
//   1. try the system call (the descriptor is O_NONBLOCK in timeout mode);
//   2. EINTR: run the interrupt check (interrupt.h), then retry (PEP 475);
//   3. EAGAIN in timeout mode: poll(2) for readiness with the time left until the
//      deadline (recomputed after every EINTR), raise socket.timeout when it runs
//      out, otherwise go back to 1;
//   4. any other error: raise the OSError subclass for errno.
//
// CPython polls *before* every call in timeout mode: two system calls per
// operation whether or not the socket is ready. Trying first makes a ready
// operation one system call, but an operation that must wait three (the call,
// poll, the call again). So the engine adapts per socket and per direction
// (WaitHints): after an operation had to wait, the next one in that direction
// polls first, as CPython does (two calls); once a first poll finds the socket
// ready at once, operations go back to trying first (one call). Either way the
// observable results are CPython's; only the number of system calls differs, and
// it is never more than CPython's in a steady regime. Blocking and non-blocking
// modes never poll.
//
// Implementation detail of //impl:socket; not part of the public API.
#ifndef SOCKREF_IMPL_TIMEOUT_ENGINE_H_
#define SOCKREF_IMPL_TIMEOUT_ENGINE_H_

#include <sys/types.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>

#include "impl/error.h"
#include "impl/interrupt.h"
#include "impl/timeout.h"

namespace sockref::timeout_engine {

// Readiness is what an operation waits for.
enum class Readiness { kReadable, kWritable };

// WaitHints is a socket's memory of how its last operations went, one bit each,
// in a byte the Socket owns (an atomic: a socket may be used from several
// threads). Hints change how many system calls an operation makes, never what it
// does; a lost update between threads only costs a system call.
class WaitHints {
 public:
  // kPollFirstRead / kPollFirstWrite: the last operation in that direction had
  // to wait, so the next one polls before trying (timeout mode only).
  static constexpr std::uint8_t kPollFirstRead = 1;
  static constexpr std::uint8_t kPollFirstWrite = 2;
  // kReceiveCopies: the last recv()/recvfrom()/recvmsg() used less than half its
  // buffer, so the next one receives into a scratch buffer and copies what
  // arrived rather than allocating its whole size (receive_buffer.h).
  static constexpr std::uint8_t kReceiveCopies = 4;

  explicit WaitHints(std::atomic<std::uint8_t>& bits) : bits_(&bits) {}

  bool Has(std::uint8_t bit) const { return (bits_->load(std::memory_order_relaxed) & bit) != 0; }
  // Set turns `bit` on or off; it writes only when the bit changes.
  void Set(std::uint8_t bit, bool on) {
    if (Has(bit) == on) return;
    if (on) {
      bits_->fetch_or(bit, std::memory_order_relaxed);
    } else {
      bits_->fetch_and(static_cast<std::uint8_t>(~bit), std::memory_order_relaxed);
    }
  }
  static constexpr std::uint8_t PollFirstBit(Readiness want) {
    return want == Readiness::kReadable ? kPollFirstRead : kPollFirstWrite;
  }

 private:
  std::atomic<std::uint8_t>* bits_;
};

// kReadyAtOnce is how soon a poll must report readiness for the socket to count
// as having been ready already: longer than a poll(2) on a ready descriptor takes,
// far shorter than any wait for a peer (a wake-up across threads alone is
// several microseconds).
inline constexpr std::chrono::nanoseconds kReadyAtOnce = std::chrono::microseconds(2);

// WaitUntilReady polls fd for `want` until it is ready or the deadline passes.
// Returns true when the first poll reported readiness within kReadyAtOnce
// (the socket was ready already), false when it had to wait.
// Raises: socket.timeout ("timed out") when the deadline passes, OSError if poll
// itself fails. EINTR runs the interrupt check, then waits for the remaining time.
bool WaitUntilReady(int fd, Readiness want, const Deadline& deadline);

// Call runs `attempt` until it succeeds, honouring `timeout` as described above.
// `current_fd()` returns the socket's descriptor *now*; it is asked again before
// every attempt, so if another thread closes the socket while this one waits, the
// retry sees -1 and fails with EBADF (as CPython's does) instead of reusing a
// number the kernel may already have given to an unrelated file.
// `attempt(fd)` performs one system call on fd and returns its result (>= 0 on
// success, -1 with errno set on failure). Returns the successful result.
// `hints` (null: always try first) is the socket's WaitHints.
// Always inlined: a ready call is a few instructions around the system call,
// which an out-of-line frame would double.
template <typename CurrentFd, typename Attempt>
[[gnu::always_inline]] inline auto Call(CurrentFd&& current_fd, Readiness want, TimeoutNs timeout,
                                        std::atomic<std::uint8_t>* hints, Attempt&& attempt) {
  std::optional<Deadline> deadline;
  if (hints != nullptr && timeout.has_timeout()) {
    WaitHints wait_hints(*hints);
    const std::uint8_t poll_first = WaitHints::PollFirstBit(want);
    if (wait_hints.Has(poll_first)) {
      const int fd = current_fd();
      // A closed socket is not polled: the attempt reports EBADF at once, as
      // CPython's internal_select() skips a closed socket.
      if (fd >= 0) {
        deadline.emplace(timeout);
        if (WaitUntilReady(fd, want, *deadline)) wait_hints.Set(poll_first, false);
      }
    }
  }
  for (;;) {
    const int fd = current_fd();
    auto result = attempt(fd);
    if (result >= 0) return result;
    const int error = errno;
    if (error == EINTR) {
      RunInterruptCheck();
      continue;
    }
    if (!timeout.has_timeout() || (error != EAGAIN && error != EWOULDBLOCK)) {
      ThrowOSError(error);
    }
    if (hints != nullptr) WaitHints(*hints).Set(WaitHints::PollFirstBit(want), true);
    // The deadline starts at the first wait: the call before it took no time
    // worth counting, and an operation that never waits never reads the clock.
    if (!deadline) deadline.emplace(timeout);
    WaitUntilReady(fd, want, *deadline);
  }
}

// Call without hints: always tries first.
template <typename CurrentFd, typename Attempt>
auto Call(CurrentFd&& current_fd, Readiness want, TimeoutNs timeout, Attempt&& attempt) {
  return Call(current_fd, want, timeout, nullptr, attempt);
}

}  // namespace sockref::timeout_engine

#endif  // SOCKREF_IMPL_TIMEOUT_ENGINE_H_
