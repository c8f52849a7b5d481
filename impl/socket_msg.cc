// socket_msg.cc: Socket's scatter/gather calls with ancillary data: sendmsg,
// recvmsg, recvmsg_into and sendmsg_afalg. The control-buffer layout and its
// checks live in ancillary.cc; this file moves bytes and descriptors safely.
#include <linux/if_alg.h>
#include <sys/uio.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include "impl/ancillary.h"
#include "impl/error.h"
#include "impl/receive_buffer.h"
#include "impl/socket.h"
#include "impl/timeout_engine.h"

namespace sockref {
namespace {

using timeout_engine::Readiness;

// IoVectors is the iovec array of one call. ConstBuffer and MutableBuffer are laid
// out as iovec (a pointer, then a size: checked below), so the caller's buffers
// are handed to the kernel as they are, without building a copy; only the kernel
// reads them through the iovec type.
class IoVectors {
 public:
  explicit IoVectors(std::span<const ConstBuffer> buffers)
      : data_(reinterpret_cast<iovec*>(const_cast<ConstBuffer*>(buffers.data()))),
        size_(buffers.size()) {}
  explicit IoVectors(std::span<const MutableBuffer> buffers)
      : data_(reinterpret_cast<iovec*>(const_cast<MutableBuffer*>(buffers.data()))),
        size_(buffers.size()) {}
  IoVectors(const IoVectors&) = delete;
  IoVectors& operator=(const IoVectors&) = delete;

  iovec* data() { return data_; }
  std::size_t size() const { return size_; }

 private:
  template <typename Buffer>
  static constexpr bool kLaidOutAsIovec =
      std::is_standard_layout_v<Buffer> && sizeof(Buffer) == sizeof(iovec) &&
      alignof(Buffer) == alignof(iovec) && sizeof(decltype(std::declval<Buffer>().data())) ==
                                               sizeof(iovec::iov_base);
  static_assert(kLaidOutAsIovec<ConstBuffer> && kLaidOutAsIovec<MutableBuffer>);
  iovec* data_;
  std::size_t size_;
};

Bytes PackUint32(std::uint32_t value) {
  return Bytes(reinterpret_cast<const char*>(&value), sizeof value);
}

// SendMessage performs sendmsg(2) of `buffers` with `control` (empty: none) to
// `target` (null: the connected peer) through the timeout engine and returns the
// byte count. Always inlined, as timeout_engine::Call is.
template <typename CurrentFd>
[[gnu::always_inline]] inline ssize_t SendMessage(CurrentFd&& current_fd, TimeoutNs timeout,
                                                  std::atomic<std::uint8_t>* hints,
                                                  std::span<const ConstBuffer> buffers, int flags,
                                                  const Sockaddr* target,
                                                  const ControlBuffer& control) {
  IoVectors iov(buffers);
  msghdr msg{};
  if (target != nullptr) {
    msg.msg_name = const_cast<sockaddr*>(target->get());
    msg.msg_namelen = target->length;
  }
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  msg.msg_control = const_cast<void*>(control.data());
  msg.msg_controllen = control.size();
  flags |= MSG_NOSIGNAL;
  return timeout_engine::Call(current_fd, Readiness::kWritable, timeout, hints,
                              [&](int fd) { return ::sendmsg(fd, &msg, flags); });
}

// ReceiveControl returns recvmsg()'s control buffer for `ancbufsize`: none (the
// common case) costs nothing; ForReceive checks the rest.
ControlBuffer ReceiveControl(std::int64_t ancbufsize) {
  return ancbufsize == 0 ? ControlBuffer() : ControlBuffer::ForReceive(ancbufsize);
}

// ReceivedMessage is the state of one recvmsg(2): the address buffer the kernel
// fills, and the decoding that must not leak descriptors. The control buffer is
// the caller's, so that a call without one has no buffer to own and destroy.
class ReceivedMessage {
 public:
  // Receive performs recvmsg(2) into `iov` and `control` (empty: no ancillary
  // data) through the timeout engine and returns the byte count. Always inlined,
  // as timeout_engine::Call is: out of line, its frame and spilled arguments cost
  // as much as the rest of a ready call.
  template <typename CurrentFd>
  [[gnu::always_inline]] ssize_t Receive(CurrentFd&& current_fd, TimeoutNs timeout,
                                         std::atomic<std::uint8_t>* hints, IoVectors& iov,
                                         ControlBuffer& control, int flags) {
    msg_.msg_name = &address_;
    msg_.msg_iov = iov.data();
    msg_.msg_iovlen = iov.size();
    msg_.msg_control = control.data();
    const std::size_t control_size = control.size();
    return timeout_engine::Call(current_fd, Readiness::kReadable, timeout, hints, [&](int fd) {
      // What the kernel writes back, reset for every attempt.
      msg_.msg_namelen = sizeof address_;
      msg_.msg_controllen = control_size;
      msg_.msg_flags = 0;
      return ::recvmsg(fd, &msg_, flags);
    });
  }

