// thread_probe.h: test-only helpers that tell when another thread of this
// process is asleep inside a socket system call, so a test can act on a blocked
// call without sleeping for an arbitrary time first.
//
//   const pid_t blocked = sockref::reliability::CurrentThreadId();
//   std::thread peer([&] {
//     ASSERT_TRUE(sockref::reliability::WaitUntilBlockedInSocketCall(blocked));
//     b.sendall("wake up");  // the reader is known to be waiting in the kernel
//   });
//   a.recv(7);
//
// The kernel reports what a sleeping thread is doing in /proc/self/task/<tid>/:
// `stat` holds its scheduler state ('S' while it sleeps in an interruptible
// wait) and `syscall` the number of the system call it is in ("running" while
// it runs, -1 outside a system call). Both are read without privileges for the
// process's own threads.
#ifndef SOCKREF_IMPL_RELIABILITY_THREAD_PROBE_H_
#define SOCKREF_IMPL_RELIABILITY_THREAD_PROBE_H_

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace sockref::reliability {

// CurrentThreadId returns the calling thread's kernel thread id (gettid(2)).
inline pid_t CurrentThreadId() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// The system calls a socket operation waits in: the blocking calls themselves
// (blocking mode) and poll(2) (timeout mode, and connect() after EINTR).
inline constexpr std::array<long, 9> kSocketWaits = {
    SYS_poll,    SYS_ppoll,   SYS_recvfrom, SYS_recvmsg, SYS_sendto,
    SYS_sendmsg, SYS_accept4, SYS_accept,   SYS_connect,
};

namespace thread_probe_internal {

// SleepingSyscall returns the system call thread `tid` is asleep in, or nullopt
// when it is running, runnable, or not inside a system call.
inline std::optional<long> SleepingSyscall(pid_t tid) {
  const std::string task = "/proc/self/task/" + std::to_string(tid);
  std::ifstream stat(task + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // The state follows the command name, which is in parentheses and may hold
  // spaces or parentheses itself: search from the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'S') {
    return std::nullopt;
  }
  std::ifstream syscall(task + "/syscall");
  long number = -1;
  if (!(syscall >> number)) return std::nullopt;  // "running"
  return number < 0 ? std::nullopt : std::optional<long>(number);
}

}  // namespace thread_probe_internal

// IsBlockedInSocketCall returns whether thread `tid` is, right now, asleep in
// one of kSocketWaits.
inline bool IsBlockedInSocketCall(pid_t tid) {
  const std::optional<long> number = thread_probe_internal::SleepingSyscall(tid);
  if (!number) return false;
  for (long wait : kSocketWaits) {
    if (*number == wait) return true;
  }
  return false;
}

// WaitUntilBlockedInSocketCall returns true as soon as thread `tid` is asleep
// in one of kSocketWaits, false if that has not happened within `limit`. It
// polls every 100 microseconds: the thread may be interrupted by signals, so
// it is checked until one look finds it asleep.
inline bool WaitUntilBlockedInSocketCall(
    pid_t tid, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!IsBlockedInSocketCall(tid)) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

}  // namespace sockref::reliability

#endif  // SOCKREF_IMPL_RELIABILITY_THREAD_PROBE_H_
