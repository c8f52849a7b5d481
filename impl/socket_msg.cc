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

// ReceivedMessage is the state of one recvmsg(2): the address and control buffers
// the kernel fills, and the decoding that must not leak descriptors.
class ReceivedMessage {
 public:
  // No ancillary buffer (the common case) costs nothing; ForReceive checks the
  // rest.
  explicit ReceivedMessage(std::int64_t ancbufsize)
      : control_(ancbufsize == 0 ? ControlBuffer() : ControlBuffer::ForReceive(ancbufsize)) {}

  // Receive performs recvmsg(2) into `iov` through the timeout engine and returns
  // the byte count. Always inlined, as timeout_engine::Call is: out of line, its
  // frame and spilled arguments cost as much as the rest of a ready call.
  template <typename CurrentFd>
  [[gnu::always_inline]] ssize_t Receive(CurrentFd&& current_fd, TimeoutNs timeout, std::atomic<std::uint8_t>* hints,
                  IoVectors& iov, int flags) {
    msg_.msg_name = &address_;
    msg_.msg_iov = iov.data();
    msg_.msg_iovlen = iov.size();
    msg_.msg_control = control_.data();
    return timeout_engine::Call(current_fd, Readiness::kReadable, timeout, hints, [&](int fd) {
      // What the kernel writes back, reset for every attempt.
      msg_.msg_namelen = sizeof address_;
      msg_.msg_controllen = control_.size();
      msg_.msg_flags = 0;
      return ::recvmsg(fd, &msg_, flags);
    });
  }

  // Decode fills ancdata, msg_flags and address of `result`, then runs
  // `finish` (the rest of the result). If any of it fails the descriptors the
  // kernel already installed are closed before rethrowing.
  template <typename Result, typename Finish>
  void Decode(int proto, Result& result, Finish&& finish) {
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
  void Decode(int proto, Result& result) {
    Decode(proto, result, [] {});
  }

 private:
  ControlBuffer control_;
  // Not zeroed: the kernel writes msg_namelen bytes and DecodeAddress reads no more.
  sockaddr_storage address_;
  msghdr msg_{};
};

}  // namespace

std::int64_t Socket::sendmsg(std::span<const ConstBuffer> buffers,
                             std::span<const AncillaryItem> ancdata, int flags,
                             const std::optional<Address>& address) {
  // The address is encoded first, as CPython checks it before the buffers; the
  // sockaddr is built only when there is one (zeroing it costs as much as the
  // rest of a small sendmsg).
  // Inlined at both calls (an out-of-line lambda is a second frame per call).
  auto send = [&](const Sockaddr* target) __attribute__((always_inline)) {
    IoVectors iov(buffers);
    ControlBuffer control = ancdata.empty() ? ControlBuffer() : EncodeAncillary(ancdata);
    msghdr msg{};
    if (target != nullptr) {
      msg.msg_name = const_cast<sockaddr*>(target->get());
      msg.msg_namelen = target->length;
    }
    msg.msg_iov = iov.data();
    msg.msg_iovlen = iov.size();
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    return timeout_engine::Call(CurrentFd(), Readiness::kWritable, timeout_, &hints_,
                                [&](int fd) { return ::sendmsg(fd, &msg, flags | MSG_NOSIGNAL); });
  };
  if (!address) return send(nullptr);
  const Sockaddr target = Encode(*address, "sendmsg");
  return send(&target);
}

RecvMsgResult Socket::recvmsg(std::int64_t bufsize, std::int64_t ancbufsize, int flags) {
  if (bufsize < 0) throw ValueError("negative buffer size in recvmsg()");
  CheckBytesSize(bufsize);
  // Allocated before ancbufsize is checked, as in CPython, so MemoryError wins
  // over ValueError (see receive_buffer.h).
  socket_internal::ReceiveBuffer buffer(bufsize, hints_);
  ReceivedMessage message(ancbufsize);
  const MutableBuffer whole(buffer.data(), buffer.size());
  IoVectors iov(std::span<const MutableBuffer>(&whole, 1));
  const ssize_t n = message.Receive(CurrentFd(), timeout_, &hints_, iov, flags);
  RecvMsgResult result;
  // With MSG_TRUNC, n is the datagram's real length, which may exceed bufsize:
  // CPython's recvmsg() only ever shrinks its buffer, so it returns bufsize bytes.
  const std::size_t received = std::min(static_cast<std::size_t>(n), buffer.size());
  message.Decode(proto_, result, [&] { result.data = buffer.Take(received); });
  return result;
}

RecvMsgIntoResult Socket::recvmsg_into(std::span<const MutableBuffer> buffers,
                                       std::int64_t ancbufsize, int flags) {
  ReceivedMessage message(ancbufsize);
  IoVectors iov(buffers);
  RecvMsgIntoResult result;
  result.nbytes = message.Receive(CurrentFd(), timeout_, &hints_, iov, flags);
  message.Decode(proto_, result);
  return result;
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
