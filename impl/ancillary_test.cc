#include "impl/ancillary.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "impl/error.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::SameFile;

using ::sockref::testing::CallOutcome;
using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

// ---------------------------------------------------------------------------
// CMSG_LEN / CMSG_SPACE. Expected values were printed by CPython 3.11.7 on this
// platform (Linux x86_64): python3 -c "import socket; print(socket.CMSG_LEN(n))".

struct SizeCase {
  std::int64_t length;
  std::int64_t expected;
};

TEST(CmsgLenTest, MatchesPythonValues) {
  const SizeCase cases[] = {{0, 16},
                            {1, 17},
                            {2, 18},
                            {3, 19},
                            {4, 20},
                            {5, 21},
                            {7, 23},
                            {8, 24},
                            {9, 25},
                            {12, 28},
                            {16, 32},
                            {100, 116},
                            {2147483623, 2147483639},
                            {2147483630, 2147483646},
                            {2147483631, 2147483647}};
  for (const SizeCase& c : cases) {
    EXPECT_EQ(CmsgLen(c.length), c.expected) << "CMSG_LEN(" << c.length << ")";
  }
}

TEST(CmsgLenTest, ArgumentsOutOfRangeRaiseOverflowError) {
  // 2**31 - 16 is the first length whose CMSG_LEN exceeds 2**31 - 1.
  for (std::int64_t length : {std::int64_t{-1}, kInt64Min, std::int64_t{2147483632},
                              std::int64_t{2147483647}, std::int64_t{2147483648}, kInt64Max}) {
    EXPECT_THAT(Outcome([&] { CmsgLen(length); }),
                Raises(ErrorKind::kOverflowError, "CMSG_LEN() argument out of range"))
        << "CMSG_LEN(" << length << ")";
  }
}

TEST(CmsgSpaceTest, MatchesPythonValues) {
  const SizeCase cases[] = {{0, 16},
                            {1, 24},
                            {2, 24},
                            {3, 24},
                            {4, 24},
                            {5, 24},
                            {7, 24},
                            {8, 24},
                            {9, 32},
                            {12, 32},
                            {16, 32},
                            {100, 120},
                            {2147483623, 2147483640}};
  for (const SizeCase& c : cases) {
    EXPECT_EQ(CmsgSpace(c.length), c.expected) << "CMSG_SPACE(" << c.length << ")";
  }
}

TEST(CmsgSpaceTest, ArgumentsOutOfRangeRaiseOverflowError) {
  // CPython bounds the length by 2**31 - 1 - CMSG_SPACE(1) = 2147483623, so it
  // rejects 2147483624 although CMSG_SPACE of it (2147483640) would still fit.
  for (std::int64_t length :
       {std::int64_t{-1}, kInt64Min, std::int64_t{2147483624}, std::int64_t{2147483630},
        std::int64_t{2147483631}, std::int64_t{2147483647}, std::int64_t{2147483648}, kInt64Max}) {
    EXPECT_THAT(Outcome([&] { CmsgSpace(length); }),
                Raises(ErrorKind::kOverflowError, "CMSG_SPACE() argument out of range"))
        << "CMSG_SPACE(" << length << ")";
  }
}

TEST(CmsgSizeTest, AgreeWithLibcMacrosForSmallLengths) {
  for (std::int64_t n = 0; n <= 256; ++n) {
    EXPECT_EQ(CmsgLen(n), static_cast<std::int64_t>(CMSG_LEN(n))) << n;
    EXPECT_EQ(CmsgSpace(n), static_cast<std::int64_t>(CMSG_SPACE(n))) << n;
  }
}

// ---------------------------------------------------------------------------
// Encoding.

std::string Hex(ConstBuffer b) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b.as_string_view()) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(EncodeAncillaryTest, NoItemsGiveNoControlBuffer) {
  // CPython leaves msg_control NULL and msg_controllen 0 without ancillary data.
  ControlBuffer buffer = EncodeAncillary(std::span<const AncillaryItem>());
  EXPECT_EQ(buffer.data(), nullptr);
  EXPECT_EQ(buffer.size(), 0u);
}

