#include "impl/internal/uninitialized_bytes.h"

#include <gtest/gtest.h>

#include <new>
#include <string>

namespace sockref::bytes_internal {
namespace {

TEST(ResizeForOverwriteTest, GrowsToTheSizeAndKeepsWhatWasThere) {
  Bytes bytes = "abc";
  ResizeForOverwrite(bytes, 100000);
  ASSERT_EQ(bytes.size(), 100000u);
  EXPECT_EQ(bytes.substr(0, 3), "abc");
  bytes[99999] = 'z';
  bytes.resize(4);
  EXPECT_EQ(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 3), "abc");
}

TEST(ResizeForOverwriteTest, SizesNoStringCanHoldAreMemoryError) {
  Bytes bytes;
  EXPECT_THROW(ResizeForOverwrite(bytes, bytes.max_size() + 1), std::bad_alloc);
  EXPECT_TRUE(bytes.empty());
}

TEST(ResizeForOverwriteTest, ThisBuildDoesNotFill) {
  // g++ 12 and clang 14 with libstdc++ 12 both have resize_and_overwrite under
  // -std=c++2b; the fallback would zero-fill every received byte.
  EXPECT_FALSE(kResizeForOverwriteFills);
}

}  // namespace
}  // namespace sockref::bytes_internal
