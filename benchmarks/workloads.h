// workloads.h: the send/recv workloads that sockref's benchmarks and its
// regression gate measure, each runnable through raw system calls or through
// sockref::Socket.
//
// A workload moves messages of one size from one socket to its peer with one API
// pair (send/recv, sendall/recv_into, sendmsg/recvmsg_into, sendto/recvfrom) in
// one mode (blocking, or timeout mode with a timeout that never expires):
//
//   WorkloadSpec spec = *FindWorkload("BM_SendRecvUnix/impl:sockref/mode:timeout/size:64");
//   std::unique_ptr<Workload> w = Workload::Create(spec);
//   w->SendMessage();                        // one message out ...
//   std::size_t n = w->ReceiveMessage();     // ... and in: n == 64
//
// The raw variant of a workload is the limit sockref is measured against: the
// same sockets, the same calls in the same order, and in timeout mode the same
// try-then-poll strategy sockref uses (poll only after EAGAIN).
//
// Messages up to kInlineLimit fit in the socket's buffer, so one thread sends a
// message and then receives it: data is always ready, no thread ever blocks and
// every count (system calls, instructions) is deterministic. Larger messages
// need a peer thread to receive while the sender sends (see RunsInline()).
//
// The echo workloads (kSendRecvEcho) measure the other regime, data not ready:
// a peer thread echoes each message back, so every receive, on either side,
// waits for a message the other thread has not sent yet (a request/response
// exchange). Their raw twin polls before each receive in timeout mode, the
// cheapest correct strategy when data is known not to be ready.
#ifndef SOCKREF_BENCHMARKS_WORKLOADS_H_
#define SOCKREF_BENCHMARKS_WORKLOADS_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockref::benchmarks {

// Api is the pair of calls one message goes through: the first sends, the second
// receives.
enum class Api {
  kSendRecv,            // send() until all is sent / recv() returning bytes
  kSendallRecvInto,     // sendall() / recv_into() a preallocated buffer
  kSendmsgRecvmsgInto,  // sendmsg() gathering / recvmsg_into() scattering over N buffers
  kSendtoRecvfrom,      // sendto(address) / recvfrom(), datagrams only
  kSendRecvEcho,        // send() / recv() of the reply from a peer that echoes: data not ready
};

// Transport is the kind of connected socket pair.
enum class Transport {
  kUnix,  // socketpair(AF_UNIX, SOCK_STREAM)
  kTcp,   // AF_INET SOCK_STREAM over 127.0.0.1 with TCP_NODELAY on both ends
  kUdp,   // two AF_INET SOCK_DGRAM sockets bound to 127.0.0.1 port 0
};

// Impl is what performs the calls.
enum class Impl { kRaw, kSockref };

// Mode is the sockets' mode, as Python's settimeout(None) or settimeout(10.0).
enum class Mode { kBlocking, kTimeout };

// kMessageSizes are the message sizes every stream workload runs at, in bytes.
inline constexpr std::size_t kMessageSizes[] = {1, 64, 1024, 16 * 1024, 64 * 1024, 1024 * 1024};
// kBufferCounts are the numbers of buffers sendmsg/recvmsg_into scatter over.
inline constexpr int kBufferCounts[] = {1, 4, 16};
// kMaxDatagram is UDP's largest payload over IPv4: 65535 - 20 (IP) - 8 (UDP)
// bytes; datagram workloads stop at the largest message size below it.
inline constexpr std::size_t kMaxDatagram = 65507;
// kInlineLimit is the largest message one thread sends and then receives itself.
inline constexpr std::size_t kInlineLimit = 64 * 1024;
// kEchoSizes are the message sizes of the echo workloads.
inline constexpr std::size_t kEchoSizes[] = {64};

// WorkloadSpec names one workload.
struct WorkloadSpec {
  Api api = Api::kSendRecv;
  Transport transport = Transport::kUnix;
  Impl impl = Impl::kRaw;
  Mode mode = Mode::kBlocking;
  int buffers = 1;  // only kSendmsgRecvmsgInto uses more than one
  std::size_t size = 0;

  // Family returns the benchmark family name, e.g.
  // "BM_SendmsgRecvmsgIntoUnix/impl:sockref/mode:timeout".
  std::string Family() const;
  // Name returns the full name: Family() then "/buffers:N" (sendmsg only) and
  // "/size:N", as Google Benchmark prints it for the family's ArgNames (without
  // the "/real_time" suffix UseRealTime adds).
  std::string Name() const;
  // RunsInline returns true when one thread can send a message and then receive
  // it without blocking (size <= kInlineLimit, not an echo); false means a peer
  // thread receives (or echoes).
  bool RunsInline() const { return size <= kInlineLimit && api != Api::kSendRecvEcho; }
  // Echoes returns true for the echo workloads: a message is a round trip.
  bool Echoes() const { return api == Api::kSendRecvEcho; }
};

// AllWorkloads returns every workload, each raw one directly before its sockref
// twin so that a run measures the two interleaved in time.
std::vector<WorkloadSpec> AllWorkloads();

// FindWorkload returns the workload whose Name() is `name` (a trailing
// "/real_time" is ignored), or nullopt.
std::optional<WorkloadSpec> FindWorkload(std::string_view name);

// Injection is a regression compiled into the sockref side of the workloads to
// prove that the gate catches it (SOCKREF_BENCH_INJECT=extra_poll|extra_copy).
// It never touches //impl.
enum class Injection {
  kNone,
  kExtraPoll,  // poll(fd, POLLIN, 0) before every sockref receive call
  kExtraCopy,  // copy every outgoing message into a fresh Bytes before sending
  kZeroFill,   // zero-fill a fresh buffer of the requested size before every sockref recv()
};
// CompiledInjection returns the injection this binary was built with.
Injection CompiledInjection();
// InjectionName returns "none", "extra_poll", "extra_copy" or "zero_fill".
std::string_view InjectionName(Injection injection);

// Workload is one connected socket pair set up for a WorkloadSpec. Every call
// throws on failure (sockref's exceptions, std::system_error for raw calls,
// std::runtime_error for a short message or an early end of stream).
class Workload {
 public:
  // Create connects the pair (loopback only, port 0) and sets the mode.
  static std::unique_ptr<Workload> Create(const WorkloadSpec& spec);
  virtual ~Workload() = default;

  const WorkloadSpec& spec() const { return spec_; }

  // SendMessage sends one whole message with the spec's send call; returns the
  // bytes the calls reported sent (spec().size).
  virtual std::size_t SendMessage() = 0;
  // ReceiveMessage receives one whole message with the spec's receive call;
  // returns the bytes the calls reported received (spec().size). For an echo
  // workload it receives the reply on the sending socket.
  virtual std::size_t ReceiveMessage() = 0;
  // EchoMessage (echo workloads, on the peer thread) receives one whole message
  // on the receiving socket and sends it back; returns the bytes received.
  virtual std::size_t EchoMessage() = 0;
  // ShutdownSender and ShutdownReceiver wake a peer blocked on the other end
  // after a failure (the peer's next call fails or sees end of stream).
  virtual void ShutdownSender() = 0;
  virtual void ShutdownReceiver() = 0;

 protected:
  explicit Workload(const WorkloadSpec& spec) : spec_(spec) {}

 private:
  WorkloadSpec spec_;
};

}  // namespace sockref::benchmarks

#endif  // SOCKREF_BENCHMARKS_WORKLOADS_H_
