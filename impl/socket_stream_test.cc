// Tests for SocketStream (socket.makefile). Expected messages were produced by
// CPython 3.11 with the same calls on sock.makefile(...).
//
// Socket pairs are held by reference rather than structured bindings because
// clang 14 (the sanitizer configs) cannot capture structured bindings in lambdas.
#include "impl/socket_stream.h"

#include <sys/socket.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::RaisesTimeout;
using ::sockref::testing::ReturnsNormally;

// Pending returns what `sock` has received so far, without waiting.
std::string Pending(Socket& sock) {
  std::string all;
  const auto timeout = sock.timeout();
  sock.setblocking(false);
  try {
    for (;;) {
      Bytes chunk = sock.recv(1 << 16);
      if (chunk.empty()) break;
      all += chunk;
    }
  } catch (const BlockingIOError&) {
  }
  sock.settimeout(timeout);
  return all;
}

std::string Pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i * 7 % 251);
  return s;
}

class SocketStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = CountOpenFds(); }
  void TearDown() override { EXPECT_EQ(CountOpenFds(), fds_before_) << "a descriptor leaked"; }

 private:
  int fds_before_ = 0;
};

TEST_F(SocketStreamTest, LinesWrittenWithInsertionAreReadWithGetline) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "w");
  SocketStream in(b, "r");
  out << "hello world\n" << 42 << ' ' << 2.5 << '\n' << std::flush;
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "hello world");
  int n = 0;
  double x = 0;
  in >> n >> x;
  EXPECT_EQ(n, 42);
  EXPECT_EQ(x, 2.5);
}

// The echo pattern: a "rw" stream on each side, a thread echoing lines back.
TEST_F(SocketStreamTest, ReadWriteStreamsEchoLines) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  std::thread echo([&b] {
    SocketStream peer(b, "rwb");
    std::string line;
    while (std::getline(peer, line)) peer << line << '\n' << std::flush;
  });
  {
    SocketStream client(a, "rw");
    std::string reply;
    for (const char* text : {"one", "two", "three"}) {
      client << text << '\n' << std::flush;
      ASSERT_TRUE(std::getline(client, reply));
      EXPECT_EQ(reply, text);
    }
  }
  a.shutdown(SHUT_WR);
  echo.join();
}

TEST_F(SocketStreamTest, EndOfStreamSetsEofWithoutThrowing) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  a.sendall("partial");
  a.shutdown(SHUT_WR);
  SocketStream in(b, "r");
  std::string line;
  EXPECT_THAT(Outcome([&] { std::getline(in, line); }), ReturnsNormally());
  EXPECT_EQ(line, "partial");
  EXPECT_TRUE(in.eof());
  EXPECT_FALSE(in.bad());
  EXPECT_FALSE(std::getline(in, line));
  EXPECT_TRUE(in.fail());
  EXPECT_FALSE(in.bad());
  EXPECT_FALSE(in.timed_out());
  EXPECT_EQ(in.last_error(), nullptr);
}

// Python: f = b.makefile('rb') with b.settimeout(0.05): f.read(1) raises
// TimeoutError('timed out'); after data arrives, f.read(1) raises
// OSError('cannot read from timed out object').
TEST_F(SocketStreamTest, TimeoutThrowsSocketTimeoutThenReadsRefuse) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  b.settimeout(Seconds(0.01));
  SocketStream in(b, "rb");
  std::string line;
  EXPECT_THAT(Outcome([&] { std::getline(in, line); }), RaisesTimeout());
  EXPECT_TRUE(in.bad());
  EXPECT_TRUE(in.timed_out());
  a.sendall("late\n");
  in.clear();
  EXPECT_THAT(Outcome([&] { std::getline(in, line); }),
              Raises(ErrorKind::kOSError, "cannot read from timed out object"));
}

TEST_F(SocketStreamTest, TimeoutDoesNotStopWrites) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  a.settimeout(Seconds(0.01));
  SocketStream stream(a, "rw");
  char c;
  EXPECT_THAT(Outcome([&] { stream.get(c); }), RaisesTimeout());
  stream.clear();
  stream << "still writing" << std::flush;
  EXPECT_EQ(b.recv(100), "still writing");
}

// With exceptions off, a timeout is badbit plus timed_out(); EOF is eofbit.
TEST_F(SocketStreamTest, WithExceptionsOffTimeoutAndEofAreDistinguishable) {
  auto ab = socketpair();
  Socket& b = ab.second;
  b.settimeout(Seconds(0.01));
  SocketStream in(b, "r");
  in.exceptions(std::ios::goodbit);
  std::string line;
  EXPECT_THAT(Outcome([&] { std::getline(in, line); }), ReturnsNormally());
  EXPECT_TRUE(in.bad());
  EXPECT_FALSE(in.eof());
  EXPECT_TRUE(in.timed_out());
  EXPECT_THAT(Outcome([&] { std::rethrow_exception(in.last_error()); }), RaisesTimeout());

  auto cd = socketpair();
  Socket& c = cd.first;
  Socket& d = cd.second;
  c.shutdown(SHUT_WR);
  SocketStream at_eof(d, "r");
  at_eof.exceptions(std::ios::goodbit);
  EXPECT_FALSE(std::getline(at_eof, line));
  EXPECT_TRUE(at_eof.eof());
  EXPECT_FALSE(at_eof.bad());
  EXPECT_FALSE(at_eof.timed_out());
}

