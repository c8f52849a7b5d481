#include "benchmarks/workloads.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "impl/address.h"
#include "impl/buffer.h"
#include "impl/socket.h"

// SOCKREF_BENCH_INJECT selects a regression to compile into the sockref side of
// the workloads (see Injection). Unknown names fail to compile.
#define SOCKREF_BENCH_INJECT_none 0
#define SOCKREF_BENCH_INJECT_extra_poll 1
#define SOCKREF_BENCH_INJECT_extra_copy 2
#define SOCKREF_BENCH_INJECT_zero_fill 3
#ifndef SOCKREF_BENCH_INJECT
#define SOCKREF_BENCH_INJECT none
#endif
#define SOCKREF_BENCH_CAT2(a, b) a##b
#define SOCKREF_BENCH_CAT(a, b) SOCKREF_BENCH_CAT2(a, b)
#define SOCKREF_BENCH_INJECT_CODE SOCKREF_BENCH_CAT(SOCKREF_BENCH_INJECT_, SOCKREF_BENCH_INJECT)

namespace sockref::benchmarks {
namespace {

constexpr Injection kInjection = static_cast<Injection>(SOCKREF_BENCH_INJECT_CODE);

// Timeout mode's timeout. Loopback never makes an operation wait this long; the
// point is the code path (O_NONBLOCK plus a poll after EAGAIN), not the value.
constexpr int kTimeoutMilliseconds = 10'000;

constexpr int kMaxBuffers = 16;

[[noreturn]] void ThrowErrno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

[[noreturn]] void ThrowShort(const char* what, std::size_t got, std::size_t want) {
  throw std::runtime_error(std::string(what) + ": " + std::to_string(got) + " of " +
                           std::to_string(want) + " bytes");
}

// Fd owns a descriptor until it is released to a sockref::Socket.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

Fd NewSocket(int family, int type) {
  Fd fd(::socket(family, type | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) ThrowErrno("socket");
  return fd;
}

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

void Bind(const Fd& fd, const sockaddr_in& address) {
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ThrowErrno("bind");
  }
}

sockaddr_in LocalAddress(const Fd& fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ThrowErrno("getsockname");
  }
  return address;
}

void SetIntOption(const Fd& fd, int level, int name, int value) {
  if (::setsockopt(fd.get(), level, name, &value, sizeof value) != 0) ThrowErrno("setsockopt");
}

// ConnectedPair is a sender and a receiver; for UDP, the receiver's address.
struct ConnectedPair {
  int family = AF_UNIX;
  int type = SOCK_STREAM;
  Fd sender;
  Fd receiver;
  sockaddr_in receiver_address{};
};

ConnectedPair Connect(Transport transport) {
  ConnectedPair pair;
  switch (transport) {
    case Transport::kUnix: {
      int fds[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) ThrowErrno("socketpair");
      pair.sender = Fd(fds[0]);
      pair.receiver = Fd(fds[1]);
      return pair;
    }
    case Transport::kTcp: {
      pair.family = AF_INET;
      Fd listener = NewSocket(AF_INET, SOCK_STREAM);
      Bind(listener, Loopback(0));
      if (::listen(listener.get(), 1) != 0) ThrowErrno("listen");
      const sockaddr_in address = LocalAddress(listener);
      pair.sender = NewSocket(AF_INET, SOCK_STREAM);
      if (::connect(pair.sender.get(), reinterpret_cast<const sockaddr*>(&address),
                    sizeof address) != 0) {
        ThrowErrno("connect");
      }
      pair.receiver = Fd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (pair.receiver.get() < 0) ThrowErrno("accept4");
      // Small messages must leave at once rather than wait for Nagle's timer.
      SetIntOption(pair.sender, IPPROTO_TCP, TCP_NODELAY, 1);
      SetIntOption(pair.receiver, IPPROTO_TCP, TCP_NODELAY, 1);
      return pair;
    }
    case Transport::kUdp: {
      pair.family = AF_INET;
      pair.type = SOCK_DGRAM;
      pair.sender = NewSocket(AF_INET, SOCK_DGRAM);
      pair.receiver = NewSocket(AF_INET, SOCK_DGRAM);
      Bind(pair.sender, Loopback(0));
      Bind(pair.receiver, Loopback(0));
      pair.receiver_address = LocalAddress(pair.receiver);
      return pair;
    }
  }
  throw std::logic_error("unknown transport");
}

// Segments splits a message into `count` consecutive buffers as evenly as
// possible (a 1-byte message over 16 buffers has 15 empty ones: the call still
// passes 16 buffers).
class Segments {
 public:
  Segments(std::size_t size, int count) : count_(count) {
    for (int i = 0; i <= count; ++i) bounds_[i] = size * static_cast<std::size_t>(i) / count;
  }
  // Fill writes into `out` the parts of the buffers from byte `done` on and
  // returns how many it wrote. With done == 0 that is every buffer.
  template <typename View, typename Byte>
  int Fill(Byte* base, std::size_t done, std::array<View, kMaxBuffers>& out) const {
    int n = 0;
    for (int i = 0; i < count_; ++i) {
      if (done > 0 && bounds_[i + 1] <= done) continue;
      const std::size_t start = std::max(bounds_[i], done);
      out[n++] = View(base + start, bounds_[i + 1] - start);
    }
    return n;
  }

