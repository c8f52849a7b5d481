#include "impl/inet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impl/error.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using namespace std::string_view_literals;
using ::sockref::testing::CallOutcome;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;

// Every expected value in this file was produced by CPython 3.11 on Linux, e.g.
//   python3 -c "import socket; print(socket.inet_aton('127.1').hex())"

// RaisesPlainOSError matches Python's OSError("message"): class OSError itself and
// exc.errno None, which is how CPython reports the inet_* parse failures.
MATCHER_P(RaisesPlainOSError, message,
          "raises OSError(\"" + std::string(message) + "\"), no errno") {
  return arg.raised && !arg.foreign && arg.kind == ErrorKind::kOSError && !arg.errno_value &&
         arg.message == message;
}

constexpr char kAtonError[] = "illegal IP address string passed to inet_aton";
constexpr char kPtonError[] = "illegal IP address string passed to inet_pton";
constexpr char kNtoaLengthError[] = "packed IP wrong length for inet_ntoa";
constexpr char kNtopLengthError[] = "invalid length of packed IP address string";
constexpr char kEmbeddedNul[] = "embedded null character";
constexpr char kNoAddressFamily[] = "[Errno 97] Address family not supported by protocol";

Bytes FromHex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

// The parameter structs print as their description, which also names the test.
struct TextCase {
  const char* description;
  std::string_view text;
  const char* packed_hex;  // what Python's inet_aton/inet_pton returned, as hex
};
void PrintTo(const TextCase& c, std::ostream* os) { *os << c.description; }

struct RejectedText {
  const char* description;
  std::string_view text;
};
void PrintTo(const RejectedText& c, std::ostream* os) { *os << c.description; }

struct RejectedPtonText {
  const char* description;
  int family;
  std::string_view text;
};
void PrintTo(const RejectedPtonText& c, std::ostream* os) { *os << c.description; }

struct PackedCase {
  const char* description;
  const char* packed_hex;
  const char* text;  // what Python's inet_ntop returned
};
void PrintTo(const PackedCase& c, std::ostream* os) { *os << c.description; }

template <typename Case>
std::string Describe(const ::testing::TestParamInfo<Case>& info) {
  return info.param.description;
}

// --- inet_aton ---------------------------------------------------------------------

constexpr TextCase kAtonAccepted[] = {
    {"DottedQuad", "1.2.3.4"sv, "01020304"},
    {"AllZeros", "0.0.0.0"sv, "00000000"},
    {"Broadcast", "255.255.255.255"sv, "ffffffff"},
    {"ThreePartShorthand", "1.2.3"sv, "01020003"},
    {"ThreePartLastPartIs16Bits", "1.2.65535"sv, "0102ffff"},
    {"TwoPartShorthand", "1.2"sv, "01000002"},
    {"TwoPartLoopback", "127.1"sv, "7f000001"},
    {"TwoPartLastPartIs24Bits", "1.16777215"sv, "01ffffff"},
    {"OnePartIsWholeAddress", "1"sv, "00000001"},
    {"OnePartZero", "0"sv, "00000000"},
    {"OnePartMax", "4294967295"sv, "ffffffff"},
    {"OnePartHexMax", "0xffffffff"sv, "ffffffff"},
    {"OnePartOctalMax", "037777777777"sv, "ffffffff"},
    {"HexPart", "0x7f.1"sv, "7f000001"},
    {"UpperCaseHexPrefix", "0X7F.1"sv, "7f000001"},
    {"HexEveryPart", "0x1.0x2.0x3.0x4"sv, "01020304"},
    {"HexFF", "0xff.0xff.0xff.0xff"sv, "ffffffff"},
    {"OctalPart", "017.0.0.1"sv, "0f000001"},
    {"OctalMaxByte", "0377.0377.0377.0377"sv, "ffffffff"},
    {"LeadingZeroIsOctal", "1.2.3.04"sv, "01020304"},
    {"HexLastPart", "1.2.3.0x4"sv, "01020304"},
    {"ManyLeadingZeros", "00000000000000001"sv, "00000001"},
    {"LongHexWithLeadingZeros", "0x0000000000000000000000001"sv, "00000001"},
    {"TrailingSpace", "1.2.3.4 "sv, "01020304"},
    {"TrailingTab", "1.2.3.4\011"sv, "01020304"},
    {"TrailingNewline", "1.2.3.4\012"sv, "01020304"},
    {"TrailingVerticalTab", "1.2.3.4\013"sv, "01020304"},
    {"TrailingFormFeed", "1.2.3.4\014"sv, "01020304"},
    {"TrailingCarriageReturn", "1.2.3.4\015"sv, "01020304"},
    {"JunkAfterSpace", "1.2.3.4 junk"sv, "01020304"},
    {"NumberAfterSpace", "1.2.3.4 5"sv, "01020304"},
    {"NumberAfterNewline", "1.2.3.4\0125"sv, "01020304"},
    {"ShorthandEndsAtSpace", "1.2.3 4"sv, "01020003"},
    {"OnePartEndsAtSpace", "1 2"sv, "00000001"},
};

class InetAtonAcceptsTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(InetAtonAcceptsTest, PacksAsPythonDoes) {
  EXPECT_EQ(ToHex(inet_aton(GetParam().text)), GetParam().packed_hex);
}

INSTANTIATE_TEST_SUITE_P(Glibc, InetAtonAcceptsTest, ::testing::ValuesIn(kAtonAccepted),
                         Describe<TextCase>);

constexpr RejectedText kAtonRejected[] = {
    {"Empty", ""sv},
    {"OnlySpace", " "sv},
    {"LeadingSpace", " 1.2.3.4"sv},
    {"FiveParts", "1.2.3.4.5"sv},
    {"FivePartsOfZero", "0.0.0.0.0"sv},
    {"FirstPartOver255", "256.1.1.1"sv},
    {"SecondPartOver255", "1.256.1.1"sv},
    {"LastPartOver255", "255.255.255.256"sv},
    {"ThreePartLastOver16Bits", "1.2.65536"sv},
    {"TwoPartLastOver24Bits", "1.16777216"sv},
    {"OnePartOver32Bits", "4294967296"sv},
    {"HexOver32Bits", "0x100000000"sv},
    {"LongHexOver32Bits", "0xFFFFFFFFF"sv},
    {"HugeHex", "0x7fffffffffffffffff"sv},
    {"OctalOver32Bits", "040000000000"sv},
    {"OctalPartOver255", "0400.0.0.0"sv},
    {"HexLastPartOver255", "1.2.3.0x100"sv},
    {"HexShorthandOver24Bits", "1.0x1000000"sv},
    {"HexShorthandOver16Bits", "1.2.0x10000"sv},
    {"TrailingLetter", "1.2.3.4x"sv},
    {"TrailingDot", "1.2.3."sv},
    {"TrailingDotAfterFourParts", "1.2.3.4."sv},
    {"LeadingDot", ".1.2.3"sv},
    {"EmptyPart", "1..2"sv},
    {"OctalDigitEight", "08"sv},
    {"OctalDigitNine", "09.1.1.1"sv},
    {"BareHexPrefix", "0x"sv},
    {"BareHexPrefixPart", "0x.1"sv},
    {"NotHex", "0xg"sv},
    {"Exponent", "1e3"sv},
    {"MinusSign", "-1"sv},
    {"PlusSign", "+1"sv},
    {"NonBreakingSpaceIsNotSpace", "1.2.3.4\302\240"sv},
    {"NonAscii", "\303\251"sv},
    {"NonAsciiAfterAddress", "1.2.3.4\303\251"sv},
};

class InetAtonRejectsTest : public ::testing::TestWithParam<RejectedText> {};

TEST_P(InetAtonRejectsTest, RaisesPlainOSError) {
  EXPECT_THAT(Outcome([&] { inet_aton(GetParam().text); }), RaisesPlainOSError(kAtonError));
}

INSTANTIATE_TEST_SUITE_P(Glibc, InetAtonRejectsTest, ::testing::ValuesIn(kAtonRejected),
                         Describe<RejectedText>);

constexpr RejectedText kTextsWithNul[] = {
    {"NulAtEnd", "1.2.3.4\000"sv},
    {"NulInside", "1.2\000.3.4"sv},
    {"NulAlone", "\000"sv},
    {"NulAfterSpace", "1.2.3.4 \000"sv},
    {"NulBeforeJunk", "1.2.3.4\000junk"sv},
};

class InetAtonNulTest : public ::testing::TestWithParam<RejectedText> {};

