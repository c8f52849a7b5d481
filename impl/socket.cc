// socket.cc: Socket's life cycle, modes, connections, options and the
// send/recv family. sendmsg/recvmsg live in socket_msg.cc, sendfile in
// socket_sendfile.cc.
#include "impl/socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <limits>
#include <memory>

#include "impl/error.h"
#include "impl/internal/inet_literal.h"
#include "impl/receive_buffer.h"
#include "impl/interrupt.h"
#include "impl/timeout_engine.h"

namespace sockref {
namespace {

using timeout_engine::Readiness;

constexpr int kTypeFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;

using socket_internal::ReceiveBuffer;

[[noreturn, gnu::cold]] void ThrowValueError(const char* message) { throw ValueError(message); }

inline void CheckNonNegative(std::int64_t n, const char* message) {
  if (n < 0) [[unlikely]] ThrowValueError(message);
}

}  // namespace

// --- Life cycle -------------------------------------------------------------------

Socket::Socket(int family, int type, int proto) : Socket(Unopened{}) {
  const int fd = ::socket(family, type | SOCK_CLOEXEC, proto);
  if (fd < 0) ThrowLastOSError();
  *this = Socket(fd, family, type, proto, DefaultTimeout());
}

Socket::Socket(int fd, int family, int type, int proto, TimeoutNs timeout) : Socket(Unopened{}) {
  // Delegating first means the destructor closes fd if anything below throws.
  fd_.store(fd, std::memory_order_relaxed);
  family_ = family;
  type_ = type & ~kTypeFlags;
  proto_ = proto;
  if (type & SOCK_NONBLOCK) {
    timeout_ = TimeoutNs::FromNanoseconds(0);
  } else {
    timeout_ = timeout;
    if (!timeout.is_blocking()) ApplyTimeout(timeout);
  }
}

Socket Socket::FromFileno(int fd, int family, int type, int proto) {
  if (fd < 0) throw ValueError("negative file descriptor");
  // The descriptor is checked even when the caller gives the family, as CPython
  // does: a descriptor that is not open (EBADF) or not a socket (ENOTSOCK) is
  // refused. Other getsockname() failures leave the family as given.
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (family == -1) family = ss.ss_family;
  } else if (errno == EBADF || errno == ENOTSOCK) {
    ThrowLastOSError();
  }
  // Ask the kernel for whatever else the caller left at -1, in CPython's order.
  auto query = [fd](int optname) {
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(fd, SOL_SOCKET, optname, &value, &len) != 0) ThrowLastOSError();
    return value;
  };
  if (type == -1) type = query(SO_TYPE);
  if (proto == -1) proto = query(SO_PROTOCOL);
  return Socket(fd, family, type, proto, DefaultTimeout());
}

Socket::~Socket() {
  const int fd = fd_.exchange(-1, std::memory_order_relaxed);
  if (fd >= 0) ::close(fd);  // errors are reported only by an explicit close()
}

Socket::Socket(Socket&& other) noexcept
    : fd_(other.fd_.exchange(-1, std::memory_order_relaxed)),
      hints_(other.hints_.load(std::memory_order_relaxed)),
      family_(other.family_),
      type_(other.type_),
      proto_(other.proto_),
      timeout_(other.timeout_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    const int old =
        fd_.exchange(other.fd_.exchange(-1, std::memory_order_relaxed), std::memory_order_relaxed);
    if (old >= 0) ::close(old);
    hints_.store(other.hints_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    family_ = other.family_;
    type_ = other.type_;
    proto_ = other.proto_;
    timeout_ = other.timeout_;
  }
  return *this;
}

void Socket::close() {
  const int fd = fd_.exchange(-1, std::memory_order_relaxed);
  if (fd < 0) return;
  // ECONNRESET from close(2) means the peer reset an already-finished
  // connection; CPython does not report it either (bpo-30319).
  if (::close(fd) != 0 && errno != ECONNRESET) ThrowLastOSError();
}

