// ancillary.h: ancillary data (control messages) for sendmsg()/recvmsg(), as pure
// functions over byte buffers.
//
// Python passes ancillary data as a list of (cmsg_level, cmsg_type, cmsg_data)
// tuples; sockref uses `AncillaryItem`. These functions build the control buffer
// sendmsg() hands to the kernel and read back the one recvmsg() fills, laid out
// and checked exactly as CPython 3.11 does on Linux:
//
//   int fds[] = {file_fd};
//   std::vector<sockref::AncillaryItem> items = {sockref::FdsItem(fds)};
//   sockref::ControlBuffer out = sockref::EncodeAncillary(items);
//   msghdr msg{};  // ... msg_iov as usual ...
//   msg.msg_control = out.data();
//   msg.msg_controllen = out.size();
//   sendmsg(fd, &msg, 0);
//
//   sockref::ControlBuffer in =
//       sockref::ControlBuffer::ForReceive(sockref::CmsgSpace(sizeof(int)));
//   msghdr reply{};  // ... msg_iov as usual ...
//   reply.msg_control = in.data();
//   reply.msg_controllen = in.size();
//   recvmsg(peer, &reply, 0);  // on success:
//   std::vector<int> received = sockref::UnpackFds(sockref::DecodeAncillary(reply));
//
// The Python-visible names map as follows: socket.CMSG_LEN -> CmsgLen,
// socket.CMSG_SPACE -> CmsgSpace (the libc macros CMSG_LEN/CMSG_SPACE would
// collide with the Python spellings), socket.send_fds' item -> FdsItem,
// socket.recv_fds' descriptor list -> UnpackFds.
//
// Descriptor safety: once recvmsg() has returned, the kernel has already installed
// every SCM_RIGHTS descriptor in the caller's table. If anything fails after that
// (decoding, building the address, allocation), the caller must call
// CloseReceivedDescriptors() on the same msghdr before propagating the error, as
// CPython does, so no descriptor leaks:
//
//   std::vector<sockref::AncillaryItem> items;
//   try {
//     items = sockref::DecodeAncillary(reply);
//     address = DecodeAddress(...);
//   } catch (...) {
//     sockref::CloseReceivedDescriptors(reply);
//     throw;
//   }
#ifndef SOCKREF_IMPL_ANCILLARY_H_
#define SOCKREF_IMPL_ANCILLARY_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "impl/buffer.h"

namespace sockref {

// AncillaryItem is Python's (cmsg_level, cmsg_type, cmsg_data) tuple: one control
// message. `data` holds the message's payload only (no cmsghdr, no padding).
struct AncillaryItem {
  int level = 0;
  int type = 0;
  Bytes data;
  friend bool operator==(const AncillaryItem&, const AncillaryItem&) = default;
};

// AncillaryItemView is an AncillaryItem whose payload is borrowed, not owned: what
// sendmsg() needs when the caller's bytes live elsewhere. The viewed bytes must
// outlive the EncodeAncillary() call.
struct AncillaryItemView {
  int level = 0;
  int type = 0;
  ConstBuffer data;

  AncillaryItemView(int level, int type, ConstBuffer data) : level(level), type(type), data(data) {}
  AncillaryItemView(const AncillaryItem& item)  // NOLINT: views convert implicitly
      : level(item.level), type(item.type), data(item.data) {}
};

// CmsgLen returns socket.CMSG_LEN(length): the size in bytes of a control message
// carrying `length` bytes of payload, without trailing padding (on Linux x86_64,
// 16 + length).
// Raises OverflowError("CMSG_LEN() argument out of range") when length is negative
// or the result would exceed 2**31 - 1 (so the largest accepted length is
// 2**31 - 1 - CmsgLen(0)). Python's other OverflowError, "Python int too large to
// convert to C ssize_t", cannot arise: an int64_t always fits.
std::int64_t CmsgLen(std::int64_t length);

// CmsgSpace returns socket.CMSG_SPACE(length): the buffer size in bytes a control
// message carrying `length` bytes of payload occupies, trailing padding included
// (on Linux x86_64, 16 + length rounded up to a multiple of 8). The space for
// several messages is the sum of their CmsgSpace values.
// Raises OverflowError("CMSG_SPACE() argument out of range") when length is
// negative or greater than 2**31 - 1 - CmsgSpace(1), as CPython bounds it (this
// rejects a few lengths whose result would still fit).
std::int64_t CmsgSpace(std::int64_t length);

// ControlBuffer owns a control buffer (msghdr.msg_control / msg_controllen),
// aligned for `cmsghdr` as CMSG_FIRSTHDR() requires. An empty ControlBuffer has
// data() == nullptr and size() == 0, which is what CPython passes to the kernel
// when there is no ancillary data. Movable, not copyable.
class ControlBuffer {
 public:
  ControlBuffer() = default;
  ControlBuffer(ControlBuffer&&) noexcept = default;
  ControlBuffer& operator=(ControlBuffer&&) noexcept = default;

  // ForReceive returns an uninitialised buffer of `ancbufsize` bytes for recvmsg(),
  // validated as recvmsg()'s ancbufsize argument is.
  // Raises ValueError("invalid ancillary data buffer length") when ancbufsize is
  // negative or greater than 2**31 - 1. Allocation failure throws std::bad_alloc
  // (Python's MemoryError).
  static ControlBuffer ForReceive(std::int64_t ancbufsize);

