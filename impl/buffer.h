// buffer.h: byte views accepted by send-side and receive-side calls.
//
// Python passes any bytes-like object to send() and any writable buffer to
// recv_into(). sockref accepts the C++ equivalents without copies:
//
//   sock.send("hello");                          // string literal / std::string_view
//   sock.send(std::span<const std::byte>(raw));  // raw bytes
//   std::array<char, 64> buf;
//   sock.recv_into(buf);                         // any contiguous char/byte range
//
// Received data comes back as `Bytes` (std::string used as a byte string, as
// Python's bytes), which may contain NULs.
#ifndef SOCKREF_IMPL_BUFFER_H_
#define SOCKREF_IMPL_BUFFER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sockref {

// Bytes is Python's bytes: an owned byte string, NULs allowed.
using Bytes = std::string;

// ConstBuffer is a read-only view of bytes (Python's bytes-like object).
// Laid out as struct iovec (the pointer, then the size), and so is MutableBuffer:
// sendmsg() and recvmsg_into() hand arrays of them to the kernel as they are.
class ConstBuffer {
 public:
  constexpr ConstBuffer() = default;
  constexpr ConstBuffer(const void* data, std::size_t size)
      : data_(static_cast<const std::byte*>(data)), size_(size) {}
  constexpr ConstBuffer(std::string_view s) : ConstBuffer(s.data(), s.size()) {}
  ConstBuffer(const std::string& s) : ConstBuffer(s.data(), s.size()) {}
  ConstBuffer(const char* s) : ConstBuffer(std::string_view(s)) {}
  template <typename T, std::size_t N>
    requires(sizeof(T) == 1)
  constexpr ConstBuffer(std::span<T, N> s) : ConstBuffer(s.data(), s.size()) {}
  template <typename T>
    requires(sizeof(T) == 1)
  ConstBuffer(const std::vector<T>& v) : ConstBuffer(v.data(), v.size()) {}

  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::string_view as_string_view() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

// MutableBuffer is a writable view of bytes (Python's bytearray / memoryview).
class MutableBuffer {
 public:
  constexpr MutableBuffer() = default;
  constexpr MutableBuffer(void* data, std::size_t size)
      : data_(static_cast<std::byte*>(data)), size_(size) {}
  template <typename T, std::size_t N>
    requires(sizeof(T) == 1 && !std::is_const_v<T>)
  constexpr MutableBuffer(std::span<T, N> s) : MutableBuffer(s.data(), s.size()) {}
  template <typename T, std::size_t N>
    requires(sizeof(T) == 1 && !std::is_const_v<T>)
  constexpr MutableBuffer(T (&array)[N]) : MutableBuffer(array, N) {}
  template <typename T, std::size_t N>
    requires(sizeof(T) == 1)
  constexpr MutableBuffer(std::array<T, N>& a) : MutableBuffer(a.data(), N) {}
  MutableBuffer(std::string& s) : MutableBuffer(s.data(), s.size()) {}
  template <typename T>
    requires(sizeof(T) == 1)
  MutableBuffer(std::vector<T>& v) : MutableBuffer(v.data(), v.size()) {}

  std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sockref

#endif  // SOCKREF_IMPL_BUFFER_H_