int Socket::detach() { return fd_.exchange(-1, std::memory_order_relaxed); }

Socket Socket::dup() const {
  const int fd = ::fcntl(fileno(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) ThrowLastOSError();
  Socket copy(fd, family_, type_, proto_, DefaultTimeout());
  copy.settimeout(timeout_);
  return copy;
}

bool Socket::get_inheritable() const {
  const int flags = ::fcntl(fileno(), F_GETFD);
  if (flags < 0) ThrowLastOSError();
  return (flags & FD_CLOEXEC) == 0;
}

void Socket::set_inheritable(bool inheritable) {
  const int fd = fileno();
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) ThrowLastOSError();
  const int wanted = inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC;
  if (wanted != flags && ::fcntl(fd, F_SETFD, wanted) != 0) ThrowLastOSError();
}

// --- Modes ----------------------------------------------------------------------------

void Socket::settimeout(std::optional<Seconds> timeout) {
  settimeout(TimeoutNs::FromSeconds(timeout));
}

void Socket::settimeout(TimeoutNs timeout) {
  // CPython records the timeout before touching the descriptor, so a closed
  // socket raises EBADF yet reports the new timeout afterwards.
  timeout_ = timeout;
  ApplyTimeout(timeout);
}

void Socket::setblocking(bool flag) {
  settimeout(flag ? TimeoutNs() : TimeoutNs::FromNanoseconds(0));
}

void Socket::ApplyTimeout(TimeoutNs timeout) {
  // Non-blocking and timeout modes both need O_NONBLOCK: the timeout engine
  // waits in poll(2), never in the kernel's blocking call. FIONBIO is one system
  // call where fcntl(F_GETFL)+fcntl(F_SETFL) would be two.
  int non_blocking = timeout.is_blocking() ? 0 : 1;
  if (::ioctl(fileno(), FIONBIO, &non_blocking) != 0) ThrowLastOSError();
}

// --- Connections ---------------------------------------------------------------------

Sockaddr Socket::Encode(const Address& address, std::string_view caller) const {
  return EncodeAddress(triple(), address, caller);
}

void Socket::bind(const Address& address) {
  const Sockaddr sa = Encode(address, "bind");
  if (::bind(fileno(), sa.get(), sa.length) != 0) ThrowLastOSError();
}

void Socket::listen() { listen(std::min(SOMAXCONN, 128)); }

void Socket::listen(int backlog) {
  // A negative backlog means 0, as in CPython (the kernel would clamp anyway).
  if (::listen(fileno(), std::max(backlog, 0)) != 0) ThrowLastOSError();
}

