// Tests of ReferenceDriver::Handle: hand-written protocol requests (PROTOCOL.md) in, replies
// checked against what oracle/driver.py answers under CPython 3.11.
#include "conformance/drivers/reference/reference_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "conformance/language/value.h"
#include "conformance/protocol/protocol_error.h"
#include "conformance/protocol/value_codec.h"
#include "conformance/protocol/outcome.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "impl/timeout.h"

namespace sockref::conformance {

// Values print as Python's repr() in failure messages.
void PrintTo(const Value& v, std::ostream* os) { *os << Repr(v); }

namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// ----- AST builders, spelled as PROTOCOL.md spells the nodes -------------------------------------

json Lit(const Value& v) { return {{"lit", ValueToJson(v)}}; }
json Lit(std::int64_t i) { return Lit(Value::Int(i)); }
json LitStr(const std::string& s) { return Lit(Value::Str(s)); }
json LitBytes(const std::string& s) { return Lit(Value::Bytes(s)); }
json LitFloat(double d) { return Lit(Value::Float(d)); }
json Name(const std::string& n) { return {{"name", n}}; }
json Attr(json e, const std::string& a) { return {{"attr", {std::move(e), a}}}; }
json Sock(const std::string& a) { return Attr(Name("socket"), a); }
json Call(json f, std::vector<json> args = {}, json kwargs = json::object()) {
  return {{"call", std::move(f)}, {"args", std::move(args)}, {"kwargs", std::move(kwargs)}};
}
json Method(const std::string& obj, const std::string& m, std::vector<json> args = {}) {
  return Call(Attr(Name(obj), m), std::move(args));
}
json Stmt(json expr, std::vector<std::string> assign = {}) {
  return {{"assign", assign.empty() ? json(nullptr) : json(assign)}, {"expr", std::move(expr)}};
}

class ReferenceDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(driver_.Handle({{"op", "begin"}, {"case", "test.case"}}),
              json({{"op", "begin"}, {"case", "test.case"}}));
  }

  // Exec runs one foreground step and returns the whole reply.
  json Exec(json stmt, json extra = json::object()) {
    json request = {{"op", "exec"}, {"step", ++step_}, {"stmt", std::move(stmt)}};
    request.update(extra);
    return driver_.Handle(request);
  }

  // Run runs one step and returns its decoded outcome; the reply must be well formed.
  Outcome Run(json stmt, json extra = json::object()) {
    json reply = Exec(std::move(stmt), std::move(extra));
    EXPECT_EQ(reply["op"], "exec") << reply;
    EXPECT_EQ(reply["step"], step_) << reply;
    EXPECT_TRUE(reply["elapsed"].is_number()) << reply;
    return OutcomeFromJson(reply.at("outcome"));
  }

  // ValueOf runs a step that must return a value.
  Value ValueOf(json stmt, json extra = json::object()) {
    Outcome o = Run(std::move(stmt), std::move(extra));
    EXPECT_EQ(o.kind, Outcome::Kind::kValue) << Describe(o);
    return o.value;
  }

  // RaisedBy runs a step that must raise.
  RaisedException RaisedBy(json stmt) {
    Outcome o = Run(std::move(stmt));
    EXPECT_EQ(o.kind, Outcome::Kind::kRaised) << Describe(o);
    return o.raised;
  }

  json End(json extra = json::object()) {
    json request = {{"op", "end"}};
    request.update(extra);
    return driver_.Handle(request);
  }

  ReferenceDriver driver_;
  int step_ = 0;
};

TEST(ReferenceDriverHelloTest, HelloReportsProtocolAndProbedCapabilities) {
  ReferenceDriver driver;
  json hello = driver.Handle({{"op", "hello"}, {"protocol", "sockref-driver/1"}});
  EXPECT_EQ(hello["op"], "hello");
  EXPECT_EQ(hello["protocol"], std::string(kProtocolVersion));
  EXPECT_EQ(hello["implementation"], "sockref");
  EXPECT_THAT(hello["interpreter"].get<std::string>(), StartsWith("/"));
  const auto caps = hello["capabilities"].get<std::vector<std::string>>();
  EXPECT_THAT(caps, ::testing::Contains("AF_UNIX"));
  EXPECT_THAT(caps, ::testing::Contains(::geteuid() == 0 ? "root" : "nonroot"));
  EXPECT_THAT(caps, ::testing::Not(::testing::Contains(::geteuid() == 0 ? "nonroot" : "root")));
}

TEST_F(ReferenceDriverTest, ExecReturnsTheValueAsProtocolJson) {
  json reply = Exec(Stmt(Call(Sock("inet_aton"), {LitStr("1.2")})));
  EXPECT_EQ(reply["outcome"], json({{"value", {{"bytes", "AQAAAg=="}}}}));  // b'\x01\0\0\x02'
}

