// Tests of SubprocessDriver against testdata/fake_driver.py, a driver that misbehaves on cue.
#include "conformance/runner/subprocess_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "impl/testing/open_fds.h"

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> Fake(std::vector<std::string> flags = {}) {
  std::vector<std::string> argv = {"python3", "conformance/runner/testdata/fake_driver.py"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return argv;
}

json Exec(int step) {
  return {{"op", "exec"}, {"step", step}, {"stmt", {{"assign", nullptr}, {"expr", {{"lit", 1}}}}}};
}

// Begin starts case `id` and runs its step 1, which the fake always answers properly.
void Begin(SubprocessDriver& d, const std::string& id) {
  ASSERT_EQ(d.Call({{"op", "begin"}, {"case", id}}, Deadline(10)).status, DriverReply::Status::kOk);
  ASSERT_EQ(d.Call(Exec(1), Deadline(10)).status, DriverReply::Status::kOk);
}

bool ProcessExists(int pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

TEST(SubprocessDriverTest, StartReturnsTheHelloReply) {
  SubprocessDriver d(Fake({"--capabilities", "AF_UNIX,SCM_RIGHTS"}));
  json hello = d.Start(Deadline(10));
  EXPECT_EQ(hello["protocol"], "sockref-driver/1");
  EXPECT_EQ(hello["capabilities"], json({"AF_UNIX", "SCM_RIGHTS"}));
  EXPECT_FALSE(d.InProcess());
}

TEST(SubprocessDriverTest, CallReturnsTheReplyToTheRequest) {
  SubprocessDriver d(Fake());
  d.Start(Deadline(10));
  DriverReply r = d.Call({{"op", "begin"}, {"case", "x.y"}}, Deadline(10));
  ASSERT_EQ(r.status, DriverReply::Status::kOk) << r.detail;
  EXPECT_EQ(r.message, json({{"op", "begin"}, {"case", "x.y"}}));
  r = d.Call(Exec(1), Deadline(10));
  EXPECT_EQ(r.message["outcome"], json({{"value", nullptr}}));
}

TEST(SubprocessDriverTest, DriverThatExitsIsReportedAsCrashedWithItsLastWords) {
  SubprocessDriver d(Fake());
  d.Start(Deadline(10));
  Begin(d, "t.exits");
  DriverReply r = d.Call(Exec(2), Deadline(10));
  EXPECT_EQ(r.status, DriverReply::Status::kCrashed);
  EXPECT_THAT(r.detail, HasSubstr("exited with status 3"));
  EXPECT_THAT(r.detail, HasSubstr("fake: dying at step 2"));
  EXPECT_EQ(d.Call(Exec(3), Deadline(1)).status, DriverReply::Status::kCrashed);
}

TEST(SubprocessDriverTest, GarbageLineIsReportedAndTheDriverKilled) {
  SubprocessDriver d(Fake());
  int pid = d.Start(Deadline(10))["pid"];
  Begin(d, "t.garbage");
  DriverReply r = d.Call(Exec(2), Deadline(10));
  EXPECT_EQ(r.status, DriverReply::Status::kGarbage);
  EXPECT_THAT(r.detail, HasSubstr("not a JSON object: Traceback (most recent call last): oops"));
  EXPECT_FALSE(ProcessExists(pid));
}

TEST(SubprocessDriverTest, ReplyForAnotherStepIsGarbage) {
  SubprocessDriver d(Fake());
  d.Start(Deadline(10));
  Begin(d, "t.wrongstep");
  DriverReply r = d.Call(Exec(2), Deadline(10));
  EXPECT_EQ(r.status, DriverReply::Status::kGarbage);
  EXPECT_THAT(r.detail, HasSubstr("reply's \"step\" is 7, expected 2"));
}

TEST(SubprocessDriverTest, SilentDriverIsKilledAtTheDeadline) {
  SubprocessDriver d(Fake());
  int pid = d.Start(Deadline(10))["pid"];
  Begin(d, "t.hangs");
  const Clock::time_point start = Clock::now();
  DriverReply r = d.Call(Exec(2), Deadline(0.3));
  const double waited = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(r.status, DriverReply::Status::kHung);
  EXPECT_THAT(r.detail, HasSubstr("no reply to exec within the deadline"));
  EXPECT_GE(waited, 0.29);
  EXPECT_LT(waited, 2.0);
  EXPECT_FALSE(ProcessExists(pid));
}

TEST(SubprocessDriverTest, StartAfterACrashGivesAFreshDriver) {
  SubprocessDriver d(Fake());
  int first = d.Start(Deadline(10))["pid"];
  Begin(d, "t.exits");
  ASSERT_EQ(d.Call(Exec(2), Deadline(10)).status, DriverReply::Status::kCrashed);
  int second = d.Start(Deadline(10))["pid"];
  EXPECT_NE(first, second);
  Begin(d, "t.fine");
}

TEST(SubprocessDriverTest, MissingProgramIsUnavailable) {
  SubprocessDriver d({"no-such-interpreter-sockref", "driver.py"});
  try {
    d.Start(Deadline(10));
    FAIL() << "started";
  } catch (const DriverUnavailable& e) {
    EXPECT_STREQ(e.what(), "program not found: no-such-interpreter-sockref");
  }
}

TEST(SubprocessDriverTest, ProgramThatCannotBeExecutedIsUnavailable) {
  // An empty executable file is found, but exec fails with ENOEXEC in the child.
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/empty_program";
  std::ofstream(path).close();
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  SubprocessDriver d({path});
  try {
    d.Start(Deadline(10));
    FAIL() << "started";
  } catch (const DriverUnavailable& e) {
    EXPECT_EQ(std::string(e.what()), "cannot run " + path + ": Exec format error");
  }
  ::unlink(path.c_str());
}

// StartError returns what() of the DriverUnavailable Start throws for the fake with `flags`.
std::string StartError(std::vector<std::string> flags, double seconds = 10) {
  SubprocessDriver d(Fake(std::move(flags)));
  try {
    d.Start(Deadline(seconds));
  } catch (const DriverUnavailable& e) {
    return e.what();
  }
  return "started";
}

TEST(SubprocessDriverTest, BadHelloMakesTheDriverUnavailable) {
  EXPECT_THAT(StartError({"--hello", "garbage"}),
              HasSubstr("no hello reply (garbage): reply is not a JSON object: Python 3.11"));
  EXPECT_EQ(StartError({"--hello", "wrong-protocol"}),
            "driver speaks \"sockref-driver/0\", the runner speaks \"sockref-driver/1\"");
  EXPECT_EQ(StartError({"--hello", "no-capabilities"}),
            "hello reply lacks a \"capabilities\" array of names");
  EXPECT_THAT(StartError({"--hello", "exit"}),
              AllOf(HasSubstr("exited with status 2"), HasSubstr("fake: cannot start")));
  EXPECT_THAT(StartError({"--hello", "silent"}, 0.5), StartsWith("no hello reply (hung)"));
}

TEST(SubprocessDriverTest, StartsAndKillsLeaveNoDescriptorsOpen) {
  const int before = sockref::testing::CountOpenFds();
  {
    SubprocessDriver d(Fake());
    d.Start(Deadline(10));
    Begin(d, "t.garbage");
    d.Call(Exec(2), Deadline(10));
    d.Start(Deadline(10));
  }
  StartError({"--hello", "exit"});
  EXPECT_EQ(sockref::testing::CountOpenFds(), before);
}

TEST(FindProgramTest, SearchesPathAndAcceptsPaths) {
  EXPECT_EQ(FindProgram("/bin/sh"), "/bin/sh");
  EXPECT_TRUE(FindProgram("sh").has_value());
  EXPECT_EQ(FindProgram("no-such-interpreter-sockref"), std::nullopt);
  EXPECT_EQ(FindProgram("/nonexistent/python3"), std::nullopt);
  EXPECT_EQ(FindProgram("/tmp"), std::nullopt);  // a directory is not a program
}

}  // namespace
}  // namespace sockref::conformance::runner