AcceptResult Socket::accept() {
  sockaddr_storage ss{};
  socklen_t len = 0;
  const int conn_fd =
      timeout_engine::Call(CurrentFd(), Readiness::kReadable, timeout_, &hints_, [&](int fd) {
        len = sizeof ss;
        return ::accept4(fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
      });
  // accept4 without SOCK_NONBLOCK yields a blocking descriptor; the new socket
  // takes the default timeout's mode, never the listener's (CPython bpo-7995).
  AcceptResult result{Socket(conn_fd, family_, type_, proto_, DefaultTimeout()), NoAddress{}};
  result.address = DecodeAddress(reinterpret_cast<sockaddr*>(&ss), len, proto_);
  return result;
}

void Socket::connect(const Address& address) { ConnectOrErrno(address, /*raise=*/true); }

int Socket::connect_ex(const Address& address) { return ConnectOrErrno(address, false); }

int Socket::ConnectOrErrno(const Address& address, bool raise) {
  const Sockaddr sa = Encode(address, raise ? "connect" : "connect_ex");
  const int fd = fileno();
  auto fail = [raise](int error) {
    if (raise) ThrowOSError(error);
    return error;
  };
  if (::connect(fd, sa.get(), sa.length) == 0) return 0;
  const int error = errno;
  // A signal handler that raises ends the call here, as in CPython.
  if (error == EINTR) RunInterruptCheck();
  // An interrupted connect continues asynchronously (CPython bpo-23618): wait for
  // it in blocking and timeout modes. A timeout-mode EINPROGRESS waits too.
  const bool wait =
      error == EINTR ? !timeout_.is_non_blocking() : timeout_.has_timeout() && error == EINPROGRESS;
  if (!wait) return fail(error);
  const Deadline deadline(timeout_.has_timeout() ? timeout_ : TimeoutNs::FromNanoseconds(0));
  for (;;) {
    if (timeout_.has_timeout()) {
      try {
        timeout_engine::WaitUntilReady(fd, Readiness::kWritable, deadline);
      } catch (const TimeoutError&) {
        if (raise) throw;
        return EWOULDBLOCK;  // what CPython's connect_ex reports for a timeout
      }
    } else {
      pollfd pfd{fd, POLLOUT, 0};
      if (::poll(&pfd, 1, -1) < 0) {
        if (errno != EINTR) return fail(errno);
        RunInterruptCheck();
        continue;
      }
    }
    // Ask the socket as it is now: if another thread closed it during the wait,
    // report EBADF rather than query a number that may name a new file.
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(fileno(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) return fail(errno);
    if (so_error == 0 || so_error == EISCONN) return 0;
    // A spurious wake-up in timeout mode: wait again for the rest of the time.
    if (timeout_.has_timeout() && (so_error == EAGAIN || so_error == EWOULDBLOCK)) continue;
    return fail(so_error);
  }
}

Address Socket::getpeername() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fileno(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    ThrowLastOSError();
  }
  return DecodeAddress(reinterpret_cast<sockaddr*>(&ss), len, proto_);
}

Address Socket::getsockname() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fileno(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    ThrowLastOSError();
  }
  return DecodeAddress(reinterpret_cast<sockaddr*>(&ss), len, proto_);
}

void Socket::shutdown(int how) {
  if (::shutdown(fileno(), how) != 0) ThrowLastOSError();
}

// --- Options --------------------------------------------------------------------------

std::int64_t Socket::getsockopt(int level, int optname) const {
  if (family_ == AF_VSOCK) {
    std::uint64_t wide = 0;
    socklen_t len = sizeof wide;
    if (::getsockopt(fileno(), level, optname, &wide, &len) != 0) ThrowLastOSError();
    return static_cast<std::int64_t>(wide);
  }
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fileno(), level, optname, &value, &len) != 0) ThrowLastOSError();
  return value;
}

Bytes Socket::getsockopt(int level, int optname, std::int64_t buflen) const {
  // CPython refuses the buffer form on AF_VSOCK before it looks at the length.
  if (family_ == AF_VSOCK) throw OSError(std::string("getsockopt string buffer not allowed"));
  if (buflen <= 0 || buflen > 1024) throw OSError(std::string("getsockopt buflen out of range"));
  Bytes value(static_cast<std::size_t>(buflen), '\0');
  socklen_t len = static_cast<socklen_t>(buflen);
  if (::getsockopt(fileno(), level, optname, value.data(), &len) != 0) ThrowLastOSError();
  value.resize(len);
  return value;
}

void Socket::setsockopt(int level, int optname, std::int64_t value) {
  if (family_ == AF_VSOCK) {
    const auto wide = static_cast<std::uint64_t>(value);
    if (::setsockopt(fileno(), level, optname, &wide, sizeof wide) != 0) ThrowLastOSError();
    return;
  }
  if (value > INT_MAX) throw OverflowError("signed integer is greater than maximum");
  if (value < INT_MIN) throw OverflowError("signed integer is less than minimum");
  const int narrow = static_cast<int>(value);
  if (::setsockopt(fileno(), level, optname, &narrow, sizeof narrow) != 0) ThrowLastOSError();
}

void Socket::setsockopt(int level, int optname, ConstBuffer value) {
  if (::setsockopt(fileno(), level, optname, value.data(), static_cast<socklen_t>(value.size())) !=
      0) {
    ThrowLastOSError();
  }
}

