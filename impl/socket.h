// socket.h: sockref::Socket, Python's socket object in C++.
//
// The documented echo client, in C++:
//
//   sockref::Socket s(AF_INET, SOCK_STREAM);
//   s.connect(sockref::InetAddress{"127.0.0.1", port});
//   s.sendall("Hello, world");
//   sockref::Bytes data = s.recv(1024);
//
// Semantics are CPython's on Linux: the same modes (blocking, non-blocking,
// timeout; see timeout.h), the same exceptions and messages (error.h), the same
// address shapes (address.h). Differences are deliberate and C++-facing only:
//   * every send uses MSG_NOSIGNAL: a C++ process has no SIG_IGN for SIGPIPE the
//     way CPython installs one, and a broken pipe must be BrokenPipeError, not death;
//   * in timeout mode a call is tried before polling, unless the socket's last
//     operation in that direction had to wait (timeout_engine.h): one system call
//     when data is ready, never more than CPython's two when it is not;
//   * the destructor closes the descriptor (RAII) and ignores errors; call close()
//     to see them.
// Every descriptor a Socket creates is non-inheritable (SOCK_CLOEXEC, accept4).
//
// A Socket is movable, not copyable (dup() makes a second descriptor). One Socket
// may be used from several threads as a descriptor may; closing it while another
// thread is blocked in it is defined in close()'s comment.
#ifndef SOCKREF_IMPL_SOCKET_H_
#define SOCKREF_IMPL_SOCKET_H_

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "impl/address.h"
#include "impl/ancillary.h"
#include "impl/buffer.h"
#include "impl/timeout.h"

namespace sockref {

class Socket;

// RecvMsgResult is recvmsg()'s (data, ancdata, msg_flags, address).
struct RecvMsgResult {
  Bytes data;
  std::vector<AncillaryItem> ancdata;
  int msg_flags = 0;
  Address address;
};

// RecvMsgIntoResult is recvmsg_into()'s (nbytes, ancdata, msg_flags, address).
struct RecvMsgIntoResult {
  std::int64_t nbytes = 0;
  std::vector<AncillaryItem> ancdata;
  int msg_flags = 0;
  Address address;
};

// AcceptResult is accept()'s (conn, address).
struct AcceptResult;

class Socket {
 public:
  // Socket(family, type, proto) is socket.socket(family, type, proto): a new
  // non-inheritable socket, in the module default timeout's mode.
  // Raises: OSError from socket(2) (e.g. EAFNOSUPPORT, EPROTONOSUPPORT).
  explicit Socket(int family = AF_INET, int type = SOCK_STREAM, int proto = 0);

  // FromFileno is socket.socket(family, type, proto, fileno=fd): adopts fd (it is
  // closed with the Socket). -1 for family/type/proto asks the kernel
  // (getsockname, SO_TYPE, SO_PROTOCOL). Raises: ValueError("negative file
  // descriptor") for fd < 0; OSError EBADF / ENOTSOCK for a descriptor that is not
  // an open socket, even when family, type and proto are all given (CPython checks
  // with getsockname() whatever the arguments). On a raise fd stays open, the
  // caller's.
  static Socket FromFileno(int fd, int family = -1, int type = -1, int proto = -1);

  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // --- Attributes -----------------------------------------------------------
  // family/type/proto are the socket's; type() never includes SOCK_NONBLOCK or
  // SOCK_CLOEXEC (as in Python 3.7+).
  int family() const { return family_; }
  int type() const { return type_; }
  int proto() const { return proto_; }
  // fileno returns the descriptor, -1 after close() or detach().
  int fileno() const { return fd_.load(std::memory_order_relaxed); }

  // --- Life cycle -------------------------------------------------------------
  // close closes the descriptor; later operations fail with OSError EBADF and
  // fileno() returns -1. Closing twice is a no-op. Raises OSError if close(2)
  // fails (except ECONNRESET, which CPython ignores too).
  // Closing while another thread is blocked in this socket does not wake that
  // thread, exactly as in CPython: the kernel keeps the socket open until the
  // blocked call returns (data, peer close, or its timeout). Call shutdown(SHUT_RDWR)
  // first to wake it. A call that starts after close() fails with EBADF.
  void close();
  // detach returns the descriptor and forgets it (fileno() becomes -1, not closed).
  int detach();
  // dup returns a new Socket on a non-inheritable duplicate descriptor, with the
  // same family, type, proto and timeout.
  Socket dup() const;
  bool get_inheritable() const;
  void set_inheritable(bool inheritable);

