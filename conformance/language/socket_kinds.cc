#include "conformance/language/socket_kinds.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace sockref::conformance {
namespace {

// Listening returns the prologue of a connection: `a` connects to a listener bound to
// `address`, `b` is the connection the listener accepted, and the listener is closed.
std::vector<std::string> Listening(const std::string& family, const std::string& type,
                                   const std::string& address) {
  return {
      "_listener = socket.socket(" + family + ", " + type + ")",
      "_listener.bind(" + address + ")",
      "_listener.listen()",
      "a = socket.socket(" + family + ", " + type + ")",
      "a.connect(_listener.getsockname())",
      "b = _listener.accept()[0]",
      "_listener.close()",
  };
}

// BoundPair returns the prologue of two datagram sockets bound to `address_a` and `address_b`,
// each connected to the other.
std::vector<std::string> BoundPair(const std::string& family, const std::string& address_a,
                                   const std::string& address_b) {
  return {
      "a = socket.socket(" + family + ", SOCK_DGRAM)",
      "a.bind(" + address_a + ")",
      "b = socket.socket(" + family + ", SOCK_DGRAM)",
      "b.bind(" + address_b + ")",
      "a.connect(b.getsockname())",
      "b.connect(a.getsockname())",
  };
}

std::vector<std::string> Pair(const std::string& type) {
  return {"a, b = socketpair(AF_UNIX, " + type + ")"};
}

// Filesystem names live in the case's own directory (`tmpdir`); abstract names are made
// unique the same way, as a NUL followed by a path under it that nothing else uses.
std::string FileName(const std::string& name) { return "tmpdir + \"/" + name + "\""; }
std::string AbstractName(const std::string& name) {
  return "\"\\0\" + tmpdir + \"/" + name + "\"";
}

const std::vector<std::string> kInet6 = {"AF_INET6"};
const std::vector<std::string> kUnix = {"AF_UNIX"};
const std::vector<std::string> kAbstract = {"AF_UNIX", "AF_UNIX_ABSTRACT"};

}  // namespace

const std::vector<SocketKind>& SocketKinds() {
  static const auto* kinds = new std::vector<SocketKind>{
      {"tcp4", "TCP over IPv4 loopback", {},
       Listening("AF_INET", "SOCK_STREAM", "(\"127.0.0.1\", 0)")},
      {"tcp6", "TCP over IPv6 loopback", kInet6,
       Listening("AF_INET6", "SOCK_STREAM", "(\"::1\", 0)")},
      {"tcp4_mapped", "TCP between AF_INET6 sockets over an IPv4-mapped IPv6 address", kInet6,
       Listening("AF_INET6", "SOCK_STREAM", "(\"::ffff:127.0.0.1\", 0)")},
      {"unix_stream", "AF_UNIX stream, filesystem name", kUnix,
       Listening("AF_UNIX", "SOCK_STREAM", FileName("listener"))},
      {"unix_stream_abstract", "AF_UNIX stream, abstract name", kAbstract,
       Listening("AF_UNIX", "SOCK_STREAM", AbstractName("listener"))},
      {"socketpair", "socketpair(AF_UNIX, SOCK_STREAM)", kUnix, Pair("SOCK_STREAM")},
      {"udp4", "UDP over IPv4 loopback", {},
       BoundPair("AF_INET", "(\"127.0.0.1\", 0)", "(\"127.0.0.1\", 0)")},
      {"udp6", "UDP over IPv6 loopback", kInet6,
       BoundPair("AF_INET6", "(\"::1\", 0)", "(\"::1\", 0)")},
      {"unix_dgram", "AF_UNIX datagram, filesystem names", kUnix,
       BoundPair("AF_UNIX", FileName("a"), FileName("b"))},
      {"unix_dgram_abstract", "AF_UNIX datagram, abstract names", kAbstract,
       BoundPair("AF_UNIX", AbstractName("a"), AbstractName("b"))},
      {"socketpair_dgram", "socketpair(AF_UNIX, SOCK_DGRAM)", kUnix, Pair("SOCK_DGRAM")},
      {"unix_seqpacket", "AF_UNIX seqpacket, filesystem name", kUnix,
       Listening("AF_UNIX", "SOCK_SEQPACKET", FileName("listener"))},
      {"unix_seqpacket_abstract", "AF_UNIX seqpacket, abstract name", kAbstract,
       Listening("AF_UNIX", "SOCK_SEQPACKET", AbstractName("listener"))},
      {"socketpair_seqpacket", "socketpair(AF_UNIX, SOCK_SEQPACKET)", kUnix,
       Pair("SOCK_SEQPACKET")},
  };
  return *kinds;
}

const SocketKind* FindSocketKind(std::string_view name) {
  for (const SocketKind& k : SocketKinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& SocketKindGroups() {
  static const auto* groups = new std::vector<std::pair<std::string, std::vector<std::string>>>{
      {"stream",
       {"tcp4", "tcp6", "tcp4_mapped", "unix_stream", "unix_stream_abstract", "socketpair"}},
      {"dgram", {"udp4", "udp6", "unix_dgram", "unix_dgram_abstract", "socketpair_dgram"}},
      {"seqpacket", {"unix_seqpacket", "unix_seqpacket_abstract", "socketpair_seqpacket"}},
      {"tcp", {"tcp4", "tcp6", "tcp4_mapped"}},
      {"udp", {"udp4", "udp6"}},
      {"unix",
       {"unix_stream", "unix_stream_abstract", "socketpair", "unix_dgram", "unix_dgram_abstract",
        "socketpair_dgram", "unix_seqpacket", "unix_seqpacket_abstract", "socketpair_seqpacket"}},
  };
  return *groups;
}

std::vector<const SocketKind*> ExpandKindNames(std::string_view text) {
  std::vector<std::string> names;
  while (true) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.empty()) throw std::invalid_argument("expected kind names separated by commas");
    bool found = false;
    for (const auto& [group, members] : SocketKindGroups()) {
      if (group == item) {
        names.insert(names.end(), members.begin(), members.end());
        found = true;
      }
    }
    if (!found) {
      if (FindSocketKind(item) == nullptr) {
        std::string known;
        for (const auto& [group, members] : SocketKindGroups()) known += group + ", ";
        for (const SocketKind& k : SocketKinds()) known += k.name + ", ";
        known.resize(known.size() - 2);
        throw std::invalid_argument("unknown socket kind '" + std::string(item) +
                                    "' (known: " + known + ")");
      }
      names.emplace_back(item);
    }
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  std::vector<const SocketKind*> out;
  for (const SocketKind& k : SocketKinds()) {
    const auto n = std::count(names.begin(), names.end(), k.name);
    if (n > 1) {
      throw std::invalid_argument("socket kind '" + k.name +
                                  "' is named twice (directly or through a group)");
    }
    if (n == 1) out.push_back(&k);
  }
  return out;
}

}  // namespace sockref::conformance
