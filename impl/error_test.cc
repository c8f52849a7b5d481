#include "impl/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netdb.h>

#include <cerrno>

#include "impl/testing/raises.h"

namespace sockref {
namespace {

using ::sockref::testing::Outcome;
using ::sockref::testing::Raises;
using ::sockref::testing::RaisesOSError;
using ::sockref::testing::RaisesTimeout;

TEST(ErrorTest, OSErrorMessageIsPythonsStr) {
  OSError e(ECONNREFUSED);
  EXPECT_STREQ(e.what(), "[Errno 111] Connection refused");
  EXPECT_EQ(e.errno_value(), ECONNREFUSED);
  EXPECT_EQ(e.strerror(), "Connection refused");
  EXPECT_EQ(e.code(), std::errc::connection_refused);
}

TEST(ErrorTest, OSErrorWithoutErrnoHasNoErrno) {
  OSError e(std::string("AF_UNIX path too long"));
  EXPECT_STREQ(e.what(), "AF_UNIX path too long");
  EXPECT_FALSE(e.errno_value().has_value());
  EXPECT_FALSE(e.strerror().has_value());
}

struct ErrnoClass {
  int errno_value;
  ErrorKind kind;
};

class ErrnoMappingTest : public ::testing::TestWithParam<ErrnoClass> {};

TEST_P(ErrnoMappingTest, ThrowOSErrorPicksCPythonsSubclass) {
  const ErrnoClass& p = GetParam();
  EXPECT_EQ(ErrorKindForErrno(p.errno_value), p.kind);
  EXPECT_THAT(Outcome([&] { ThrowOSError(p.errno_value); }), RaisesOSError(p.errno_value));
}

// PEP 3151's table, as CPython's Objects/exceptions.c applies it on Linux.
INSTANTIATE_TEST_SUITE_P(
    Pep3151, ErrnoMappingTest,
    ::testing::Values(ErrnoClass{EAGAIN, ErrorKind::kBlockingIOError},
                      ErrnoClass{EALREADY, ErrorKind::kBlockingIOError},
                      ErrnoClass{EINPROGRESS, ErrorKind::kBlockingIOError},
                      ErrnoClass{ECHILD, ErrorKind::kChildProcessError},
                      ErrnoClass{EPIPE, ErrorKind::kBrokenPipeError},
                      ErrnoClass{ESHUTDOWN, ErrorKind::kBrokenPipeError},
                      ErrnoClass{ECONNABORTED, ErrorKind::kConnectionAbortedError},
                      ErrnoClass{ECONNREFUSED, ErrorKind::kConnectionRefusedError},
                      ErrnoClass{ECONNRESET, ErrorKind::kConnectionResetError},
                      ErrnoClass{EEXIST, ErrorKind::kFileExistsError},
                      ErrnoClass{ENOENT, ErrorKind::kFileNotFoundError},
                      ErrnoClass{EINTR, ErrorKind::kInterruptedError},
                      ErrnoClass{EISDIR, ErrorKind::kIsADirectoryError},
                      ErrnoClass{ENOTDIR, ErrorKind::kNotADirectoryError},
                      ErrnoClass{EACCES, ErrorKind::kPermissionError},
                      ErrnoClass{EPERM, ErrorKind::kPermissionError},
                      ErrnoClass{ESRCH, ErrorKind::kProcessLookupError},
                      ErrnoClass{ETIMEDOUT, ErrorKind::kTimeoutError},
                      ErrnoClass{EBADF, ErrorKind::kOSError},
                      ErrnoClass{EADDRINUSE, ErrorKind::kOSError}));

TEST(ErrorTest, SubclassesAreCatchableAsTheirPythonBases) {
  EXPECT_THROW(ThrowOSError(EPIPE), ConnectionError);
  EXPECT_THROW(ThrowOSError(ECONNRESET), ConnectionError);
  EXPECT_THROW(ThrowOSError(EBADF), OSError);
  EXPECT_THROW(ThrowOSError(EBADF), std::system_error);
}

TEST(ErrorTest, TimeoutIsTimeoutErrorWithoutErrno) {
  EXPECT_THAT(Outcome([] { throw MakeTimeout(); }), RaisesTimeout());
  // An ETIMEDOUT from the kernel is a TimeoutError *with* errno: not socket.timeout's form.
  EXPECT_THAT(Outcome([] { ThrowOSError(ETIMEDOUT); }), ::testing::Not(RaisesTimeout()));
}

TEST(ErrorTest, GaierrorCarriesEaiCodeAndGaiStrerror) {
  gaierror e(EAI_NONAME);
  EXPECT_EQ(e.errno_value(), EAI_NONAME);
  EXPECT_STREQ(e.what(), "[Errno -2] Name or service not known");
  EXPECT_EQ(e.kind(), ErrorKind::kGaiError);
  EXPECT_EQ(e.python_name(), "gaierror");
}

TEST(ErrorTest, HerrorCarriesHostErrnoAndHstrerror) {
  herror e(HOST_NOT_FOUND);
  EXPECT_EQ(e.errno_value(), HOST_NOT_FOUND);
  EXPECT_STREQ(e.what(), "[Errno 1] Unknown host");
}

TEST(ErrorTest, ArgumentErrorsAreNotOSErrors) {
  EXPECT_THAT(Outcome([] { throw ValueError("negative buffersize in recv"); }),
              Raises(ErrorKind::kValueError, "negative buffersize in recv"));
  EXPECT_THROW(throw OverflowError("x"), std::overflow_error);
  EXPECT_THAT(Outcome([] { throw TypeError("t"); }), Raises(ErrorKind::kTypeError));
  try {
    throw ValueError("v");
  } catch (const OSError&) {
    FAIL() << "ValueError must not be an OSError";
  } catch (const ValueError&) {
  }
}

}  // namespace
}  // namespace sockref
