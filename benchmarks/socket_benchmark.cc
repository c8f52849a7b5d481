// socket_benchmark: sockref's send/recv benchmarks beside the raw system calls.
//
// Benchmark mode (Google Benchmark; every flag of its own works):
//
//   socket_benchmark --benchmark_filter='BM_SendRecvUnix/.*/size:64/' --benchmark_format=json
//
// runs every workload of workloads.h, each raw one just before its sockref twin,
// and reports per message: wall-clock time (UseRealTime: a peer thread or the
// kernel does part of the work, so CPU time would flatter), bytes_per_second and
// items_per_second (messages) from what the calls returned, and syscalls_per_op
// (syscall_counter.h).
//
// Fixed mode, for the regression gate's tracers (valgrind, strace):
//
//   socket_benchmark --workload=BM_SendRecvUnix/impl:sockref/mode:timeout/size:64
//                    --iterations=200 [--warmup=20]
//
// sets the workload up, moves `warmup` messages, then `iterations` measured
// messages between two markers: a getppid(2) call on each side (nothing else
// calls it, so a syscall trace can be cut there) and a callgrind toggle (run
// callgrind with --collect-atstart=no and only the measured messages are
// counted). It prints one JSON line with the in-process counts.
//
//   socket_benchmark --build_info    prints the build this binary comes from
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "benchmarks/syscall_counter.h"
#include "benchmarks/workloads.h"
#include "impl/testing/sanitizers.h"

namespace sockref::benchmarks {
namespace {

// BuildInfo describes what was compiled, so a baseline of instruction counts is
// only ever compared with a binary built the same way.
std::string BuildInfo() {
  std::string info = "{\"compiler\": \"";
#if defined(__clang__)
  info += "clang ";
#elif defined(__GNUC__)
  info += "gcc ";
#endif
  info += __VERSION__;
  info += "\", \"optimized\": ";
#if defined(__OPTIMIZE__)
  info += "true";
#else
  info += "false";
#endif
  info += ", \"sanitized\": ";
#if defined(SOCKREF_SANITIZED)
  info += "true";
#else
  info += "false";
#endif
  // Code generation options that change instruction counts and leave a trace in
  // the preprocessor (Bazel's -c opt sets all three).
  info += ", \"codegen\": \"";
#if defined(__PIC__)
  info += "pic ";
#endif
#if defined(__SSP__) || defined(__SSP_STRONG__) || defined(__SSP_ALL__)
  info += "stack-protector ";
#endif
#if defined(_FORTIFY_SOURCE)
  info += "fortify=" + std::to_string(_FORTIFY_SOURCE);
#endif
  info += "\"";
  info += ", \"inject\": \"";
  info += InjectionName(CompiledInjection());
  info += "\"}";
  return info;
}

// PeerReceiver receives `count` messages on its own thread, for messages too big
// to send and then receive on one thread, or echoes them back for an echo
// workload. A failure shuts the sender down so that a sender blocked on a full
// buffer (or waiting for a reply) wakes up. syscalls() counts the calls made
// for the messages after the first `unmeasured` ones.
class PeerReceiver {
 public:
  PeerReceiver(Workload& workload, std::int64_t count, std::int64_t unmeasured = 0)
      : workload_(workload), thread_([this, count, unmeasured] { Run(count, unmeasured); }) {}
  ~PeerReceiver() {
    if (thread_.joinable()) {
      workload_.ShutdownReceiver();
      thread_.join();
    }
  }

  // Join waits for the last message and returns the bytes received; rethrows the
  // peer's failure.
  std::uint64_t Join() {
    thread_.join();
    if (error_) std::rethrow_exception(error_);
    return bytes_;
  }
  // syscalls returns the peer thread's system calls (valid after Join).
  std::uint64_t syscalls() const { return syscalls_; }
  // HoldAfterLastMessage makes the thread wait, spinning, after its last message
  // until Release(), so that its exit (and the system calls that come with it)
  // falls after a trace's end marker. Call before the last message.
  void HoldAfterLastMessage() { hold_.store(true); }
  void Release() { hold_.store(false); }