// Python refuses the str before inet_aton() could stop at the NUL and accept a prefix.
TEST_P(InetAtonNulTest, RaisesValueError) {
  EXPECT_THAT(Outcome([&] { inet_aton(GetParam().text); }),
              Raises(ErrorKind::kValueError, kEmbeddedNul));
}

INSTANTIATE_TEST_SUITE_P(EmbeddedNul, InetAtonNulTest, ::testing::ValuesIn(kTextsWithNul),
                         Describe<RejectedText>);

TEST(InetAtonTest, ConstCharArgumentEndsAtFirstNul) {
  const char text[] = "1.2.3.4\0junk";
  EXPECT_EQ(ToHex(inet_aton(text)), "01020304");
}

// --- inet_ntoa ---------------------------------------------------------------------

TEST(InetNtoaTest, FormatsDottedQuad) {
  EXPECT_EQ(inet_ntoa(FromHex("01020304")), "1.2.3.4");
  EXPECT_EQ(inet_ntoa(FromHex("00000000")), "0.0.0.0");
  EXPECT_EQ(inet_ntoa(FromHex("ffffffff")), "255.255.255.255");
  EXPECT_EQ(inet_ntoa(FromHex("7f000001")), "127.0.0.1");
}

TEST(InetNtoaTest, FormatsWhatInetAtonParsedShorthand) {
  EXPECT_EQ(inet_ntoa(inet_aton("127.1")), "127.0.0.1");
  EXPECT_EQ(inet_ntoa(inet_aton("0x7f.1")), "127.0.0.1");
  EXPECT_EQ(inet_ntoa(inet_aton("1.2.65535")), "1.2.255.255");
}

TEST(InetNtoaTest, AcceptsAnyByteBuffer) {
  const std::array<std::byte, 4> packed = {std::byte{10}, std::byte{0}, std::byte{0}, std::byte{1}};
  EXPECT_EQ(inet_ntoa(std::span(packed)), "10.0.0.1");
  const std::vector<unsigned char> vec = {192, 168, 1, 254};
  EXPECT_EQ(inet_ntoa(vec), "192.168.1.254");
}

TEST(InetNtoaTest, WrongLengthRaisesPlainOSError) {
  for (std::size_t length : {0, 3, 5, 16}) {
    const Bytes packed(length, '\x01');
    EXPECT_THAT(Outcome([&] { inet_ntoa(packed); }), RaisesPlainOSError(kNtoaLengthError))
        << "length " << length;
  }
}

// --- inet_pton ---------------------------------------------------------------------

constexpr TextCase kPton4Accepted[] = {
    {"DottedQuad", "1.2.3.4"sv, "01020304"},        {"AllZeros", "0.0.0.0"sv, "00000000"},
    {"Broadcast", "255.255.255.255"sv, "ffffffff"}, {"ZeroLastPart", "1.2.3.0"sv, "01020300"},
    {"MaxLastPart", "1.2.3.255"sv, "010203ff"},
};