TEST_F(SocketStreamTest, WritesWaitForFlushOrAFullBuffer) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "wb", 16);
  out << "abc";
  EXPECT_EQ(Pending(b), "");
  out.flush();
  EXPECT_EQ(Pending(b), "abc");
  for (int i = 0; i < 20; ++i) out.put('x');
  EXPECT_EQ(Pending(b), std::string(16, 'x')) << "the full buffer went out";
  out.flush();
  EXPECT_EQ(Pending(b), std::string(4, 'x'));
}

TEST_F(SocketStreamTest, WriteLargerThanTheBufferIsSentDirectly) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "w", 16);
  out << "ab";
  const std::string big(100, 'z');
  out << big;
  EXPECT_EQ(Pending(b), "ab" + big);
}

TEST_F(SocketStreamTest, UnbufferedWritesAreSentAtOnce) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "wb", 0);
  out << "xyz";
  EXPECT_EQ(Pending(b), "xyz");
  out.put('!');
  EXPECT_EQ(Pending(b), "!");
}

TEST_F(SocketStreamTest, UnbufferedReadsWork) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  a.sendall("line one\nrest");
  a.shutdown(SHUT_WR);
  SocketStream in(b, "rb", 0);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "line one");
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "rest");
}

TEST_F(SocketStreamTest, DestructorFlushesPendingOutput) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  {
    SocketStream out(a, "w");
    out << "bye";
    EXPECT_EQ(Pending(b), "");
  }
  EXPECT_EQ(Pending(b), "bye");
}

TEST_F(SocketStreamTest, LargeTransferArrivesIntact) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  const std::string content = Pattern(1 << 20);
  std::thread writer([&a, &content] {
    SocketStream out(a, "wb");
    // Small and large pieces, to cross the buffer in both ways.
    out.write(content.data(), 100);
    out.write(content.data() + 100, 1 << 19);
    out.write(content.data() + 100 + (1 << 19), content.size() - 100 - (1 << 19));
    out.flush();
  });
  SocketStream in(b, "rb");
  std::string received(content.size(), '\0');
  in.read(received.data(), 10);
  in.read(received.data() + 10, static_cast<std::streamsize>(content.size() - 10));
  EXPECT_EQ(in.gcount(), static_cast<std::streamsize>(content.size() - 10));
  writer.join();
  EXPECT_EQ(received, content);
}

TEST_F(SocketStreamTest, ModeChoosesDirections) {
  auto ab = socketpair();
  Socket& a = ab.first;
  struct Case {
    const char* mode;
    bool readable;
    bool writable;
  };
  for (const Case& c : {Case{"", true, false}, Case{"r", true, false}, Case{"b", true, false},
                        Case{"rb", true, false}, Case{"rr", true, false}, Case{"w", false, true},
                        Case{"wb", false, true}, Case{"rw", true, true}, Case{"wr", true, true},
                        Case{"bwr", true, true}}) {
    SocketStream s(a, c.mode);
    EXPECT_EQ(s.readable(), c.readable) << c.mode;
    EXPECT_EQ(s.writable(), c.writable) << c.mode;
  }
}

TEST_F(SocketStreamTest, InvalidModeIsReportedWithPythonRepr) {
  auto ab = socketpair();
  Socket& a = ab.first;
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "x"); }),
              Raises(ErrorKind::kValueError, "invalid mode 'x' (only r, w, b allowed)"));
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "rwx"); }),
              Raises(ErrorKind::kValueError, "invalid mode 'rwx' (only r, w, b allowed)"));
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "a'b"); }),
              Raises(ErrorKind::kValueError, "invalid mode \"a'b\" (only r, w, b allowed)"));
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "rw\n"); }),
              Raises(ErrorKind::kValueError, "invalid mode 'rw\\n' (only r, w, b allowed)"));
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "a'\"\x01"); }),
              Raises(ErrorKind::kValueError,
                     "invalid mode 'a\\'\"\\x01' (only r, w, b allowed)"));
}

TEST_F(SocketStreamTest, UnbufferedRequiresBinaryMode) {
  auto ab = socketpair();
  Socket& a = ab.first;
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "r", 0); }),
              Raises(ErrorKind::kValueError, "unbuffered streams must be binary"));
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "w", 0); }),
              Raises(ErrorKind::kValueError, "unbuffered streams must be binary"));
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "rb", 0); }), ReturnsNormally());
  EXPECT_THAT(Outcome([&] { SocketStream s(a, "w", -5); }), ReturnsNormally());
}

