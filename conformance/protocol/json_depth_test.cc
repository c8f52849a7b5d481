#include "conformance/protocol/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace sockref::conformance {
namespace {

TEST(JsonNestingExceedsTest, CountsArraysAndObjectsInsideEachOther) {
  EXPECT_FALSE(JsonNestingExceeds(R"({"a": [1, {"b": []}]})", 4));
  EXPECT_TRUE(JsonNestingExceeds(R"({"a": [1, {"b": []}]})", 3));
  EXPECT_FALSE(JsonNestingExceeds("[][][][]", 1)) << "siblings do not nest";
}

TEST(JsonNestingExceedsTest, BracketsInStringsDoNotCount) {
  EXPECT_FALSE(JsonNestingExceeds(R"(["[[[[", "{{{{", "\"[[["])", 1));
}

TEST(JsonNestingExceedsTest, RefusesTheFuzzersDeepDocumentWithoutRecursing) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_TRUE(JsonNestingExceeds(deep, kMaxProtocolNesting));
  const std::string fine = std::string(kMaxProtocolNesting, '[') +
                           std::string(kMaxProtocolNesting, ']');
  EXPECT_FALSE(JsonNestingExceeds(fine, kMaxProtocolNesting));
}

}  // namespace
}  // namespace sockref::conformance