TEST(EncodeAncillaryTest, LaysOutItemsAsCPythonDoes) {
  // strace of CPython's a.sendmsg([b'x'], [(1, 99, b'abcde'), (2, 7, b'')]) shows
  // cmsg_len 21 and 16 and msg_controllen=40: each item takes CMSG_SPACE bytes,
  // the last one's trailing padding included. Bytes below are x86_64 (LP64, LE).
  static_assert(sizeof(cmsghdr) == 16 && sizeof(std::size_t) == 8);
  ControlBuffer buffer =
      EncodeAncillary({AncillaryItemView(1, 99, "abcde"), AncillaryItemView(2, 7, "")});
  ASSERT_EQ(buffer.size(), 40u);
  EXPECT_EQ(Hex(buffer.bytes()),
            "1500000000000000"  // cmsg_len = CMSG_LEN(5)
            "01000000"          // cmsg_level
            "63000000"          // cmsg_type
            "6162636465000000"  // "abcde" + zeroed padding to CMSG_SPACE(5)
            "1000000000000000"  // cmsg_len = CMSG_LEN(0)
            "02000000"
            "07000000");
}

TEST(EncodeAncillaryTest, BufferIsAlignedForCmsghdr) {
  for (std::size_t n : {0, 1, 3, 8, 13}) {
    ControlBuffer buffer = EncodeAncillary({AncillaryItemView(0, 0, Bytes(n, 'x'))});
    ASSERT_NE(buffer.data(), nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer.data()) % alignof(cmsghdr), 0u);
    EXPECT_EQ(buffer.size(), static_cast<std::size_t>(CmsgSpace(n)));
  }
}

TEST(EncodeAncillaryTest, SizeIsSumOfCmsgSpace) {
  std::vector<AncillaryItem> items;
  std::int64_t expected = 0;
  for (int n = 0; n < 20; ++n) {
    items.push_back({n, -n, Bytes(n, static_cast<char>('a' + n))});
    expected += CmsgSpace(n);
  }
  EXPECT_EQ(EncodeAncillary(items).size(), static_cast<std::size_t>(expected));
}

// Views claiming sizes far larger than the memory behind them: the checks must
// reject them before any payload byte is read, exactly as CPython checks every
// item's size before building the buffer.
ConstBuffer FakeHugeView(std::size_t size) {
  static const char kByte = 0;
  return ConstBuffer(&kByte, size);
}

TEST(EncodeAncillaryTest, ItemLongerThanCmsgSpaceAllowsRaisesOSError) {
  // Python: a.sendmsg([b'x'], [(1, 1, mmap.mmap(-1, 2**31))]) and with a
  // 2**31 - 1 - 23 byte memoryview both raise OSError('ancillary data item too large').
  for (std::size_t size : {std::size_t{2147483624}, std::size_t{2147483648},
                           std::numeric_limits<std::size_t>::max()}) {
    CallOutcome o =
        Outcome([&] { EncodeAncillary({AncillaryItemView(1, 1, FakeHugeView(size))}); });
    EXPECT_THAT(o, Raises(ErrorKind::kOSError, "ancillary data item too large")) << size;
    EXPECT_EQ(o.errno_value, std::nullopt);
  }
}

TEST(EncodeAncillaryTest, ItemTooLargeIsReportedEvenAfterSmallItems) {
  EXPECT_THAT(Outcome([&] {
                EncodeAncillary({AncillaryItemView(1, 1, "ok"),
                                 AncillaryItemView(1, 1, FakeHugeView(std::size_t{1} << 40))});
              }),
              Raises(ErrorKind::kOSError, "ancillary data item too large"));
}

TEST(EncodeAncillaryTest, TotalBeyondSocklenLimitRaisesOSError) {
  // Python: two 2147483623-byte items, or an 8-byte item followed by one, raise
  // OSError('too much ancillary data') (one such item alone reaches the kernel).
  const ConstBuffer largest = FakeHugeView(2147483623);
  for (const auto& items :
       {std::vector<AncillaryItemView>{{1, 1, largest}, {1, 1, largest}},
        std::vector<AncillaryItemView>{{1, 1, "12345678"}, {1, 1, largest}},
        // Even an empty item takes CMSG_SPACE(0) = 16 bytes.
        std::vector<AncillaryItemView>{{1, 1, largest}, {1, 1, ""}},
        // The running total is checked item by item, so this fails on the second
        // item before the third (too large by itself) is looked at.
        std::vector<AncillaryItemView>{
            {1, 1, largest}, {1, 1, largest}, {1, 1, FakeHugeView(std::size_t{1} << 40)}}}) {
    CallOutcome o = Outcome([&] { EncodeAncillary(items); });
    EXPECT_THAT(o, Raises(ErrorKind::kOSError, "too much ancillary data"));
    EXPECT_EQ(o.errno_value, std::nullopt);
  }
}

// ---------------------------------------------------------------------------
// Decoding.

