#include "conformance/runner/kept_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sockref::conformance::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(KeptValueTest, SmallValuesAreKeptVerbatim) {
  const Value v = Value::Tuple({Value::Bytes(std::string(kMaxKeptBytes, 'x')), Value::Int(3)});
  EXPECT_EQ(KeptValue(v), v);
}

TEST(KeptValueTest, LargeDataBecomesADigestEqualOnlyToTheSameData) {
  const std::string big(6 << 20, 'x');
  std::string other = big;
  other[12345] = 'y';
  const Value a = KeptValue(Value::List({Value::Bytes(big)}));
  ASSERT_EQ(a.items().size(), 1u);
  EXPECT_TRUE(a.items()[0].digest());
  EXPECT_EQ(a.items()[0].type_name(), "bytes");
  EXPECT_THAT(Repr(a.items()[0]), StartsWith("<bytes of len 6291456, fnv1a64 0x"));
  EXPECT_EQ(a, KeptValue(Value::List({Value::Bytes(big)})));
  EXPECT_NE(a, KeptValue(Value::List({Value::Bytes(other)})));
  EXPECT_NE(KeptValue(Value::Bytes(big)), KeptValue(Value::ByteArray(big)));
}

TEST(KeptValueTest, StrLengthCountsCodePoints) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "\xC3\xA9";  // é, two bytes each
  EXPECT_THAT(Repr(KeptValue(Value::Str(text))), StartsWith("<str of len 10000, "));
}

TEST(KeptValueTest, LongMessagesAreShortenedWithTheirLength) {
  Outcome o;
  o.kind = Outcome::Kind::kRaised;
  o.raised.type = "OSError";
  o.raised.str = std::string(40 << 20, 'e');
  const Outcome kept = KeptOutcome(o);
  EXPECT_LT(kept.raised.str.size(), kMaxKeptBytes + 100);
  EXPECT_THAT(kept.raised.str, HasSubstr("... (41943040 bytes in all)"));
}

TEST(KeptValueTest, ShortenedCutsAtACharacterBoundary) {
  EXPECT_EQ(Shortened("abc\xC3\xA9xyz", 4), "abc... (8 bytes in all)");
  EXPECT_EQ(Shortened("short", 10), "short");
}

}  // namespace
}  // namespace sockref::conformance::runner