  // ReceiveInto is recvmsg_into() once the control buffer is known: Receive, then
  // Decode into a new result.
  template <typename CurrentFd>
  [[gnu::always_inline]] RecvMsgIntoResult ReceiveInto(CurrentFd&& current_fd, TimeoutNs timeout,
                                                       std::atomic<std::uint8_t>* hints, int proto,
                                                       std::span<const MutableBuffer> buffers,
                                                       ControlBuffer& control, int flags) {
    IoVectors iov(buffers);
    RecvMsgIntoResult result;
    result.nbytes = Receive(current_fd, timeout, hints, iov, control, flags);
    Decode(proto, result);
    return result;
  }

  // Decode fills ancdata, msg_flags and address of `result`, then runs
  // `finish` (the rest of the result). If any of it fails the descriptors the
  // kernel already installed are closed before rethrowing. Inlined: its common
  // case is a few loads and tests.
  template <typename Result, typename Finish>
  [[gnu::always_inline]] void Decode(int proto, Result& result, Finish&& finish) {
    try {
      // Result members start empty: no items and NoAddress, what a message
      // without control data or sender address decodes to.
      if (msg_.msg_controllen != 0) result.ancdata = DecodeAncillary(msg_);
      result.msg_flags = msg_.msg_flags;
      // The kernel reports the full name length even when it truncated the name.
      const socklen_t length = std::min<socklen_t>(msg_.msg_namelen, sizeof address_);
      if (length != 0) {
        result.address =
            DecodeAddress(reinterpret_cast<const sockaddr*>(&address_), length, proto);
      }
      finish();
    } catch (...) {
      CloseReceivedDescriptors(msg_);
      throw;
    }
  }
  template <typename Result>
  [[gnu::always_inline]] void Decode(int proto, Result& result) {
    Decode(proto, result, [] {});
  }

