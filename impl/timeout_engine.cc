#include "impl/timeout_engine.h"

#include <poll.h>

namespace sockref::timeout_engine {

void WaitUntilReady(int fd, Readiness want, const Deadline& deadline) {
  pollfd pfd{};
  pfd.fd = fd;
  pfd.events = want == Readiness::kReadable ? POLLIN : POLLOUT;
  for (;;) {
    const int ms = deadline.RemainingPollMilliseconds();
    if (ms == 0) throw MakeTimeout();
    const int n = ::poll(&pfd, 1, ms);
    if (n > 0) return;  // ready, or an error condition the next call will report
    if (n == 0) {
      // poll's millisecond rounding can wake us a hair early; only the clock says
      // whether the deadline has really passed.
      if (deadline.Remaining().count() <= 0) throw MakeTimeout();
      continue;
    }
    if (errno != EINTR) ThrowLastOSError();
    RunInterruptCheck();
  }
}

}  // namespace sockref::timeout_engine
