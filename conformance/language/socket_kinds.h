// socket_kinds.h: the socket kinds a case can be written over once (CASES.md, "Socket kinds"),
// as gVisor writes a test body once and instantiates it per socket kind.
//
// A case with a `kinds:` header runs once per kind it names; each instance begins with the
// kind's prologue, ordinary steps of the case language that bind `a` and `b` to a connected
// pair (a stream or seqpacket connection, or two datagram sockets bound and connected to each
// other), so every driver runs them with no code of its own:
//
//   const SocketKind* kind = FindSocketKind("tcp4");
//   kind->prologue[0];  // "_listener = socket.socket(AF_INET, SOCK_STREAM)"
//   ExpandKindNames("stream, udp4");  // tcp4, tcp6, tcp4_mapped, unix_stream, ..., udp4
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_SOCKET_KINDS_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_SOCKET_KINDS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sockref::conformance {

// SocketKind is one kind of connected pair.
struct SocketKind {
  std::string name;         // "tcp4": the suffix of each instance's id (`<id>.tcp4`)
  std::string description;  // "TCP over IPv4 loopback"
  std::vector<std::string> needs;     // capabilities (PROTOCOL.md, "hello") the kind needs
  std::vector<std::string> prologue;  // statements binding `a` and `b`, in order
};

// SocketKinds returns every kind, in the order instances are listed.
const std::vector<SocketKind>& SocketKinds();

// FindSocketKind returns the kind named `name`, nullptr when there is none.
const SocketKind* FindSocketKind(std::string_view name);

// SocketKindGroups returns the group names a `kinds:` line may use for several kinds
// ("stream", "dgram", ...), each with its kinds.
const std::vector<std::pair<std::string, std::vector<std::string>>>& SocketKindGroups();

// ExpandKindNames returns the kinds a `kinds:` line names (comma-separated kind and group
// names), in SocketKinds() order. Throws std::invalid_argument with a sentence for an unknown
// name, a kind named twice (directly or through groups), or an empty list.
std::vector<const SocketKind*> ExpandKindNames(std::string_view text);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_SOCKET_KINDS_H_
