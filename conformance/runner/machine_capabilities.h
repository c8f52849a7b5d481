// machine_capabilities.h: which capabilities (PROTOCOL.md, "hello") this machine lacks for
// every implementation alike, probed by the runner itself with plain system calls.
//
// A case that `needs:` one of them cannot be run by anyone here, the oracle included, so no
// implementation is at fault for not running it: its verdict is n/a, with the reason. A
// capability the machine has and a driver lacks stays the driver's `unsupported`.
//
//   if (MachineLacksAll(missing)) run.status = CaseRun::Status::kNotApplicable;
#ifndef SOCKREF_CONFORMANCE_RUNNER_MACHINE_CAPABILITIES_H_
#define SOCKREF_CONFORMANCE_RUNNER_MACHINE_CAPABILITIES_H_

#include <string>
#include <vector>

namespace sockref::conformance::runner {

// MachineLacks returns the kernel- and privilege-level capabilities this machine lacks,
// probed once per process: an address family the kernel refuses (AF_INET6, AF_NETLINK,
// AF_PACKET, AF_VSOCK, AF_TIPC, AF_CAN, AF_ALG), abstract AF_UNIX names, SO_REUSEPORT, and
// whichever of `root`/`nonroot` the process is not. Driver-level capabilities (`signals`)
// and those every Linux has (`AF_UNIX`, `SCM_RIGHTS`) are never listed.
const std::vector<std::string>& MachineLacks();

// MachineLacksAll says whether every name in `missing` (non-empty) is one MachineLacks lists.
bool MachineLacksAll(const std::vector<std::string>& missing);

// MachineLacksReason returns the sentence a verdict gives for `missing`: "this machine lacks
// AF_TIPC (no implementation, the oracle included, can run the case here)".
std::string MachineLacksReason(const std::vector<std::string>& missing);

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_MACHINE_CAPABILITIES_H_