void Socket::setsockopt(int level, int optname, std::nullopt_t, unsigned int optlen) {
  if (::setsockopt(fileno(), level, optname, nullptr, optlen) != 0) ThrowLastOSError();
}

void Socket::ThrowBytesTooLarge() { throw OverflowError("byte string is too large"); }

// --- Data --------------------------------------------------------------------------------

Bytes Socket::recv(std::int64_t bufsize, int flags) {
  CheckNonNegative(bufsize, "negative buffersize in recv");
  // CPython answers recv(0) with b'' before touching the descriptor: no system
  // call, so no wait in timeout mode and no EBADF on a closed socket.
  if (bufsize == 0) return Bytes();
  CheckBytesSize(bufsize);
  ReceiveBuffer buffer(bufsize, hints_);
  const ssize_t n = timeout_engine::Call(CurrentFd(), Readiness::kReadable, timeout_, &hints_, [&](int fd) {
    return ::recv(fd, buffer.data(), buffer.size(), flags);
  });
  return buffer.Take(static_cast<std::size_t>(n));
}

std::int64_t Socket::recv_into(MutableBuffer buffer, std::int64_t nbytes, int flags) {
  CheckNonNegative(nbytes, "negative buffersize in recv_into");
  if (nbytes == 0) nbytes = static_cast<std::int64_t>(buffer.size());
  if (static_cast<std::uint64_t>(nbytes) > buffer.size()) {
    throw ValueError("buffer too small for requested bytes");
  }
  // As recv(0): CPython reads nothing into nothing without a system call, so an empty
  // buffer returns 0 at once, on a datagram socket too and on a closed one.
  if (nbytes == 0) return 0;
  return timeout_engine::Call(CurrentFd(), Readiness::kReadable, timeout_, &hints_, [&](int fd) {
    return ::recv(fd, buffer.data(), static_cast<std::size_t>(nbytes), flags);
  });
}

std::pair<Bytes, Address> Socket::recvfrom(std::int64_t bufsize, int flags) {
  CheckNonNegative(bufsize, "negative buffersize in recvfrom");
  CheckBytesSize(bufsize);
  ReceiveBuffer buffer(bufsize, hints_);
  sockaddr_storage ss;  // not zeroed: DecodeAddress reads only `len` bytes
  socklen_t len = 0;
  const ssize_t n = timeout_engine::Call(CurrentFd(), Readiness::kReadable, timeout_, &hints_, [&](int fd) {
    len = sizeof ss;
    return ::recvfrom(fd, buffer.data(), buffer.size(), flags, reinterpret_cast<sockaddr*>(&ss),
                      &len);
  });
  // The result is built in place: a datagram's sender is decoded per call.
  std::pair<Bytes, Address> result(buffer.Take(static_cast<std::size_t>(n)), NoAddress{});
  const auto* sender = reinterpret_cast<const sockaddr*>(&ss);
  if (!address_internal::DecodeInetInto(sender, len, result.second)) {
    result.second = DecodeAddress(sender, len, proto_);
  }
  return result;
}

std::pair<std::int64_t, Address> Socket::recvfrom_into(MutableBuffer buffer, std::int64_t nbytes,
                                                       int flags) {
  CheckNonNegative(nbytes, "negative buffersize in recvfrom_into");
  if (nbytes == 0) nbytes = static_cast<std::int64_t>(buffer.size());
  if (static_cast<std::uint64_t>(nbytes) > buffer.size()) {
    throw ValueError("nbytes is greater than the length of the buffer");
  }
  sockaddr_storage ss;  // not zeroed: DecodeAddress reads only `len` bytes
  socklen_t len = 0;
  const ssize_t n = timeout_engine::Call(CurrentFd(), Readiness::kReadable, timeout_, &hints_, [&](int fd) {
    len = sizeof ss;
    return ::recvfrom(fd, buffer.data(), static_cast<std::size_t>(nbytes), flags,
                      reinterpret_cast<sockaddr*>(&ss), &len);
  });
  return {n, DecodeAddress(reinterpret_cast<sockaddr*>(&ss), len, proto_)};
}