TEST(DecodeAncillaryTest, RoundTripsEncodedItems) {
  std::vector<std::vector<AncillaryItem>> cases = {
      {},
      {{SOL_SOCKET, SCM_RIGHTS, PackFds(std::array{0, 1, 2})}},
      {{0, 0, ""}},
      {{-1, std::numeric_limits<int>::min(), Bytes("\0\xff\0", 3)}},
      {{1, 2, "a"}, {3, 4, ""}, {5, 6, "exactly8"}, {7, 8, "nine bytes"}},
  };
  std::vector<AncillaryItem> varied;
  for (int n = 0; n < 40; ++n) varied.push_back({n, n * 7, Bytes(n, static_cast<char>(n))});
  cases.push_back(varied);
  cases.push_back({{9, 9, Bytes(1 << 20, 'z')}});

  for (const auto& items : cases) {
    ControlBuffer buffer = EncodeAncillary(items);
    bool malformed = true;
    EXPECT_EQ(DecodeAncillary(buffer.bytes(), &malformed), items);
    EXPECT_FALSE(malformed);
  }
}

// Builds a control buffer by hand: headers with arbitrary cmsg_len values.
class RawControl {
 public:
  // Header writes a cmsghdr at `offset` and fills `payload` bytes after it.
  RawControl& Header(std::size_t offset, std::size_t cmsg_len, int level, int type,
                     std::string_view payload = "") {
    cmsghdr h{};
    h.cmsg_len = cmsg_len;
    h.cmsg_level = level;
    h.cmsg_type = type;
    std::memcpy(bytes_ + offset, &h, sizeof(h));
    std::memcpy(bytes_ + offset + sizeof(h), payload.data(), payload.size());
    return *this;
  }
  ConstBuffer First(std::size_t controllen) const { return ConstBuffer(bytes_, controllen); }

 private:
  alignas(cmsghdr) unsigned char bytes_[256] = {};
};

TEST(DecodeAncillaryTest, EmptyOrSubHeaderBufferHasNoItemsAndNoWarning) {
  RawControl raw;
  raw.Header(0, CMSG_LEN(4), SOL_SOCKET, SCM_RIGHTS, "abcd");
  for (std::size_t len = 0; len < sizeof(cmsghdr); ++len) {
    bool malformed = true;
    EXPECT_THAT(DecodeAncillary(raw.First(len), &malformed), IsEmpty()) << len;
    EXPECT_FALSE(malformed) << len;
  }
  msghdr msg{};  // msg_control == nullptr, msg_controllen == 0
  EXPECT_THAT(DecodeAncillary(msg), IsEmpty());
}

TEST(DecodeAncillaryTest, HeaderShorterThanCmsgLenZeroIsMalformed) {
  RawControl raw;
  raw.Header(0, CMSG_LEN(0) - 1, 1, 2);
  bool malformed = false;
  EXPECT_THAT(DecodeAncillary(raw.First(64), &malformed), IsEmpty());
  EXPECT_TRUE(malformed);
}

TEST(DecodeAncillaryTest, KernelStyleTruncationKeepsBytesPresentWithoutWarning) {
  // What the kernel's put_cmsg() writes when the buffer is short: cmsg_len shrunk
  // to the bytes it copied, msg_controllen = cmsg_len.
  RawControl raw;
  raw.Header(0, CMSG_LEN(5), SOL_SOCKET, SCM_CREDENTIALS, "ABCDE");
  bool malformed = true;
  EXPECT_THAT(DecodeAncillary(raw.First(CMSG_LEN(5)), &malformed),
              ElementsAre(AncillaryItem{SOL_SOCKET, SCM_CREDENTIALS, "ABCDE"}));
  EXPECT_FALSE(malformed);
}

TEST(DecodeAncillaryTest, PayloadRunningPastBufferIsCutAndWarned) {
  // get_cmsg_data_len() returns 1: CPython warns, reports the bytes present, stops.
  RawControl raw;
  raw.Header(0, CMSG_LEN(12), 1, 2, "0123456789ab");
  bool malformed = false;
  EXPECT_THAT(DecodeAncillary(raw.First(CMSG_LEN(7)), &malformed),
              ElementsAre(AncillaryItem{1, 2, "0123456"}));
  EXPECT_TRUE(malformed);
}

TEST(DecodeAncillaryTest, HugeCmsgLenReportsRestOfBuffer) {
  RawControl raw;
  raw.Header(0, std::numeric_limits<std::size_t>::max(), 1, 2, "xyz");
  bool malformed = false;
  EXPECT_THAT(DecodeAncillary(raw.First(CMSG_LEN(3)), &malformed),
              ElementsAre(AncillaryItem{1, 2, "xyz"}));
  EXPECT_TRUE(malformed);
}