constexpr TextCase kPton6Accepted[] = {
    {"Unspecified", "::"sv, "00000000000000000000000000000000"},
    {"Loopback", "::1"sv, "00000000000000000000000000000001"},
    {"LeadingGroupThenZeros", "1::"sv, "00010000000000000000000000000000"},
    {"AllEightGroups", "1:2:3:4:5:6:7:8"sv, "00010002000300040005000600070008"},
    {"ZerosWritten", "1:0:0:2:0:0:0:3"sv, "00010000000000020000000000000003"},
    {"ZerosBeforeCompression", "0:0:1::"sv, "00000000000100000000000000000000"},
    {"AllZeroGroupsWritten", "0:0:0:0:0:0:0:0"sv, "00000000000000000000000000000000"},
    {"FourDigitZeroGroup", "0000::"sv, "00000000000000000000000000000000"},
    {"CompressionOfNothingElse", "::0:0"sv, "00000000000000000000000000000000"},
    {"CompressionOfOneGroupFirst", "::2:3:4:5:6:7:8"sv, "00000002000300040005000600070008"},
    {"CompressionOfOneGroupLast", "1:2:3:4:5:6:7::"sv, "00010002000300040005000600070000"},
    {"CompressionOfOneGroupInside", "1::2:3:4:5:6:7"sv, "00010000000200030004000500060007"},
    {"SevenGroupsAfterCompression", "::1:2:3:4:5:6:7"sv, "00000001000200030004000500060007"},
    {"UpperCaseHex", "ABCD::EF"sv, "abcd00000000000000000000000000ef"},
    {"LinkLocal", "fe80::1"sv, "fe800000000000000000000000000001"},
    {"Ipv4Mapped", "::ffff:1.2.3.4"sv, "00000000000000000000ffff01020304"},
    {"Ipv4Compatible", "::1.2.3.4"sv, "00000000000000000000000001020304"},
    {"Ipv4CompatibleBroadcast", "::255.255.255.255"sv, "000000000000000000000000ffffffff"},
    {"Ipv4TranslatedPrefix", "::ffff:0:1.2.3.4"sv, "0000000000000000ffff000001020304"},
    {"Nat64Prefix", "64:ff9b::1.2.3.4"sv, "0064ff9b000000000000000001020304"},
    {"SixGroupsThenIpv4", "1:2:3:4:5:6:1.2.3.4"sv, "00010002000300040005000601020304"},
    {"CompressionThenIpv4", "1:2:3:4:5::1.2.3.4"sv, "00010002000300040005000001020304"},
    {"Rfc4291Example", "2001:DB8:0:0:8:800:200C:417A"sv, "20010db80000000000080800200c417a"},
    {"UncompressedLeadingZeros", "FE80:0000:0000:0000:0202:B3FF:FE1E:8329"sv,
     "fe800000000000000202b3fffe1e8329"},
};

class InetPton4Test : public ::testing::TestWithParam<TextCase> {};

TEST_P(InetPton4Test, PacksAsPythonDoes) {
  EXPECT_EQ(ToHex(inet_pton(AF_INET, GetParam().text)), GetParam().packed_hex);
}

INSTANTIATE_TEST_SUITE_P(Inet, InetPton4Test, ::testing::ValuesIn(kPton4Accepted),
                         Describe<TextCase>);

class InetPton6Test : public ::testing::TestWithParam<TextCase> {};

TEST_P(InetPton6Test, PacksAsPythonDoes) {
  EXPECT_EQ(ToHex(inet_pton(AF_INET6, GetParam().text)), GetParam().packed_hex);
}

INSTANTIATE_TEST_SUITE_P(Inet6, InetPton6Test, ::testing::ValuesIn(kPton6Accepted),
                         Describe<TextCase>);

constexpr RejectedPtonText kPton4Rejected[] = {
    {"TwoPartShorthand", AF_INET, "1.2"sv},
    {"ThreePartShorthand", AF_INET, "1.2.3"sv},
    {"LoopbackShorthand", AF_INET, "127.1"sv},
    {"HexPart", AF_INET, "0x7f.0.0.1"sv},
    {"LeadingZero", AF_INET, "01.2.3.4"sv},
    {"LeadingZeroLastPart", AF_INET, "1.2.3.04"sv},
    {"LeadingZeroMiddlePart", AF_INET, "1.02.3.4"sv},
    {"TwoLeadingZeros", AF_INET, "001.2.3.4"sv},
    {"DoubleZeroPart", AF_INET, "1.2.3.00"sv},
    {"PartOver255", AF_INET, "256.1.1.1"sv},
    {"TrailingSpace", AF_INET, "1.2.3.4 "sv},
    {"TrailingTab", AF_INET, "1.2.3.4\011"sv},
    {"TrailingNewline", AF_INET, "1.2.3.4\012"sv},
    {"LeadingSpace", AF_INET, " 1.2.3.4"sv},
    {"Empty", AF_INET, ""sv},
    {"FiveParts", AF_INET, "1.2.3.4.5"sv},
    {"TrailingDot", AF_INET, "1.2.3.4."sv},
    {"LeadingDot", AF_INET, ".1.2.3"sv},
    {"MinusSign", AF_INET, "1.2.3.-4"sv},
    {"PlusSign", AF_INET, "1.2.3.+4"sv},
    {"TrailingLetter", AF_INET, "1.2.3.4x"sv},
    {"Ipv6Text", AF_INET, "::1"sv},
    {"Ipv4MappedText", AF_INET, "::ffff:1.2.3.4"sv},
};

