// fd_passing.cc: send_fds / recv_fds as Lib/socket.py (CPython 3.11) writes them.
#include "impl/fd_passing.h"

#include <array>
#include <limits>
#include <utility>

#include "impl/ancillary.h"
#include "impl/error.h"

namespace sockref {

std::int64_t send_fds(Socket& sock, std::span<const ConstBuffer> buffers,
                      std::span<const int> fds, [[maybe_unused]] int flags,
                      [[maybe_unused]] const std::optional<Address>& address) {
  // CPython 3.11 calls sock.sendmsg(buffers, [item]) and drops flags and address.
  const std::array<AncillaryItem, 1> items = {FdsItem(fds)};
  return sock.sendmsg(buffers, items);
}

RecvFdsResult recv_fds(Socket& sock, std::int64_t bufsize, std::int64_t maxfds,
                       [[maybe_unused]] int flags) {
  // Python computes maxfds * itemsize exactly; only converting the product to
  // C's ssize_t can overflow, before CMSG_LEN() sees it.
  constexpr std::int64_t kItemSize = sizeof(int);
  if (maxfds > std::numeric_limits<std::int64_t>::max() / kItemSize ||
      maxfds < std::numeric_limits<std::int64_t>::min() / kItemSize) {
    throw OverflowError("Python int too large to convert to C ssize_t");
  }
  const std::int64_t ancbufsize = CmsgLen(maxfds * kItemSize);
  // CPython 3.11 does not pass flags on to recvmsg().
  RecvMsgResult message = sock.recvmsg(bufsize, ancbufsize);
  return RecvFdsResult{std::move(message.data), UnpackFds(message.ancdata), message.msg_flags,
                       std::move(message.address)};
}

}  // namespace sockref
