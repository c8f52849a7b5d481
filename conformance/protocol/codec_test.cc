// Tests of the protocol's JSON codecs: values, statements (parsed from case text) and outcomes.
#include "conformance/protocol/value_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/language/case_parser.h"
#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/outcome.h"
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

// ParseOne parses `text` as "t.cases" and returns its only case.
Case ParseOne(const std::string& text) {
  CaseFile file = ParseCaseText("t.cases", text);
  EXPECT_EQ(file.cases.size(), 1u);
  return file.cases.at(0);
}

// Steps wraps step lines in a minimal valid case.
std::string Steps(const std::string& steps) { return "case t.c\n  doc: 001 \"x\"\n" + steps; }

TEST(Values, JsonRoundTripsEveryKind) {
  std::vector<Value> values = {
      Value::None(),
      Value::Bool(false),
      Value::Int(-5),
      Value::IntFromDecimal("-123456789012345678901234567890"),
      Value::Float(2.5),
      Value::Float(std::nan("")),
      Value::Float(-HUGE_VAL),
      Value::Str("h\u00e9"),
      Value::Bytes(std::string("\0\xff", 2)),
      Value::ByteArray("ab"),
      Value::Tuple({Value::Int(1), Value::List({})}),
      Value::Enum("SocketKind", "SOCK_STREAM", 1),
      Value::Object("memoryview", "<memory at 0x1>"),
  };
  json encoded = json::array();
  for (const Value& v : values) encoded.push_back(ValueToJson(v));
  EXPECT_EQ(encoded, json::parse(R"([null, false, -5, {"int": "-123456789012345678901234567890"},
      {"float": 2.5}, {"float": "nan"}, {"float": "-inf"}, "h\u00e9", {"bytes": "AP8="},
      {"bytearray": "YWI="}, {"tuple": [1, {"list": []}]},
      {"enum": "SocketKind", "name": "SOCK_STREAM", "value": 1},
      {"object": "memoryview", "repr": "<memory at 0x1>"}])"));
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(ValueFromJson(encoded[i]), values[i]) << encoded[i];
  }
  EXPECT_EQ(ValueFromJson(json::parse("18446744073709551615")),
            Value::IntFromDecimal("18446744073709551615"));
  EXPECT_EQ(ValueFromJson(json::parse(R"({"int": "5"})")), Value::Int(5));
  EXPECT_EQ(ValueFromJson(json::parse(R"({"float": 3})")), Value::Float(3));
  EXPECT_EQ(ValueFromJson(json::parse(R"({"bytes": ""})")), Value::Bytes(""));
  EXPECT_EQ(ValueFromJson(json::parse(R"({"bytes": "YQ=="})")), Value::Bytes("a"));
}

// PROTOCOL.md, "want_value": a driver may answer with the type and len() alone.
TEST(Values, OmittedValuesCarryTypeAndLength) {
  const Value bytes = ValueFromJson(json::parse(R"({"omitted": "bytes", "len": 10000000})"));
  EXPECT_TRUE(bytes.omitted());
  EXPECT_EQ(bytes.type(), Value::Type::kObject);
  EXPECT_EQ(bytes.type_name(), "bytes");
  EXPECT_EQ(bytes.omitted_length(), 10000000u);
  EXPECT_EQ(Repr(bytes), "<bytes of len 10000000, not sent>");
  EXPECT_EQ(ValueToJson(bytes), json::parse(R"({"omitted": "bytes", "len": 10000000})"));
  EXPECT_EQ(bytes, Value::Omitted("bytes", 10000000));
  EXPECT_NE(bytes, Value::Omitted("bytes", 1));
  EXPECT_NE(bytes, Value::Object("bytes", "<bytes of len 10000000, not sent>"));

  const Value sock = ValueFromJson(json::parse(R"({"omitted": "socket", "len": null})"));
  EXPECT_EQ(sock, Value::Omitted("socket", std::nullopt));
  EXPECT_EQ(Repr(sock), "<socket, not sent>");
  EXPECT_EQ(ValueFromJson(json::parse(R"({"omitted": "socket"})")), sock);
  EXPECT_EQ(ValueToJson(sock), json::parse(R"({"omitted": "socket", "len": null})"));
  for (const char* bad : {R"({"omitted": 1})", R"({"omitted": "bytes", "len": -1})",
                          R"({"omitted": "bytes", "len": "3"})", R"({"omitted": "x", "y": 1})",
                          R"({"omitted": "bytes", "len": 1, "x": 2})"}) {
    EXPECT_THROW(ValueFromJson(json::parse(bad)), ProtocolError) << bad;
  }
}