 private:
  int count_;
  std::array<std::size_t, kMaxBuffers + 1> bounds_{};
};

// RawIovec adapts iovec to Segments::Fill's View(pointer, size).
struct RawIovec : iovec {
  RawIovec() : iovec{} {}
  RawIovec(char* base, std::size_t size) : iovec{base, size} {}
  RawIovec(const char* base, std::size_t size) : iovec{const_cast<char*>(base), size} {}
};

// RawWorkload makes the system calls directly: the limit sockref is measured
// against. Timeout mode mirrors sockref's engine at its cheapest: the descriptor
// is O_NONBLOCK and poll(2) runs only after EAGAIN.
class RawWorkload final : public Workload {
 public:
  RawWorkload(const WorkloadSpec& spec, ConnectedPair pair)
      : Workload(spec),
        pair_(std::move(pair)),
        timeout_(spec.mode == Mode::kTimeout),
        segments_(spec.size, spec.buffers),
        message_(spec.size, 'x'),
        buffer_(spec.size) {
    if (timeout_) {
      SetNonBlocking(pair_.sender);
      SetNonBlocking(pair_.receiver);
    }
  }

  std::size_t SendMessage() override {
    const int fd = pair_.sender.get();
    const char* data = message_.data();
    const std::size_t size = message_.size();
    std::size_t sent = 0;
    switch (spec().api) {
      case Api::kSendRecv:
      case Api::kSendRecvEcho:
      case Api::kSendallRecvInto:
        do {
          sent += Retry(fd, POLLOUT,
                        [&] { return ::send(fd, data + sent, size - sent, MSG_NOSIGNAL); });
        } while (sent < size);
        return sent;
      case Api::kSendmsgRecvmsgInto:
        do {
          std::array<RawIovec, kMaxBuffers> iov;
          msghdr msg{};
          msg.msg_iov = iov.data();
          msg.msg_iovlen = static_cast<std::size_t>(segments_.Fill(data, sent, iov));
          sent += Retry(fd, POLLOUT, [&] { return ::sendmsg(fd, &msg, MSG_NOSIGNAL); });
        } while (sent < size);
        return sent;
      case Api::kSendtoRecvfrom: {
        const sockaddr_in& to = pair_.receiver_address;
        sent = Retry(fd, POLLOUT, [&] {
          return ::sendto(fd, data, size, MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&to),
                          sizeof to);
        });
        if (sent != size) ThrowShort("sendto", sent, size);
        return sent;
      }
    }
    throw std::logic_error("unknown api");
  }

