// Tests of the text-file codecs. Every expectation was printed by CPython 3.11:
// codecs.getincrementaldecoder("utf-8")(errors).decode(data, final), str.encode(codec, errors)
// and io.IncrementalNewlineDecoder.
#include "conformance/drivers/reference/runtime/text_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/drivers/reference/runtime/errors.h"

namespace sockref::conformance::reference {
namespace {

// Decoded returns what a fresh decoder makes of `data`, or "!! <message>" when it raises, and
// appends the bytes it holds back as " held <hex>".
std::string Decoded(Codec codec, const std::string& errors, const std::string& data, bool final) {
  Decoder d(codec, errors);
  try {
    std::string out = d.Decode(data, final);
    // What the held bytes become at the end shows they were held: "" for none.
    std::string rest;
    try {
      rest = d.Decode("", true);
    } catch (const PyException& e) {
      rest = "!" + e.message();
    }
    return rest.empty() ? out : out + " | " + rest;
  } catch (const PyException& e) {
    return "!! " + e.type() + ": " + e.message();
  }
}

const std::string kFffd = "\xef\xbf\xbd";

TEST(DecoderTest, Utf8ErrorsNameTheBytesAndTheReasonAsCPython) {
  struct Case {
    std::string data;
    std::string strict;  // CPython's message, final or not (these never wait for more)
  };
  const std::vector<Case> cases = {
      {"\xff", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"},
      {"a\x80"
       "b",
       "'utf-8' codec can't decode byte 0x80 in position 1: invalid start byte"},
      {"\xc0\xaf", "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"},
      {"\xe2\x82x", "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"},
      {"\xe2x", "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"},
      {"\xe0\x80\x80",  // an overlong form
       "'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte"},
      {"\xed\xa0\x80",  // a surrogate
       "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"},
      {"\xf0\x9f\x98x",
       "'utf-8' codec can't decode bytes in position 0-2: invalid continuation byte"},
      {"\xf4\x90\x80\x80",  // beyond U+10FFFF
       "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte"},
      {"\xf5", "'utf-8' codec can't decode byte 0xf5 in position 0: invalid start byte"},
      {"\xf0\x80", "'utf-8' codec can't decode byte 0xf0 in position 0: invalid continuation byte"},
  };
  for (const Case& c : cases) {
    for (bool final : {true, false}) {
      EXPECT_EQ(Decoded(Codec::kUtf8, "strict", c.data, final),
                "!! UnicodeDecodeError: " + c.strict)
          << c.data << " final=" << final;
    }
  }
}

// "replace" puts one U+FFFD for each span the strict message names.
TEST(DecoderTest, Utf8ReplaceAndIgnoreWorkSpanBySpan) {
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace",
                    "a\x80"
                    "b",
                    true),
            "a" + kFffd + "b");
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace", "\xc0\xaf", true), kFffd + kFffd);
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace", "\xe2\x82x", true), kFffd + "x");
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace", "\xe0\x80\x80", true), kFffd + kFffd + kFffd);
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace", "\xf4\x90\x80\x80", true),
            kFffd + kFffd + kFffd + kFffd);
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace", "ab\xe2\x82", true), "ab" + kFffd);
  EXPECT_EQ(Decoded(Codec::kUtf8, "ignore", "\xf0\x9f\x98x", true), "x");
  EXPECT_EQ(Decoded(Codec::kUtf8, "ignore", "\xed\xa0\x80", false), "");
}

