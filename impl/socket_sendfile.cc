// socket_sendfile.cc: Socket::sendfile, Lib/socket.py's socket.sendfile() over a
// file descriptor.
//
// CPython tries os.sendfile(2) first ("zero copy") and gives up on it, falling
// back to read(2) + send(), only when the file cannot be fstat()ed or the very
// first sendfile(2) fails; once any byte has gone out, an error is raised as is.
// `file_fd` plays the part of an unbuffered binary file (open(path, "rb",
// buffering=0)): reads are single read(2) calls and seeks are lseek(2), so the
// errors are the OSErrors those calls give (EINVAL for a negative offset, EBADF
// for a closed descriptor).
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "impl/error.h"
#include "impl/socket.h"
#include "impl/timeout_engine.h"

namespace sockref {
namespace {

using timeout_engine::Readiness;

// sendfile(2) chunks are capped at 1 GiB, as CPython caps them (bpo-38319).
constexpr std::int64_t kMaxZeroCopyBlock = std::int64_t{1} << 30;
// The read+send fallback moves 8 KiB at a time, as CPython's does.
constexpr std::int64_t kSendBlock = 8192;

// GiveUpOnSendfile is CPython's _GiveupOnSendfile: the zero-copy path cannot
// handle this file; use read+send instead.
struct GiveUpOnSendfile {};

// CheckSendfileParams is CPython's _check_sendfile_params, minus the text-mode
// check a descriptor cannot fail. CPython tests `type & SOCK_STREAM`, not
// equality, so SOCK_SEQPACKET (5) and SOCK_RAW (3) pass and SOCK_DGRAM (2) fails.
void CheckSendfileParams(const Socket& sock, std::optional<std::int64_t> count) {
  if ((sock.type() & SOCK_STREAM) == 0) {
    throw ValueError("only SOCK_STREAM type sockets are supported");
  }
  if (count && *count <= 0) {
    throw ValueError("count must be a positive integer (got " + std::to_string(*count) + ")");
  }
}

void CheckNotNonBlocking(const Socket& sock) {
  if (sock.timeout().is_non_blocking()) {
    throw ValueError("non-blocking sockets are not supported");
  }
}

// SeekTo moves the file offset like Python's file.seek(position).
void SeekTo(int file_fd, std::int64_t position) {
  if (::lseek(file_fd, static_cast<off_t>(position), SEEK_SET) < 0) ThrowLastOSError();
}

// FileOffsetFinalizer is the `finally: if total_sent > 0: file.seek(...)` of
// both CPython paths: on success the seek's own error is raised; while an
// exception is already propagating it is dropped (a destructor cannot throw,
// and lseek(2) on a file that accepted the data does not fail in practice).
class FileOffsetFinalizer {
 public:
  FileOffsetFinalizer(int file_fd, const std::int64_t& position, const std::int64_t& total_sent)
      : file_fd_(file_fd), position_(position), total_sent_(total_sent) {}
  ~FileOffsetFinalizer() {
    if (!done_ && total_sent_ > 0) ::lseek(file_fd_, static_cast<off_t>(position_), SEEK_SET);
  }
  // Finish performs the seek on the success path, raising its errors.
  void Finish() {
    done_ = true;
    if (total_sent_ > 0) SeekTo(file_fd_, position_);
  }

