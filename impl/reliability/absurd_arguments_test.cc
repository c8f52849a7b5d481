// Absurd arguments: sizes far beyond memory, negative or out-of-range sizes,
// more buffers than the kernel takes (IOV_MAX), SCM_RIGHTS payloads that are
// not a whole number of descriptors, and ancillary buffers too small for what
// arrives. Each raises exactly what CPython 3.11 raises (checked with python3;
// docs/reliability.md), never crashes, never leaks a descriptor, and never
// costs memory in proportion to a size it does not use: a 1 GiB recv buffer
// holding one byte must stay (almost) untouched, as CPython's does.
//
// MemoryError is std::bad_alloc here. The sanitizers' allocators abort on an
// impossible allocation instead of throwing (ASan and TSan report
// "allocation-size-too-big" / out-of-memory even with allocator_may_return_null,
// because operator new must not return null), so those cases are skipped under
// them, and so are the peak-RSS bounds, which their shadow memory distorts.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "impl/ancillary.h"
#include "impl/error.h"
#include "impl/fd_passing.h"
#include "impl/socket.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"
#include "impl/testing/sanitizers.h"

namespace sockref::reliability {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::testing::AllOf;
using ::testing::IsEmpty;

constexpr std::int64_t kTwoTo62 = std::int64_t{1} << 62;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
// The largest size CPython's bytes object can have: PY_SSIZE_T_MAX minus its
// 33-byte header (python3: recv(2**63 - 34) is MemoryError, recv(2**63 - 33)
// OverflowError).
constexpr std::int64_t kLargestBytesSize = kInt64Max - 33;
// Big enough that touching it would be unmistakable, small enough that any
// machine with overcommit lets the allocation itself succeed.
constexpr std::int64_t kOneGiB = std::int64_t{1} << 30;
// How much the peak resident set may grow while a call runs with such a buffer.
constexpr long kRssAllowanceKiB = 64 * 1024;

// MemoryError: std::bad_alloc, which Outcome() records as a foreign exception.
MATCHER(RaisesMemoryError, "raises MemoryError (std::bad_alloc)") {
  return arg.raised && arg.foreign && arg.message == std::bad_alloc().what();
}

auto RaisesValueError(const char* message) { return Raises(ErrorKind::kValueError, message); }
auto RaisesOverflowError(const char* message) { return Raises(ErrorKind::kOverflowError, message); }

long PeakRssKiB() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

class AbsurdArgumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fds_before_ = CountOpenFds();
    auto pair = socketpair();
    a_.emplace(std::move(pair.first));
    b_.emplace(std::move(pair.second));
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    EXPECT_EQ(CountOpenFds(), fds_before_);
  }

  // Sends one byte from b to a, for a receive call to find.
  void Queue(const char* byte = "x") { ASSERT_EQ(b_->send(byte), 1); }
  // ExpectQueued checks the byte is still there: the failed call consumed nothing.
  void ExpectQueued(const char* byte = "x") {
    a_->setblocking(false);
    EXPECT_EQ(a_->recv(16), byte);
    a_->setblocking(true);
  }

  std::optional<Socket> a_;
  std::optional<Socket> b_;

 private:
  int fds_before_ = 0;
};

// --- Sizes beyond any memory: MemoryError before the system call --------------------

TEST_F(AbsurdArgumentsTest, ImpossibleReceiveSizesRaiseMemoryErrorAndConsumeNothing) {
#ifdef SOCKREF_SANITIZER_ALLOCATOR
  GTEST_SKIP() << "the sanitizer allocator aborts instead of throwing std::bad_alloc";
#endif
  Queue();
  EXPECT_THAT(Outcome([&] { a_->recv(kTwoTo62); }), RaisesMemoryError());
  EXPECT_THAT(Outcome([&] { a_->recv(kLargestBytesSize); }), RaisesMemoryError());
  EXPECT_THAT(Outcome([&] { a_->recvfrom(kTwoTo62); }), RaisesMemoryError());
  EXPECT_THAT(Outcome([&] { a_->recvmsg(kTwoTo62); }), RaisesMemoryError());
  EXPECT_THAT(Outcome([&] { recv_fds(*a_, kTwoTo62, 1); }), RaisesMemoryError());
  ExpectQueued();
}