TEST_F(ReferenceDriverTest, ModuleConstantsAndSocketAttributesAreEnums) {
  EXPECT_EQ(ValueOf(Stmt(Sock("AF_INET"))), Value::Enum("AddressFamily", "AF_INET", 2));
  EXPECT_EQ(ValueOf(Stmt(Sock("MSG_PEEK"))), Value::Enum("MsgFlag", "MSG_PEEK", 2));
  EXPECT_EQ(ValueOf(Stmt(Sock("SOL_SOCKET"))), Value::Int(1));
  ValueOf(Stmt(Call(Sock("socket"), {}, {{"type", Sock("SOCK_DGRAM")}}), {"s"}));
  EXPECT_EQ(ValueOf(Stmt(Attr(Name("s"), "type"))), Value::Enum("SocketKind", "SOCK_DGRAM", 2));
  EXPECT_EQ(ValueOf(Stmt(Attr(Name("s"), "timeout"))), Value::None());
  Value s = ValueOf(Stmt(Name("s")));
  ASSERT_EQ(s.type(), Value::Type::kObject);
  EXPECT_EQ(s.type_name(), "socket");
  EXPECT_THAT(s.object_repr(), StartsWith("<socket.socket fd="));
  EXPECT_THAT(s.object_repr(), HasSubstr(", family=2, type=2, proto=0, laddr=('0.0.0.0', 0)>"));
}

TEST_F(ReferenceDriverTest, OSErrorCarriesTypeMroErrnoAndMessage) {
  ValueOf(Stmt(Call(Sock("socket")), {"s"}));
  EXPECT_EQ(ValueOf(Stmt(Method("s", "close"))), Value::None());
  EXPECT_EQ(ValueOf(Stmt(Method("s", "fileno"))), Value::Int(-1));
  RaisedException r = RaisedBy(Stmt(Method("s", "recv", {Lit(1)})));
  EXPECT_EQ(r.type, "OSError");
  EXPECT_EQ(r.mro, (std::vector<std::string>{"OSError", "Exception", "BaseException", "object"}));
  EXPECT_EQ(r.errno_value, EBADF);
  EXPECT_EQ(r.errno_name, "EBADF");
  EXPECT_EQ(r.str, "[Errno 9] Bad file descriptor");
}

TEST_F(ReferenceDriverTest, TimeoutIsTimeoutErrorWithoutErrno) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Method("a", "settimeout", {LitFloat(0.01)})));
  RaisedException r = RaisedBy(Stmt(Method("a", "recv", {Lit(1)})));
  EXPECT_EQ(r.type, "TimeoutError");
  EXPECT_EQ(r.mro, (std::vector<std::string>{"TimeoutError", "OSError", "Exception",
                                             "BaseException", "object"}));
  EXPECT_FALSE(r.errno_value);
  EXPECT_FALSE(r.errno_name);
  EXPECT_EQ(r.str, "timed out");
}

TEST_F(ReferenceDriverTest, GaierrorIsSpelledWithItsModuleAndNamedByEaiConstant) {
  RaisedException r = RaisedBy(Stmt(Call(Sock("getaddrinfo"), {LitStr("not-a-number"), Lit(80)},
                                         {{"flags", Sock("AI_NUMERICHOST")}})));
  EXPECT_EQ(r.type, "socket.gaierror");
  EXPECT_EQ(r.mro, (std::vector<std::string>{"socket.gaierror", "OSError", "Exception",
                                             "BaseException", "object"}));
  EXPECT_EQ(r.errno_value, -2);
  EXPECT_EQ(r.errno_name, "EAI_NONAME");
  EXPECT_EQ(r.str, "[Errno -2] Name or service not known");
}

TEST_F(ReferenceDriverTest, ArgumentErrorsHaveCPythonsMessages) {
  ValueOf(Stmt(Call(Sock("socket")), {"s"}));
  RaisedException r = RaisedBy(Stmt(Method("s", "recv")));
  EXPECT_EQ(r.type, "TypeError");
  EXPECT_EQ(r.str, "recv() takes at least 1 argument (0 given)");
  r = RaisedBy(Stmt(Call(Attr(Name("s"), "recv"), {}, {{"bufsize", Lit(1)}})));
  EXPECT_EQ(r.str, "recv() takes no keyword arguments");
  r = RaisedBy(Stmt(Method("s", "recv", {LitStr("a")})));
  EXPECT_EQ(r.str, "'str' object cannot be interpreted as an integer");
  r = RaisedBy(Stmt(Method("s", "send", {LitStr("abc")})));
  EXPECT_EQ(r.str, "a bytes-like object is required, not 'str'");
  r = RaisedBy(Stmt(Method("s", "bind", {LitStr("x")})));
  EXPECT_EQ(r.str, "bind(): AF_INET address must be tuple, not str");
  r = RaisedBy(Stmt(Method("s", "settimeout", {Lit(-1)})));
  EXPECT_EQ(r.type, "ValueError");
  EXPECT_EQ(r.str, "Timeout value out of range");
  r = RaisedBy(Stmt(Call(Sock("socket"), {}, {{"foo", Lit(1)}})));
  EXPECT_EQ(r.str, "socket.__init__() got an unexpected keyword argument 'foo'");
}

