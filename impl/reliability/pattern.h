// pattern.h: test-only byte patterns whose every byte depends on its position,
// so a lost, duplicated or reordered chunk shows up as a mismatch, and a
// comparison that reports where two large byte strings first differ instead of
// printing megabytes.
//
//   const sockref::Bytes sent = sockref::reliability::Pattern(/*seed=*/7, 1 << 20);
//   ... send it, receive `got` ...
//   EXPECT_TRUE(sockref::reliability::SameBytes(sent, got));
//   EXPECT_EQ(sockref::reliability::Checksum(got), sockref::reliability::Checksum(sent));
#ifndef SOCKREF_IMPL_RELIABILITY_PATTERN_H_
#define SOCKREF_IMPL_RELIABILITY_PATTERN_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "impl/buffer.h"

namespace sockref::reliability {

// Pattern returns `size` pseudo-random bytes determined by `seed` (xorshift64*).
// Distinct seeds give unrelated streams; the same seed always the same bytes.
inline Bytes Pattern(std::uint64_t seed, std::size_t size) {
  Bytes out(size, '\0');
  std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
  for (std::size_t i = 0; i < size; ++i) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    out[i] = static_cast<char>((state * 0x2545f4914f6cdd1dULL) >> 56);
  }
  return out;
}

// Checksum returns the 64-bit FNV-1a hash of `data`: cheap to exchange over a
// socket when the peer must confirm what it received.
inline std::uint64_t Checksum(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// SameBytes succeeds when `actual` equals `expected`; otherwise the failure
// names both sizes and the first offset where they differ.
inline ::testing::AssertionResult SameBytes(std::string_view expected, std::string_view actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  const auto mismatch =
      std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
  return ::testing::AssertionFailure()
         << "expected " << expected.size() << " bytes, got " << actual.size()
         << "; first difference at offset " << (mismatch.first - expected.begin());
}

}  // namespace sockref::reliability

#endif  // SOCKREF_IMPL_RELIABILITY_PATTERN_H_