constexpr RejectedPtonText kPton6Rejected[] = {
    {"ZoneId", AF_INET6, "fe80::1%eth0"sv},
    {"NumericZoneId", AF_INET6, "1:2:3:4:5:6:7:8%1"sv},
    {"NineGroups", AF_INET6, "1:2:3:4:5:6:7:8:9"sv},
    {"NineZeroGroups", AF_INET6, "0:0:0:0:0:0:0:0:0"sv},
    {"CompressionWithEightGroups", AF_INET6, "1:2:3:4::5:6:7:8"sv},
    {"CompressionAfterSevenAndOne", AF_INET6, "1:2:3:4:5:6:7::8"sv},
    {"CompressionBeforeEightGroups", AF_INET6, "::1:2:3:4:5:6:7:8"sv},
    {"TwoCompressions", AF_INET6, "1::2::3"sv},
    {"TripleColon", AF_INET6, ":::"sv},
    {"SingleColon", AF_INET6, ":"sv},
    {"TrailingColon", AF_INET6, "1:2:3:4:5:6:7:"sv},
    {"LeadingColon", AF_INET6, ":1:2:3:4:5:6:7"sv},
    {"TrailingColonAfterCompression", AF_INET6, "::1:"sv},
    {"GroupOfFiveDigits", AF_INET6, "12345::"sv},
    {"FiveDigitZeroGroup", AF_INET6, "00000::"sv},
    {"FiveDigitsAfterCompression", AF_INET6, "::01234"sv},
    {"GroupOverFfff", AF_INET6, "1:2:3:4:5:6:7:fffff"sv},
    {"NonHexDigit", AF_INET6, "g::"sv},
    {"HexPrefix", AF_INET6, "::0x1"sv},
    {"MinusSign", AF_INET6, "::-1"sv},
    {"PlusSign", AF_INET6, "::+1"sv},
    {"Brackets", AF_INET6, "[::1]"sv},
    {"Empty", AF_INET6, ""sv},
    {"Ipv4Only", AF_INET6, "1.2.3.4"sv},
    {"TrailingSpace", AF_INET6, "1:2:3:4:5:6:7:8 "sv},
    {"OnlyTrailingColonGroup", AF_INET6, "abcd:"sv},
    {"SevenGroupsThenIpv4", AF_INET6, "1:2:3:4:5:6:7:1.2.3.4"sv},
    {"ShortIpv4Tail", AF_INET6, "::1.2.3"sv},
    {"Ipv4TailWithFiveParts", AF_INET6, "::1.2.3.4.5"sv},
    {"Ipv4TailOver255", AF_INET6, "::ffff:1.2.3.256"sv},
    {"Ipv4TailFirstOver255", AF_INET6, "::256.0.0.0"sv},
    {"Ipv4TailLeadingZero", AF_INET6, "::ffff:01.2.3.4"sv},
    {"Ipv4TailLeadingZeroMiddle", AF_INET6, "::1.02.3.4"sv},
    {"Ipv4TailLeadingDot", AF_INET6, "::.1.2.3"sv},
    {"Ipv4TailTrailingSpace", AF_INET6, "::1.2.3.4 "sv},
    {"PortAfterIpv4Tail", AF_INET6, "::1.2.3.4:5"sv},
    {"Ipv4BeforeCompression", AF_INET6, "1.2.3.4::"sv},
};

class InetPtonRejectsTest : public ::testing::TestWithParam<RejectedPtonText> {};

TEST_P(InetPtonRejectsTest, RaisesPlainOSError) {
  EXPECT_THAT(Outcome([&] { inet_pton(GetParam().family, GetParam().text); }),
              RaisesPlainOSError(kPtonError));
}

INSTANTIATE_TEST_SUITE_P(Inet, InetPtonRejectsTest, ::testing::ValuesIn(kPton4Rejected),
                         Describe<RejectedPtonText>);
INSTANTIATE_TEST_SUITE_P(Inet6, InetPtonRejectsTest, ::testing::ValuesIn(kPton6Rejected),
                         Describe<RejectedPtonText>);

constexpr int kUnsupportedFamilies[] = {AF_UNSPEC, AF_UNIX, AF_PACKET, -1, 12345, INT_MAX, INT_MIN};

TEST(InetPtonTest, UnsupportedFamilyRaisesEafnosupport) {
  for (int family : kUnsupportedFamilies) {
    const CallOutcome outcome = Outcome([&] { inet_pton(family, "1.2.3.4"); });
    EXPECT_THAT(outcome, RaisesOSError(EAFNOSUPPORT)) << "family " << family;
    EXPECT_THAT(outcome, Raises(ErrorKind::kOSError, kNoAddressFamily)) << "family " << family;
  }
}