TEST(DecodeAncillaryTest, MalformedSecondHeaderKeepsFirstItem) {
  RawControl raw;
  raw.Header(0, CMSG_LEN(3), 1, 2, "abc").Header(CMSG_SPACE(3), 3, 4, 5);
  bool malformed = false;
  EXPECT_THAT(DecodeAncillary(raw.First(CMSG_SPACE(3) + CMSG_SPACE(0)), &malformed),
              ElementsAre(AncillaryItem{1, 2, "abc"}));
  EXPECT_TRUE(malformed);
}

TEST(DecodeAncillaryTest, TruncatedSecondItemFollowsCompleteFirst) {
  RawControl raw;
  raw.Header(0, CMSG_LEN(3), 1, 2, "abc").Header(CMSG_SPACE(3), CMSG_LEN(8), 4, 5, "12345678");
  bool malformed = false;
  EXPECT_THAT(DecodeAncillary(raw.First(CMSG_SPACE(3) + CMSG_LEN(2)), &malformed),
              ElementsAre(AncillaryItem{1, 2, "abc"}, AncillaryItem{4, 5, "12"}));
  EXPECT_TRUE(malformed);
}

TEST(DecodeAncillaryTest, PartialSecondHeaderIsNeverVisited) {
  // glibc's CMSG_NXTHDR returns NULL unless a whole next header fits, so trailing
  // bytes shorter than a header are ignored silently.
  RawControl raw;
  raw.Header(0, CMSG_LEN(4), 1, 2, "abcd").Header(CMSG_SPACE(4), 0, 0, 0);
  for (std::size_t extra = 0; extra < sizeof(cmsghdr); ++extra) {
    bool malformed = true;
    EXPECT_THAT(DecodeAncillary(raw.First(CMSG_SPACE(4) + extra), &malformed),
                ElementsAre(AncillaryItem{1, 2, "abcd"}))
        << extra;
    EXPECT_FALSE(malformed) << extra;
  }
}

TEST(DecodeAncillaryTest, DecodesUnalignedBuffer) {
  ControlBuffer encoded =
      EncodeAncillary({AncillaryItemView(1, 2, "abc"), AncillaryItemView(3, 4, "defghijkl")});
  std::string shifted = " " + std::string(encoded.bytes().as_string_view());
  EXPECT_THAT(DecodeAncillary(ConstBuffer(shifted.data() + 1, encoded.size())),
              ElementsAre(AncillaryItem{1, 2, "abc"}, AncillaryItem{3, 4, "defghijkl"}));
}

// ReferenceDecode is CPython's recvmsg() loop restated with the libc macros
// themselves (CMSG_FIRSTHDR, CMSG_NXTHDR, CMSG_DATA), so the offset arithmetic
// of DecodeAncillary can be checked against the walk CPython really performs.
std::vector<AncillaryItem> ReferenceDecode(void* control, std::size_t controllen, bool* malformed) {
  msghdr msg{};
  msg.msg_control = control;
  msg.msg_controllen = controllen;
  auto* start = static_cast<unsigned char*>(control);
  std::vector<AncillaryItem> items;
  *malformed = false;
  for (cmsghdr* h = controllen > 0 ? CMSG_FIRSTHDR(&msg) : nullptr; h != nullptr;
       h = CMSG_NXTHDR(&msg, h)) {
    const std::size_t at = reinterpret_cast<unsigned char*>(h) - start;
    if (at + CMSG_LEN(0) > controllen || h->cmsg_len < CMSG_LEN(0)) {
      *malformed = true;
      break;
    }
    const std::size_t want = h->cmsg_len - CMSG_LEN(0);
    const std::size_t have = controllen - (CMSG_DATA(h) - start);
    const char* data = reinterpret_cast<const char*>(CMSG_DATA(h));
    items.push_back({h->cmsg_level, h->cmsg_type, Bytes(data, std::min(want, have))});
    if (have < want) {
      *malformed = true;
      break;
    }
  }
  return items;
}

