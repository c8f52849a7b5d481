// fd_passing.h: socket.send_fds() and socket.recv_fds(): passing open file
// descriptors over an AF_UNIX socket (SCM_RIGHTS), as Lib/socket.py does.
//
//   auto [a, b] = sockref::socketpair();
//   int fds[] = {file_fd};
//   sockref::send_fds(a, std::array{sockref::ConstBuffer("x")}, fds);
//   sockref::RecvFdsResult r = sockref::recv_fds(b, 1, /*maxfds=*/1);
//   // r.data == "x"; r.fds[0] is a new descriptor for the same open file, owned
//   // by the caller, who must close it.
//
// Both are thin wrappers around Socket::sendmsg()/recvmsg() and raise what those
// raise. CPython 3.11 quirk, reproduced on purpose: neither function passes its
// `flags` to the system call, and send_fds() also ignores `address`. The
// parameters exist (Python has them) but have no effect.
#ifndef SOCKREF_IMPL_FD_PASSING_H_
#define SOCKREF_IMPL_FD_PASSING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "impl/address.h"
#include "impl/buffer.h"
#include "impl/socket.h"

namespace sockref {

// send_fds is socket.send_fds(sock, buffers, fds, flags, address): sends the
// buffers in order with one (SOL_SOCKET, SCM_RIGHTS) item carrying `fds` (an
// empty item when fds is empty, which Linux accepts) and returns the number of
// bytes sent. `flags` and `address` are ignored, as in CPython 3.11.
// Raises: what Socket::sendmsg() raises, e.g. OSError EBADF for a descriptor in
// fds that is not open, OSError ENOTCONN on an unconnected datagram socket (the
// address is not used), BrokenPipeError.
std::int64_t send_fds(Socket& sock, std::span<const ConstBuffer> buffers,
                      std::span<const int> fds, int flags = 0,
                      const std::optional<Address>& address = std::nullopt);

// RecvFdsResult is recv_fds()'s (data, fds, msg_flags, address).
struct RecvFdsResult {
  Bytes data;
  std::vector<int> fds;  // new descriptors, owned by the caller
  int msg_flags = 0;     // MSG_CTRUNC when descriptors did not fit
  Address address;
};

// recv_fds is socket.recv_fds(sock, bufsize, maxfds, flags): receives up to
// bufsize bytes and room for maxfds descriptors (ancbufsize
// CmsgLen(maxfds * sizeof(int))), and returns the descriptors of every
// SCM_RIGHTS item received, in order, a trailing partial int dropped. When more
// descriptors arrive than fit, the kernel closes the extra ones and sets
// MSG_CTRUNC in msg_flags. `flags` is ignored, as in CPython 3.11 (MSG_PEEK
// would consume the data regardless).
// Raises, in CPython's order:
//   OverflowError("Python int too large to convert to C ssize_t") when
//     maxfds * 4 does not fit in 64 bits;
//   OverflowError("CMSG_LEN() argument out of range") for negative maxfds or one
//     too large for CMSG_LEN;
//   then what Socket::recvmsg() raises: ValueError("negative buffer size in
//     recvmsg()"), socket.timeout, OSError.
RecvFdsResult recv_fds(Socket& sock, std::int64_t bufsize, std::int64_t maxfds, int flags = 0);

}  // namespace sockref

#endif  // SOCKREF_IMPL_FD_PASSING_H_