TEST_F(ReferenceDriverTest, IntAndFloatTimeoutsAreConvertedLikePython) {
  ValueOf(Stmt(Call(Sock("socket")), {"s"}));
  ValueOf(Stmt(Method("s", "settimeout", {Lit(2)})));
  EXPECT_EQ(ValueOf(Stmt(Method("s", "gettimeout"))), Value::Float(2.0));
  ValueOf(Stmt(Method("s", "settimeout", {LitFloat(1e-10)})));
  EXPECT_EQ(ValueOf(Stmt(Method("s", "gettimeout"))), Value::Float(1e-9));
  // Only the int path can overflow _PyTime_t; the float path overflows time_t.
  RaisedException r = RaisedBy(
      Stmt(Method("s", "settimeout", {Lit(Value::IntFromDecimal("18446744073709551616"))})));
  EXPECT_EQ(r.type, "OverflowError");
  EXPECT_EQ(r.str, "timestamp too large to convert to C _PyTime_t");
  r = RaisedBy(Stmt(Method("s", "settimeout", {LitFloat(1e300)})));
  EXPECT_EQ(r.str, "timestamp out of range for platform time_t");
}

TEST_F(ReferenceDriverTest, MissingAttributesAreUnsupportedNotRaised) {
  Outcome o = Run(Stmt(Sock("no_such_name")));
  EXPECT_EQ(o.kind, Outcome::Kind::kUnsupported);
  EXPECT_EQ(o.unsupported, "module 'socket' has no attribute 'no_such_name'");
  ValueOf(Stmt(Call(Sock("socket")), {"s"}));
  o = Run(Stmt(Method("s", "no_such_method")));
  EXPECT_EQ(o.kind, Outcome::Kind::kUnsupported);
  EXPECT_EQ(o.unsupported, "'socket' object has no attribute 'no_such_method'");
}

TEST_F(ReferenceDriverTest, UnboundNameRaisesNameError) {
  RaisedException r = RaisedBy(Stmt(Name("nope")));
  EXPECT_EQ(r.type, "NameError");
  EXPECT_EQ(r.str, "name 'nope' is not defined");
}

TEST_F(ReferenceDriverTest, UnpackingCountsLikePython) {
  RaisedException r = RaisedBy(Stmt(json{{"tuple", {Lit(1)}}}, {"a", "b"}));
  EXPECT_EQ(r.type, "ValueError");
  EXPECT_EQ(r.str, "not enough values to unpack (expected 2, got 1)");
  r = RaisedBy(Stmt(Lit(1), {"a", "b"}));
  EXPECT_EQ(r.type, "TypeError");
  EXPECT_EQ(r.str, "cannot unpack non-iterable int object");
}

TEST_F(ReferenceDriverTest, RecvIntoAMemoryviewSliceWritesIntoTheBytearray) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Method("b", "sendall", {LitBytes("abcdef")})));
  ValueOf(Stmt(Call(Name("bytearray"), {Lit(8)}), {"buf"}));
  json view = {{"slice", {Call(Name("memoryview"), {Name("buf")}), Lit(2), Lit(5)}}};
  EXPECT_EQ(ValueOf(Stmt(Call(Attr(Name("a"), "recv_into"), {view}))), Value::Int(3));
  EXPECT_EQ(ValueOf(Stmt(Name("buf"))), Value::ByteArray(std::string("\0\0abc\0\0\0", 8)));
  EXPECT_EQ(ValueOf(Stmt(Method("a", "recv", {Lit(16)}))), Value::Bytes("def"));
}

