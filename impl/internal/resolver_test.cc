#include "impl/internal/resolver.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cerrno>
#include <string>

#include "impl/error.h"
#include "impl/testing/raises.h"

namespace sockref::resolver_internal {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::ReturnsNormally;
using ::testing::AllOf;

// CPython's set_gaierror() (Modules/socketmodule.c) raises socket.gaierror(code,
// gai_strerror(code)), except for EAI_SYSTEM, where it calls set_error(), i.e.
// PyErr_SetFromErrno(PyExc_OSError): the errno the failed call left, which
// Py_END_ALLOW_THREADS preserves, and "Error" as the text when errno is 0.

TEST(RaiseGaiErrorTest, EaiCodeRaisesGaierrorWithGaiStrerror) {
  EXPECT_THAT(Outcome([] { RaiseGaiError(EAI_NONAME, 0); }),
              Raises(ErrorKind::kGaiError, "[Errno -2] Name or service not known"));
}

TEST(RaiseGaiErrorTest, EaiSystemRaisesTheErrnoOfTheFailedCallNotTheCurrentOne) {
  // Whatever ran between the failed call and the raise (a destructor, logging) may
  // have changed errno since; the saved value is the one CPython reports.
  EXPECT_THAT(Outcome([] {
                errno = ENOENT;
                RaiseGaiError(EAI_SYSTEM, ECONNREFUSED);
              }),
              AllOf(RaisesOSError(ECONNREFUSED),
                    Raises(ErrorKind::kConnectionRefusedError, "[Errno 111] Connection refused")));
}

TEST(RaiseGaiErrorTest, EaiSystemWithoutErrnoRaisesOSErrorZeroError) {
  EXPECT_THAT(Outcome([] { RaiseGaiError(EAI_SYSTEM, 0); }),
              AllOf(RaisesOSError(0), Raises(ErrorKind::kOSError, "[Errno 0] Error")));
}

TEST(GetAddrInfoTest, ReturnsTheResolversList) {
  const AddrInfoList list = GetAddrInfo("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0);
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->ai_family, AF_INET);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in*>(list->ai_addr)->sin_port), 80);
}

TEST(GetAddrInfoTest, FailureRaisesGaierror) {
  EXPECT_THAT(Outcome([] { GetAddrInfo("localhost", nullptr, AF_INET, 0, 0, AI_NUMERICHOST); }),
              Raises(ErrorKind::kGaiError, "[Errno -2] Name or service not known"));
}

// SetIpAddrIn resolves `name` for AF_INET and returns the dotted quad it found.
std::string SetIpAddrIn(const std::string& name) {
  sockaddr_in sin{};
  SetIpAddr(name, reinterpret_cast<sockaddr*>(&sin), sizeof(sin), AF_INET);
  EXPECT_EQ(sin.sin_family, AF_INET);
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text));
}

TEST(SetIpAddrTest, SpecialNamesAndNumbersSkipTheLookup) {
  EXPECT_EQ(SetIpAddrIn(""), "0.0.0.0");
  EXPECT_EQ(SetIpAddrIn("<broadcast>"), "255.255.255.255");
  EXPECT_EQ(SetIpAddrIn("255.255.255.255"), "255.255.255.255");
  EXPECT_EQ(SetIpAddrIn("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(SetIpAddrIn("localhost"), "127.0.0.1");
}

TEST(SetIpAddrTest, Ipv6AndUnspecifiedFamilies) {
  sockaddr_storage ss{};
  SetIpAddr("::1", reinterpret_cast<sockaddr*>(&ss), sizeof(ss), AF_UNSPEC);
  EXPECT_EQ(ss.ss_family, AF_INET6);
  SetIpAddr("10.1.2.3", reinterpret_cast<sockaddr*>(&ss), sizeof(ss), AF_UNSPEC);
  EXPECT_EQ(ss.ss_family, AF_INET);
  // Scoped literals go through getaddrinfo(), which maps the interface name.
  sockaddr_in6 sin6{};
  SetIpAddr("fe80::1%lo", reinterpret_cast<sockaddr*>(&sin6), sizeof(sin6), AF_INET6);
  EXPECT_EQ(sin6.sin6_family, AF_INET6);
  EXPECT_EQ(sin6.sin6_scope_id, 1u);
}

TEST(SetIpAddrTest, ErrorsAreCPythons) {
  sockaddr_storage ss{};
  auto* out = reinterpret_cast<sockaddr*>(&ss);
  EXPECT_THAT(Outcome([&] { SetIpAddr("<broadcast>", out, sizeof(ss), AF_INET6); }),
              Raises(ErrorKind::kOSError, "address family mismatched"));
  EXPECT_THAT(Outcome([&] { SetIpAddr("::1", out, sizeof(ss), AF_INET); }),
              Raises(ErrorKind::kGaiError, "[Errno -9] Address family for hostname not supported"));
  EXPECT_THAT(Outcome([&] { SetIpAddr("localhost", out, sizeof(ss), AF_INET); }),
              ReturnsNormally());
}

}  // namespace
}  // namespace sockref::resolver_internal
