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
// CPython polls *before* every call in timeout mode; trying first means one system
// call per operation when data is ready (the common case) instead of two, with the
// same observable results. Blocking and non-blocking modes never poll.
//
// Implementation detail of //impl:socket; not part of the public API.
#ifndef SOCKREF_IMPL_TIMEOUT_ENGINE_H_
#define SOCKREF_IMPL_TIMEOUT_ENGINE_H_

#include <sys/types.h>

#include <cerrno>
#include <optional>

#include "impl/error.h"
#include "impl/interrupt.h"
#include "impl/timeout.h"

namespace sockref::timeout_engine {

// Readiness is what an operation waits for.
enum class Readiness { kReadable, kWritable };

// WaitUntilReady polls fd for `want` until it is ready or the deadline passes.
// Raises: socket.timeout ("timed out") when the deadline passes, OSError if poll
// itself fails. EINTR runs the interrupt check, then waits for the remaining time.
void WaitUntilReady(int fd, Readiness want, const Deadline& deadline);

// Call runs `attempt` until it succeeds, honouring `timeout` as described above.
// `current_fd()` returns the socket's descriptor *now*; it is asked again before
// every attempt, so if another thread closes the socket while this one waits, the
// retry sees -1 and fails with EBADF (as CPython's does) instead of reusing a
// number the kernel may already have given to an unrelated file.
// `attempt(fd)` performs one system call on fd and returns its result (>= 0 on
// success, -1 with errno set on failure). Returns the successful result.
template <typename CurrentFd, typename Attempt>
auto Call(CurrentFd&& current_fd, Readiness want, TimeoutNs timeout, Attempt&& attempt) {
  std::optional<Deadline> deadline;
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
    // The deadline starts at the first wait: the call before it took no time
    // worth counting, and an operation that never waits never reads the clock.
    if (!deadline) deadline.emplace(timeout);
    WaitUntilReady(fd, want, *deadline);
  }
}

}  // namespace sockref::timeout_engine

#endif  // SOCKREF_IMPL_TIMEOUT_ENGINE_H_
