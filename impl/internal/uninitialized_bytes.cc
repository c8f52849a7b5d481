// Compiled with -std=c++2b (see BUILD): resize_and_overwrite is C++23.
#include "impl/internal/uninitialized_bytes.h"

#include <new>
#include <string>

namespace sockref::bytes_internal {

void ResizeForOverwrite(Bytes& bytes, std::size_t size) {
  // MemoryError, as in CPython, rather than std::length_error for sizes that
  // only a std::string cannot hold.
  if (size > bytes.max_size()) throw std::bad_alloc();
#if defined(__cpp_lib_string_resize_and_overwrite)
  bytes.resize_and_overwrite(size, [](char*, std::size_t n) { return n; });
#else
  bytes.resize(size);
#endif
}

#if defined(__cpp_lib_string_resize_and_overwrite)
const bool kResizeForOverwriteFills = false;
#else
const bool kResizeForOverwriteFills = true;
#endif

}  // namespace sockref::bytes_internal