TEST_F(ReferenceDriverTest, BinaryMakefileReadsAndKeepsTheSocketOpenUntilClosed) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Method("b", "makefile", {LitStr("rb")}), {"r"}));
  Value fd = ValueOf(Stmt(Method("b", "fileno")));
  EXPECT_EQ(ValueOf(Stmt(Name("r"))),
            Value::Object("BufferedReader", "<_io.BufferedReader name=" + fd.int_decimal() + ">"));
  // Lib/socket.py defers the real close while a makefile() file is open (_io_refs).
  ValueOf(Stmt(Method("b", "close")));
  EXPECT_EQ(ValueOf(Stmt(Method("b", "fileno"))), fd);
  ValueOf(Stmt(Method("a", "sendall", {LitBytes("line\n")})));
  EXPECT_EQ(ValueOf(Stmt(Method("r", "readline"))), Value::Bytes("line\n"));
  ValueOf(Stmt(Method("r", "close")));
  EXPECT_EQ(ValueOf(Stmt(Method("b", "fileno"))), Value::Int(-1));
  RaisedException r = RaisedBy(Stmt(Method("r", "read", {Lit(1)})));
  EXPECT_EQ(r.type, "ValueError");
  EXPECT_EQ(r.str, "read of closed file");
}

// Python: b.makefile() is a TextIOWrapper reading UTF-8; a.makefile("w", encoding="latin-1")
// encodes. (reference_driver_transcript_test compares many more text-file steps with CPython.)
TEST_F(ReferenceDriverTest, TextModeMakefileDecodesAndEncodes) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Method("b", "makefile"), {"r"}));
  const Value fd = ValueOf(Stmt(Method("b", "fileno")));
  EXPECT_EQ(ValueOf(Stmt(Name("r"))),
            Value::Object("TextIOWrapper", "<_io.TextIOWrapper name=" + fd.int_decimal() +
                                               " mode='r' encoding='UTF-8'>"));
  ValueOf(Stmt(Method("a", "sendall", {LitBytes("caf\xc3\xa9\nnext")})));
  EXPECT_EQ(ValueOf(Stmt(Method("r", "readline"))), Value::Str("caf\xc3\xa9\n"));
  EXPECT_EQ(ValueOf(Stmt(Method("r", "read", {Lit(2)}))), Value::Str("ne"));
  json w = Call(Attr(Name("a"), "makefile"), {LitStr("w")}, {{"encoding", LitStr("latin-1")}});
  ValueOf(Stmt(w, {"w"}));
  EXPECT_EQ(ValueOf(Stmt(Method("w", "write", {LitStr("caf\xc3\xa9\n")}))), Value::Int(5));
  ValueOf(Stmt(Method("w", "flush")));
  EXPECT_EQ(ValueOf(Stmt(Method("b", "recv", {Lit(10)}))), Value::Bytes("caf\xe9\n"));
  RaisedException r = RaisedBy(Stmt(Method("w", "write", {LitStr("\xe2\x82\xac")})));
  EXPECT_EQ(r.type, "UnicodeEncodeError");
  EXPECT_EQ(r.str,
            "'latin-1' codec can't encode character '\\u20ac' in position 0: ordinal not in "
            "range(256)");
  EXPECT_THAT(r.mro, ::testing::ElementsAre("UnicodeEncodeError", "UnicodeError", "ValueError",
                                            "Exception", "BaseException", "object"));
  r = RaisedBy(Stmt(Method("w", "read")));
  EXPECT_EQ(r.type, "io.UnsupportedOperation");
  EXPECT_EQ(r.str, "not readable");
  ValueOf(Stmt(Method("r", "close")));
  r = RaisedBy(Stmt(Method("r", "readline")));
  EXPECT_EQ(r.str, "I/O operation on closed file.");
  r = RaisedBy(Stmt(Method("a", "makefile", {LitStr("x")})));
  EXPECT_EQ(r.str, "invalid mode 'x' (only r, w, b allowed)");
}

TEST_F(ReferenceDriverTest, TextFileIsRefusedBySendfile) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  RaisedException r = RaisedBy(Stmt(Method("a", "sendfile", {Method("b", "makefile")})));
  EXPECT_EQ(r.type, "ValueError");
  EXPECT_EQ(r.str, "file should be opened in binary mode");
}

TEST_F(ReferenceDriverTest, UnknownEncodingIsUnsupportedNotGuessed) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  json f = Call(Attr(Name("a"), "makefile"), {}, {{"encoding", LitStr("cp1252")}});
  const Outcome o = Run(Stmt(f));
  EXPECT_EQ(o.kind, Outcome::Kind::kUnsupported) << Describe(o);
}