// The family is checked before the text, so even "" gets EAFNOSUPPORT.
TEST(InetPtonTest, UnsupportedFamilyWinsOverEmptyText) {
  EXPECT_THAT(Outcome([] { inet_pton(12345, ""); }), RaisesOSError(EAFNOSUPPORT));
}

// Python converts the str argument (refusing a NUL) before inet_pton() sees the
// family, so the ValueError wins even for an unsupported family.
TEST(InetPtonTest, EmbeddedNulRaisesValueErrorBeforeFamilyCheck) {
  EXPECT_THAT(Outcome([] { inet_pton(AF_INET, "1.2.3.4\0"sv); }),
              Raises(ErrorKind::kValueError, kEmbeddedNul));
  EXPECT_THAT(Outcome([] { inet_pton(AF_INET6, "::1\0"sv); }),
              Raises(ErrorKind::kValueError, kEmbeddedNul));
  EXPECT_THAT(Outcome([] { inet_pton(AF_UNSPEC, "1.2\0"sv); }),
              Raises(ErrorKind::kValueError, kEmbeddedNul));
}

// --- inet_ntop ---------------------------------------------------------------------

TEST(InetNtopTest, FormatsIpv4) {
  EXPECT_EQ(inet_ntop(AF_INET, FromHex("01020304")), "1.2.3.4");
  EXPECT_EQ(inet_ntop(AF_INET, FromHex("00000000")), "0.0.0.0");
  EXPECT_EQ(inet_ntop(AF_INET, FromHex("ffffffff")), "255.255.255.255");
}

constexpr PackedCase kNtop6[] = {
    {"AllZerosIsDoubleColon", "00000000000000000000000000000000", "::"},
    {"LoopbackIsNotIpv4Compatible", "00000000000000000000000000000001", "::1"},
    {"TwoIsNotIpv4Compatible", "00000000000000000000000000000002", "::2"},
    {"OneSevenZeroGroupRunIsNotIpv4", "00000000000000000000000000000100", "::100"},
    {"SingleZeroGroupIsNotCompressed", "00010000000200030004000500060007", "1:0:2:3:4:5:6:7"},
    {"LeadingSingleZeroGroup", "00000001000200030004000500060007", "0:1:2:3:4:5:6:7"},
    {"TrailingSingleZeroGroup", "00010002000300040005000600070000", "1:2:3:4:5:6:7:0"},
    {"LongerSecondRunWins", "00010000000000020000000000000003", "1:0:0:2::3"},
    {"FirstOfEqualRunsWins", "00010000000000020000000000030004", "1::2:0:0:3:4"},
    {"FirstOfEqualThreeGroupRunsWins", "00010000000000000002000000000000", "1::2:0:0:0"},
    {"RunAtEnd", "00000000000100000000000000000000", "0:0:1::"},
    {"RunAtStartAndEndPicksLonger", "00000001000000000000000000000000", "0:1::"},
    {"RunInMiddle", "00010000000000000000000000000001", "1::1"},
    {"NoZeros", "00010002000300040005000600070008", "1:2:3:4:5:6:7:8"},
    {"AllFfff", "ffffffffffffffffffffffffffffffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    {"LowerCaseHexWithoutLeadingZeros", "fe800000000000000202b3fffe1e8329",
     "fe80::202:b3ff:fe1e:8329"},
    {"Rfc4291Example", "20010db80000000000080800200c417a", "2001:db8::8:800:200c:417a"},
    {"Ipv4Mapped", "00000000000000000000ffff01020304", "::ffff:1.2.3.4"},
    {"Ipv4MappedZero", "00000000000000000000ffff00000000", "::ffff:0.0.0.0"},
    {"Ipv4MappedOne", "00000000000000000000ffff00000001", "::ffff:0.0.0.1"},
    {"Ipv4MappedBroadcast", "00000000000000000000ffffffffffff", "::ffff:255.255.255.255"},
    {"Ipv4Compatible", "00000000000000000000000001020304", "::1.2.3.4"},
    {"Ipv4CompatibleSmall", "00000000000000000000000000010001", "::0.1.0.1"},
    {"Ipv4CompatibleBroadcast", "000000000000000000000000ffffffff", "::255.255.255.255"},
    {"Ipv4TranslatedIsHex", "0000000000000000ffff000001020304", "::ffff:0:102:304"},
    {"FfffAfterNonZeroIsHex", "00000000000000000001ffff01020304", "::1:ffff:102:304"},
    {"FffeIsHex", "00000000000000000000fffe01020304", "::fffe:102:304"},
    {"OneBeforeIpv4IsHex", "00000000000000000000000101020304", "::1:102:304"},
    {"Nat64IsHex", "0064ff9b000000000000000001020304", "64:ff9b::102:304"},
    {"LowSixteenBitsStayHex", "0000000000000000000000000000ffff", "::ffff"},
    {"Ipv4CompatibleSeventhGroupSet", "00000000000000000000000000010000", "::0.1.0.0"},
    {"Ipv4MappedLowSixteenBits", "00000000000000000000ffff0000ffff", "::ffff:0.0.255.255"},
};

