// receive_buffer.h: the buffer recv(), recvfrom() and recvmsg() receive into
// before returning new bytes. Implementation detail of //impl:socket.
//
// Like CPython's PyBytes_FromStringAndSize(NULL, n) it is never zero-filled: a
// huge bufsize costs address space, not memory. Small reads use a reusable
// per-thread buffer and cost one copy of what arrived, so recv(65536) of 64
// bytes touches 64 bytes; larger ones get a fresh uninitialised allocation,
// made at construction so that MemoryError comes before later argument checks,
// as in CPython.
#ifndef SOCKREF_IMPL_RECEIVE_BUFFER_H_
#define SOCKREF_IMPL_RECEIVE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "impl/buffer.h"

namespace sockref::socket_internal {

class ReceiveBuffer {
 public:
  // REQUIRES: 0 <= size, checked by Socket::CheckBytesSize.
  explicit ReceiveBuffer(std::int64_t size) : size_(static_cast<std::size_t>(size)) {
    if (size_ > kScratchSize) heap_ = std::make_unique_for_overwrite<char[]>(size_);
  }
  ReceiveBuffer(const ReceiveBuffer&) = delete;
  ReceiveBuffer& operator=(const ReceiveBuffer&) = delete;

  char* data() { return heap_ ? heap_.get() : scratch_; }
  std::size_t size() const { return size_; }
  // Take returns the first n bytes received as new Bytes. n may exceed size()
  // when MSG_TRUNC made the call return a datagram's real length: CPython then
  // grows its bytes object to n, past what was received, so the result has n
  // bytes too, the ones beyond size() zero (CPython leaves them undefined).
  Bytes Take(std::size_t n) {
    if (n <= size_) return Bytes(data(), n);
    Bytes out(data(), size_);
    out.resize(n, '\0');
    return out;
  }

 private:
  static constexpr std::size_t kScratchSize = 64 * 1024;
  static inline thread_local char scratch_[kScratchSize];
  std::size_t size_;
  std::unique_ptr<char[]> heap_;
};

}  // namespace sockref::socket_internal

#endif  // SOCKREF_IMPL_RECEIVE_BUFFER_H_