// A bytes object cannot hold more than 2**63 - 1 - 33 bytes (its header), so
// CPython's recv/recvfrom/recvmsg (and recv_fds) raise OverflowError("byte
// string is too large") above that, before trying to allocate; sockref raises
// std::bad_alloc (MemoryError).
TEST_F(AbsurdArgumentsTest, ReceiveSizesBeyondTheLargestBytesRaiseOverflowError) {
  for (const std::int64_t size : {kLargestBytesSize + 1, kInt64Max}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(Outcome([&] { a_->recv(size); }), RaisesOverflowError("byte string is too large"));
    EXPECT_THAT(Outcome([&] { a_->recvfrom(size); }),
                RaisesOverflowError("byte string is too large"));
    EXPECT_THAT(Outcome([&] { a_->recvmsg(size); }),
                RaisesOverflowError("byte string is too large"));
    EXPECT_THAT(Outcome([&] { recv_fds(*a_, size, 1); }),
                RaisesOverflowError("byte string is too large"));
  }
}

// CPython's recvmsg() allocates the data buffer before it looks at ancbufsize,
// so an impossible bufsize wins over an invalid ancbufsize.
TEST_F(AbsurdArgumentsTest, RecvmsgAllocatesBeforeCheckingAncbufsizeAsCPython) {
#ifdef SOCKREF_SANITIZER_ALLOCATOR
  GTEST_SKIP() << "the sanitizer allocator aborts instead of throwing std::bad_alloc";
#endif
  EXPECT_THAT(Outcome([&] { a_->recvmsg(kTwoTo62, -1); }), RaisesMemoryError());
  EXPECT_THAT(Outcome([&] { a_->recvmsg(kTwoTo62, std::int64_t{1} << 40); }), RaisesMemoryError());
}

// --- Large sizes that fit in the address space: memory is not touched ---------------

TEST_F(AbsurdArgumentsTest, OneGibReceiveBuffersDoNotCostAGibOfMemory) {
  const long peak_before = PeakRssKiB();
  Queue("1");
  EXPECT_EQ(a_->recv(kOneGiB), "1");
  Queue("2");
  EXPECT_EQ(a_->recvfrom(kOneGiB).first, "2");
  Queue("3");
  EXPECT_EQ(a_->recvmsg(kOneGiB).data, "3");
  Queue("4");
  EXPECT_EQ(recv_fds(*a_, kOneGiB, 1).data, "4");
  const long growth = PeakRssKiB() - peak_before;
#ifndef SOCKREF_SANITIZER_ALLOCATOR
  EXPECT_LT(growth, kRssAllowanceKiB) << "peak RSS grew by " << growth << " KiB";
#else
  RecordProperty("peak_rss_growth_kib", std::to_string(growth));
#endif
}

// The largest ancbufsize CPython accepts, 2**31 - 1, is a 2 GiB control buffer
// that the kernel writes only as far as it needs.
TEST_F(AbsurdArgumentsTest, LargestAncbufsizeIsAcceptedWithoutTouchingItsMemory) {
  const long peak_before = PeakRssKiB();
  Queue();
  RecvMsgResult message = a_->recvmsg(1, INT_MAX);
  EXPECT_EQ(message.data, "x");
  EXPECT_THAT(message.ancdata, IsEmpty());
  EXPECT_EQ(message.msg_flags, 0);
  const long growth = PeakRssKiB() - peak_before;
#ifndef SOCKREF_SANITIZER_ALLOCATOR
  EXPECT_LT(growth, kRssAllowanceKiB) << "peak RSS grew by " << growth << " KiB";
#else
  RecordProperty("peak_rss_growth_kib", std::to_string(growth));
#endif
}

// --- Out-of-range and negative sizes: CPython's ValueError / OverflowError -----------

TEST_F(AbsurdArgumentsTest, AncbufsizeOutOfRangeRaisesValueErrorAndConsumesNothing) {
  Queue();
  std::array<char, 4> buffer{};
  const std::array<MutableBuffer, 1> buffers = {MutableBuffer(buffer)};
  for (const std::int64_t ancbufsize :
       {std::int64_t{INT_MAX} + 1, std::int64_t{1} << 40, kInt64Max, std::int64_t{-1}, kInt64Min}) {
    SCOPED_TRACE(ancbufsize);
    EXPECT_THAT(Outcome([&] { a_->recvmsg(1, ancbufsize); }),
                RaisesValueError("invalid ancillary data buffer length"));
    EXPECT_THAT(Outcome([&] { a_->recvmsg_into(buffers, ancbufsize); }),
                RaisesValueError("invalid ancillary data buffer length"));
  }
  ExpectQueued();
}

