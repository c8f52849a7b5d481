// protocol_error.h: the protocol's version string and the error its decoders throw.
//
//   if (hello["protocol"] != kProtocolVersion) ...;
//   try { ValueFromJson(j); } catch (const ProtocolError& e) { /* e.what() names the part */ }
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_PROTOCOL_ERROR_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_PROTOCOL_ERROR_H_

#include <stdexcept>
#include <string_view>

namespace sockref::conformance {

// The protocol version this project's encoders and decoders speak; drivers answer `hello` with it.
inline constexpr std::string_view kProtocolVersion = "sockref-driver/1";

// ProtocolError is thrown by the *FromJson decoders when a JSON document does not have the
// shape PROTOCOL.md gives it. what() names the offending part.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_PROTOCOL_ERROR_H_
