// fuzz_support.h: what every sockref fuzzer shares: a reader that turns the fuzzer's
// bytes into typed choices, and the check that turns a broken property into a crash.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     sockref::fuzz::FuzzInput in(data, size);
//     const int family = in.PickOne({AF_INET, AF_INET6});
//     const std::string text = in.RemainingBytes();
//     FUZZ_CHECK(Parse(family, text) == Reference(family, text), "parsers disagree on " +
//                                                                sockref::fuzz::Printable(text));
//     return 0;
//   }
//
// The same fuzzer source builds two ways: with clang and libFuzzer (fuzz/BUILD's
// cc_binary targets, `--config=fuzz`), and with the default compiler as a regression
// test that replays the committed corpus (replay_main.cc). So this header uses
// nothing from libFuzzer: FuzzedDataProvider lives in clang's own include directory,
// which gcc does not see.
#ifndef SOCKREF_FUZZ_FUZZ_SUPPORT_H_
#define SOCKREF_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace sockref::fuzz {

// FuzzInput hands out the fuzzer's bytes front to back. Every method works on an
// exhausted input too (it returns zeros and empty strings), so a harness never
// needs to check how much is left before asking.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  // remaining returns how many bytes are still unread.
  std::size_t remaining() const { return size_ - offset_; }

  // Byte returns the next byte, or 0 once the input is exhausted.
  std::uint8_t Byte() { return offset_ < size_ ? data_[offset_++] : 0; }

  // Bool returns the low bit of the next byte.
  bool Bool() { return (Byte() & 1) != 0; }

  // Integral returns a T made of the next sizeof(T) bytes (little-endian; missing
  // bytes read as zero), so every bit pattern, extremes included, is reachable.
  template <typename T>
  T Integral() {
    static_assert(std::is_integral_v<T>);
    std::make_unsigned_t<T> value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      value |= static_cast<std::make_unsigned_t<T>>(Byte()) << (8 * i);
    }
    return static_cast<T>(value);
  }

  // InRange returns an integer in [lo, hi] taken from the next bytes.
  // REQUIRES: lo <= hi.
  std::uint64_t InRange(std::uint64_t lo, std::uint64_t hi) {
    const std::uint64_t span = hi - lo;
    std::uint64_t raw = 0;
    for (std::uint64_t seen = span; seen != 0; seen >>= 8) raw = (raw << 8) | Byte();
    return span == UINT64_MAX ? raw : lo + raw % (span + 1);
  }

  // PickOne returns one of `choices`, chosen by the next byte.
  template <typename T>
  T PickOne(std::initializer_list<T> choices) {
    return choices.begin()[Byte() % choices.size()];
  }

  // Bytes returns the next `n` bytes (fewer if the input runs out).
  std::string Bytes(std::size_t n) {
    if (n > remaining()) n = remaining();
    std::string out(reinterpret_cast<const char*>(data_ + offset_), n);
    offset_ += n;
    return out;
  }

  // LengthPrefixedBytes returns a string whose length (at most `max_length`) is read
  // from the next byte: the shape libFuzzer's mutations preserve best.
  std::string LengthPrefixedBytes(std::size_t max_length) {
    return Bytes(InRange(0, max_length));
  }

  // RemainingBytes returns everything not read yet.
  std::string RemainingBytes() { return Bytes(remaining()); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

// Printable returns `bytes` as a C-style escaped string for failure messages.
inline std::string Printable(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
      out += escape;
    }
  }
  return out + "\"";
}

// Fail prints a finding and aborts, which libFuzzer records as a crash (and which
// fails the regression test that replays the input).
[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              const std::string& message) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", file, line, condition,
               message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sockref::fuzz

// FUZZ_CHECK(condition, message) aborts with `message` (a std::string expression,
// evaluated only on failure) when `condition` is false.
#define FUZZ_CHECK(condition, message)                                          \
  do {                                                                          \
    if (!(condition)) ::sockref::fuzz::Fail(__FILE__, __LINE__, #condition, (message)); \
  } while (false)

#endif  // SOCKREF_FUZZ_FUZZ_SUPPORT_H_
