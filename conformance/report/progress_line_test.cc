// Tests of progress_line.h: an updating line on a terminal, plain per-area lines elsewhere.
#include "conformance/report/progress_line.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <sstream>

namespace sockref::conformance::report {
namespace {

TEST(ProgressLineTest, ElsewhereOnlyTheRunnersAreaLinesAppear) {
  std::ostringstream out;
  ProgressLine progress(out, "report", /*terminal=*/false);
  progress.Case(1, 5, "inet");
  progress.Area("[1/2] inet: 1 cases done");
  progress.Case(5, 5, "timeouts");
  progress.Area("[2/2] timeouts: 4 cases done");
  progress.Finish();
  EXPECT_EQ(out.str(), "report: [1/2] inet: 1 cases done\nreport: [2/2] timeouts: 4 cases done\n");
}

TEST(ProgressLineTest, OnATerminalOneLineIsRewrittenAndEndedOnce) {
  std::ostringstream out;
  ProgressLine progress(out, "matrix", /*terminal=*/true);
  progress.Case(1, 3, "inet");
  progress.Area("[1/2] inet: 1 cases done");
  progress.Case(3, 3, "timeouts");
  progress.Finish();
  progress.Finish();
  EXPECT_EQ(out.str(),
            "\rmatrix: [1/3 cases] inet\x1b[K\rmatrix: [3/3 cases] timeouts\x1b[K\n");
}

TEST(ProgressLineTest, NothingDrawnNothingEnded) {
  std::ostringstream out;
  ProgressLine progress(out, "report", /*terminal=*/true);
  progress.Finish();
  EXPECT_EQ(out.str(), "");
}

// A pipe is no terminal, whatever TERM says; a dumb terminal cannot rewrite a line.
TEST(ProgressLineTest, IsTerminalNeedsATtyAndACapableTerm) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::setenv("TERM", "xterm", 1);
  EXPECT_FALSE(ProgressLine::IsTerminal(fds[1]));
  ::close(fds[0]);
  ::close(fds[1]);
  const int tty = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (tty < 0) GTEST_SKIP() << "no pseudo-terminal here";
  ASSERT_EQ(::grantpt(tty), 0);
  ASSERT_EQ(::unlockpt(tty), 0);
  const int pts = ::open(::ptsname(tty), O_RDWR | O_NOCTTY);
  ASSERT_GE(pts, 0);
  EXPECT_TRUE(ProgressLine::IsTerminal(pts));
  ::setenv("TERM", "dumb", 1);
  EXPECT_FALSE(ProgressLine::IsTerminal(pts));
  ::unsetenv("TERM");
  EXPECT_FALSE(ProgressLine::IsTerminal(pts));
  ::close(pts);
  ::close(tty);
}

}  // namespace
}  // namespace sockref::conformance::report