TEST(DecodeAncillaryTest, AgreesWithLibcWalkOnRandomBuffers) {
  std::mt19937 rng(20240611);  // fixed seed: reproducible
  const std::size_t kLens[] = {0,
                               1,
                               8,
                               15,
                               16,
                               17,
                               19,
                               20,
                               23,
                               24,
                               25,
                               31,
                               32,
                               33,
                               40,
                               48,
                               63,
                               64,
                               80,
                               96,
                               200,
                               std::numeric_limits<std::size_t>::max(),
                               std::numeric_limits<std::size_t>::max() - 7};
  int items_seen = 0, warnings_seen = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    alignas(cmsghdr) unsigned char buffer[128];
    for (unsigned char& b : buffer) b = static_cast<unsigned char>(rng());
    // Plant headers with interesting lengths where a walk may look for them.
    for (std::size_t at = 0; at + sizeof(cmsghdr) <= sizeof(buffer); at += 8) {
      if (rng() % 3 == 0) continue;
      std::size_t len = kLens[rng() % std::size(kLens)];
      std::memcpy(buffer + at + offsetof(cmsghdr, cmsg_len), &len, sizeof(len));
    }
    const std::size_t controllen = rng() % (sizeof(buffer) + 1);

    bool expected_malformed = false, malformed = false;
    std::vector<AncillaryItem> expected = ReferenceDecode(buffer, controllen, &expected_malformed);
    ASSERT_EQ(DecodeAncillary(ConstBuffer(buffer, controllen), &malformed), expected)
        << "iteration " << iteration;
    ASSERT_EQ(malformed, expected_malformed) << "iteration " << iteration;
    items_seen += expected.size();
    warnings_seen += expected_malformed;
  }
  // The generator must exercise both outcomes, or this test proves little.
  EXPECT_GT(items_seen, 1000);
  EXPECT_GT(warnings_seen, 1000);
}

// ---------------------------------------------------------------------------
// Descriptor payloads.

TEST(FdsTest, PackFdsIsNativeIntArray) {
  // array.array('i', [1, 258, -1]).tobytes() on x86_64.
  EXPECT_EQ(Hex(ConstBuffer(PackFds(std::array{1, 258, -1}))), "0100000002010000ffffffff");
  EXPECT_EQ(PackFds(std::span<const int>()), "");
}

TEST(FdsTest, FdsItemIsSendFdsTuple) {
  EXPECT_EQ(FdsItem(std::array{3, 4}),
            (AncillaryItem{SOL_SOCKET, SCM_RIGHTS, PackFds(std::array{3, 4})}));
}

TEST(FdsTest, UnpackFdsIgnoresTrailingPartialInt) {
  // recv_fds: fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
  AncillaryItem item = FdsItem(std::array{7, 8});
  item.data += "\x09\x00\x00";
  EXPECT_THAT(UnpackFds(item), ElementsAre(7, 8));
  EXPECT_THAT(UnpackFds(AncillaryItem{SOL_SOCKET, SCM_RIGHTS, "abc"}), IsEmpty());
}

TEST(FdsTest, UnpackFdsSkipsOtherMessages) {
  EXPECT_THAT(UnpackFds(AncillaryItem{SOL_SOCKET, SCM_CREDENTIALS, PackFds(std::array{5})}),
              IsEmpty());
  EXPECT_THAT(UnpackFds(AncillaryItem{IPPROTO_IP, SCM_RIGHTS, PackFds(std::array{5})}), IsEmpty());
  std::vector<AncillaryItem> items = {FdsItem(std::array{1, 2}),
                                      {SOL_SOCKET, SCM_CREDENTIALS, "123456789abc"},
                                      FdsItem(std::array{3})};
  EXPECT_THAT(UnpackFds(items), ElementsAre(1, 2, 3));
}

TEST(ControlBufferTest, ForReceiveRejectsInvalidLengths) {
  // Python: b.recvmsg(1, -1) and b.recvmsg(1, 2**31) raise this ValueError.
  for (std::int64_t size : {std::int64_t{-1}, kInt64Min, std::int64_t{2147483648}, kInt64Max}) {
    EXPECT_THAT(Outcome([&] { ControlBuffer::ForReceive(size); }),
                Raises(ErrorKind::kValueError, "invalid ancillary data buffer length"))
        << size;
  }
}

TEST(ControlBufferTest, ForReceiveAllocatesAlignedBuffer) {
  ControlBuffer empty = ControlBuffer::ForReceive(0);
  EXPECT_EQ(empty.data(), nullptr);
  EXPECT_EQ(empty.size(), 0u);
  for (std::int64_t size : {1, 15, 17, 1000}) {
    ControlBuffer buffer = ControlBuffer::ForReceive(size);
    ASSERT_NE(buffer.data(), nullptr);
    EXPECT_EQ(buffer.size(), static_cast<std::size_t>(size));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer.data()) % alignof(cmsghdr), 0u);
  }
}

// ---------------------------------------------------------------------------
// Real descriptor passing over an AF_UNIX socketpair, with raw syscalls.

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};


