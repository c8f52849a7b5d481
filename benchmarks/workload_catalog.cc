// workload_catalog.cc: the workloads' names (Google Benchmark's "BM_<Api><Transport>/impl:.../
// mode:.../size:N", the key gate.py, report.py and cpython_bench.py share) and the list of them;
// workloads.cc runs them.
#include <cstdint>
#include <span>

#include "benchmarks/workloads.h"

namespace sockref::benchmarks {
namespace {

constexpr std::string_view ApiName(Api api) {
  switch (api) {
    case Api::kSendRecv:
      return "SendRecv";
    case Api::kSendallRecvInto:
      return "SendallRecvInto";
    case Api::kSendmsgRecvmsgInto:
      return "SendmsgRecvmsgInto";
    case Api::kSendtoRecvfrom:
      return "SendtoRecvfrom";
    case Api::kSendRecvEcho:
      return "SendRecvEcho";
  }
  return "?";
}

constexpr std::string_view TransportName(Transport transport) {
  switch (transport) {
    case Transport::kUnix:
      return "Unix";
    case Transport::kTcp:
      return "Tcp";
    case Transport::kUdp:
      return "Udp";
  }
  return "?";
}

}  // namespace

std::string WorkloadSpec::Family() const {
  std::string name = "BM_";
  name += ApiName(api);
  name += TransportName(transport);
  name += impl == Impl::kRaw ? "/impl:raw" : "/impl:sockref";
  name += mode == Mode::kBlocking ? "/mode:blocking" : "/mode:timeout";
  return name;
}

std::string WorkloadSpec::Name() const {
  std::string name = Family();
  if (api == Api::kSendmsgRecvmsgInto) name += "/buffers:" + std::to_string(buffers);
  name += "/size:" + std::to_string(size);
  return name;
}

std::vector<WorkloadSpec> AllWorkloads() {
  std::vector<WorkloadSpec> all;
  auto add = [&all](Api api, Transport transport, int buffers, std::size_t max_size) {
    for (Mode mode : {Mode::kBlocking, Mode::kTimeout}) {
      const std::span<const std::size_t> sizes =
          api == Api::kSendRecvEcho ? std::span<const std::size_t>(kEchoSizes)
                                    : std::span<const std::size_t>(kMessageSizes);
      for (std::size_t size : sizes) {
        if (size > max_size) continue;
        for (Impl impl : {Impl::kRaw, Impl::kSockref}) {
          all.push_back({api, transport, impl, mode, buffers, size});
        }
      }
    }
  };
  for (Transport transport : {Transport::kUnix, Transport::kTcp}) {
    add(Api::kSendRecv, transport, 1, SIZE_MAX);
    add(Api::kSendallRecvInto, transport, 1, SIZE_MAX);
    for (int buffers : kBufferCounts) add(Api::kSendmsgRecvmsgInto, transport, buffers, SIZE_MAX);
    add(Api::kSendRecvEcho, transport, 1, SIZE_MAX);
  }
  add(Api::kSendtoRecvfrom, Transport::kUdp, 1, kMaxDatagram);
  return all;
}

std::optional<WorkloadSpec> FindWorkload(std::string_view name) {
  constexpr std::string_view kRealTime = "/real_time";
  if (name.ends_with(kRealTime)) name.remove_suffix(kRealTime.size());
  for (const WorkloadSpec& spec : AllWorkloads()) {
    if (spec.Name() == name) return spec;
  }
  return std::nullopt;
}

std::string_view InjectionName(Injection injection) {
  switch (injection) {
    case Injection::kNone:
      return "none";
    case Injection::kExtraPoll:
      return "extra_poll";
    case Injection::kExtraCopy:
      return "extra_copy";
    case Injection::kZeroFill:
      return "zero_fill";
  }
  return "?";
}

}  // namespace sockref::benchmarks
