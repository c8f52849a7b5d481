// protocol_fuzzer: the driver protocol (conformance/PROTOCOL.md) from the receiving end.
//
// 1. The decoders of conformance/protocol/ (value_codec.h ValueFromJson, ast_codec.h ExprFromJson,
//    StatementFromJson, OutcomeFromJson) on every node of an arbitrary JSON document
//    (capped, so error messages that print the node stay linear). Only ProtocolError and
//    nlohmann::json's own exceptions may escape. What decodes must round-trip: encoding
//    it and decoding again gives the same thing, and the re-encoding is a fixed point.
//    Repr and Describe must work on whatever decoded.
// 2. ReferenceDriver::Handle (conformance/drivers/reference/reference_driver.h) on the document as a
//    conversation: a JSON array is a sequence of requests, anything else one request.
//    Handle is documented never to throw; every reply must be an object the runner can
//    use (an "error", or an "outcome" that OutcomeFromJson accepts), must serialise as
//    JSON, and a case whose steps open nothing must report no leaked descriptor.
//
// The driver runs real socket code, so requests are filtered before it sees them:
// statements may only reach the side-effect-free part of the socket module (the
// conversions, byte order, CMSG_*, constants, enum classes, exception classes, the
// default timeout) and the harmless builtins, never sockets, name resolution, close()
// or sethostname(); sizes that allocate (bytes(n), b"x" * n, repeated doubling through
// variables) are bounded; background delays and `end` deadlines are clamped so every
// input finishes in milliseconds. A request the driver must reject anyway (a malformed
// statement) is passed through unfiltered.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/protocol_error.h"
#include "conformance/protocol/value_codec.h"
#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/outcome.h"
#include "conformance/drivers/reference/reference_driver.h"
#include "fuzz/fuzz_support.h"
#include "impl/testing/open_fds.h"