 private:
  int file_fd_;
  const std::int64_t& position_;
  const std::int64_t& total_sent_;
  bool done_ = false;
};

// SigpipeGuard keeps sendfile(2) from killing the process. Unlike send(2) it has
// no MSG_NOSIGNAL, and writing to a socket whose peer has gone raises SIGPIPE in
// the calling thread (even when the same call also reports bytes sent). The
// guard blocks SIGPIPE in this thread for its lifetime; on the way out, a
// SIGPIPE that became pending meanwhile is ours and is consumed with a zero
// timeout sigtimedwait() before the old mask comes back. One that was already
// pending before (someone else's) is left alone. Python never has this problem:
// its interpreter ignores SIGPIPE process-wide at start-up.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    was_pending_ = ::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_);
  }
  ~SigpipeGuard() {
    const int saved_errno = errno;
    sigset_t pending;
    if (!was_pending_ && ::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{};
      while (::sigtimedwait(&sigpipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    errno = saved_errno;
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t sigpipe_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

// SendfileZeroCopy is CPython's _sendfile_use_sendfile.
std::int64_t SendfileZeroCopy(Socket& sock, int file_fd, std::int64_t offset,
                              std::optional<std::int64_t> count) {
  CheckSendfileParams(sock, count);
  const int sockno = sock.fileno();
  struct stat st {};
  if (::fstat(file_fd, &st) != 0) throw GiveUpOnSendfile{};
  // Pipes, sockets and character devices report size 0 on Linux, so CPython
  // sends nothing for them and returns 0 rather than falling back.
  if (st.st_size == 0) return 0;
  std::int64_t blocksize = std::min<std::int64_t>(count.value_or(st.st_size), kMaxZeroCopyBlock);
  const TimeoutNs timeout = sock.timeout();
  CheckNotNonBlocking(sock);
  // CPython registers the descriptor with a selector here, which rejects -1 (a
  // closed socket) before any system call.
  if (sockno < 0) throw ValueError("Invalid file descriptor: " + std::to_string(sockno));

  std::int64_t total_sent = 0;
  FileOffsetFinalizer finally(file_fd, offset, total_sent);
  SigpipeGuard no_sigpipe;
  for (;;) {
    if (count) {
      blocksize = std::min(*count - total_sent, kMaxZeroCopyBlock);
      if (blocksize <= 0) break;
    }
    ssize_t sent = 0;
    try {
      // Each chunk gets the socket's whole timeout, as CPython's per-chunk
      // selector.select(timeout) does. (One divergence: a blocking socket with
      // SO_SNDTIMEO that reports EAGAIN raises here, where CPython would wait in
      // select() and retry.)
      sent = timeout_engine::Call([&sock] { return sock.fileno(); }, Readiness::kWritable, timeout,
                                  [&](int fd) {
                                    off_t position = static_cast<off_t>(offset);
                                    return ::sendfile(fd, file_fd, &position,
                                                      static_cast<std::size_t>(blocksize));
                                  });
    } catch (const OSError& e) {
      // socket.timeout comes from CPython's selector, outside the fallback's
      // reach: it propagates. ETIMEDOUT from the kernel is an ordinary failure.
      if (e.kind() == ErrorKind::kTimeoutError && !e.errno_value()) throw;
      if (total_sent == 0) throw GiveUpOnSendfile{};
      throw;
    }
    if (sent == 0) break;  // end of file
    offset += sent;
    total_sent += sent;
  }
  finally.Finish();
  return total_sent;
}

// SendfileUseSend is CPython's _sendfile_use_send: read(2) and Socket::send (which
// uses MSG_NOSIGNAL, so no SIGPIPE guard is needed).
std::int64_t SendfileUseSend(Socket& sock, int file_fd, std::int64_t offset,
                             std::optional<std::int64_t> count) {
  CheckSendfileParams(sock, count);
  CheckNotNonBlocking(sock);
  // CPython seeks only for a non-zero offset: with offset 0 this path reads from
  // wherever the file offset already is.
  if (offset != 0) SeekTo(file_fd, offset);
  std::int64_t blocksize = count ? std::min(*count, kSendBlock) : kSendBlock;
  const auto buffer = std::make_unique_for_overwrite<char[]>(static_cast<std::size_t>(blocksize));
  std::int64_t total_sent = 0;
  std::int64_t final_position = offset;
  FileOffsetFinalizer finally(file_fd, final_position, total_sent);
  for (;;) {
    if (count) {
      blocksize = std::min(*count - total_sent, blocksize);
      if (blocksize <= 0) break;
    }
    ssize_t n;
    do {
      n = ::read(file_fd, buffer.get(), static_cast<std::size_t>(blocksize));
    } while (n < 0 && errno == EINTR);
    if (n < 0) ThrowLastOSError();
    if (n == 0) break;  // end of file
    const char* data = buffer.get();
    std::size_t left = static_cast<std::size_t>(n);
    while (left > 0) {
      std::int64_t sent = 0;
      try {
        sent = sock.send(ConstBuffer(data, left));
      } catch (const BlockingIOError&) {
        continue;  // CPython retries at once (only reachable with SO_SNDTIMEO)
      }
      total_sent += sent;
      final_position = offset + total_sent;
      data += sent;
      left -= static_cast<std::size_t>(sent);
    }
  }
  finally.Finish();
  return total_sent;
}

}  // namespace

std::int64_t Socket::sendfile(int file_fd, std::int64_t offset, std::optional<std::int64_t> count) {
  try {
    return SendfileZeroCopy(*this, file_fd, offset, count);
  } catch (const GiveUpOnSendfile&) {
    return SendfileUseSend(*this, file_fd, offset, count);
  }
}

}  // namespace sockref