// Python: f = b.makefile('rb'); f.readline(); f.close(); f.read(1) raises although the next
// line is buffered, and each method says so in its own words.
TEST_F(ReferenceDriverTest, ClosedBinaryFileRefusesBufferedInput) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Method("b", "makefile", {LitStr("rb")}), {"r"}));
  ValueOf(Stmt(Method("a", "sendall", {LitBytes("l1\nl2\n")})));
  EXPECT_EQ(ValueOf(Stmt(Method("r", "readline"))), Value::Bytes("l1\n"));
  ValueOf(Stmt(Method("r", "close")));
  EXPECT_EQ(RaisedBy(Stmt(Method("r", "read", {Lit(1)}))).str, "read of closed file");
  EXPECT_EQ(RaisedBy(Stmt(Method("r", "read", {Lit(0)}))).str, "read of closed file");
  EXPECT_EQ(RaisedBy(Stmt(Method("r", "readline"))).str, "readline of closed file");
  EXPECT_EQ(RaisedBy(Stmt(Method("r", "flush"))).str, "I/O operation on closed file.");
  EXPECT_EQ(RaisedBy(Stmt(Method("r", "readable"))).str, "I/O operation on closed socket.");
  EXPECT_EQ(ValueOf(Stmt(Method("r", "writable"))), Value::Bool(false));
}

TEST_F(ReferenceDriverTest, EnumClassesLookMembersUpByValueAndName) {
  EXPECT_EQ(ValueOf(Stmt(Call(Sock("AddressFamily"), {Lit(2)}))),
            Value::Enum("AddressFamily", "AF_INET", 2));
  EXPECT_EQ(ValueOf(Stmt(Attr(Sock("AddressFamily"), "AF_ROUTE"))),
            Value::Enum("AddressFamily", "AF_NETLINK", 16));
  EXPECT_EQ(ValueOf(Stmt(Call(Sock("MsgFlag"), {Lit(3)}))),
            Value::Enum("MsgFlag", "MSG_OOB|MSG_PEEK", 3));
  RaisedException r = RaisedBy(Stmt(Call(Sock("AddressFamily"), {Lit(12345)})));
  EXPECT_EQ(r.type, "ValueError");
  EXPECT_EQ(r.str, "12345 is not a valid AddressFamily");
  EXPECT_EQ(ValueOf(Stmt(Call(Name("issubclass"), {Sock("timeout"), Name("OSError")}))),
            Value::Bool(true));
  EXPECT_EQ(ValueOf(Stmt(Call(Name("isinstance"), {Sock("AF_INET"), Sock("SocketKind")}))),
            Value::Bool(false));
}

TEST_F(ReferenceDriverTest, CaptureBindsPartOfTheValue) {
  ValueOf(Stmt(Call(Sock("socket")), {"server"}));
  ValueOf(Stmt(Method("server", "bind", {json{{"tuple", {LitStr("127.0.0.1"), Lit(0)}}}})));
  Value address = ValueOf(Stmt(Method("server", "getsockname")), {{"capture", {{"port", {1}}}}});
  ASSERT_EQ(address.type(), Value::Type::kTuple);
  EXPECT_EQ(ValueOf(Stmt(Name("port"))), address.items()[1]);
}

TEST_F(ReferenceDriverTest, BackgroundStepRunsConcurrentlyAndReportsAtEnd) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Method("a", "settimeout", {LitFloat(5.0)})));
  json started = driver_.Handle({{"op", "exec"},
                                 {"step", ++step_},
                                 {"stmt", Stmt(Method("b", "send", {LitBytes("x")}))},
                                 {"background", {{"delay", 0.05}}}});
  ASSERT_TRUE(started.value("started_at", json()).is_number()) << started;
  const double started_at = started["started_at"].get<double>();
  started.erase("started_at");
  EXPECT_EQ(started, json({{"op", "exec"}, {"step", step_}, {"background", "started"}}));
  const int background_step = step_;
  json reply = Exec(Stmt(Method("a", "recv", {Lit(1)})));
  EXPECT_EQ(OutcomeFromJson(reply["outcome"]).value, Value::Bytes("x"));
  // The peer sent after its delay, counted from the background request, so recv() returned
  // no sooner than that on the driver's clock ("started_at", PROTOCOL.md).
  ASSERT_TRUE(reply.value("started_at", json()).is_number()) << reply;
  const double lead = reply["started_at"].get<double>() - started_at;
  EXPECT_GE(lead, 0);
  EXPECT_GE(lead + reply["elapsed"].get<double>(), 0.05);
  json end = End();
  ASSERT_EQ(end["background"].size(), 1u) << end;
  EXPECT_EQ(end["background"][0]["step"], background_step);
  EXPECT_EQ(end["background"][0]["outcome"], json({{"value", 1}}));
  EXPECT_TRUE(end["background"][0]["elapsed"].is_number());
  EXPECT_EQ(end["leaked_fds"], 0);
}