  std::size_t ReceiveMessage() override {
    if (spec().Echoes()) return ReceiveWhole(pair_.sender.get(), buffer_.data());
    const int fd = pair_.receiver.get();
    char* data = buffer_.data();
    const std::size_t size = buffer_.size();
    std::size_t got = 0;
    switch (spec().api) {
      case Api::kSendRecvEcho:
      case Api::kSendRecv:
      case Api::kSendallRecvInto:
        while (got < size) {
          const std::size_t n =
              Retry(fd, POLLIN, [&] { return ::recv(fd, data + got, size - got, 0); });
          if (n == 0) ThrowShort("recv: end of stream", got, size);
          got += n;
        }
        return got;
      case Api::kSendmsgRecvmsgInto:
        while (got < size) {
          std::array<RawIovec, kMaxBuffers> iov;
          msghdr msg{};
          msg.msg_iov = iov.data();
          msg.msg_iovlen = static_cast<std::size_t>(segments_.Fill(data, got, iov));
          const std::size_t n = Retry(fd, POLLIN, [&] { return ::recvmsg(fd, &msg, 0); });
          if (n == 0) ThrowShort("recvmsg: end of stream", got, size);
          got += n;
        }
        return got;
      case Api::kSendtoRecvfrom: {
        sockaddr_storage from{};
        socklen_t length = 0;
        got = Retry(fd, POLLIN, [&] {
          length = sizeof from;
          return ::recvfrom(fd, data, size, 0, reinterpret_cast<sockaddr*>(&from), &length);
        });
        if (got != size) ThrowShort("recvfrom", got, size);
        return got;
      }
    }
    throw std::logic_error("unknown api");
  }

  std::size_t EchoMessage() override {
    const int fd = pair_.receiver.get();
    const std::size_t got = ReceiveWhole(fd, echo_.data());
    std::size_t sent = 0;
    do {
      sent += Retry(fd, POLLOUT,
                    [&] { return ::send(fd, echo_.data() + sent, got - sent, MSG_NOSIGNAL); });
    } while (sent < got);
    return got;
  }

  void ShutdownSender() override { ::shutdown(pair_.sender.get(), SHUT_RDWR); }
  void ShutdownReceiver() override { ::shutdown(pair_.receiver.get(), SHUT_RDWR); }

 private:
  // ReceiveWhole receives one message on fd for an echo workload: the data is
  // known not to be ready, so in timeout mode it polls before every recv(2).
  std::size_t ReceiveWhole(int fd, char* data) {
    const std::size_t size = spec().size;
    std::size_t got = 0;
    while (got < size) {
      const std::size_t n = Retry(
          fd, POLLIN, [&] { return ::recv(fd, data + got, size - got, 0); }, /*poll_first=*/true);
      if (n == 0) ThrowShort("recv: end of stream", got, size);
      got += n;
    }
    return got;
  }

  static void SetNonBlocking(const Fd& fd) {
    int on = 1;
    if (::ioctl(fd.get(), FIONBIO, &on) != 0) ThrowErrno("ioctl(FIONBIO)");
  }

  // Retry makes one call until it succeeds, as sockref's engine does: EINTR is
  // retried, EAGAIN in timeout mode waits in poll(2). With poll_first, timeout
  // mode polls before the first call too.
  template <typename Call>
  std::size_t Retry(int fd, short events, Call&& call, bool poll_first = false) const {
    if (timeout_ && poll_first) {
      pollfd pfd{fd, events, 0};
      const int ready = ::poll(&pfd, 1, kTimeoutMilliseconds);
      if (ready == 0) throw std::runtime_error("raw socket call timed out");
      if (ready < 0 && errno != EINTR) ThrowErrno("poll");
    }
    for (;;) {
      const ssize_t n = call();
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      if (!timeout_ || errno != EAGAIN) ThrowErrno("raw socket call");
      pollfd pfd{fd, events, 0};
      const int ready = ::poll(&pfd, 1, kTimeoutMilliseconds);
      if (ready == 0) throw std::runtime_error("raw socket call timed out");
      if (ready < 0 && errno != EINTR) ThrowErrno("poll");
    }
  }