TEST(DecoderTest, IncompleteSequenceWaitsUnlessFinal) {
  EXPECT_EQ(Decoded(Codec::kUtf8, "strict", "\xc2", true),
            "!! UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc2 in position 0: "
            "unexpected end of data");
  EXPECT_EQ(Decoded(Codec::kUtf8, "strict", "ab\xe2\x82", true),
            "!! UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 2-3: "
            "unexpected end of data");
  // Not final: the tail is held; ending the input then reports it.
  EXPECT_EQ(Decoded(Codec::kUtf8, "strict", "ab\xe2\x82", false),
            "ab | !'utf-8' codec can't decode bytes in position 0-1: unexpected end of data");
  EXPECT_EQ(Decoded(Codec::kUtf8, "replace", "\xf0\x9f\x98", false), " | " + kFffd);

  Decoder d(Codec::kUtf8, "strict");
  EXPECT_EQ(d.Decode("caf\xc3", false), "caf");
  EXPECT_EQ(d.Decode("\xa9\n", false), "\xc3\xa9\n");
  EXPECT_EQ(d.Decode("\xf0\x9f", false), "");
  EXPECT_EQ(d.Decode("\x98", false), "");
  EXPECT_EQ(d.Decode("\x80!", false), "\xf0\x9f\x98\x80!");
}

// CPython holds a truncated surrogate back like an incomplete sequence, then reports its
// first byte once the next byte arrives.
TEST(DecoderTest, TruncatedSurrogateIsHeldThenRejected) {
  Decoder d(Codec::kUtf8, "strict");
  EXPECT_EQ(d.Decode("\xed\xa0", false), "");
  try {
    d.Decode("\x80", false);
    ADD_FAILURE() << "no UnicodeDecodeError";
  } catch (const PyException& e) {
    EXPECT_EQ(e.message(),
              "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte");
  }
}

// The bytes of the failing call are dropped; what was held before stays.
TEST(DecoderTest, StrictErrorKeepsTheHeldBytesAndDropsTheInput) {
  Decoder d(Codec::kUtf8, "strict");
  EXPECT_EQ(d.Decode("\xc3", false), "");
  EXPECT_THROW(d.Decode("\xff", false), PyException);
  EXPECT_EQ(d.Decode("\xa9", false), "\xc3\xa9");
}

TEST(DecoderTest, AsciiAndLatin1) {
  EXPECT_EQ(Decoded(Codec::kAscii, "strict",
                    "a\xff"
                    "b",
                    false),
            "!! UnicodeDecodeError: 'ascii' codec can't decode byte 0xff in position 1: ordinal "
            "not in range(128)");
  EXPECT_EQ(Decoded(Codec::kAscii, "replace",
                    "a\xff"
                    "b",
                    false),
            "a" + kFffd + "b");
  EXPECT_EQ(Decoded(Codec::kAscii, "ignore",
                    "a\xff\xfe"
                    "b",
                    false),
            "ab");
  EXPECT_EQ(Decoded(Codec::kLatin1, "strict",
                    "a\xff"
                    "b",
                    false),
            "a\xc3\xbf"
            "b");
}

// Error handlers are looked up when an error occurs, as Python's are.
TEST(DecoderTest, UnknownHandlerRaisesLookupErrorOnlyWhenNeeded) {
  EXPECT_EQ(Decoded(Codec::kLatin1, "bogus", "a\xff", true), "a\xc3\xbf");
  EXPECT_EQ(Decoded(Codec::kAscii, "bogus", "a\xff", true),
            "!! LookupError: unknown error handler name 'bogus'");
  EXPECT_THROW(Decoder(Codec::kAscii, "surrogateescape").Decode("\xff", true), Unsupported);
}