namespace {

using nlohmann::json;
using namespace sockref::conformance;

// ----- 1. Decoders --------------------------------------------------------------------------

// kMaxNodes bounds how many nodes of one document go through the decoders.
constexpr int kMaxNodes = 64;

// Decoded runs `decode` and returns its result, or nullopt when it refused the input
// the way it is allowed to.
template <typename Decode>
auto Decoded(Decode decode) -> std::optional<decltype(decode())> {
  try {
    return decode();
  } catch (const ProtocolError&) {
  } catch (const json::exception&) {
  }
  return std::nullopt;
}

void CheckValue(const json& j) {
  const std::optional<Value> v = Decoded([&] { return ValueFromJson(j); });
  if (!v) return;
  Repr(*v);
  v->type_name();
  const json once = ValueToJson(*v);
  const Value again = ValueFromJson(once);
  FUZZ_CHECK(again == *v, "value " + j.dump() + " changes through " + once.dump());
  FUZZ_CHECK(ValueToJson(again) == once, "value encoding of " + j.dump() + " is not a fixed point");
}

void CheckExpr(const json& j) {
  const std::optional<Expr> e = Decoded([&] { return ExprFromJson(j); });
  if (!e) return;
  const json once = ExprToJson(*e);
  const json twice = ExprToJson(ExprFromJson(once));
  FUZZ_CHECK(twice == once, "expression " + j.dump() + " encodes as " + once.dump() +
                                " then as " + twice.dump());
}

void CheckStatement(const json& j) {
  const std::optional<Statement> s = Decoded([&] { return StatementFromJson(j); });
  if (!s) return;
  const json once = StatementToJson(*s);
  const json twice = StatementToJson(StatementFromJson(once));
  FUZZ_CHECK(twice == once, "statement " + j.dump() + " encodes as " + once.dump() +
                                " then as " + twice.dump());
}

void CheckOutcome(const json& j) {
  const std::optional<Outcome> o = Decoded([&] { return OutcomeFromJson(j); });
  if (!o) return;
  Describe(*o);
  const json once = OutcomeToJson(*o);
  const json twice = OutcomeToJson(OutcomeFromJson(once));
  FUZZ_CHECK(twice == once, "outcome " + j.dump() + " encodes as " + once.dump() +
                                " then as " + twice.dump());
}

void CheckDecoders(const json& j, int& budget) {
  if (budget-- <= 0) return;
  CheckValue(j);
  CheckExpr(j);
  CheckStatement(j);
  CheckOutcome(j);
  if (j.is_structured()) {
    for (const json& child : j) CheckDecoders(child, budget);
  }
}

// ----- 2. The reference driver ------------------------------------------------------------------

// Names of the socket module a step may reach: pure functions and classes. Upper-case
// names (constants and enum members) are allowed too.
const std::set<std::string_view>& SafeModuleNames() {
  static const std::set<std::string_view> names = {
      "AddressFamily",  "AddressInfo",    "CMSG_LEN",  "CMSG_SPACE",        "MsgFlag",
      "SocketKind",     "error",          "gaierror",  "getdefaulttimeout", "gethostname",
      "getprotobyname", "getservbyname",  "getservbyport", "has_ipv6",      "herror",
      "htonl",          "htons",          "if_indextoname", "if_nameindex", "if_nametoindex",
      "inet_aton",      "inet_ntoa",      "inet_ntop", "inet_pton",         "ntohl",
      "ntohs",          "setdefaulttimeout", "timeout",
  };
  return names;
}

bool IsConstantName(std::string_view name) {
  if (name.empty() || name[0] < 'A' || name[0] > 'Z') return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Builtins whose call allocates as much as an argument says (bytes(10**9)); they may
// only be called directly, on small literal arguments.
bool IsSizedConstructor(const Expr& callee) {
  if (callee.kind == ExprKind::kName) return callee.name == "bytes" || callee.name == "bytearray";
  return callee.kind == ExprKind::kAttr && callee.operands[0].kind == ExprKind::kName &&
         callee.operands[0].name == "array";
}

bool IsHarmlessBuiltin(std::string_view name) {
  static const std::set<std::string_view> names = {
      "len", "memoryview", "isinstance", "issubclass", "BlockingIOError", "BrokenPipeError",
      "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
      "ConnectionResetError", "FileExistsError", "FileNotFoundError", "InterruptedError",
      "OSError", "OverflowError", "PermissionError", "TimeoutError", "TypeError", "ValueError",
  };
  return names.count(name) != 0;
}

// LiteralOnly says whether `e` is built from literals alone, with no int above 4096.
bool LiteralOnly(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: {
      if (e.literal.type() != Value::Type::kInt) return true;
      const std::optional<std::int64_t> i = e.literal.as_int64();
      return i && *i >= -4096 && *i <= 4096;
    }
    case ExprKind::kTuple:
    case ExprKind::kList:
    case ExprKind::kNeg:
      for (const Expr& o : e.operands) {
        if (!LiteralOnly(o)) return false;
      }
      return true;
    default:
      return false;
  }
}

bool HasNameOrRepeat(const Expr& e) {
  if (e.kind == ExprKind::kName || (e.kind == ExprKind::kBinOp && e.name == "*")) return true;
  for (const Expr& o : e.operands) {
    if (HasNameOrRepeat(o)) return true;
  }
  return false;
}

bool IsSmallCount(const Expr& e) {
  if (e.kind != ExprKind::kLiteral) return false;
  if (e.literal.type() == Value::Type::kBool) return true;
  const std::optional<std::int64_t> i = e.literal.as_int64();
  return e.literal.type() == Value::Type::kInt && i && *i >= -64 && *i <= 64;
}

// StatementFilter decides which statements the driver may run. Variable references are
// counted over the whole input: with at most kMaxVariableUses of them, no chain of
// assignments (x = x + x, x = (x, x)) can grow a value more than 2**kMaxVariableUses-fold.
class StatementFilter {
 public:
  bool Allows(const Statement& s) { return Allows(s.expr); }

 private:
  static constexpr int kMaxVariableUses = 4;

  bool Allows(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral:
      case ExprKind::kOmitted:
        return true;
      case ExprKind::kName:
        // The module itself only as `socket.<safe name>`, so it cannot be aliased.
        if (e.name == "socket" || e.name == "array" || e.name == "bytes" ||
            e.name == "bytearray") {
          return false;
        }
        if (IsHarmlessBuiltin(e.name)) return true;
        return ++variable_uses_ <= kMaxVariableUses;  // a variable (or an unbound name)
      case ExprKind::kAttr: {
        const Expr& object = e.operands[0];
        if (object.kind == ExprKind::kName && object.name == "socket") {
          return SafeModuleNames().count(e.name) != 0 || IsConstantName(e.name);
        }
        return Allows(object);
      }
      case ExprKind::kCall: {
        const Expr& callee = e.operands[0];
        if (IsSizedConstructor(callee)) {
          for (std::size_t i = 1; i < e.operands.size(); ++i) {
            if (!LiteralOnly(e.operands[i])) return false;
          }
          return true;
        }
        return AllowsAll(e.operands);
      }
      case ExprKind::kBinOp:
        if (e.name == "*") {
          // sequence * n only for a literal n of at most 64, on a side with no variable
          // and no other repetition.
          const Expr& a = e.operands[0];
          const Expr& b = e.operands[1];
          if (IsSmallCount(b)) return !HasNameOrRepeat(a) && Allows(a);
          if (IsSmallCount(a)) return !HasNameOrRepeat(b) && Allows(b);
          return false;
        }
        return AllowsAll(e.operands);
      case ExprKind::kTuple:
      case ExprKind::kList:
      case ExprKind::kIndex:
      case ExprKind::kSlice:
      case ExprKind::kNeg:
        return AllowsAll(e.operands);
    }
    return false;
  }