TEST_F(AbsurdArgumentsTest, NegativeSizesRaiseValueErrorWithCPythonsMessages) {
  std::array<char, 4> buffer{};
  for (const std::int64_t size : {std::int64_t{-1}, kInt64Min}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(Outcome([&] { a_->recv(size); }), RaisesValueError("negative buffersize in recv"));
    EXPECT_THAT(Outcome([&] { a_->recvfrom(size); }),
                RaisesValueError("negative buffersize in recvfrom"));
    EXPECT_THAT(Outcome([&] { a_->recv_into(MutableBuffer(buffer), size); }),
                RaisesValueError("negative buffersize in recv_into"));
    EXPECT_THAT(Outcome([&] { a_->recvfrom_into(MutableBuffer(buffer), size); }),
                RaisesValueError("negative buffersize in recvfrom_into"));
    // bufsize is checked before ancbufsize.
    EXPECT_THAT(Outcome([&] { a_->recvmsg(size, std::int64_t{1} << 40); }),
                RaisesValueError("negative buffer size in recvmsg()"));
  }
}

TEST_F(AbsurdArgumentsTest, NbytesBeyondTheBufferRaisesValueError) {
  std::array<char, 4> buffer{};
  for (const std::int64_t nbytes : {std::int64_t{5}, kTwoTo62, kInt64Max}) {
    SCOPED_TRACE(nbytes);
    EXPECT_THAT(Outcome([&] { a_->recv_into(MutableBuffer(buffer), nbytes); }),
                RaisesValueError("buffer too small for requested bytes"));
    EXPECT_THAT(Outcome([&] { a_->recvfrom_into(MutableBuffer(buffer), nbytes); }),
                RaisesValueError("nbytes is greater than the length of the buffer"));
  }
}

// recv_fds computes maxfds * sizeof(int) as a Python int, converts it to C's
// ssize_t (first error), then asks CMSG_LEN() for it (second error).
TEST_F(AbsurdArgumentsTest, RecvFdsMaxfdsOutOfRangeRaisesOverflowError) {
  Queue();
  for (const std::int64_t maxfds :
       {std::int64_t{1} << 61, kTwoTo62, kInt64Max, -kTwoTo62, kInt64Min}) {
    SCOPED_TRACE(maxfds);
    EXPECT_THAT(Outcome([&] { recv_fds(*a_, 1, maxfds); }),
                RaisesOverflowError("Python int too large to convert to C ssize_t"));
  }
  // CMSG_LEN(maxfds * 4) <= 2**31 - 1 holds up to maxfds 536870907.
  for (const std::int64_t maxfds : {std::int64_t{536870908}, std::int64_t{1} << 29,
                                    std::int64_t{-1}, -(std::int64_t{1} << 61)}) {
    SCOPED_TRACE(maxfds);
    EXPECT_THAT(Outcome([&] { recv_fds(*a_, 1, maxfds); }),
                RaisesOverflowError("CMSG_LEN() argument out of range"));
  }
  ExpectQueued();
}

TEST_F(AbsurdArgumentsTest, GetsockoptBuflenOutOfRangeRaisesOSErrorWithoutErrno) {
  for (const std::int64_t buflen : {std::int64_t{-1}, std::int64_t{1025}, std::int64_t{INT_MAX}}) {
    SCOPED_TRACE(buflen);
    EXPECT_THAT(
        Outcome([&] { a_->getsockopt(SOL_SOCKET, SO_TYPE, buflen); }),
        AllOf(Raises(ErrorKind::kOSError, "getsockopt buflen out of range"),
              ::testing::Field(&::sockref::testing::CallOutcome::errno_value, std::nullopt)));
  }
}

// --- More buffers than IOV_MAX: the kernel's EMSGSIZE, nothing sent or consumed ------

