// Tests of ManagedDriver with the fake subprocess driver: restarts after failures, and what
// runs look like when no driver can be had.
#include "conformance/runner/managed_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "conformance/language/case_parser.h"
#include "conformance/runner/subprocess_driver.h"
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<DriverConnection> Fake(std::vector<std::string> flags = {}) {
  std::vector<std::string> argv = {"python3", "conformance/runner/testdata/fake_driver.py"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return std::make_unique<SubprocessDriver>(argv);
}

Case Named(const std::string& id) {
  return ParseCaseText("t.cases", "case " + id + "\n  doc: 001 \"x\"\n  >>> s = socket.socket()\n" +
                                      "  >>> s.close()\n")
      .cases.at(0);
}

TEST(ManagedDriverTest, CrashIsFollowedByAFreshDriver) {
  ManagedDriver d(Fake());
  ASSERT_TRUE(d.Start()) << d.failure();
  const int first = d.hello()["pid"];
  EXPECT_EQ(d.Run(Named("t.exits"), {}).status, CaseRun::Status::kCrashed);
  EXPECT_EQ(d.restarts(), 1);
  EXPECT_TRUE(d.running());
  EXPECT_NE(d.hello()["pid"], first);
  EXPECT_EQ(d.Run(Named("t.fine"), {}).status, CaseRun::Status::kCompleted);
}

TEST(ManagedDriverTest, DriverErrorKeepsTheSameDriver) {
  ManagedDriver d(Fake());
  ASSERT_TRUE(d.Start());
  const int pid = d.hello()["pid"];
  EXPECT_EQ(d.Run(Named("t.protoerror"), {}).status, CaseRun::Status::kDriverError);
  EXPECT_EQ(d.restarts(), 0);
  EXPECT_EQ(d.hello()["pid"], pid);
  EXPECT_EQ(d.Run(Named("t.fine"), {}).status, CaseRun::Status::kCompleted);
}

TEST(ManagedDriverTest, UnstartableDriverTurnsEveryRunIntoACrashAtBegin) {
  ManagedDriver d(Fake({"--hello", "wrong-protocol"}));
  EXPECT_FALSE(d.Start());
  EXPECT_THAT(d.failure(), HasSubstr("driver speaks \"sockref-driver/0\""));
  CaseRun run = d.Run(Named("t.fine"), {});
  EXPECT_EQ(run.status, CaseRun::Status::kCrashed);
  EXPECT_EQ(run.stopped_at, 0);
  EXPECT_THAT(run.detail, HasSubstr("no driver: driver speaks"));
  EXPECT_EQ(run.steps.size(), 2u);
}

}  // namespace
}  // namespace sockref::conformance::runner