// Every test in this fixture must leave the descriptor table as it found it.
class DescriptorPassingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SocketType(), 0, pair), 0) << std::strerror(errno);
    sender_ = UniqueFd(pair[0]);
    receiver_ = UniqueFd(pair[1]);
    UniqueFd null_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    UniqueFd memfd(memfd_create("ancillary_test", MFD_CLOEXEC));
    ASSERT_GE(null_fd.get(), 0);
    ASSERT_GE(memfd.get(), 0);
    files_.push_back(std::move(null_fd));
    files_.push_back(UniqueFd(p[0]));
    files_.push_back(std::move(memfd));
    close(p[1]);
    descriptors_before_ = CountOpenFds();
    ASSERT_GT(descriptors_before_, 0);
  }
  void TearDown() override { EXPECT_EQ(CountOpenFds(), descriptors_before_); }

  virtual int SocketType() const { return SOCK_STREAM; }

  std::vector<int> Files(std::size_t n) const {
    std::vector<int> fds;
    for (std::size_t i = 0; i < n; ++i) fds.push_back(files_[i].get());
    return fds;
  }

  // Send sends one byte with `control` as ancillary data, as sendmsg() does.
  void Send(const ControlBuffer& control) {
    char byte = 'x';
    iovec iov{&byte, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = const_cast<void*>(control.data());
    msg.msg_controllen = control.size();
    ASSERT_EQ(sendmsg(sender_.get(), &msg, MSG_DONTWAIT), 1) << std::strerror(errno);
  }

  // Receive receives one byte (already queued: MSG_DONTWAIT keeps the test bounded)
  // with an ancillary buffer of `ancbufsize` bytes; msg_ refers to control_.
  void Receive(std::int64_t ancbufsize) {
    control_ = ControlBuffer::ForReceive(ancbufsize);
    iov_ = {&byte_, 1};
    msg_ = msghdr{};
    msg_.msg_iov = &iov_;
    msg_.msg_iovlen = 1;
    msg_.msg_control = control_.data();
    msg_.msg_controllen = control_.size();
    ASSERT_EQ(recvmsg(receiver_.get(), &msg_, MSG_DONTWAIT), 1) << std::strerror(errno);
  }

  // Adopt takes ownership of received descriptors so they are closed at scope exit.
  static std::vector<UniqueFd> Adopt(const std::vector<int>& fds) {
    std::vector<UniqueFd> owned;
    for (int fd : fds) owned.emplace_back(fd);
    return owned;
  }

  UniqueFd sender_, receiver_;
  std::vector<UniqueFd> files_;
  int descriptors_before_ = 0;
  ControlBuffer control_;
  char byte_ = 0;
  iovec iov_{};
  msghdr msg_{};
};

TEST_F(DescriptorPassingTest, OneDescriptorArrivesAsSameFile) {
  Send(EncodeAncillary({FdsItem(Files(1))}));
  Receive(CmsgSpace(sizeof(int)));
  bool malformed = true;
  std::vector<AncillaryItem> items = DecodeAncillary(msg_, &malformed);
  EXPECT_FALSE(malformed);
  EXPECT_EQ(msg_.msg_flags & MSG_CTRUNC, 0);
  ASSERT_THAT(items, SizeIs(1));
  EXPECT_EQ(items[0].level, SOL_SOCKET);
  EXPECT_EQ(items[0].type, SCM_RIGHTS);
  std::vector<UniqueFd> received = Adopt(UnpackFds(items));
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_NE(received[0].get(), files_[0].get());
  EXPECT_TRUE(SameFile(received[0].get(), files_[0].get()));
}