TEST(Values, MalformedJsonIsAProtocolError) {
  for (const char* bad : {"1.5", "[1]", R"({"bytes": "!!!!"})", R"({"bytes": "YQ="})",
                          R"({"int": "x"})", R"({"int": 5})", R"({"float": "big"})",
                          R"({"tuple": 1})", R"({"set": []})", R"({"enum": "X", "name": "Y"})",
                          R"({"object": "x"})", R"({"bytes": "YQ==", "x": 1})", "{}"}) {
    EXPECT_THROW(ValueFromJson(json::parse(bad)), ProtocolError) << bad;
  }
}

TEST(Statements, JsonRoundTrips) {
  Case c =
      ParseOne(Steps("  >>> a, b = socketpair(AF_UNIX, type=SOCK_STREAM)\n"
                     "  >>> a.recv_into(memoryview(bytearray(8))[2:], -len(b'x' * 3 + b'y'))\n"
                     "  >>> [(1,), 'x'][0][:]\n"));
  for (const Step& s : c.steps) {
    json j = StatementToJson(s.statement);
    EXPECT_EQ(StatementToJson(StatementFromJson(j)), j);
  }
}

TEST(Statements, MalformedStatementJsonIsAProtocolError) {
  for (const char* bad : {
           R"({"expr": {"lit": 1}})",
           R"({"assign": "x", "expr": {"lit": 1}})",
           R"({"assign": [], "expr": {"lit": 1}})",
           R"({"assign": null, "expr": null})",
           R"({"assign": null, "expr": {"bogus": 1}})",
           R"({"assign": null, "expr": {"attr": [{"name": "s"}]}})",
           R"({"assign": null, "expr": {"call": {"name": "f"}, "args": []}})",
           R"({"assign": null, "expr": {"binop": ["-", {"lit": 1}, {"lit": 2}]}})",
           R"({"assign": null, "expr": {"slice": [null, null, null]}})",
           R"({"assign": null, "expr": {"index": [{"name": "s"}, null]}})",
       }) {
    EXPECT_THROW(StatementFromJson(json::parse(bad)), ProtocolError) << bad;
  }
}

TEST(Outcomes, DecodeEveryKind) {
  Outcome v = OutcomeFromJson(json::parse(R"({"value": {"bytes": "eA=="}})"));
  EXPECT_EQ(v.kind, Outcome::Kind::kValue);
  EXPECT_EQ(Describe(v), "b'x'");
  Outcome r = OutcomeFromJson(json::parse(
      R"({"raised": {"type": "ConnectionRefusedError", "mro": ["ConnectionRefusedError",
          "ConnectionError", "OSError"], "errno": 111, "errno_name": "ECONNREFUSED",
          "str": "[Errno 111] Connection refused"}})"));
  EXPECT_EQ(r.kind, Outcome::Kind::kRaised);
  EXPECT_THAT(r.raised.mro, ElementsAre("ConnectionRefusedError", "ConnectionError", "OSError"));
  EXPECT_THAT(r.raised.errno_value, Optional(111));
  EXPECT_EQ(Describe(r), "ConnectionRefusedError: [Errno 111] Connection refused");
  EXPECT_EQ(OutcomeFromJson(OutcomeToJson(r)).raised.errno_name, r.raised.errno_name);
  Outcome u = OutcomeFromJson(json::parse(R"({"unsupported": "no attribute 'x'"})"));
  EXPECT_EQ(u.kind, Outcome::Kind::kUnsupported);
  EXPECT_EQ(Describe(u), "unsupported: no attribute 'x'");
  for (const char* bad : {R"({})", R"({"value": 1, "raised": {}})", R"({"raised": {"type": "X"}})",
                          R"({"raised": {"type": "X", "str": "", "errno": "9"}})",
                          R"({"unsupported": 1})", R"({"crashed": true})"}) {
    EXPECT_THROW(OutcomeFromJson(json::parse(bad)), ProtocolError) << bad;
  }
}

}  // namespace
}  // namespace sockref::conformance