TEST(EncodeTest, RunsOfUnencodableCharactersAreOneError) {
  auto encoded = [](Codec codec, const char* errors, const std::string& text) {
    try {
      return Encode(codec, errors, text);
    } catch (const PyException& e) {
      return "!! " + e.type() + ": " + e.message();
    }
  };
  const std::string euro = "\xe2\x82\xac";
  EXPECT_EQ(encoded(Codec::kLatin1, "strict", "caf\xc3\xa9"), "caf\xe9");
  EXPECT_EQ(encoded(Codec::kLatin1, "strict", "a" + euro + euro + "b"),
            "!! UnicodeEncodeError: 'latin-1' codec can't encode characters in position 1-2: "
            "ordinal not in range(256)");
  EXPECT_EQ(encoded(Codec::kLatin1, "replace", "a" + euro + euro + "b"), "a??b");
  EXPECT_EQ(encoded(Codec::kLatin1, "ignore", euro + "x" + euro), "x");
  EXPECT_EQ(encoded(Codec::kLatin1, "strict", euro + "x" + euro),
            "!! UnicodeEncodeError: 'latin-1' codec can't encode character '\\u20ac' in "
            "position 0: ordinal not in range(256)");
  EXPECT_EQ(encoded(Codec::kAscii, "strict", "\xc3\xa9"),
            "!! UnicodeEncodeError: 'ascii' codec can't encode character '\\xe9' in position 0: "
            "ordinal not in range(128)");
  EXPECT_EQ(encoded(Codec::kAscii, "strict", "x\xf0\x9f\x98\x80"),
            "!! UnicodeEncodeError: 'ascii' codec can't encode character '\\U0001f600' in "
            "position 1: ordinal not in range(128)");
  EXPECT_EQ(encoded(Codec::kUtf8, "strict", "caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(LookupCodecTest, KnowsTheAliasesPythonNormalizes) {
  EXPECT_EQ(LookupCodec("UTF-8"), Codec::kUtf8);
  EXPECT_EQ(LookupCodec("utf8"), Codec::kUtf8);
  EXPECT_EQ(LookupCodec("locale"), Codec::kUtf8);
  EXPECT_EQ(LookupCodec("latin-1"), Codec::kLatin1);
  EXPECT_EQ(LookupCodec("LATIN1"), Codec::kLatin1);
  EXPECT_EQ(LookupCodec("ISO-8859-1"), Codec::kLatin1);
  EXPECT_EQ(LookupCodec("iso 8859 1"), Codec::kLatin1);
  EXPECT_EQ(LookupCodec("US-ASCII"), Codec::kAscii);
  EXPECT_EQ(LookupCodec("cp1252"), std::nullopt);
  EXPECT_EQ(LookupCodec("nope"), std::nullopt);
  EXPECT_EQ(CodecName(Codec::kLatin1), "latin-1");
}

// Lines as io.TextIOWrapper(newline=None) and (newline="") read "a\rb\r\nc\nd\r" + "\ne\r".
TEST(NewlineDecoderTest, UniversalNewlinesHoldATrailingCarriageReturn) {
  NewlineDecoder translate(true);
  EXPECT_EQ(translate.Decode("a\rb\r\nc\nd\r", false), "a\nb\nc\nd");
  EXPECT_EQ(translate.Decode("\ne\r", false), "\ne");
  EXPECT_EQ(translate.Decode("", true), "\n");
  EXPECT_EQ(translate.seen(),
            NewlineDecoder::kSeenCr | NewlineDecoder::kSeenLf | NewlineDecoder::kSeenCrLf);
  NewlineDecoder keep(false);
  EXPECT_EQ(keep.Decode("a\rb\r\nc\nd\r", false), "a\rb\r\nc\nd");
  EXPECT_EQ(keep.Decode("\ne\r", false), "\r\ne");
  EXPECT_EQ(keep.Decode("", true), "\r");
  NewlineDecoder lf(true);
  lf.Decode("x\n", false);
  EXPECT_EQ(lf.seen(), NewlineDecoder::kSeenLf);
  lf.Reset();
  EXPECT_EQ(lf.seen(), 0);
}

TEST(CodePointsTest, CountsCharactersNotBytes) {
  EXPECT_EQ(CodePoints("h\xc3\xa9llo"), 5u);
  EXPECT_EQ(CodePointOffset("h\xc3\xa9llo", 2), 3u);
  EXPECT_EQ(CodePointOffset("h\xc3\xa9llo", 5), 6u);
  EXPECT_EQ(CodePointOffset("h\xc3\xa9llo", 9), 6u);
}

}  // namespace
}  // namespace sockref::conformance::reference