TEST_F(DescriptorPassingTest, ThreeDescriptorsArriveInOrder) {
  Send(EncodeAncillary({FdsItem(Files(3))}));
  Receive(CmsgSpace(3 * sizeof(int)));
  std::vector<AncillaryItem> items = DecodeAncillary(msg_);
  EXPECT_EQ(msg_.msg_flags & MSG_CTRUNC, 0);
  ASSERT_THAT(items, SizeIs(1));
  std::vector<UniqueFd> received = Adopt(UnpackFds(items));
  ASSERT_THAT(received, SizeIs(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(SameFile(received[i].get(), files_[i].get())) << i;
    for (int j = 0; j < 3; ++j) {
      if (j != i) {
        EXPECT_FALSE(SameFile(received[i].get(), files_[j].get())) << i << j;
      }
    }
  }
}

TEST_F(DescriptorPassingTest, TwoRightsItemsArriveAsOne) {
  // Python: a.sendmsg([b'x'], [(SOL_SOCKET, SCM_RIGHTS, fds[:1]), (SOL_SOCKET,
  // SCM_RIGHTS, fds[1:])]) is received as a single item carrying all three.
  std::vector<int> fds = Files(3);
  Send(EncodeAncillary({FdsItem(std::span(fds).first(1)), FdsItem(std::span(fds).subspan(1))}));
  Receive(100);
  std::vector<AncillaryItem> items = DecodeAncillary(msg_);
  ASSERT_THAT(items, SizeIs(1));
  std::vector<UniqueFd> received = Adopt(UnpackFds(items));
  ASSERT_THAT(received, SizeIs(3));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(SameFile(received[i].get(), files_[i].get())) << i;
}

TEST_F(DescriptorPassingTest, ShortBufferTruncatesToWholeDescriptors) {
  // Python: a.sendmsg([b'x'], [(SOL_SOCKET, SCM_RIGHTS, array('i', [0, 1, 2]))]);
  // b.recvmsg(1, socket.CMSG_LEN(4)) returns [(1, 1, <one fd>)] with
  // msg_flags == MSG_CTRUNC and no warning; the kernel closes the other two.
  Send(EncodeAncillary({FdsItem(Files(3))}));
  Receive(CmsgLen(4));
  bool malformed = true;
  std::vector<AncillaryItem> items = DecodeAncillary(msg_, &malformed);
  EXPECT_FALSE(malformed);
  EXPECT_EQ(msg_.msg_flags, MSG_CTRUNC);
  ASSERT_THAT(items, SizeIs(1));
  EXPECT_EQ(items[0].level, SOL_SOCKET);
  EXPECT_EQ(items[0].type, SCM_RIGHTS);
  EXPECT_EQ(items[0].data.size(), sizeof(int));
  std::vector<UniqueFd> received = Adopt(UnpackFds(items));
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_TRUE(SameFile(received[0].get(), files_[0].get()));
}

TEST_F(DescriptorPassingTest, EveryBufferSizeMatchesPython) {
  // For ancbufsize in 0..40, after sending 3 descriptors, CPython 3.11.7 reports:
  // below 20 bytes no item; then one item with (ancbufsize - 16) / 4 whole
  // descriptors (at most 3); msg_flags has MSG_CTRUNC until all 3 fit (28 bytes).
  for (std::int64_t ancbufsize = 0; ancbufsize <= 40; ++ancbufsize) {
    SCOPED_TRACE(ancbufsize);
    Send(EncodeAncillary({FdsItem(Files(3))}));
    Receive(ancbufsize);
    bool malformed = true;
    std::vector<AncillaryItem> items = DecodeAncillary(msg_, &malformed);
    std::vector<UniqueFd> received = Adopt(UnpackFds(items));
    EXPECT_FALSE(malformed);
    const std::size_t expected_fds =
        ancbufsize < 20 ? 0 : std::min<std::size_t>(3, (ancbufsize - 16) / 4);
    EXPECT_THAT(items, SizeIs(expected_fds == 0 ? 0 : 1));
    ASSERT_THAT(received, SizeIs(expected_fds));
    EXPECT_EQ(msg_.msg_flags, ancbufsize < 28 ? MSG_CTRUNC : 0);
    for (std::size_t i = 0; i < received.size(); ++i) {
      EXPECT_TRUE(SameFile(received[i].get(), files_[i].get())) << i;
    }
  }
}

TEST_F(DescriptorPassingTest, CloseReceivedDescriptorsClosesThemAll) {
  Send(EncodeAncillary({FdsItem(Files(3))}));
  Receive(CmsgSpace(3 * sizeof(int)));
  EXPECT_EQ(CountOpenFds(), descriptors_before_ + 3);
  std::vector<int> received = UnpackFds(DecodeAncillary(msg_));
  ASSERT_THAT(received, SizeIs(3));
  EXPECT_EQ(CloseReceivedDescriptors(msg_), 3);
  for (int fd : received) {
    EXPECT_EQ(fcntl(fd, F_GETFD), -1) << fd;
    EXPECT_EQ(errno, EBADF);
  }
  // TearDown checks the count is back where it was.
}

TEST_F(DescriptorPassingTest, CloseReceivedDescriptorsHandlesTruncatedBuffer) {
  Send(EncodeAncillary({FdsItem(Files(3))}));
  Receive(CmsgLen(2 * sizeof(int)) + 3);  // room for two and a fraction
  EXPECT_EQ(msg_.msg_flags, MSG_CTRUNC);
  EXPECT_EQ(CountOpenFds(), descriptors_before_ + 2);
  EXPECT_EQ(CloseReceivedDescriptors(msg_), 2);
}

TEST_F(DescriptorPassingTest, CloseReceivedDescriptorsClosesOnlyWholeIntsOfRightsItems) {
  // A hand-built buffer standing in for one the kernel filled: a credentials item
  // whose payload happens to hold a live descriptor number (must stay open), then
  // an SCM_RIGHTS item with one descriptor and a partial int, then a truncated
  // SCM_RIGHTS item of which one descriptor is present.
  const int keep = dup(files_[0].get());
  const int first = dup(files_[0].get());
  const int second = dup(files_[0].get());
  ASSERT_GE(keep, 0);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  UniqueFd keep_owner(keep);
  Bytes creds = PackFds(std::array{keep, keep, keep});
  Bytes rights = PackFds(std::array{first}) + "\x7f\x7f\x7f";
  Bytes cut = PackFds(std::array{second, keep});
  const std::size_t rights_at = CMSG_SPACE(creds.size());
  const std::size_t cut_at = rights_at + CMSG_SPACE(rights.size());
  RawControl raw;
  raw.Header(0, CMSG_LEN(creds.size()), SOL_SOCKET, SCM_CREDENTIALS, creds)
      .Header(rights_at, CMSG_LEN(rights.size()), SOL_SOCKET, SCM_RIGHTS, rights)
      .Header(cut_at, CMSG_LEN(cut.size()), SOL_SOCKET, SCM_RIGHTS, cut);
  const ConstBuffer control = raw.First(cut_at + CMSG_LEN(sizeof(int)));

  EXPECT_EQ(CloseReceivedDescriptors(control), 2);
  EXPECT_EQ(fcntl(first, F_GETFD), -1);
  EXPECT_EQ(fcntl(second, F_GETFD), -1);
  EXPECT_NE(fcntl(keep, F_GETFD), -1);
}

TEST_F(DescriptorPassingTest, NothingReceivedNothingClosed) {
  Send(ControlBuffer());
  Receive(64);
  EXPECT_EQ(msg_.msg_controllen, 0u);
  EXPECT_THAT(DecodeAncillary(msg_), IsEmpty());
  EXPECT_EQ(CloseReceivedDescriptors(msg_), 0);
}

// SCM_CREDENTIALS arrives on a datagram socketpair whose receiver set SO_PASSCRED.
class CredentialsTest : public DescriptorPassingTest {
 protected:
  int SocketType() const override { return SOCK_DGRAM; }
  void SetUp() override {
    DescriptorPassingTest::SetUp();
    int on = 1;
    ASSERT_EQ(setsockopt(receiver_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), 0);
  }
};

TEST_F(CredentialsTest, FullCredentialsDecode) {
  Send(ControlBuffer());
  Receive(CmsgSpace(sizeof(ucred)));
  EXPECT_EQ(msg_.msg_flags, 0);
  std::vector<AncillaryItem> items = DecodeAncillary(msg_);
  ASSERT_THAT(items, SizeIs(1));
  EXPECT_EQ(items[0].level, SOL_SOCKET);
  EXPECT_EQ(items[0].type, SCM_CREDENTIALS);
  ASSERT_EQ(items[0].data.size(), sizeof(ucred));
  ucred cred;
  std::memcpy(&cred, items[0].data.data(), sizeof(cred));
  EXPECT_EQ(cred.pid, getpid());
  EXPECT_EQ(CloseReceivedDescriptors(msg_), 0);  // not SCM_RIGHTS: nothing to close
}

TEST_F(CredentialsTest, KernelTruncatedPayloadKeepsBytesPresent) {
  // Python: b.recvmsg(1, socket.CMSG_LEN(5)) with SO_PASSCRED returns
  // [(1, 2, <first 5 bytes of struct ucred>)], msg_flags MSG_CTRUNC, no warning.
  Send(ControlBuffer());
  Receive(CmsgLen(5));
  EXPECT_EQ(msg_.msg_flags, MSG_CTRUNC);
  bool malformed = true;
  std::vector<AncillaryItem> items = DecodeAncillary(msg_, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_THAT(items, SizeIs(1));
  EXPECT_EQ(items[0].type, SCM_CREDENTIALS);
  ASSERT_EQ(items[0].data.size(), 5u);
  const pid_t pid = getpid();
  EXPECT_EQ(items[0].data.substr(0, sizeof(pid)),
            std::string(reinterpret_cast<const char*>(&pid), sizeof(pid)));
}

TEST_F(CredentialsTest, HeaderOnlyBufferGivesEmptyPayload) {
  // Python: b.recvmsg(1, socket.CMSG_LEN(0)) gives [(1, 2, b'')].
  Send(ControlBuffer());
  Receive(CmsgLen(0));
  EXPECT_THAT(DecodeAncillary(msg_), ElementsAre(AncillaryItem{SOL_SOCKET, SCM_CREDENTIALS, ""}));
}

}  // namespace
}  // namespace sockref