// PROTOCOL.md, "want_value": the value is left out of the reply, but still bound.
TEST_F(ReferenceDriverTest, UnwantedValueIsOmittedButStillBound) {
  json big = {{"binop", {"*", LitBytes("x"), Lit(10000000)}}};
  json reply = Exec(Stmt(big, {"data"}), {{"want_value", false}});
  EXPECT_EQ(reply["outcome"], json({{"value", {{"omitted", "bytes"}, {"len", 10000000}}}}));
  EXPECT_EQ(ValueOf(Stmt(Call(Name("len"), {Name("data")}))), Value::Int(10000000));
  reply = Exec(Stmt(LitStr("h\xc3\xa9")), {{"want_value", false}});
  EXPECT_EQ(reply["outcome"], json({{"value", {{"omitted", "str"}, {"len", 2}}}}));
  reply = Exec(Stmt(Call(Sock("socketpair")), {"a", "b"}), {{"want_value", false}});
  EXPECT_EQ(reply["outcome"], json({{"value", {{"omitted", "tuple"}, {"len", 2}}}}));
  reply = Exec(Stmt(Name("a")), {{"want_value", false}});
  EXPECT_EQ(reply["outcome"], json({{"value", {{"omitted", "socket"}, {"len", nullptr}}}}));
  // Exceptions are reported in full.
  EXPECT_EQ(OutcomeFromJson(Exec(Stmt(Name("nope")), {{"want_value", false}})["outcome"]).kind,
            Outcome::Kind::kRaised);
  EXPECT_EQ(ValueOf(Stmt(Name("b"))).type_name(), "socket");  // asked for: sent
}