 private:
  // Not zeroed: the kernel writes msg_namelen bytes and DecodeAddress reads no more.
  sockaddr_storage address_;
  msghdr msg_{};
};

}  // namespace

std::int64_t Socket::sendmsg(std::span<const ConstBuffer> buffers,
                             std::span<const AncillaryItem> ancdata, int flags,
                             const std::optional<Address>& address) {
  if (!address && ancdata.empty()) [[likely]] {
    // The common call: no sockaddr in this frame (zeroing one costs as much as the
    // rest of a small sendmsg, and a frame holding one pays the stack protector),
    // and no control buffer.
    return SendMessage(CurrentFd(), timeout_, &hints_, buffers, flags, nullptr, ControlBuffer());
  }
  // Out of line, for the same reasons; it takes its arguments by value so that the
  // common call spills none of them. The address is encoded first, as CPython
  // checks it before the buffers and the ancillary data.
  auto send_with = [this](std::span<const ConstBuffer> buffers,
                          std::span<const AncillaryItem> ancdata, int flags,
                          const std::optional<Address>* address) __attribute__((noinline)) {
    if (!*address) {
      return SendMessage(CurrentFd(), timeout_, &hints_, buffers, flags, nullptr,
                         EncodeAncillary(ancdata));
    }
    const Sockaddr target = Encode(**address, "sendmsg");
    return SendMessage(CurrentFd(), timeout_, &hints_, buffers, flags, &target,
                       ancdata.empty() ? ControlBuffer() : EncodeAncillary(ancdata));
  };
  return send_with(buffers, ancdata, flags, &address);
}

RecvMsgResult Socket::recvmsg(std::int64_t bufsize, std::int64_t ancbufsize, int flags) {
  if (bufsize < 0) throw ValueError("negative buffer size in recvmsg()");
  CheckBytesSize(bufsize);
  // Allocated before ancbufsize is checked, as in CPython, so MemoryError wins
  // over ValueError (see receive_buffer.h).
  socket_internal::ReceiveBuffer buffer(bufsize, hints_);
  ControlBuffer control = ReceiveControl(ancbufsize);
  ReceivedMessage message;
  const MutableBuffer whole(buffer.data(), buffer.size());
  IoVectors iov(std::span<const MutableBuffer>(&whole, 1));
  const ssize_t n = message.Receive(CurrentFd(), timeout_, &hints_, iov, control, flags);
  RecvMsgResult result;
  // With MSG_TRUNC, n is the datagram's real length, which may exceed bufsize:
  // CPython's recvmsg() only ever shrinks its buffer, so it returns bufsize bytes.
  const std::size_t received = std::min(static_cast<std::size_t>(n), buffer.size());
  message.Decode(proto_, result, [&] { result.data = buffer.Take(received); });
  return result;
}

RecvMsgIntoResult Socket::recvmsg_into(std::span<const MutableBuffer> buffers,
                                       std::int64_t ancbufsize, int flags) {
  if (ancbufsize == 0) [[likely]] {
    // The common call: no control buffer to own and destroy (an empty one is
    // nothing but two constants once inlined).
    ReceivedMessage message;
    ControlBuffer none;
    return message.ReceiveInto(CurrentFd(), timeout_, &hints_, proto_, buffers, none, flags);
  }
  // Out of line, taking its arguments by value, so that the common call spills
  // nothing for it.
  auto receive_with = [this](std::span<const MutableBuffer> buffers, std::int64_t ancbufsize,
                             int flags) __attribute__((noinline)) {
    ControlBuffer control = ControlBuffer::ForReceive(ancbufsize);
    ReceivedMessage message;
    return message.ReceiveInto(CurrentFd(), timeout_, &hints_, proto_, buffers, control, flags);
  };
  return receive_with(buffers, ancbufsize, flags);
}

void Socket::CheckAfalgFamily() const {
  if (family_ != AF_ALG) throw OSError(std::string("algset is only supported for AF_ALG"));
}

std::int64_t Socket::sendmsg_afalg(std::span<const ConstBuffer> msg, int op,
                                   std::optional<ConstBuffer> iv,
                                   std::optional<std::int64_t> assoclen, int flags) {
  CheckAfalgFamily();
  // CPython's checks, in its order, with its (TypeError) classes.
  if (op < 0) throw TypeError("Invalid or missing argument 'op'");
  if (assoclen && (*assoclen < 0 || *assoclen > INT_MAX)) {
    if (*assoclen > INT_MAX) throw OverflowError("Python int too large to convert to C int");
    throw TypeError("assoclen must be positive");
  }
  if (iv && iv->size() > UINT32_MAX) throw OverflowError("iv is too large");
  // The same items, in the same order, as CPython's control buffer.
  std::vector<AncillaryItem> items;
  items.push_back({SOL_ALG, ALG_SET_OP, PackUint32(static_cast<std::uint32_t>(op))});
  if (iv) {
    Bytes payload = PackUint32(static_cast<std::uint32_t>(iv->size()));  // af_alg_iv.ivlen
    payload.append(iv->as_string_view());
    items.push_back({SOL_ALG, ALG_SET_IV, std::move(payload)});
  }
  if (assoclen) {
    items.push_back(
        {SOL_ALG, ALG_SET_AEAD_ASSOCLEN, PackUint32(static_cast<std::uint32_t>(*assoclen))});
  }
  return sendmsg(msg, items, flags);
}

}  // namespace sockref
