// receive_buffer.h: the buffer recv(), recvfrom() and recvmsg() receive into
// before returning new bytes. Implementation detail of //impl:socket.
//
// Like CPython's PyBytes_FromStringAndSize(NULL, n) it is never zero-filled: a
// huge bufsize costs address space, not memory. It works one of two ways:
//   * direct: the result's own storage is allocated at bufsize bytes, unwritten
//     (internal/uninitialized_bytes.h), the kernel fills it and the result keeps
//     it: an allocation and no copy, as CPython's recv() (which then shrinks
//     the bytes object to what arrived). A result that arrived in less than half
//     of its buffer is shrunk to fit by copying it, so a result never holds more
//     than twice its size;
//   * copy: the kernel fills a reusable per-thread buffer and the result is a
//     copy of what arrived, so recv(65536) of 64 bytes allocates and touches
//     64 bytes.
// Direct suits a socket whose receives fill their buffers (bulk transfers), copy
// one whose receives come back short (recv(4096) of small messages). The socket
// remembers which way its last receive went (WaitHints::kReceiveCopies) and the
// next one follows it; sizes above the per-thread buffer are always direct, and
// sizes up to kCopyLimit always copy (copying that little costs less than the
// bookkeeping of the direct way).
// Allocation happens at construction so that MemoryError comes before later
// argument checks, as in CPython.
#ifndef SOCKREF_IMPL_RECEIVE_BUFFER_H_
#define SOCKREF_IMPL_RECEIVE_BUFFER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "impl/buffer.h"
#include "impl/internal/uninitialized_bytes.h"
#include "impl/timeout_engine.h"

namespace sockref::socket_internal {

class ReceiveBuffer {
 public:
  // REQUIRES: 0 <= size, checked by Socket::CheckBytesSize. `hints` are the
  // socket's (see timeout_engine::WaitHints).
  ReceiveBuffer(std::int64_t size, std::atomic<std::uint8_t>& hints)
      : hints_(hints), size_(static_cast<std::size_t>(size)) {
    direct_ = size_ > kScratchSize ||
              (size_ > kCopyLimit && !hints_.Has(timeout_engine::WaitHints::kReceiveCopies));
    if (direct_) bytes_internal::ResizeForOverwrite(bytes_, size_);
  }
  ReceiveBuffer(const ReceiveBuffer&) = delete;
  ReceiveBuffer& operator=(const ReceiveBuffer&) = delete;

  char* data() { return direct_ ? bytes_.data() : scratch_; }
  std::size_t size() const { return size_; }
  // Take returns the first n bytes received as Bytes and records for the next
  // receive whether this one used at least half of its buffer. n may exceed
  // size() when MSG_TRUNC made the call return a datagram's real length: CPython
  // then grows its bytes object to n, past what was received, so the result has
  // n bytes too, the ones beyond size() zero (CPython leaves them undefined).
  // REQUIRES: called at most once.
  Bytes Take(std::size_t n) {
    if (n > size_) return TakeGrown(n);
    if (direct_) return TakeDirect(n);
    if (size_ > kCopyLimit) RecordUse(n);
    return Bytes(scratch_, n);
  }

 private:
  // RecordUse remembers whether n bytes used less than half of the buffer.
  bool RecordUse(std::size_t n) {
    const bool short_read = n < size_ / 2;
    hints_.Set(timeout_engine::WaitHints::kReceiveCopies, short_read);
    return short_read;
  }
  [[gnu::noinline]] Bytes TakeGrown(std::size_t n) {
    Bytes out(data(), size_);
    out.resize(n, '\0');
    return out;
  }
  [[gnu::noinline]] Bytes TakeDirect(std::size_t n) {
    const bool short_read = RecordUse(n);
    if (n != size_) {
      bytes_.resize(n);  // shrinking writes nothing but the terminating NUL
      if (short_read) bytes_.shrink_to_fit();
    }
    return std::move(bytes_);
  }

  static constexpr std::size_t kCopyLimit = 1024;
  static constexpr std::size_t kScratchSize = 64 * 1024;
  static inline thread_local char scratch_[kScratchSize];
  timeout_engine::WaitHints hints_;
  std::size_t size_;
  bool direct_;
  Bytes bytes_;
};

}  // namespace sockref::socket_internal

#endif  // SOCKREF_IMPL_RECEIVE_BUFFER_H_