  bool AllowsAll(const std::vector<Expr>& operands) {
    for (const Expr& o : operands) {
      if (!Allows(o)) return false;
    }
    return true;
  }

  int variable_uses_ = 0;
};

// Sanitize returns the request to send, or nullopt to skip it.
std::optional<json> Sanitize(json request, StatementFilter& filter) {
  if (!request.is_object() || !request.contains("op")) return request;
  const json& op = request["op"];
  if (op == "end" && request.contains("deadline") && request["deadline"].is_number() &&
      request["deadline"].get<double>() > 0.2) {
    request["deadline"] = 0.2;
  }
  if (op != "exec") return request;
  if (request.contains("background") && request["background"].is_object() &&
      request["background"].contains("delay") && request["background"]["delay"].is_number() &&
      request["background"]["delay"].get<double>() > 0.001) {
    request["background"]["delay"] = 0.001;
  }
  if (!request.contains("stmt")) return request;
  std::optional<Statement> s = Decoded([&] { return StatementFromJson(request["stmt"]); });
  if (!s) return request;  // the driver must refuse it without running anything
  if (!filter.Allows(*s)) return std::nullopt;
  return request;
}

void CheckReply(const json& request, const json& reply) {
  const std::string what = "request " + request.dump() + " got " +
                           reply.dump(-1, ' ', false, json::error_handler_t::replace);
  FUZZ_CHECK(reply.is_object(), what + ": not an object");
  // reference_driver_main.cc tolerates invalid UTF-8 in a reply "that can only come
  // from the request"; a parsed request is valid UTF-8, so a reply must dump strictly.
  try {
    reply.dump();
  } catch (const json::type_error& e) {
    sockref::fuzz::Fail(__FILE__, __LINE__, "reply.dump()", what + ": " + e.what());
  }
  if (reply.contains("error")) {
    FUZZ_CHECK(reply["error"].is_string(), what + ": error is not a string");
    return;
  }
  if (reply.contains("outcome")) {
    try {
      const Outcome o = OutcomeFromJson(reply["outcome"]);
      Describe(o);
    } catch (const ProtocolError& e) {
      sockref::fuzz::Fail(__FILE__, __LINE__, "OutcomeFromJson(reply)",
                          what + ": the runner cannot decode the outcome: " + e.what());
    }
  }
  if (request.is_object() && request.contains("op") && request["op"] == "end") {
    FUZZ_CHECK(reply.contains("leaked_fds") &&
                   (reply["leaked_fds"].is_null() || reply["leaked_fds"] == 0),
               what + ": steps that open nothing leaked descriptors");
    FUZZ_CHECK(reply.contains("background") && reply["background"].is_array(),
               what + ": no background list");
    for (const json& b : reply["background"]) {
      if (b.contains("outcome") && !b["outcome"].contains("unfinished")) {
        CheckReply(json{{"op", "exec"}}, json{{"outcome", b["outcome"]}});
      }
    }
  }
}

void RunDriver(const json& document) {
  std::vector<json> requests;
  if (document.is_array()) {
    for (const json& r : document) requests.push_back(r);
  } else {
    requests.push_back(document);
  }
  if (requests.size() > 24) requests.resize(24);

  const int fds_before = sockref::testing::CountOpenFds();
  {
    ReferenceDriver driver;
    StatementFilter filter;
    for (const json& raw : requests) {
      const std::optional<json> request = Sanitize(raw, filter);
      if (!request) continue;
      json reply;
      try {
        reply = driver.Handle(*request);
      } catch (const std::exception& e) {
        sockref::fuzz::Fail(__FILE__, __LINE__, "Handle", "Handle(" + request->dump() +
                                                              ") threw: " + e.what());
      }
      CheckReply(*request, reply);
      if (driver.quit_requested()) break;
    }
  }
  FUZZ_CHECK(sockref::testing::CountOpenFds() == fds_before,
             "the driver leaked descriptors on " + document.dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json document = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return 0;
  int budget = kMaxNodes;
  CheckDecoders(document, budget);
  RunDriver(document);
  return 0;
}