class InetNtop6Test : public ::testing::TestWithParam<PackedCase> {};

TEST_P(InetNtop6Test, FormatsAsPythonDoes) {
  EXPECT_EQ(inet_ntop(AF_INET6, FromHex(GetParam().packed_hex)), GetParam().text);
}

// The text inet_ntop writes is always one inet_pton reads back to the same bytes.
TEST_P(InetNtop6Test, TextParsesBackToTheSameBytes) {
  EXPECT_EQ(ToHex(inet_pton(AF_INET6, GetParam().text)), GetParam().packed_hex);
}

INSTANTIATE_TEST_SUITE_P(Inet6, InetNtop6Test, ::testing::ValuesIn(kNtop6), Describe<PackedCase>);

TEST(InetNtopTest, AcceptsAnyByteBuffer) {
  std::array<std::byte, 16> packed{};
  packed[15] = std::byte{1};
  EXPECT_EQ(inet_ntop(AF_INET6, std::span(packed)), "::1");
  // An odd offset: inet_ntop must not depend on the caller's alignment.
  const Bytes shifted = "x" + FromHex("fe800000000000000000000000000001");
  EXPECT_EQ(inet_ntop(AF_INET6, std::string_view(shifted).substr(1)), "fe80::1");
}

TEST(InetNtopTest, WrongIpv4LengthRaisesValueError) {
  for (std::size_t length : {0, 3, 5, 16}) {
    const Bytes packed(length, '\0');
    EXPECT_THAT(Outcome([&] { inet_ntop(AF_INET, packed); }),
                Raises(ErrorKind::kValueError, kNtopLengthError))
        << "length " << length;
  }
}

TEST(InetNtopTest, WrongIpv6LengthRaisesValueError) {
  for (std::size_t length : {0, 4, 15, 17}) {
    const Bytes packed(length, '\0');
    EXPECT_THAT(Outcome([&] { inet_ntop(AF_INET6, packed); }),
                Raises(ErrorKind::kValueError, kNtopLengthError))
        << "length " << length;
  }
}

// Unlike inet_pton (OSError EAFNOSUPPORT), inet_ntop rejects the family itself with
// a ValueError naming it, and does so before looking at the length.
TEST(InetNtopTest, UnknownFamilyRaisesValueErrorBeforeLengthCheck) {
  for (int family : kUnsupportedFamilies) {
    const std::string message = "unknown address family " + std::to_string(family);
    for (std::size_t length : {0, 4, 16}) {
      const Bytes packed(length, '\0');
      EXPECT_THAT(Outcome([&] { inet_ntop(family, packed); }),
                  Raises(ErrorKind::kValueError, message))
          << "family " << family << ", length " << length;
    }
  }
}

TEST(InetNtopTest, UnknownFamilyMessagesMatchPython) {
  EXPECT_THAT(Outcome([] { inet_ntop(AF_UNIX, ""); }),
              Raises(ErrorKind::kValueError, "unknown address family 1"));
  EXPECT_THAT(Outcome([] { inet_ntop(-1, ""); }),
              Raises(ErrorKind::kValueError, "unknown address family -1"));
  EXPECT_THAT(Outcome([] { inet_ntop(INT_MIN, ""); }),
              Raises(ErrorKind::kValueError, "unknown address family -2147483648"));
}

}  // namespace
}  // namespace sockref