  ConnectedPair pair_;
  bool timeout_;
  Segments segments_;
  std::string message_;
  std::vector<char> buffer_;
  std::vector<char> echo_ = std::vector<char>(spec().Echoes() ? spec().size : 0);
};

// SockrefWorkload makes the same transfers through sockref::Socket.
class SockrefWorkload final : public Workload {
 public:
  SockrefWorkload(const WorkloadSpec& spec, ConnectedPair pair)
      : Workload(spec),
        sender_(Adopt(pair.sender, pair, spec.mode)),
        receiver_(Adopt(pair.receiver, pair, spec.mode)),
        segments_(spec.size, spec.buffers),
        message_(spec.size, 'x'),
        buffer_(spec.size) {
    char host[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &pair.receiver_address.sin_addr, host, sizeof host);
    receiver_address_ = InetAddress{host, ntohs(pair.receiver_address.sin_port)};
  }

  std::size_t SendMessage() override {
    // Only the extra_copy binary constructs (and destroys) a copy per message.
    if constexpr (kInjection == Injection::kExtraCopy) {
      const Bytes copy = message_;
      return Send(reinterpret_cast<const std::byte*>(copy.data()));
    } else {
      return Send(reinterpret_cast<const std::byte*>(message_.data()));
    }
  }

  // Send sends the message_.size() bytes at `data` (message_ or its copy).
  std::size_t Send(const std::byte* data) {
    const std::size_t size = message_.size();
    std::size_t sent = 0;
    switch (spec().api) {
      case Api::kSendRecv:
      case Api::kSendRecvEcho:
        do {
          sent += static_cast<std::size_t>(sender_.send(ConstBuffer(data + sent, size - sent)));
        } while (sent < size);
        return sent;
      case Api::kSendallRecvInto:
        sender_.sendall(ConstBuffer(data, size));
        return size;
      case Api::kSendmsgRecvmsgInto:
        do {
          std::array<ConstBuffer, kMaxBuffers> buffers;
          const int n = segments_.Fill(data, sent, buffers);
          sent += static_cast<std::size_t>(
              sender_.sendmsg(std::span<const ConstBuffer>(buffers.data(), n)));
        } while (sent < size);
        return sent;
      case Api::kSendtoRecvfrom:
        sent = static_cast<std::size_t>(sender_.sendto(ConstBuffer(data, size), receiver_address_));
        if (sent != size) ThrowShort("sendto", sent, size);
        return sent;
    }
    throw std::logic_error("unknown api");
  }

  std::size_t ReceiveMessage() override {
    std::byte* data = reinterpret_cast<std::byte*>(buffer_.data());
    const std::size_t size = buffer_.size();
    std::size_t got = 0;
    switch (spec().api) {
      case Api::kSendRecvEcho:
        ReceiveWhole(sender_);
        return size;
      case Api::kSendRecv:
        while (got < size) {
          MaybeInjectPoll();
          MaybeInjectZeroFill(size - got);
          const Bytes bytes = receiver_.recv(static_cast<std::int64_t>(size - got));
          if (bytes.empty()) ThrowShort("recv: end of stream", got, size);
          got += bytes.size();
        }
        return got;
      case Api::kSendallRecvInto:
        while (got < size) {
          MaybeInjectPoll();
          const std::int64_t n = receiver_.recv_into(MutableBuffer(data + got, size - got));
          if (n == 0) ThrowShort("recv_into: end of stream", got, size);
          got += static_cast<std::size_t>(n);
        }
        return got;
      case Api::kSendmsgRecvmsgInto:
        while (got < size) {
          MaybeInjectPoll();
          std::array<MutableBuffer, kMaxBuffers> buffers;
          const int n = segments_.Fill(data, got, buffers);
          const RecvMsgIntoResult result =
              receiver_.recvmsg_into(std::span<const MutableBuffer>(buffers.data(), n));
          if (result.nbytes == 0) ThrowShort("recvmsg_into: end of stream", got, size);
          got += static_cast<std::size_t>(result.nbytes);
        }
        return got;
      case Api::kSendtoRecvfrom: {
        MaybeInjectPoll();
        const auto [bytes, from] = receiver_.recvfrom(static_cast<std::int64_t>(size));
        if (bytes.size() != size) ThrowShort("recvfrom", bytes.size(), size);
        return bytes.size();
      }
    }
    throw std::logic_error("unknown api");
  }