TEST_F(AbsurdArgumentsTest, SendmsgWithMoreBuffersThanIovMaxRaisesEmsgsize) {
  const long iov_max = ::sysconf(_SC_IOV_MAX);
  ASSERT_EQ(iov_max, 1024);  // UIO_MAXIOV on Linux
  const std::vector<ConstBuffer> at_limit(static_cast<std::size_t>(iov_max), ConstBuffer("x"));
  EXPECT_EQ(a_->sendmsg(at_limit), iov_max);
  EXPECT_EQ(b_->recv(4096), std::string(static_cast<std::size_t>(iov_max), 'x'));

  for (const std::size_t count : {std::size_t(iov_max) + 1, std::size_t{100000}}) {
    SCOPED_TRACE(count);
    const std::vector<ConstBuffer> one_byte_each(count, ConstBuffer("y"));
    EXPECT_THAT(
        Outcome([&] { a_->sendmsg(one_byte_each); }),
        AllOf(RaisesOSError(EMSGSIZE), Raises(ErrorKind::kOSError, "[Errno 90] Message too long")));
    const std::vector<ConstBuffer> empty_each(count, ConstBuffer(""));
    EXPECT_THAT(Outcome([&] { a_->sendmsg(empty_each); }), RaisesOSError(EMSGSIZE));
  }
  b_->setblocking(false);
  EXPECT_THAT(Outcome([&] { b_->recv(1); }), RaisesOSError(EAGAIN)) << "nothing was sent";
}

TEST_F(AbsurdArgumentsTest, RecvmsgIntoWithMoreBuffersThanIovMaxRaisesEmsgsizeAndConsumesNothing) {
  Queue();
  std::vector<std::array<char, 1>> storage(1025);
  std::vector<MutableBuffer> buffers;
  for (auto& one : storage) buffers.emplace_back(one);
  EXPECT_THAT(
      Outcome([&] { a_->recvmsg_into(buffers); }),
      AllOf(RaisesOSError(EMSGSIZE), Raises(ErrorKind::kOSError, "[Errno 90] Message too long")));
  // An invalid ancbufsize is still reported first, as CPython checks it before
  // the system call.
  EXPECT_THAT(Outcome([&] { a_->recvmsg_into(buffers, -1); }),
              RaisesValueError("invalid ancillary data buffer length"));
  ExpectQueued();
}

// --- SCM_RIGHTS payloads that are not whole descriptors ------------------------------

// A pipe's ends, closed with the fixture's sockets.
class ScmRightsTest : public AbsurdArgumentsTest {
 protected:
  void SetUp() override {
    AbsurdArgumentsTest::SetUp();
    ASSERT_EQ(::pipe2(pipe_, O_CLOEXEC), 0);
  }
  void TearDown() override {
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    AbsurdArgumentsTest::TearDown();
  }

  // SendRights sends "m" with one SCM_RIGHTS item whose payload is `payload`.
  std::int64_t SendRights(Bytes payload) {
    const std::array<ConstBuffer, 1> data = {ConstBuffer("m")};
    const std::array<AncillaryItem, 1> items = {AncillaryItem{SOL_SOCKET, SCM_RIGHTS, payload}};
    return b_->sendmsg(data, items);
  }

  static bool IsPipe(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
  }

  int pipe_[2] = {-1, -1};
};

// One descriptor and two junk bytes: the kernel takes (6 - 0) / 4 = 1 whole
// descriptor and ignores the rest, so one descriptor arrives in a 4-byte item;
// CPython's recvmsg() shows [(SOL_SOCKET, SCM_RIGHTS, 4 bytes)] and recv_fds()
// [fd], with msg_flags 0.
TEST_F(ScmRightsTest, PayloadWithTrailingJunkDeliversTheWholeDescriptor) {
  const int fds[] = {pipe_[0]};
  const Bytes six_bytes = PackFds(fds) + "\xab\xcd";
  ASSERT_EQ(SendRights(six_bytes), 1);
  RecvMsgResult message = a_->recvmsg(16, CmsgSpace(8));
  EXPECT_EQ(message.data, "m");
  EXPECT_EQ(message.msg_flags, 0);
  ASSERT_EQ(message.ancdata.size(), 1u);
  EXPECT_EQ(message.ancdata[0].level, SOL_SOCKET);
  EXPECT_EQ(message.ancdata[0].type, SCM_RIGHTS);
  EXPECT_EQ(message.ancdata[0].data.size(), sizeof(int));
  const std::vector<int> received = UnpackFds(message.ancdata);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(IsPipe(received[0]));
  ::close(received[0]);

  ASSERT_EQ(SendRights(six_bytes), 1);
  RecvFdsResult result = recv_fds(*a_, 16, 2);
  EXPECT_EQ(result.data, "m");
  EXPECT_EQ(result.msg_flags, 0);
  ASSERT_EQ(result.fds.size(), 1u);
  EXPECT_TRUE(IsPipe(result.fds[0]));
  ::close(result.fds[0]);
}