 private:
  void Run(std::int64_t count, std::int64_t unmeasured) {
    std::uint64_t before = SyscallsOnThisThread();
    const bool echo = workload_.spec().Echoes();
    try {
      for (std::int64_t i = 0; i < count; ++i) {
        if (i == unmeasured) before = SyscallsOnThisThread();
        bytes_ += echo ? workload_.EchoMessage() : workload_.ReceiveMessage();
      }
    } catch (...) {
      error_ = std::current_exception();
      workload_.ShutdownSender();
    }
    syscalls_ = SyscallsOnThisThread() - before;
    while (hold_.load()) {
      // No system call here: it would land inside the trace.
    }
  }

  Workload& workload_;
  std::uint64_t bytes_ = 0;
  std::uint64_t syscalls_ = 0;
  std::exception_ptr error_;
  std::atomic<bool> hold_{false};
  std::thread thread_;
};

void RunBenchmark(benchmark::State& state, const WorkloadSpec& spec) {
  std::unique_ptr<Workload> workload;
  try {
    workload = Workload::Create(spec);
  } catch (const std::exception& e) {
    state.SkipWithError(("setup failed: " + std::string(e.what())).c_str());
    return;
  }
  std::uint64_t bytes = 0;
  std::uint64_t syscalls = 0;
  try {
    const std::uint64_t before = SyscallsOnThisThread();
    if (spec.RunsInline()) {
      for (auto _ : state) {
        workload->SendMessage();
        bytes += workload->ReceiveMessage();
      }
    } else if (spec.Echoes()) {
      // A round trip per iteration: the peer echoes, this thread waits for it.
      PeerReceiver peer(*workload, state.max_iterations);
      for (auto _ : state) {
        workload->SendMessage();
        bytes += workload->ReceiveMessage();
      }
      peer.Join();
      syscalls += peer.syscalls();
    } else {
      PeerReceiver peer(*workload, state.max_iterations);
      benchmark::IterationCount sent = 0;
      for (auto _ : state) {
        workload->SendMessage();
        // The last iteration waits for the receiver, so the timed region ends when
        // the last byte has arrived, not when it was queued.
        if (++sent == state.max_iterations) bytes = peer.Join();
      }
      syscalls += peer.syscalls();
    }
    syscalls += SyscallsOnThisThread() - before;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["syscalls_per_op"] =
      benchmark::Counter(static_cast<double>(syscalls), benchmark::Counter::kAvgIterations);
}

void RegisterAll() {
  for (const WorkloadSpec& spec : AllWorkloads()) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(
        spec.Family().c_str(), [spec](benchmark::State& state) { RunBenchmark(state, spec); });
    if (spec.api == Api::kSendmsgRecvmsgInto) {
      b->Args({spec.buffers, static_cast<std::int64_t>(spec.size)})->ArgNames({"buffers", "size"});
    } else {
      b->Arg(static_cast<std::int64_t>(spec.size))->ArgName("size");
    }
    b->UseRealTime()->Unit(benchmark::kNanosecond);
  }
}

// ParseFlag returns the value of --name=value in arg, or nullptr.
const char* ParseFlag(const char* arg, std::string_view name) {
  const std::string prefix = "--" + std::string(name) + "=";
  return std::strncmp(arg, prefix.c_str(), prefix.size()) == 0 ? arg + prefix.size() : nullptr;
}

// MeasureRoundTrips sends and receives `warmup` messages, then `iterations` more between the
// tracers' markers (a getppid(2) each side for strace, callgrind's collection toggled); adds
// the measured bytes to `bytes` and returns the system calls this thread made for them.
std::uint64_t MeasureRoundTrips(Workload& workload, std::int64_t iterations,
                                std::int64_t warmup, std::uint64_t& bytes) {
  for (std::int64_t i = 0; i < warmup; ++i) {
    workload.SendMessage();
    workload.ReceiveMessage();
  }
  ::getppid();
  CALLGRIND_TOGGLE_COLLECT;
  const std::uint64_t before = SyscallsOnThisThread();
  for (std::int64_t i = 0; i < iterations; ++i) {
    workload.SendMessage();
    bytes += workload.ReceiveMessage();
  }
  const std::uint64_t syscalls = SyscallsOnThisThread() - before;
  CALLGRIND_TOGGLE_COLLECT;
  ::getppid();
  return syscalls;
}

int RunFixed(const std::string& name, std::int64_t iterations, std::int64_t warmup) {
  const std::optional<WorkloadSpec> spec = FindWorkload(name);
  if (!spec) {
    std::fprintf(stderr, "socket_benchmark: no workload named %s\n", name.c_str());
    return 2;
  }
  if (iterations <= 0 || warmup < 0) {
    std::fprintf(stderr, "socket_benchmark: --iterations must be > 0, --warmup >= 0\n");
    return 2;
  }
  try {
    std::unique_ptr<Workload> workload = Workload::Create(*spec);
    std::uint64_t bytes = 0;
    std::uint64_t syscalls = 0;
    if (spec->RunsInline()) {
      syscalls = MeasureRoundTrips(*workload, iterations, warmup, bytes);
    } else if (spec->Echoes()) {
      // The peer's calls for the measured round trips are counted from the end
      // of its last unmeasured echo; in a trace, its wait for the first measured
      // message may start just before the first marker.
      PeerReceiver peer(*workload, warmup + iterations, warmup);
      peer.HoldAfterLastMessage();
      syscalls = MeasureRoundTrips(*workload, iterations, warmup, bytes);
      peer.Release();
      peer.Join();
      syscalls += peer.syscalls();
    } else {
      // With a peer thread the split between the markers depends on scheduling:
      // good for averages, never used by the gate.
      PeerReceiver peer(*workload, warmup + iterations);
      for (std::int64_t i = 0; i < warmup; ++i) workload->SendMessage();
      ::getppid();
      CALLGRIND_TOGGLE_COLLECT;
      const std::uint64_t before = SyscallsOnThisThread();
      for (std::int64_t i = 0; i < iterations; ++i) workload->SendMessage();
      bytes = peer.Join();
      syscalls = SyscallsOnThisThread() - before + peer.syscalls();
      CALLGRIND_TOGGLE_COLLECT;
      ::getppid();
    }
    std::printf(
        "{\"workload\": \"%s\", \"iterations\": %lld, \"bytes\": %llu, "
        "\"inprocess_syscalls_per_op\": %.6f, \"build\": %s}\n",
        spec->Name().c_str(), static_cast<long long>(iterations),
        static_cast<unsigned long long>(bytes),
        static_cast<double>(syscalls) / static_cast<double>(iterations), BuildInfo().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "socket_benchmark: %s: %s\n", name.c_str(), e.what());
    return 1;
  }
}

}  // namespace
}  // namespace sockref::benchmarks

int main(int argc, char** argv) {
  using namespace sockref::benchmarks;
  std::string workload;
  std::int64_t iterations = 1000;
  std::int64_t warmup = 20;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (const char* v = ParseFlag(argv[i], "workload")) {
      workload = v;
    } else if (const char* v = ParseFlag(argv[i], "iterations")) {
      iterations = std::atoll(v);
    } else if (const char* v = ParseFlag(argv[i], "warmup")) {
      warmup = std::atoll(v);
    } else if (std::strcmp(argv[i], "--build_info") == 0) {
      std::printf("%s\n", BuildInfo().c_str());
      return 0;
    } else if (std::strcmp(argv[i], "--list_workloads") == 0) {
      for (const WorkloadSpec& spec : AllWorkloads()) std::printf("%s\n", spec.Name().c_str());
      return 0;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!workload.empty()) return RunFixed(workload, iterations, warmup);

  RegisterAll();
  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;
  benchmark::AddCustomContext("sockref_build", BuildInfo());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
