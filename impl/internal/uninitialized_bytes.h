// uninitialized_bytes.h: growing a Bytes (std::string) without writing its new
// bytes, so that a system call can fill the result's own storage directly.
//
//   Bytes data;
//   ResizeForOverwrite(data, bufsize);            // bufsize bytes, not zero-filled
//   data.resize(::recv(fd, data.data(), bufsize, 0));
//
// CPython does the same with PyBytes_FromStringAndSize(NULL, n): recv() into
// bytes it allocated uninitialised, then shrink. std::string can do it only
// through C++23's resize_and_overwrite; this library is compiled as C++23
// (g++ 12 has it under -std=c++2b only) while its callers stay C++20, which is
// safe because std::string's layout does not depend on the language version.
// Implementation detail of //impl:socket.
#ifndef SOCKREF_IMPL_INTERNAL_UNINITIALIZED_BYTES_H_
#define SOCKREF_IMPL_INTERNAL_UNINITIALIZED_BYTES_H_

#include <cstddef>

#include "impl/buffer.h"

namespace sockref::bytes_internal {

// ResizeForOverwrite makes `bytes` `size` bytes long. Bytes it already had are
// kept; the new ones are left unwritten (their values are unspecified until the
// caller writes them), so it costs an allocation but never a pass over the
// memory. The caller must write every byte it keeps, then shrink with resize().
// Throws std::bad_alloc when `size` cannot be allocated, also beyond max_size().
void ResizeForOverwrite(Bytes& bytes, std::size_t size);

// kResizeForOverwriteFills is true when this build has no resize_and_overwrite
// and ResizeForOverwrite falls back to a zero-filling resize() (correct, slower).
extern const bool kResizeForOverwriteFills;

}  // namespace sockref::bytes_internal

#endif  // SOCKREF_IMPL_INTERNAL_UNINITIALIZED_BYTES_H_