  // --- Modes ------------------------------------------------------------------
  // settimeout sets the mode: nullopt = blocking, 0 = non-blocking, > 0 = timeout.
  // Sets O_NONBLOCK on the descriptor unless blocking. Raises: ValueError for
  // negative or NaN, OverflowError for huge values (timeout.h), OSError EBADF on a
  // closed socket.
  void settimeout(std::optional<Seconds> timeout);
  void settimeout(TimeoutNs timeout);
  // gettimeout returns the timeout in seconds, nullopt in blocking mode.
  std::optional<Seconds> gettimeout() const { return timeout_.AsSeconds(); }
  // setblocking(true) is settimeout(nullopt); setblocking(false) is settimeout(0).
  void setblocking(bool flag);
  // getblocking returns false only in non-blocking mode (timeout mode is true).
  bool getblocking() const { return !timeout_.is_non_blocking(); }
  TimeoutNs timeout() const { return timeout_; }

  // --- Connections -------------------------------------------------------------
  void bind(const Address& address);
  // listen's default backlog is min(SOMAXCONN, 128); a negative backlog means 0.
  void listen();
  void listen(int backlog);
  // accept returns (conn, address). conn is non-inheritable; its mode is the module
  // default timeout if one is set, otherwise blocking, whatever this socket's mode.
  AcceptResult accept();
  // connect connects; in timeout mode it waits for completion and reports
  // SO_ERROR. Raises: socket.timeout, ConnectionRefusedError, ...; in
  // non-blocking mode BlockingIOError EINPROGRESS.
  void connect(const Address& address);
  // connect_ex returns 0 or the errno connect() would have raised (EAGAIN, as in
  // CPython, when a timeout-mode connect times out). Address and argument errors
  // still raise.
  int connect_ex(const Address& address);
  Address getpeername() const;
  Address getsockname() const;
  // shutdown(how): SHUT_RD, SHUT_WR or SHUT_RDWR.
  void shutdown(int how);

  // --- Options -------------------------------------------------------------------
  // getsockopt(level, optname) returns the option as an int. On AF_VSOCK sockets
  // the option is read as a 64-bit unsigned value, as CPython does (the kernel's
  // SO_VM_SOCKETS_* options are 64-bit); values above INT64_MAX wrap.
  std::int64_t getsockopt(int level, int optname) const;
  // getsockopt(level, optname, buflen) returns up to buflen raw bytes.
  // Raises: OSError("getsockopt string buffer not allowed") on AF_VSOCK sockets, else
  // OSError("getsockopt buflen out of range") unless 0 < buflen <= 1024.
  // Python's getsockopt(level, optname, 0) is the int form; in C++ that is the
  // two-argument overload above (a Bytes result cannot be an int).
  Bytes getsockopt(int level, int optname, std::int64_t buflen) const;
  // setsockopt with an int value, a raw byte value, or (None, optlen).
  // The int value is a C int, except on AF_VSOCK sockets, where CPython passes it
  // as 64 bits (its "K" unit: any int, kept modulo 2**64; the kernel's options
  // there reject 4 bytes with EINVAL).
  // Raises: OverflowError("signed integer is greater than maximum" / "signed
  // integer is less than minimum") for a value outside C int on other families.
  void setsockopt(int level, int optname, std::int64_t value);
  void setsockopt(int level, int optname, ConstBuffer value);
  void setsockopt(int level, int optname, std::nullopt_t, unsigned int optlen);

  // --- Data ------------------------------------------------------------------------
  // recv returns up to bufsize bytes (b'' at end of stream). recv(0) returns b''
  // at once without a system call, as CPython does, even on a closed socket.
  // Raises: ValueError("negative buffersize in recv").
  Bytes recv(std::int64_t bufsize, int flags = 0);
  // recv_into fills buffer (nbytes == 0: the whole buffer) and returns the count.
  // Raises: ValueError("negative buffersize in recv_into"),
  // ValueError("buffer too small for requested bytes").
  std::int64_t recv_into(MutableBuffer buffer, std::int64_t nbytes = 0, int flags = 0);
  // recvfrom returns (bytes, address).
  std::pair<Bytes, Address> recvfrom(std::int64_t bufsize, int flags = 0);
  // recvfrom_into returns (nbytes, address).
  std::pair<std::int64_t, Address> recvfrom_into(MutableBuffer buffer, std::int64_t nbytes = 0,
                                                 int flags = 0);
  // send returns the number of bytes sent.
  std::int64_t send(ConstBuffer data, int flags = 0);
  // sendall sends everything or raises; in timeout mode the timeout bounds the
  // whole call, not each send(2).
  void sendall(ConstBuffer data, int flags = 0);
  // sendto is both Python forms: sendto(data, address) and sendto(data, flags, address).
  std::int64_t sendto(ConstBuffer data, const Address& address);
  std::int64_t sendto(ConstBuffer data, int flags, const Address& address);