// Python raises io.UnsupportedOperation('write') / ('read'), a ValueError.
TEST_F(SocketStreamTest, WrongDirectionRaisesUnsupportedOperationAsValueError) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream in(a, "rb");
  EXPECT_THAT(Outcome([&] { in << "x"; }), Raises(ErrorKind::kValueError, "write"));
  SocketStream out(b, "wb");
  char c;
  EXPECT_THAT(Outcome([&] { out.get(c); }), Raises(ErrorKind::kValueError, "read"));
}

// Python: 'read of closed file', 'write to closed file', 'flush of closed file'.
TEST_F(SocketStreamTest, CloseFlushesThenRefusesIo) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream s(a, "rw");
  s << "last words";
  s.close();
  EXPECT_TRUE(s.closed());
  EXPECT_EQ(Pending(b), "last words");
  EXPECT_THAT(Outcome([&] { s.close(); }), ReturnsNormally());
  char c;
  EXPECT_THAT(Outcome([&] { s.get(c); }), Raises(ErrorKind::kValueError, "read of closed file"));
  s.clear();
  EXPECT_THAT(Outcome([&] { s << "more"; }),
              Raises(ErrorKind::kValueError, "write to closed file"));
  s.clear();
  EXPECT_THAT(Outcome([&] { s.flush(); }),
              Raises(ErrorKind::kValueError, "flush of closed file"));
  EXPECT_EQ(Pending(b), "");
}

// Python: f = b.makefile('rb'); f.readline(); f.close(); then f.read(1),
// f.read(0) and f.readline() raise although the next line is buffered.
TEST_F(SocketStreamTest, CloseDiscardsBufferedInput) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  a.sendall("line one\nline two\n");
  SocketStream in(b, "rb");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  ASSERT_EQ(line, "line one");
  ASSERT_GT(in.rdbuf()->in_avail(), 0) << "the test needs input still buffered";
  in.close();
  char c;
  EXPECT_THAT(Outcome([&] { in.get(c); }), Raises(ErrorKind::kValueError, "read of closed file"));
  in.clear();
  char chunk[4];
  EXPECT_THAT(Outcome([&] { in.read(chunk, 1); }),
              Raises(ErrorKind::kValueError, "read of closed file"));
  in.clear();
  EXPECT_THAT(Outcome([&] { in.read(chunk, 0); }),
              Raises(ErrorKind::kValueError, "read of closed file"));
  in.clear();
  EXPECT_THAT(Outcome([&] { std::getline(in, line); }),
              Raises(ErrorKind::kValueError, "read of closed file"));
  EXPECT_EQ(in.rdbuf()->in_avail(), 0);
}

// Writes after close() raise even when they would fit the (emptied) buffer,
// including single characters, which ostream puts without a virtual call.
TEST_F(SocketStreamTest, CloseRefusesBufferedWrites) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "wb");
  out.close();
  EXPECT_THAT(Outcome([&] { out.put('x'); }),
              Raises(ErrorKind::kValueError, "write to closed file"));
  out.clear();
  EXPECT_THAT(Outcome([&] { out << 'x'; }), Raises(ErrorKind::kValueError, "write to closed file"));
  EXPECT_EQ(Pending(b), "");
}

TEST_F(SocketStreamTest, FlushToClosedPeerRaisesBrokenPipe) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "w");
  out << "into the void";
  b.close();
  EXPECT_THAT(Outcome([&] { out.flush(); }), RaisesOSError(EPIPE));
  EXPECT_TRUE(out.bad());
}

TEST_F(SocketStreamTest, CloseReportsTheFlushErrorButStillCloses) {
  auto ab = socketpair();
  Socket& a = ab.first;
  Socket& b = ab.second;
  SocketStream out(a, "w");
  out << "into the void";
  b.close();
  EXPECT_THAT(Outcome([&] { out.close(); }), RaisesOSError(EPIPE));
  EXPECT_TRUE(out.closed());
}

TEST_F(SocketStreamTest, ClosedSocketRaisesEbadf) {
  auto ab = socketpair();
  Socket& b = ab.second;
  SocketStream in(b, "r");
  b.close();
  char c;
  EXPECT_THAT(Outcome([&] { in.get(c); }), RaisesOSError(EBADF));
}

// Python's buffered reader returns None here; a C++ stream cannot, so the
// BlockingIOError comes through.
TEST_F(SocketStreamTest, NonBlockingReadWithoutDataRaisesBlockingIOError) {
  auto ab = socketpair();
  Socket& b = ab.second;
  b.setblocking(false);
  SocketStream in(b, "r");
  char c;
  EXPECT_THAT(Outcome([&] { in.get(c); }), RaisesOSError(EAGAIN));
}

}  // namespace
}  // namespace sockref
