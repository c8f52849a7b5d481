#include "conformance/runner/machine_capabilities.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "conformance/language/python_names.h"

namespace sockref::conformance::runner {
namespace {

// Probe owns one socket of the kind a capability's cases use, closed on scope exit.
class Probe {
 public:
  Probe(int family, int type, int proto) : fd_(::socket(family, type | SOCK_CLOEXEC, proto)) {}
  ~Probe() {
    if (fd_ >= 0) ::close(fd_);
  }
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool CanCreate(int family, int type, int proto) { return Probe(family, type, proto).ok(); }

bool Inet6Loopback() {
  Probe p(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  return p.ok() && ::bind(p.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

bool AbstractUnixNames() {
  Probe p(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  // An empty abstract name asks the kernel to choose one (autobind): no name to collide with.
  return p.ok() && ::bind(p.fd(), reinterpret_cast<sockaddr*>(&a), sizeof(sa_family_t)) == 0;
}

bool ReusePort() {
  Probe p(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  return p.ok() && ::setsockopt(p.fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0;
}

std::vector<std::string> ProbeLacks() {
  struct Check {
    const char* name;
    bool has;
  };
  const Check checks[] = {
      {"AF_INET6", Inet6Loopback()},
      {"AF_UNIX_ABSTRACT", AbstractUnixNames()},
      {"SO_REUSEPORT", ReusePort()},
      {"root", ::geteuid() == 0},
      {"nonroot", ::geteuid() != 0},
  };
  std::vector<std::string> lacks;
  for (const Check& c : checks) {
    if (!c.has) lacks.emplace_back(c.name);
  }
  for (const FamilyCapability& f : FamilyCapabilities()) {
    if (!CanCreate(f.family, f.type, f.proto)) lacks.emplace_back(f.name);
  }
  return lacks;
}

}  // namespace

const std::vector<std::string>& MachineLacks() {
  static const auto* lacks = new std::vector<std::string>(ProbeLacks());
  return *lacks;
}

bool MachineLacksAll(const std::vector<std::string>& missing) {
  const std::vector<std::string>& lacks = MachineLacks();
  return !missing.empty() && std::all_of(missing.begin(), missing.end(), [&](const auto& m) {
    return std::find(lacks.begin(), lacks.end(), m) != lacks.end();
  });
}

std::string MachineLacksReason(const std::vector<std::string>& missing) {
  std::string names;
  for (const std::string& m : missing) names += (names.empty() ? "" : ", ") + m;
  return "this machine lacks " + names +
         " (no implementation, the oracle included, can run the case here)";
}

}  // namespace sockref::conformance::runner
