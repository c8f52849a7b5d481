// Tests of value.h: doctest's equality and Python's repr().
#include "conformance/language/value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>


namespace sockref::conformance {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(Values, EqualityIsDoctests) {
  EXPECT_NE(Value::Int(1), Value::Bool(true));
  EXPECT_NE(Value::Int(1), Value::Float(1.0));
  EXPECT_NE(Value::Bytes("a"), Value::ByteArray("a"));
  EXPECT_NE(Value::Tuple({Value::Int(1)}), Value::List({Value::Int(1)}));
  EXPECT_NE(Value::Float(0.0), Value::Float(-0.0));
  EXPECT_EQ(Value::Float(std::nan("")), Value::Float(std::nan("")));
  EXPECT_EQ(Value::IntFromDecimal("007"), Value::Int(7));
  EXPECT_EQ(Value::IntFromDecimal("-0"), Value::Int(0));
  EXPECT_EQ(Value::Enum("MsgFlag", "MSG_PEEK|MSG_WAITALL", 258),
            Value::Enum("MsgFlag", "MSG_WAITALL|MSG_PEEK", 258));
  EXPECT_NE(Value::Enum("AddressFamily", "AF_INET", 2), Value::Int(2));
  EXPECT_THROW(Value::IntFromDecimal("1.5"), std::invalid_argument);
  EXPECT_EQ(Value::IntFromDecimal("99999999999999999999").as_int64(), std::nullopt);
  EXPECT_THAT(Value::IntFromDecimal("-42").as_int64(), Optional(-42));
}

TEST(Values, ReprIsPythons) {
  EXPECT_EQ(Repr(Value::Bytes(std::string("\x01\0'\\\t\x7f", 6))), R"(b"\x01\x00'\\\t\x7f")");
  EXPECT_EQ(Repr(Value::Bytes("a'b\"")), R"(b'a\'b"')");
  EXPECT_EQ(Repr(Value::Str("it's")), R"("it's")");
  EXPECT_EQ(Repr(Value::Str("h\u00e9\n")), "'h\u00e9\\n'");
  EXPECT_EQ(Repr(Value::Str("a\xed\xb3\xbf")), "'a\\udcff'");  // a lone surrogate, escaped
  EXPECT_EQ(Repr(Value::ByteArray("x")), "bytearray(b'x')");
  EXPECT_EQ(Repr(Value::Tuple({Value::Str("127.0.0.1"), Value::Int(80)})), "('127.0.0.1', 80)");
  EXPECT_EQ(Repr(Value::Tuple({Value::None()})), "(None,)");
  EXPECT_EQ(Repr(Value::List({Value::Bool(true)})), "[True]");
  EXPECT_EQ(Repr(Value::Enum("AddressFamily", "AF_INET", 2)), "<AddressFamily.AF_INET: 2>");
  EXPECT_EQ(Repr(Value::Object("socket", "<socket.socket fd=3>")), "<socket.socket fd=3>");
  EXPECT_EQ(Repr(Value::Float(0.1)), "0.1");
  EXPECT_EQ(Repr(Value::Float(100)), "100.0");
  EXPECT_EQ(Repr(Value::Float(-0.0)), "-0.0");
  EXPECT_EQ(Repr(Value::Float(1e16)), "1e+16");
  EXPECT_EQ(Repr(Value::Float(1e15)), "1000000000000000.0");
  EXPECT_EQ(Repr(Value::Float(1.5e-5)), "1.5e-05");
  EXPECT_EQ(Repr(Value::Float(0.0001)), "0.0001");
  EXPECT_EQ(Repr(Value::Float(HUGE_VAL)), "inf");
}

TEST(Values, TypeNames) {
  EXPECT_EQ(Value::None().type_name(), "NoneType");
  EXPECT_EQ(Value::Int(1).type_name(), "int");
  EXPECT_EQ(Value::ByteArray("").type_name(), "bytearray");
  EXPECT_EQ(Value::Enum("AddressFamily", "AF_INET", 2).type_name(), "AddressFamily");
  EXPECT_EQ(Value::Object("socket", "").type_name(), "socket");
}

}  // namespace
}  // namespace sockref::conformance