  // EchoMessage is an echo server's loop body: data = conn.recv(n) until the
  // message is whole, then conn.send(data) until all is sent.
  std::size_t EchoMessage() override {
    const Bytes data = ReceiveWhole(receiver_);
    std::size_t sent = 0;
    do {
      sent += static_cast<std::size_t>(
          receiver_.send(ConstBuffer(data.data() + sent, data.size() - sent)));
    } while (sent < data.size());
    return data.size();
  }

  void ShutdownSender() override { ::shutdown(sender_.fileno(), SHUT_RDWR); }
  void ShutdownReceiver() override { ::shutdown(receiver_.fileno(), SHUT_RDWR); }

 private:
  // ReceiveWhole receives one whole message on `socket` with recv(), for the echo
  // workloads.
  Bytes ReceiveWhole(Socket& socket) {
    const std::size_t size = spec().size;
    Bytes whole;
    while (whole.size() < size) {
      MaybeInjectPoll(socket);
      MaybeInjectZeroFill(size - whole.size());
      Bytes bytes = socket.recv(static_cast<std::int64_t>(size - whole.size()));
      if (bytes.empty()) ThrowShort("recv: end of stream", whole.size(), size);
      if (whole.empty()) {
        whole = std::move(bytes);
      } else {
        whole += bytes;
      }
    }
    return whole;
  }

  // Adopt hands `fd` to a Socket in `mode`, as socket.socket(fileno=fd) then
  // settimeout(None) or settimeout(10.0).
  static Socket Adopt(Fd& fd, const ConnectedPair& pair, Mode mode) {
    Socket socket = Socket::FromFileno(fd.release(), pair.family, pair.type);
    socket.settimeout(mode == Mode::kTimeout ? std::optional<Seconds>(kTimeoutMilliseconds / 1000.0)
                                             : std::nullopt);
    return socket;
  }

  void MaybeInjectPoll() { MaybeInjectPoll(receiver_); }
  static void MaybeInjectPoll(const Socket& socket) {
    if constexpr (kInjection == Injection::kExtraPoll) {
      pollfd pfd{socket.fileno(), POLLIN, 0};
      ::poll(&pfd, 1, 0);
    }
  }

  // MaybeInjectZeroFill does what a recv() that zero-fills its result buffer
  // before the kernel writes it would add: allocate `size` bytes and fill them.
  static void MaybeInjectZeroFill(std::size_t size) {
    if constexpr (kInjection == Injection::kZeroFill) {
      Bytes filled(size, '\0');
      asm volatile("" : : "r"(filled.data()) : "memory");  // the fill must happen
    }
  }

  Socket sender_;
  Socket receiver_;
  Segments segments_;
  Bytes message_;
  std::vector<char> buffer_;
  // Built once: what a Python caller's ('127.0.0.1', port) tuple is.
  Address receiver_address_;
};

}  // namespace

Injection CompiledInjection() { return kInjection; }

std::unique_ptr<Workload> Workload::Create(const WorkloadSpec& spec) {
  if (spec.buffers < 1 || spec.buffers > kMaxBuffers) {
    throw std::invalid_argument("buffers must be 1.." + std::to_string(kMaxBuffers));
  }
  ConnectedPair pair = Connect(spec.transport);
  if (spec.impl == Impl::kRaw) return std::make_unique<RawWorkload>(spec, std::move(pair));
  return std::make_unique<SockrefWorkload>(spec, std::move(pair));
}

}  // namespace sockref::benchmarks