std::int64_t Socket::send(ConstBuffer data, int flags) {
  return timeout_engine::Call(CurrentFd(), Readiness::kWritable, timeout_, &hints_, [&](int fd) {
    return ::send(fd, data.data(), data.size(), flags | MSG_NOSIGNAL);
  });
}

void Socket::sendall(ConstBuffer data, int flags) {
  const std::byte* next = data.data();
  std::size_t left = data.size();
  std::optional<Deadline> deadline;
  if (timeout_.has_timeout()) deadline.emplace(timeout_);
  // do/while as in CPython: sendall(b"") still makes one send(2), so a closed
  // socket reports EBADF even with nothing to send.
  bool first = true;
  do {
    TimeoutNs remaining = timeout_;
    // The first send has the whole timeout: the deadline was set just now, and reading the
    // clock again would cost a message's time on a fast socket for nothing.
    if (deadline && !first) {
      const auto left_ns = deadline->Remaining().count();
      if (left_ns <= 0) throw MakeTimeout();
      remaining = TimeoutNs::FromNanoseconds(left_ns);
    }
    first = false;
    const ssize_t n =
        timeout_engine::Call(CurrentFd(), Readiness::kWritable, remaining, &hints_,
                             [&](int fd) { return ::send(fd, next, left, flags | MSG_NOSIGNAL); });
    next += n;
    left -= static_cast<std::size_t>(n);
    // A send(2) interrupted after some bytes returns short instead of failing
    // with EINTR: run the check before blocking again (CPython does the same).
    if (left > 0) RunInterruptCheck();
  } while (left > 0);
}

std::int64_t Socket::sendto(ConstBuffer data, const Address& address) {
  return sendto(data, 0, address);
}

std::int64_t Socket::sendto(ConstBuffer data, int flags, const Address& address) {
  sockaddr_in sin;
  if (family_ == AF_INET && address_internal::EncodeInetLiteral(address, &sin)) {
    return timeout_engine::Call(CurrentFd(), Readiness::kWritable, timeout_, &hints_, [&](int fd) {
      return ::sendto(fd, data.data(), data.size(), flags | MSG_NOSIGNAL,
                      reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
    });
  }
  const Sockaddr sa = Encode(address, "sendto");
  return timeout_engine::Call(CurrentFd(), Readiness::kWritable, timeout_, &hints_, [&](int fd) {
    return ::sendto(fd, data.data(), data.size(), flags | MSG_NOSIGNAL, sa.get(), sa.length);
  });
}

// --- Module functions ---------------------------------------------------------------

std::pair<Socket, Socket> socketpair(int family, int type, int proto) {
  int fds[2];
  if (::socketpair(family, type | SOCK_CLOEXEC, proto, fds) != 0) ThrowLastOSError();
  // Each Socket owns its descriptor as soon as it is constructed; the second one
  // is closed by hand only if constructing the first throws.
  std::optional<Socket> a;
  try {
    a.emplace(Socket::FromFileno(fds[0], family, type, proto));
  } catch (...) {
    ::close(fds[1]);
    throw;
  }
  Socket b = Socket::FromFileno(fds[1], family, type, proto);
  return {std::move(*a), std::move(b)};
}

Socket fromfd(int fd, int family, int type, int proto) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) ThrowLastOSError();
  try {
    return Socket::FromFileno(copy, family, type, proto);
  } catch (...) {
    // FromFileno leaves a refused descriptor to its caller: here, the copy made
    // above. (CPython's fromfd() leaks it.)
    ::close(copy);
    throw;
  }
}

void close(int fd) {
  if (::close(fd) != 0 && errno != ECONNRESET) ThrowLastOSError();
}

int dup(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) ThrowLastOSError();
  return copy;
}

}  // namespace sockref