// Three bytes hold no whole descriptor: the kernel accepts the message and
// sends no control message at all (CPython: (b'm', [], 0, None)).
TEST_F(ScmRightsTest, PayloadShorterThanADescriptorDeliversNone) {
  ASSERT_EQ(SendRights("\x01\x02\x03"), 1);
  RecvMsgResult message = a_->recvmsg(16, 100);
  EXPECT_EQ(message.data, "m");
  EXPECT_THAT(message.ancdata, IsEmpty());
  EXPECT_EQ(message.msg_flags, 0);
}

// The receiver's ancillary buffer holds fewer descriptors than arrive: the
// kernel installs those that fit, closes the rest and sets MSG_CTRUNC. Sizes as
// in CPython's tests: CMSG_LEN(6) fits one int, CMSG_LEN(2) and anything below
// a header none.
TEST_F(ScmRightsTest, AncillaryBufferTooSmallTruncatesAndClosesTheRest) {
  const int fds_before = CountOpenFds();
  const int two[] = {pipe_[0], pipe_[1]};
  struct Case {
    std::int64_t ancbufsize;
    std::size_t expected_fds;
  };
  for (const Case c : {Case{CmsgLen(6), 1}, Case{CmsgLen(4), 1}, Case{CmsgLen(2), 0},
                       Case{CmsgLen(0), 0}, Case{10, 0}, Case{0, 0}}) {
    SCOPED_TRACE(c.ancbufsize);
    const std::array<ConstBuffer, 1> data = {ConstBuffer("m")};
    send_fds(*b_, data, two);
    RecvMsgResult message = a_->recvmsg(16, c.ancbufsize);
    EXPECT_EQ(message.data, "m");
    EXPECT_EQ(message.msg_flags, MSG_CTRUNC);
    const std::vector<int> received = UnpackFds(message.ancdata);
    ASSERT_EQ(received.size(), c.expected_fds);
    EXPECT_EQ(CountOpenFds(), fds_before + static_cast<int>(received.size()))
        << "the descriptors that did not fit were closed, not leaked";
    for (int fd : received) ::close(fd);
  }
}

// SCM_MAX_FD is 253: one more is EINVAL (CPython: OSError [Errno 22]).
TEST_F(ScmRightsTest, MoreThanScmMaxFdDescriptorsRaisesEinval) {
  const std::vector<int> too_many(254, pipe_[0]);
  const std::array<ConstBuffer, 1> data = {ConstBuffer("m")};
  EXPECT_THAT(
      Outcome([&] { send_fds(*b_, data, too_many); }),
      AllOf(RaisesOSError(EINVAL), Raises(ErrorKind::kOSError, "[Errno 22] Invalid argument")));
  const std::vector<int> at_limit(253, pipe_[0]);
  EXPECT_EQ(send_fds(*b_, data, at_limit), 1);
  RecvFdsResult result = recv_fds(*a_, 16, 300);
  EXPECT_EQ(result.data, "m");
  EXPECT_EQ(result.fds.size(), 253u);
  EXPECT_EQ(result.msg_flags, 0);
  for (int fd : result.fds) ::close(fd);
}

TEST_F(ScmRightsTest, InvalidDescriptorsRaiseEbadfAndSendNothing) {
  const int closed = ::dup(pipe_[0]);
  ::close(closed);
  const std::array<ConstBuffer, 1> data = {ConstBuffer("m")};
  for (const int fd : {-1, closed, INT_MAX}) {
    SCOPED_TRACE(fd);
    const int fds[] = {pipe_[0], fd};
    EXPECT_THAT(
        Outcome([&] { send_fds(*b_, data, fds); }),
        AllOf(RaisesOSError(EBADF), Raises(ErrorKind::kOSError, "[Errno 9] Bad file descriptor")));
  }
  a_->setblocking(false);
  EXPECT_THAT(Outcome([&] { a_->recv(1); }), RaisesOSError(EAGAIN)) << "nothing was sent";
}

}  // namespace
}  // namespace sockref::reliability
