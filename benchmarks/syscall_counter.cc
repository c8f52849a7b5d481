// The __wrap_ functions the linker substitutes for libc's (see syscall_counter.h).
// The list must match WRAPPED_FUNCTIONS in BUILD: a wrapper the linker is not
// told about is never called, and a --wrap without a wrapper fails to link.
#include "benchmarks/syscall_counter.h"

#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdarg>

namespace sockref::benchmarks {
namespace {
thread_local std::uint64_t calls_on_this_thread = 0;
}  // namespace

std::uint64_t SyscallsOnThisThread() { return calls_on_this_thread; }

}  // namespace sockref::benchmarks

using sockref::benchmarks::calls_on_this_thread;

extern "C" {

// With _FORTIFY_SOURCE (Bazel's -c opt sets it) a call whose buffer size is known
// at compile time goes to the __*_chk variant instead, so both are wrapped.
ssize_t __real_send(int, const void*, size_t, int);
ssize_t __real_recv(int, void*, size_t, int);
ssize_t __real___recv_chk(int, void*, size_t, size_t, int);
ssize_t __real_sendto(int, const void*, size_t, int, const sockaddr*, socklen_t);
ssize_t __real_recvfrom(int, void*, size_t, int, sockaddr*, socklen_t*);
ssize_t __real___recvfrom_chk(int, void*, size_t, size_t, int, sockaddr*, socklen_t*);
ssize_t __real_sendmsg(int, const msghdr*, int);
ssize_t __real_recvmsg(int, msghdr*, int);
int __real_poll(pollfd*, nfds_t, int);
int __real___poll_chk(pollfd*, nfds_t, int, size_t);
int __real_ppoll(pollfd*, nfds_t, const timespec*, const sigset_t*);
int __real_select(int, fd_set*, fd_set*, fd_set*, timeval*);
ssize_t __real_read(int, void*, size_t);
ssize_t __real___read_chk(int, void*, size_t, size_t);
ssize_t __real_write(int, const void*, size_t);
ssize_t __real_readv(int, const iovec*, int);
ssize_t __real_writev(int, const iovec*, int);
int __real_ioctl(int, unsigned long, ...);
int __real_fcntl(int, int, ...);
int __real_getsockopt(int, int, int, void*, socklen_t*);
int __real_setsockopt(int, int, int, const void*, socklen_t);

ssize_t __wrap_send(int fd, const void* buf, size_t n, int flags) {
  ++calls_on_this_thread;
  return __real_send(fd, buf, n, flags);
}
ssize_t __wrap_recv(int fd, void* buf, size_t n, int flags) {
  ++calls_on_this_thread;
  return __real_recv(fd, buf, n, flags);
}
ssize_t __wrap___recv_chk(int fd, void* buf, size_t n, size_t buflen, int flags) {
  ++calls_on_this_thread;
  return __real___recv_chk(fd, buf, n, buflen, flags);
}
ssize_t __wrap_sendto(int fd, const void* buf, size_t n, int flags, const sockaddr* to,
                      socklen_t tolen) {
  ++calls_on_this_thread;
  return __real_sendto(fd, buf, n, flags, to, tolen);
}
ssize_t __wrap_recvfrom(int fd, void* buf, size_t n, int flags, sockaddr* from,
                        socklen_t* fromlen) {
  ++calls_on_this_thread;
  return __real_recvfrom(fd, buf, n, flags, from, fromlen);
}
ssize_t __wrap___recvfrom_chk(int fd, void* buf, size_t n, size_t buflen, int flags, sockaddr* from,
                              socklen_t* fromlen) {
  ++calls_on_this_thread;
  return __real___recvfrom_chk(fd, buf, n, buflen, flags, from, fromlen);
}
ssize_t __wrap_sendmsg(int fd, const msghdr* msg, int flags) {
  ++calls_on_this_thread;
  return __real_sendmsg(fd, msg, flags);
}
ssize_t __wrap_recvmsg(int fd, msghdr* msg, int flags) {
  ++calls_on_this_thread;
  return __real_recvmsg(fd, msg, flags);
}
int __wrap_poll(pollfd* fds, nfds_t nfds, int timeout) {
  ++calls_on_this_thread;
  return __real_poll(fds, nfds, timeout);
}
int __wrap___poll_chk(pollfd* fds, nfds_t nfds, int timeout, size_t fdslen) {
  ++calls_on_this_thread;
  return __real___poll_chk(fds, nfds, timeout, fdslen);
}
int __wrap_ppoll(pollfd* fds, nfds_t nfds, const timespec* timeout, const sigset_t* mask) {
  ++calls_on_this_thread;
  return __real_ppoll(fds, nfds, timeout, mask);
}
int __wrap_select(int nfds, fd_set* r, fd_set* w, fd_set* e, timeval* timeout) {
  ++calls_on_this_thread;
  return __real_select(nfds, r, w, e, timeout);
}
ssize_t __wrap_read(int fd, void* buf, size_t n) {
  ++calls_on_this_thread;
  return __real_read(fd, buf, n);
}
ssize_t __wrap___read_chk(int fd, void* buf, size_t n, size_t buflen) {
  ++calls_on_this_thread;
  return __real___read_chk(fd, buf, n, buflen);
}
ssize_t __wrap_write(int fd, const void* buf, size_t n) {
  ++calls_on_this_thread;
  return __real_write(fd, buf, n);
}
ssize_t __wrap_readv(int fd, const iovec* iov, int count) {
  ++calls_on_this_thread;
  return __real_readv(fd, iov, count);
}
ssize_t __wrap_writev(int fd, const iovec* iov, int count) {
  ++calls_on_this_thread;
  return __real_writev(fd, iov, count);
}
// ioctl and fcntl take one optional argument; passing it on as a pointer-sized
// value is what the kernel interface expects for every request sockref uses.
int __wrap_ioctl(int fd, unsigned long request, ...) {
  va_list args;
  va_start(args, request);
  void* arg = va_arg(args, void*);
  va_end(args);
  ++calls_on_this_thread;
  return __real_ioctl(fd, request, arg);
}
int __wrap_fcntl(int fd, int command, ...) {
  va_list args;
  va_start(args, command);
  void* arg = va_arg(args, void*);
  va_end(args);
  ++calls_on_this_thread;
  return __real_fcntl(fd, command, arg);
}
int __wrap_getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  ++calls_on_this_thread;
  return __real_getsockopt(fd, level, name, value, length);
}
int __wrap_setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  ++calls_on_this_thread;
  return __real_setsockopt(fd, level, name, value, length);
}

}  // extern "C"
