#include "conformance/runner/driver_connection.h"

#include <string>

#include "conformance/protocol/protocol_error.h"
#include "conformance/protocol/seconds.h"
#include "conformance/runner/kept_value.h"

namespace sockref::conformance::runner {

using nlohmann::json;

Clock::time_point Deadline(double seconds) { return Clock::now() + SaturatedDuration(seconds); }

const char* StatusName(DriverReply::Status status) {
  switch (status) {
    case DriverReply::Status::kOk:
      return "ok";
    case DriverReply::Status::kCrashed:
      return "crashed";
    case DriverReply::Status::kHung:
      return "hung";
    case DriverReply::Status::kGarbage:
      return "garbage";
  }
  return "?";
}

std::optional<std::string> MismatchedReply(const json& request, const json& reply) {
  for (const char* key : {"op", "step"}) {
    if (!request.contains(key)) continue;
    if (!reply.contains(key)) {
      return std::string("reply lacks \"") + key + "\" (expected " + ShownJson(request[key]) + ")";
    }
    if (reply[key] != request[key]) {
      return std::string("reply's \"") + key + "\" is " + ShownJson(reply[key]) + ", expected " +
             ShownJson(request[key]);
    }
  }
  return std::nullopt;
}

json HelloRequest() { return {{"op", "hello"}, {"protocol", std::string(kProtocolVersion)}}; }

const json& CheckHello(const json& reply) {
  if (!reply.is_object()) throw DriverUnavailable("hello reply is not a JSON object");
  if (reply.contains("error")) {
    throw DriverUnavailable("driver refused hello: " + ShownJson(reply["error"]));
  }
  if (reply.value("op", json()) != "hello") {
    throw DriverUnavailable("not a hello reply: " + ShownJson(reply));
  }
  const json protocol = reply.value("protocol", json());
  if (protocol != std::string(kProtocolVersion)) {
    throw DriverUnavailable("driver speaks " + ShownJson(protocol) + ", the runner speaks \"" +
                            std::string(kProtocolVersion) + "\"");
  }
  const json caps = reply.value("capabilities", json());
  bool ok = caps.is_array();
  for (const json& c : caps) ok = ok && c.is_string();
  if (!ok) throw DriverUnavailable("hello reply lacks a \"capabilities\" array of names");
  return reply;
}

std::shared_mutex& DescriptorTableLock() {
  static std::shared_mutex* lock = new std::shared_mutex;  // never destroyed: used at exit
  return *lock;
}

}  // namespace sockref::conformance::runner