  // data returns the buffer for msg_control, nullptr when size() == 0.
  void* data() { return size_ == 0 ? nullptr : storage_.get(); }
  const void* data() const { return size_ == 0 ? nullptr : storage_.get(); }
  // size returns the buffer's length in bytes, for msg_controllen.
  std::size_t size() const { return size_; }
  // bytes returns a view of all size() bytes.
  ConstBuffer bytes() const { return ConstBuffer(data(), size_); }

 private:
  friend ControlBuffer EncodeAncillary(std::span<const AncillaryItemView> items);
  ControlBuffer(std::size_t size, bool zeroed);

  std::unique_ptr<cmsghdr[]> storage_;
  std::size_t size_ = 0;
};

// EncodeAncillary returns the control buffer sendmsg() passes to the kernel for
// `items`, laid out as CPython lays it out: the items in order, each at a
// CmsgSpace-aligned offset with cmsg_len = CmsgLen(data size), padding bytes
// zeroed, and size() = the sum of the items' CmsgSpace values (the last item's
// trailing padding included). No items gives an empty ControlBuffer.
// Raises, checking items in order before touching any payload:
//   OSError("ancillary data item too large") (no errno) when an item's payload is
//     too long for CmsgSpace (more than 2**31 - 1 - CmsgSpace(1) bytes);
//   OSError("too much ancillary data") (no errno) when the running total of
//     CmsgSpace values exceeds 2**31 - 1.
// Python's TypeError/OverflowError for malformed tuples cannot arise: the C++
// types already enforce (int, int, bytes-like).
ControlBuffer EncodeAncillary(std::span<const AncillaryItemView> items);
ControlBuffer EncodeAncillary(std::span<const AncillaryItem> items);
ControlBuffer EncodeAncillary(std::initializer_list<AncillaryItemView> items);

// kMalformedAncillaryWarning is the text of the RuntimeWarning CPython's recvmsg()
// emits when DecodeAncillary() sets *malformed.
inline constexpr std::string_view kMalformedAncillaryWarning =
    "received malformed or improperly-truncated ancillary data";

// DecodeAncillary returns the items in a control buffer filled by recvmsg():
// `control` is msg_control with size msg_controllen as the kernel left them. It
// walks the buffer as CPython 3.11's recvmsg() does with glibc's CMSG_FIRSTHDR/
// CMSG_NXTHDR and never reads outside `control`:
//   - fewer than sizeof(cmsghdr) bytes: no items;
//   - a header whose cmsg_len is below CmsgLen(0) ends the list (malformed);
//   - a message whose payload runs past the end of the buffer is reported with
//     the payload bytes actually present, and ends the list (truncated);
//   - the walk also ends when the buffer cannot hold this message's padding plus
//     another header.
// Payload truncated by the kernel itself (MSG_CTRUNC, with cmsg_len shortened to
// match) is simply returned as the bytes present. msg_flags plays no part.
// If `malformed` is not null it is set to whether CPython would have emitted the
// RuntimeWarning kMalformedAncillaryWarning (the two "ends the list" cases above).
// Throws nothing but std::bad_alloc; on any exception the caller must still call
// CloseReceivedDescriptors() (see the file comment).
std::vector<AncillaryItem> DecodeAncillary(ConstBuffer control, bool* malformed = nullptr);
// DecodeAncillary(msg) is DecodeAncillary({msg.msg_control, msg.msg_controllen}).
// REQUIRES: msg is the msghdr of a successful recvmsg() call.
std::vector<AncillaryItem> DecodeAncillary(const msghdr& msg, bool* malformed = nullptr);

// CloseReceivedDescriptors closes every descriptor carried by a (SOL_SOCKET,
// SCM_RIGHTS) message that DecodeAncillary() would report for `control`, counting
// only whole ints of a truncated payload, and returns how many close() calls it
// made. Errors from close() are ignored: the descriptor is gone either way.
// Use it when recvmsg() succeeded but the operation as a whole fails afterwards,
// and never on a buffer the kernel did not fill: it closes whatever ints it finds.
int CloseReceivedDescriptors(ConstBuffer control) noexcept;
// CloseReceivedDescriptors(msg) is CloseReceivedDescriptors({msg.msg_control,
// msg.msg_controllen}). REQUIRES: msg is the msghdr of a successful recvmsg().
int CloseReceivedDescriptors(const msghdr& msg) noexcept;

// PackFds returns the SCM_RIGHTS payload for `fds`: the descriptors as native
// ints, back to back (Python's array.array("i", fds).tobytes()).
Bytes PackFds(std::span<const int> fds);

// FdsItem returns the (SOL_SOCKET, SCM_RIGHTS, PackFds(fds)) item that Python's
// socket.send_fds() sends.
AncillaryItem FdsItem(std::span<const int> fds);

// UnpackFds returns the descriptors in `item` if it is a (SOL_SOCKET, SCM_RIGHTS)
// message, ignoring a trailing partial int as Python's socket.recv_fds() does;
// any other item yields no descriptors.
std::vector<int> UnpackFds(const AncillaryItem& item);
// UnpackFds(items) returns the descriptors of every SCM_RIGHTS item in `items`, in
// order: the descriptor list of Python's socket.recv_fds().
std::vector<int> UnpackFds(std::span<const AncillaryItem> items);

}  // namespace sockref

#endif  // SOCKREF_IMPL_ANCILLARY_H_