  // sendmsg sends the buffers in order, with ancillary data, to an optional address.
  std::int64_t sendmsg(std::span<const ConstBuffer> buffers,
                       std::span<const AncillaryItem> ancdata = {}, int flags = 0,
                       const std::optional<Address>& address = std::nullopt);
  // recvmsg: up to bufsize bytes and up to ancbufsize bytes of ancillary data.
  // Raises: ValueError("negative buffer size in recvmsg()"),
  // ValueError("invalid ancillary data buffer length").
  RecvMsgResult recvmsg(std::int64_t bufsize, std::int64_t ancbufsize = 0, int flags = 0);
  // recvmsg_into scatters into buffers in order. Descriptors received by a call
  // that then fails are closed, never leaked.
  RecvMsgIntoResult recvmsg_into(std::span<const MutableBuffer> buffers,
                                 std::int64_t ancbufsize = 0, int flags = 0);
  // sendmsg_afalg: AF_ALG's sendmsg with ALG_SET_OP / ALG_SET_IV /
  // ALG_SET_AEAD_ASSOCLEN control messages. On a socket of another family it
  // sends nothing: OSError("algset is only supported for AF_ALG") (no errno), the
  // check CPython makes before any other (CheckAfalgFamily).
  std::int64_t sendmsg_afalg(std::span<const ConstBuffer> msg, int op,
                             std::optional<ConstBuffer> iv = std::nullopt,
                             std::optional<std::int64_t> assoclen = std::nullopt,
                             int flags = 0);
  // CheckAfalgFamily raises sendmsg_afalg's OSError unless this is an AF_ALG
  // socket. CPython checks the family before it parses sendmsg_afalg's arguments,
  // so a binding calls this first.
  void CheckAfalgFamily() const;
  // sendfile sends count bytes (nullopt: to EOF) of file_fd from offset with
  // sendfile(2) and returns the total; if any byte was sent, the file offset is
  // left after the last one (also when raising). As in CPython, a file whose
  // fstat() size is 0 (empty, and every pipe or socket) sends nothing and returns
  // 0; read+send is the fallback only when fstat() or the first sendfile(2)
  // fails. Never raises SIGPIPE. See socket_sendfile.cc for the details.
  // Raises: ValueError("only SOCK_STREAM type sockets are supported") unless
  // type() & SOCK_STREAM; ValueError("count must be a positive integer (got N)");
  // ValueError("non-blocking sockets are not supported"); socket.timeout when a
  // chunk cannot be sent within the timeout; OSError from the system calls.
  std::int64_t sendfile(int file_fd, std::int64_t offset = 0,
                        std::optional<std::int64_t> count = std::nullopt);

 private:
  // CheckBytesSize raises OverflowError("byte string is too large") for a receive
  // size no Python bytes object could hold (its header takes 33 of the 2**63 - 1
  // bytes), as CPython does before it tries to allocate.
  static void CheckBytesSize(std::int64_t size) {
    constexpr std::int64_t kBytesHeader = 33;  // sizeof(PyBytesObject) on 64-bit CPython
    if (size > INT64_MAX - kBytesHeader) [[unlikely]] ThrowBytesTooLarge();
  }
  [[noreturn]] static void ThrowBytesTooLarge();

  struct Unopened {};
  explicit Socket(Unopened) noexcept {}
  // Adopts fd (closing it if initialisation throws) in `timeout`'s mode, as
  // CPython's init_sockobject(): a type with SOCK_NONBLOCK means non-blocking.
  Socket(int fd, int family, int type, int proto, TimeoutNs timeout);
  SocketTriple triple() const { return {family_, type_, proto_}; }
  // CurrentFd is the descriptor source timeout_engine::Call re-reads before every
  // attempt (see there).
  auto CurrentFd() const {
    return [this] { return fileno(); };
  }
  Sockaddr Encode(const Address& address, std::string_view caller) const;
  void ApplyTimeout(TimeoutNs timeout);
  int ConnectOrErrno(const Address& address, bool raise);

  // The descriptor is atomic so close() from one thread and a call blocked in
  // another see a consistent value (TSan-clean).
  std::atomic<int> fd_{-1};
  // What the socket's last operations taught the engine (timeout_engine::
  // WaitHints): whether to poll before trying, how to receive new bytes.
  std::atomic<std::uint8_t> hints_{0};
  int family_ = AF_INET;
  int type_ = SOCK_STREAM;
  int proto_ = 0;
  TimeoutNs timeout_;
};

struct AcceptResult {
  Socket conn;
  Address address;
};

// socketpair is socket.socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0):
// two connected non-inheritable sockets in the default timeout's mode.
std::pair<Socket, Socket> socketpair(int family = AF_UNIX, int type = SOCK_STREAM, int proto = 0);

// fromfd is socket.fromfd(fd, family, type, proto): a Socket on dup(fd).
// Raises what FromFileno raises (ENOTSOCK for a descriptor that is not a
// socket, as CPython 3.8+), closing the duplicate first.
Socket fromfd(int fd, int family, int type, int proto = 0);

// close is socket.close(fd): closes a raw descriptor. Raises OSError.
void close(int fd);

// dup is the _socket module's dup(fd), which socket.dup() and socket.fromfd()
// build on: a non-inheritable duplicate of any descriptor (not only sockets).
// Raises the OSError of errno (EBADF for a descriptor that is not open).
int dup(int fd);

}  // namespace sockref

#endif  // SOCKREF_IMPL_SOCKET_H_