// The evaluator builds large operands without per-byte work: `b"x" * 10000000 + data` takes
// milliseconds (it took seconds when bytes were appended one at a time at -O0).
TEST_F(ReferenceDriverTest, LargeBytesOperationsAreFast) {
  const auto start = std::chrono::steady_clock::now();
  json big = {{"binop", {"*", LitBytes("ab"), Lit(5000000)}}};
  Exec(Stmt(big, {"data"}), {{"want_value", false}});
  Exec(Stmt({{"binop", {"+", Name("data"), Name("data")}}}, {"twice"}), {{"want_value", false}});
  EXPECT_EQ(ValueOf(Stmt(Call(Name("len"), {Name("twice")}))), Value::Int(20000000));
  EXPECT_EQ(ValueOf(Stmt({{"slice", {Name("twice"), Lit(9999998), Lit(10000002)}}})),
            Value::Bytes("abab"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ReferenceDriverTest, StuckBackgroundStepIsUnfinishedAndItsSocketsAreShutDown) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  driver_.Handle({{"op", "exec"},
                  {"step", ++step_},
                  {"stmt", Stmt(Method("a", "recv", {Lit(1)}))},  // blocking, nothing comes
                  {"background", {{"delay", 0}}}});
  const auto start = std::chrono::steady_clock::now();
  json end = End({{"deadline", 0.05}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ASSERT_EQ(end["background"].size(), 1u) << end;
  EXPECT_EQ(end["background"][0]["outcome"], json({{"unfinished", true}}));
  EXPECT_EQ(end["leaked_fds"], 0);
}

TEST_F(ReferenceDriverTest, BackgroundStepsCannotAssign) {
  json reply = driver_.Handle(
      {{"op", "exec"}, {"step", 7}, {"stmt", Stmt(Lit(1), {"x"})}, {"background", {{"delay", 0}}}});
  EXPECT_EQ(reply,
            json({{"error", "a background statement cannot assign"}, {"op", "exec"}, {"step", 7}}));
}

TEST_F(ReferenceDriverTest, EndReportsDescriptorsTheCaseLeaked) {
  ValueOf(Stmt(Call(Sock("socket")), {"s"}));
  Value fd = ValueOf(Stmt(Method("s", "detach")));
  json end = End();
  EXPECT_EQ(end["leaked_fds"], 1);
  ::close(static_cast<int>(*fd.as_int64()));
}

TEST_F(ReferenceDriverTest, EndClosesSocketsAndResetsTheDefaultTimeout) {
  ValueOf(Stmt(Call(Sock("setdefaulttimeout"), {LitFloat(2.5)})));
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  ValueOf(Stmt(Call(Sock("socket"))));  // unnamed: closed when the step drops it
  json end = End();
  EXPECT_EQ(end, json({{"op", "end"}, {"background", json::array()}, {"leaked_fds", 0}}));
  EXPECT_EQ(sockref::getdefaulttimeout(), std::nullopt);
  // A new case starts with an empty namespace.
  driver_.Handle({{"op", "begin"}, {"case", "test.next"}});
  EXPECT_EQ(RaisedBy(Stmt(Name("a"))).type, "NameError");
}

TEST_F(ReferenceDriverTest, TmpdirIsTheCasesOwnDirectoryRemovedAtEnd) {
  const Value dir = ValueOf(Stmt(Name("tmpdir")));
  ASSERT_EQ(dir.type(), Value::Type::kStr);
  const std::string path = dir.data();
  EXPECT_THAT(path, StartsWith("/tmp/sockref-"));
  EXPECT_EQ(ValueOf(Stmt(Name("tmpdir"))), dir);  // one per case
  ValueOf(Stmt(Call(Attr(Call(Sock("socket"), {Sock("AF_UNIX")}), "bind"),
                    {json{{"binop", {"+", Name("tmpdir"), LitStr("/s")}}}})));
  EXPECT_EQ(::access((path + "/s").c_str(), F_OK), 0);
  End();
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  driver_.Handle({{"op", "begin"}, {"case", "test.next"}});
  EXPECT_NE(ValueOf(Stmt(Name("tmpdir"))), dir);
}

TEST_F(ReferenceDriverTest, InterruptReachesTheBlockedStepAndItsHandlerRaisesOrReturns) {
  ValueOf(Stmt(Call(Sock("socketpair")), {"a", "b"}));
  json ack = Exec(Stmt(Call(Name("interrupt"), {Name("ValueError")})),
                  {{"background", {{"delay", 0.05}}}});
  json reply = Exec(Stmt(Method("a", "recv", {Lit(1)})));
  EXPECT_EQ(reply["outcome"]["raised"]["type"], "ValueError") << reply;
  EXPECT_EQ(reply["outcome"]["raised"]["str"], "raised by the signal handler") << reply;
  EXPECT_GE(reply["started_at"].get<double>() - ack["started_at"].get<double>() +
                reply["elapsed"].get<double>(),
            0.05);
  // A handler that returns: recv is retried and gets what arrives later.
  Exec(Stmt(Call(Name("interrupt"))), {{"background", {{"delay", 0.05}}}});
  Exec(Stmt(Method("b", "send", {LitBytes("x")})), {{"background", {{"delay", 0.1}}}});
  EXPECT_EQ(ValueOf(Stmt(Method("a", "recv", {Lit(1)}))), Value::Bytes("x"));
  EXPECT_EQ(ValueOf(Stmt(Call(Name("interrupts")))), Value::Int(2));
  End();
  driver_.Handle({{"op", "begin"}, {"case", "test.next"}});
  EXPECT_EQ(ValueOf(Stmt(Call(Name("interrupts")))), Value::Int(0));
  EXPECT_EQ(RaisedBy(Stmt(Call(Name("interrupt"), {Lit(1)}))).str,
            "interrupt() takes an exception class, not 'int'");
}

TEST_F(ReferenceDriverTest, AnInterruptBetweenStepsReachesTheNextOne) {
  Exec(Stmt(Call(Name("interrupt"), {Name("ValueError")})), {{"background", {{"delay", 0}}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(RaisedBy(Stmt(Call(Name("len"), {LitBytes("xy")}))).type, "ValueError");
  EXPECT_EQ(ValueOf(Stmt(Call(Name("len"), {LitBytes("xy")}))), Value::Int(2));
}

TEST_F(ReferenceDriverTest, NonUtf8UnixPathReadsBackWithSurrogateescape) {
  // python3: s.bind(tmpdir.encode() + b"/\xff"); s.getsockname() -> tmpdir + "/\udcff", a str
  // that JSON cannot carry, so it travels as an object with its repr (PROTOCOL.md, "Values").
  const std::string dir = ValueOf(Stmt(Name("tmpdir"))).data();
  ValueOf(Stmt(Call(Sock("socket"), {Sock("AF_UNIX"), Sock("SOCK_DGRAM")}), {"s"}));
  ValueOf(Stmt(Method("s", "bind", {LitBytes(dir + "/\xff")})));
  EXPECT_EQ(ValueOf(Stmt(Method("s", "getsockname"))),
            Value::Object("str", "'" + dir + "/\\udcff'"));
  // The str is an address again: encoded back to the byte it stands for.
  ValueOf(Stmt(Call(Sock("socket"), {Sock("AF_UNIX"), Sock("SOCK_DGRAM")}), {"c"}));
  ValueOf(Stmt(Method("c", "connect", {Method("s", "getsockname")})));
  ValueOf(Stmt(Method("c", "send", {LitBytes("z")})));
  EXPECT_EQ(ValueOf(Stmt(Method("s", "recv", {Lit(4)}))), Value::Bytes("z"));
}

TEST_F(ReferenceDriverTest, GetaddrinfoPortMustBeAnExactInt) {
  // python3: getaddrinfo("127.0.0.1", True) -> OSError: Int or String expected (PyLong_CheckExact).
  for (const json& port : {Lit(Value::Bool(true)), Sock("SOCK_DGRAM")}) {
    const RaisedException r = RaisedBy(Stmt(Call(Sock("getaddrinfo"), {LitStr("127.0.0.1"), port})));
    EXPECT_EQ(r.type, "OSError");
    EXPECT_EQ(r.str, "Int or String expected");
  }
}

TEST_F(ReferenceDriverTest, ReprIsPythons) {
  EXPECT_EQ(ValueOf(Stmt(Call(Name("repr"), {LitBytes("x")}))), Value::Str("b'x'"));
  EXPECT_EQ(ValueOf(Stmt(Call(Name("repr"), {Call(Sock("socket"))}))).data().rfind(
                "<socket.socket fd=", 0),
            0u);
}

TEST_F(ReferenceDriverTest, BadRequestsGetErrorRepliesNeverACrash) {
  EXPECT_EQ(driver_.Handle("text"), json({{"error", "a request is a JSON object"}}));
  EXPECT_EQ(driver_.Handle(json::array()), json({{"error", "a request is a JSON object"}}));
  EXPECT_EQ(driver_.Handle({{"op", "nope"}}),
            json({{"error", "unknown op \"nope\""}, {"op", "nope"}}));
  EXPECT_EQ(driver_.Handle({{"no_op", 1}}), json({{"error", "unknown op null"}}));
  json reply = driver_.Handle(
      {{"op", "exec"}, {"step", 4}, {"stmt", {{"assign", nullptr}, {"expr", {{"bogus", 1}}}}}});
  EXPECT_EQ(reply["op"], "exec");
  EXPECT_EQ(reply["step"], 4);
  EXPECT_EQ(reply["error"], "unknown expression \"bogus\"");
  reply = driver_.Handle({{"op", "exec"}, {"step", 5}});
  EXPECT_THAT(reply["error"].get<std::string>(), HasSubstr("statement"));
  reply = driver_.Handle(
      {{"op", "exec"}, {"step", 6}, {"stmt", Stmt(Lit(1))}, {"background", {{"delay", "soon"}}}});
  EXPECT_EQ(reply["error"], "\"background\" takes {\"delay\": seconds}");
  reply = driver_.Handle({{"op", "begin"}});
  EXPECT_EQ(reply["error"], "\"begin\" takes \"case\": id");
  EXPECT_EQ(End({{"deadline", "x"}})["error"], "\"deadline\" takes seconds");
  // The case is still usable after all of that.
  EXPECT_EQ(ValueOf(Stmt(Lit(7))), Value::Int(7));
  End();
  reply = driver_.Handle({{"op", "exec"}, {"step", 1}, {"stmt", Stmt(Lit(1))}});
  EXPECT_EQ(reply, json({{"error", "\"exec\" outside a case (send \"begin\" first)"},
                         {"op", "exec"},
                         {"step", 1}}));
  EXPECT_EQ(driver_.Handle({{"op", "end"}})["error"], "\"end\" outside a case");
}

TEST_F(ReferenceDriverTest, QuitEndsTheOpenCase) {
  EXPECT_FALSE(driver_.quit_requested());
  EXPECT_EQ(driver_.Handle({{"op", "quit"}}), json({{"op", "quit"}}));
  EXPECT_TRUE(driver_.quit_requested());
  EXPECT_THAT(driver_.Handle({{"op", "end"}})["error"].get<std::string>(),
              HasSubstr("outside a case"));
}

TEST(ReportCurrentExceptionTest, ForeignExceptionIsAnInternalErrorNotAPythonOutcome) {
  try {
    throw std::logic_error("broken invariant");
  } catch (...) {
    reference::ExceptionReport r = reference::ReportCurrentException();
    EXPECT_FALSE(r.outcome);
    EXPECT_THAT(r.internal_error, HasSubstr("broken invariant"));
  }
}

TEST(ReportCurrentExceptionTest, BadAllocIsMemoryError) {
  try {
    throw std::bad_alloc();
  } catch (...) {
    reference::ExceptionReport r = reference::ReportCurrentException();
    ASSERT_TRUE(r.outcome);
    EXPECT_EQ(r.outcome->kind, Outcome::Kind::kRaised);
    EXPECT_EQ(r.outcome->raised.type, "MemoryError");
    EXPECT_EQ(r.outcome->raised.mro,
              (std::vector<std::string>{"MemoryError", "Exception", "BaseException", "object"}));
  }
}

}  // namespace
}  // namespace sockref::conformance
