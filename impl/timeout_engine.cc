#include "impl/timeout_engine.h"

#include <poll.h>

namespace sockref::timeout_engine {

bool WaitUntilReady(int fd, Readiness want, const Deadline& deadline) {
  pollfd pfd{};
  pfd.fd = fd;
  pfd.events = want == Readiness::kReadable ? POLLIN : POLLOUT;
  bool first = true;
  for (;;) {
    const auto before = deadline.Remaining();
    if (before.count() <= 0) throw MakeTimeout();
    // Round up: poll(2) must not return before the deadline has passed.
    const std::int64_t ms64 = (before.count() + 999999) / 1000000;
    const int ms = ms64 > INT32_MAX ? INT32_MAX : static_cast<int>(ms64);
    const int n = ::poll(&pfd, 1, ms);
    if (n > 0) {
      // ready, or an error condition the next call will report
      return first && before - deadline.Remaining() < kReadyAtOnce;
    }
    first = false;
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
