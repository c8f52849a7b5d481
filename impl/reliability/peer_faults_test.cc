// A misbehaving peer: it resets the connection (SO_LINGER {1, 0} + close sends
// RST) in the middle of sendall, closes while we wait in recv, half-closes
// mid-stream, or simply goes away while we still send. The outcomes are CPython
// 3.11's, checked against python3 in the same scenarios (docs/reliability.md):
//   * reset while sending: ConnectionResetError(ECONNRESET) once, then every
//     send raises BrokenPipeError(EPIPE) and recv returns b'';
//   * close while we wait in recv: b'' (after every byte sent before it);
//   * close with our data unread: the peer's kernel answers with RST, so recv
//     raises ConnectionResetError;
//   * half-close: every byte, then b'' (repeatably), and the other direction
//     still carries data;
//   * no SIGPIPE, ever: SIGPIPE is at its default action (death) in these
//     tests, and every send path to a dead peer must raise BrokenPipeError.
// Bytes are checksummed patterns, so a lost, repeated or reordered chunk fails.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "impl/error.h"
#include "impl/fd_passing.h"
#include "impl/reliability/pattern.h"
#include "impl/reliability/thread_probe.h"
#include "impl/socket.h"
#include "impl/socket_stream.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/raises.h"

namespace sockref::reliability {
namespace {

using ::sockref::testing::CountOpenFds;
using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::testing::AllOf;

constexpr Seconds kLongTimeout{20.0};

auto RaisesConnectionReset() {
  return AllOf(RaisesOSError(ECONNRESET),
               Raises(ErrorKind::kConnectionResetError, "[Errno 104] Connection reset by peer"));
}

auto RaisesBrokenPipe() {
  return AllOf(RaisesOSError(EPIPE), Raises(ErrorKind::kBrokenPipeError, "[Errno 32] Broken pipe"));
}

struct TcpPair {
  Socket client;
  Socket server;
};

// ConnectedTcpPair returns both ends of a fresh loopback TCP connection.
TcpPair ConnectedTcpPair() {
  Socket listener(AF_INET, SOCK_STREAM);
  listener.bind(InetAddress{"127.0.0.1", 0});
  listener.listen();
  Socket client(AF_INET, SOCK_STREAM);
  client.connect(listener.getsockname());
  AcceptResult accepted = listener.accept();
  return TcpPair{std::move(client), std::move(accepted.conn)};
}

// Reset makes `s` send RST instead of FIN: SO_LINGER {on, 0 s}, then close.
void Reset(Socket& s) {
  const linger abort_on_close{1, 0};
  s.setsockopt(SOL_SOCKET, SO_LINGER, ConstBuffer(&abort_on_close, sizeof abort_on_close));
  s.close();
}

// WaitForPeerEvent waits (without consuming anything) until `s` is readable or
// in error, which is how a RST or FIN from the peer shows. Returns false after
// 20 s.
bool WaitForPeerEvent(const Socket& s) {
  pollfd pfd{s.fileno(), POLLIN, 0};
  return ::poll(&pfd, 1, 20'000) == 1;
}

// RecvAll reads until the end of the stream.
Bytes RecvAll(Socket& s) {
  Bytes out;
  for (;;) {
    Bytes chunk = s.recv(256 * 1024);
    if (chunk.empty()) return out;
    out += chunk;
  }
}

// Repeated returns `count` copies of a 1 MiB pattern: a large payload that is
// still cheap to build under sanitizers.
Bytes Repeated(std::uint64_t seed, int count) {
  const Bytes unit = Pattern(seed, 1 << 20);
  Bytes out;
  out.reserve(unit.size() * count);
  for (int i = 0; i < count; ++i) out += unit;
  return out;
}

bool SigpipePending() {
  sigset_t pending;
  ::sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

// Every test runs with SIGPIPE at SIG_DFL and unblocked, whatever the runner
// set: a SIGPIPE raised by any send would kill the test binary, so merely
// finishing proves there was none. Each test also checks for leaked descriptors.
class PeerFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ASSERT_EQ(::sigaction(SIGPIPE, &dfl, &old_action_), 0);
    sigset_t sigpipe;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    ASSERT_EQ(::pthread_sigmask(SIG_UNBLOCK, &sigpipe, &old_mask_), 0);
    fds_before_ = CountOpenFds();
  }
  void TearDown() override {
    EXPECT_EQ(CountOpenFds(), fds_before_);
    EXPECT_FALSE(SigpipePending());
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    ::sigaction(SIGPIPE, &old_action_, nullptr);
  }

 private:
  struct sigaction old_action_ {};
  sigset_t old_mask_{};
  int fds_before_ = 0;
};

enum class Mode { kBlocking, kTimeout };

void ApplyMode(Socket& s, Mode mode) {
  if (mode == Mode::kBlocking) {
    s.settimeout(std::nullopt);
  } else {
    s.settimeout(kLongTimeout);
  }
}

class PeerFaultsModeTest : public PeerFaultsTest, public ::testing::WithParamInterface<Mode> {};

INSTANTIATE_TEST_SUITE_P(BothModes, PeerFaultsModeTest,
                         ::testing::Values(Mode::kBlocking, Mode::kTimeout),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return info.param == Mode::kBlocking ? "Blocking" : "Timeout";
                         });

// The sender is asleep in send(2) (or poll) with its buffers full when the RST
// arrives; the kernel reports ECONNRESET to that call. CPython 3.11, same
// scenario: ConnectionResetError: [Errno 104], then BrokenPipeError: [Errno 32]
// for every later sendall, and recv() == b''.
TEST_P(PeerFaultsModeTest, ResetDuringSendallRaisesConnectionResetThenBrokenPipe) {
  TcpPair pair = ConnectedTcpPair();
  ApplyMode(pair.client, GetParam());
  const Bytes payload = Repeated(1, 32);  // far more than both kernels' buffers hold
  const pid_t sender = CurrentThreadId();
  std::thread resetter([&server = pair.server, sender] {
    EXPECT_TRUE(WaitUntilBlockedInSocketCall(sender));
    Reset(server);
  });
  EXPECT_THAT(Outcome([&] { pair.client.sendall(payload); }), RaisesConnectionReset());
  resetter.join();
  EXPECT_THAT(Outcome([&] { pair.client.sendall("more"); }), RaisesBrokenPipe());
  EXPECT_THAT(Outcome([&] { pair.client.sendall("more"); }), RaisesBrokenPipe());
  EXPECT_EQ(pair.client.recv(10), "");
}

// The RST arrived while nobody was calling: the first call reports it (and
// consumes the pending error), as in CPython.
TEST_F(PeerFaultsTest, SendAfterResetRaisesConnectionResetOnceThenBrokenPipe) {
  TcpPair pair = ConnectedTcpPair();
  Reset(pair.server);
  ASSERT_TRUE(WaitForPeerEvent(pair.client));
  EXPECT_THAT(Outcome([&] { pair.client.send("x"); }), RaisesConnectionReset());
  EXPECT_THAT(Outcome([&] { pair.client.send("x"); }), RaisesBrokenPipe());
}

TEST_F(PeerFaultsTest, RecvAfterResetRaisesConnectionResetOnceThenReturnsEmpty) {
  TcpPair pair = ConnectedTcpPair();
  Reset(pair.server);
  ASSERT_TRUE(WaitForPeerEvent(pair.client));
  EXPECT_THAT(Outcome([&] { pair.client.recv(10); }), RaisesConnectionReset());
  EXPECT_EQ(pair.client.recv(10), "");
  EXPECT_EQ(pair.client.recv(10), "");
}

// Closing a TCP socket with received data still unread makes Linux send RST
// (RFC 2525), not FIN: the other side's recv raises ConnectionResetError, as
// in CPython, even though the peer "only" closed.
TEST_F(PeerFaultsTest, PeerClosingWithOurDataUnreadResetsTheConnection) {
  TcpPair pair = ConnectedTcpPair();
  pair.client.sendall("unread");
  char peek[1];
  ASSERT_EQ(::recv(pair.server.fileno(), peek, 1, MSG_PEEK), 1);  // it has arrived
  pair.server.close();
  EXPECT_THAT(Outcome([&] { pair.client.recv(10); }), RaisesConnectionReset());
}

// recv is asleep when the peer closes: it returns b'' after every byte sent
// before the close, in both modes, for TCP and AF_UNIX.
TEST_P(PeerFaultsModeTest, PeerCloseDuringRecvDeliversEverythingThenEmpty) {
  for (const bool tcp : {true, false}) {
    SCOPED_TRACE(tcp ? "TCP" : "AF_UNIX");
    std::optional<Socket> reader;
    std::optional<Socket> writer;
    if (tcp) {
      TcpPair pair = ConnectedTcpPair();
      reader.emplace(std::move(pair.client));
      writer.emplace(std::move(pair.server));
    } else {
      auto pair = socketpair();
      reader.emplace(std::move(pair.first));
      writer.emplace(std::move(pair.second));
    }
    ApplyMode(*reader, GetParam());
    const Bytes payload = Repeated(2, 2);
    const pid_t blocked = CurrentThreadId();
    std::thread closer([&writer, &payload, blocked] {
      EXPECT_TRUE(WaitUntilBlockedInSocketCall(blocked));
      writer->sendall(payload);
      writer->close();
    });
    Bytes got = reader->recv(64);  // blocks until the writer starts
    got += RecvAll(*reader);
    closer.join();
    EXPECT_TRUE(SameBytes(payload, got));
    EXPECT_EQ(Checksum(got), Checksum(payload));
    EXPECT_EQ(reader->recv(64), "") << "the end of the stream is repeatable";
  }
}

// Half-close: the client sends a request and shutdown(SHUT_WR); the server
// reads every byte, then b'', and answers on the still-open direction; the
// client reads the whole answer, then b''. A send after SHUT_WR is EPIPE.
TEST_P(PeerFaultsModeTest, HalfCloseDeliversEveryByteAndTheOtherDirectionStillWorks) {
  TcpPair pair = ConnectedTcpPair();
  ApplyMode(pair.client, GetParam());
  ApplyMode(pair.server, GetParam());
  const Bytes request = Repeated(3, 4);
  const Bytes reply = Repeated(4, 3);
  std::thread server([&server = pair.server, &request, &reply] {
    const Bytes got = RecvAll(server);  // ends at the client's FIN
    EXPECT_TRUE(SameBytes(request, got));
    EXPECT_EQ(server.recv(1), "") << "b'' again after the FIN";
    server.sendall(reply);
    server.close();
  });
  pair.client.sendall(request);
  pair.client.shutdown(SHUT_WR);
  EXPECT_THAT(Outcome([&] { pair.client.send("late"); }), RaisesBrokenPipe());
  const Bytes answer = RecvAll(pair.client);
  server.join();
  EXPECT_TRUE(SameBytes(reply, answer));
  EXPECT_EQ(Checksum(answer), Checksum(reply));
  EXPECT_EQ(pair.client.recv(1), "");
}

// Every way of sending to a peer that has gone raises BrokenPipeError with
// SIGPIPE at its default action: send/sendall/sendmsg use MSG_NOSIGNAL, and
// sendfile(2), which cannot, blocks SIGPIPE around the call (socket.h).
TEST_F(PeerFaultsTest, EverySendPathToAClosedUnixPeerRaisesBrokenPipeWithoutSigpipe) {
  auto sockets = socketpair();
  Socket& a = sockets.first;
  Socket& b = sockets.second;
  b.close();
  const std::array<ConstBuffer, 2> parts = {ConstBuffer("ab"), ConstBuffer("cd")};
  EXPECT_THAT(Outcome([&] { a.send("x"); }), RaisesBrokenPipe());
  EXPECT_THAT(Outcome([&] { a.sendall(Pattern(5, 100000)); }), RaisesBrokenPipe());
  EXPECT_THAT(Outcome([&] { a.sendmsg(parts); }), RaisesBrokenPipe());
  const std::array<int, 1> fds = {a.fileno()};
  EXPECT_THAT(Outcome([&] { send_fds(a, parts, fds); }), RaisesBrokenPipe());

  FILE* file = ::tmpfile();
  ASSERT_NE(file, nullptr);
  const Bytes content = Pattern(6, 10000);
  ASSERT_EQ(::write(::fileno(file), content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  // From the start of the file: at its end, sendfile() would send nothing and
  // return 0, as CPython's does.
  ASSERT_EQ(::lseek(::fileno(file), 0, SEEK_SET), 0);
  EXPECT_THAT(Outcome([&] { a.sendfile(::fileno(file)); }), RaisesBrokenPipe());
  ::fclose(file);

  EXPECT_THAT(Outcome([&] {
                SocketStream out(a, "wb");
                out << "buffered";
                out.flush();
              }),
              RaisesBrokenPipe());
}

// The same over TCP once the peer has reset the connection (after the one
// ConnectionResetError), including sendto with an address, which TCP ignores.
TEST_F(PeerFaultsTest, EverySendPathToAResetTcpPeerRaisesBrokenPipeWithoutSigpipe) {
  TcpPair pair = ConnectedTcpPair();
  const Address peer_address = pair.client.getpeername();
  Reset(pair.server);
  ASSERT_TRUE(WaitForPeerEvent(pair.client));
  Socket& a = pair.client;
  EXPECT_THAT(Outcome([&] { a.send("x"); }), RaisesConnectionReset());
  const std::array<ConstBuffer, 2> parts = {ConstBuffer("ab"), ConstBuffer("cd")};
  EXPECT_THAT(Outcome([&] { a.send("x"); }), RaisesBrokenPipe());
  EXPECT_THAT(Outcome([&] { a.sendall(Pattern(7, 100000)); }), RaisesBrokenPipe());
  EXPECT_THAT(Outcome([&] { a.sendto("x", peer_address); }), RaisesBrokenPipe());
  EXPECT_THAT(Outcome([&] { a.sendmsg(parts); }), RaisesBrokenPipe());

  FILE* file = ::tmpfile();
  ASSERT_NE(file, nullptr);
  const Bytes content = Pattern(8, 10000);
  ASSERT_EQ(::write(::fileno(file), content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  // From the start of the file: at its end, sendfile() would send nothing and
  // return 0, as CPython's does.
  ASSERT_EQ(::lseek(::fileno(file), 0, SEEK_SET), 0);
  EXPECT_THAT(Outcome([&] { a.sendfile(::fileno(file)); }), RaisesBrokenPipe());
  ::fclose(file);
}

// Both directions at once through small buffers, with partial sends (send,
// not sendall) and reads of varying sizes: nothing lost, repeated or reordered.
TEST_P(PeerFaultsModeTest, FullDuplexTransferLosesAndRepeatsNothing) {
  TcpPair pair = ConnectedTcpPair();
  for (Socket* s : {&pair.client, &pair.server}) {
    // A small send buffer makes most sends partial. (SO_RCVBUF stays: shrunk
    // after the handshake, below the window already advertised, it makes the
    // kernel drop segments and wait for retransmission timeouts.) TCP_NODELAY
    // keeps Nagle's algorithm and delayed ACKs from stalling small segments.
    s->setsockopt(SOL_SOCKET, SO_SNDBUF, 16384);
    s->setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    ApplyMode(*s, GetParam());
  }
  const Bytes upstream = Repeated(9, 4);
  const Bytes downstream = Repeated(10, 4);
  // send_in_pieces sends `data` with send() in chunks of 1..262144 bytes and
  // counts the sends the kernel cut short. Chunks must be able to exceed what
  // the kernel takes at once after a poll reports the socket writable (the send
  // buffer plus one 64 KiB segment): a socket that had to wait polls before its
  // next send (timeout_engine.h), as CPython's always do.
  auto send_in_pieces = [](Socket& s, const Bytes& data, int& partial) {
    std::size_t offset = 0;
    std::uint64_t step = 0;
    while (offset < data.size()) {
      const std::size_t want =
          std::min<std::size_t>(1 + (step++ * 7919) % 262144, data.size() - offset);
      const auto sent = static_cast<std::size_t>(
          s.send(ConstBuffer(std::string_view(data).substr(offset, want))));
      if (sent < want) ++partial;
      offset += sent;
    }
    s.shutdown(SHUT_WR);
  };
  // receive_in_pieces alternates recv and recv_into with varying sizes.
  auto receive_in_pieces = [](Socket& s, Bytes& out) {
    std::array<char, 70000> buffer;
    for (std::uint64_t step = 0;; ++step) {
      const std::size_t want = 1 + (step * 104729) % buffer.size();
      if (step % 2 == 0) {
        Bytes chunk = s.recv(static_cast<std::int64_t>(want));
        if (chunk.empty()) return;
        out += chunk;
      } else {
        const std::int64_t n = s.recv_into(MutableBuffer(buffer.data(), buffer.size()),
                                           static_cast<std::int64_t>(want));
        if (n == 0) return;
        out.append(buffer.data(), static_cast<std::size_t>(n));
      }
    }
  };
  Bytes at_server;
  Bytes at_client;
  int partial_up = 0;
  int partial_down = 0;
  std::thread client_sender([&] { send_in_pieces(pair.client, upstream, partial_up); });
  std::thread server_sender([&] { send_in_pieces(pair.server, downstream, partial_down); });
  std::thread server_receiver([&] { receive_in_pieces(pair.server, at_server); });
  receive_in_pieces(pair.client, at_client);
  client_sender.join();
  server_sender.join();
  server_receiver.join();
  EXPECT_TRUE(SameBytes(upstream, at_server));
  EXPECT_TRUE(SameBytes(downstream, at_client));
  EXPECT_EQ(Checksum(at_server), Checksum(upstream));
  EXPECT_EQ(Checksum(at_client), Checksum(downstream));
  // A blocking send(2) waits until it has taken everything; in timeout mode the
  // descriptor is non-blocking and short sends are the norm.
  if (GetParam() == Mode::kTimeout) {
    EXPECT_GT(partial_up + partial_down, 0) << "the test must exercise partial sends";
  }
}

}  // namespace
}  // namespace sockref::reliability
