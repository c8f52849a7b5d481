// toy_driver_test: the guide's example driver (toy_driver.py over toysocket.py), run through
// the real runner on part of the case table with CPython as the oracle, as
// `bazel run //conformance:matrix -- --registry conformance/drivers/examples/toy_registry.json
//  --impl cpython --impl toy --expectations toy=conformance/drivers/examples/toy_expectations.txt`
// would. Each verdict is checked: what toysocket implements passes, its one deliberate
// simplification fails exactly as toy_expectations.txt lists, and what it lacks (socket
// objects, AF_UNIX) is "unsupported", never a pass.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "conformance/language/ast.h"
#include "conformance/runner/timing_policy.h"
#include "conformance/runner/suite_loader.h"
#include "conformance/runner/differential_run.h"
#include "conformance/runner/expectations.h"
#include "conformance/runner/run_status.h"

namespace sockref::conformance {
namespace {

namespace fs = std::filesystem;
using runner::CaseResult;
using runner::LoadSuite;
using runner::RunSuite;
using runner::Suite;
using runner::SuiteOptions;
using runner::ImplResult;
using runner::RunResults;
using runner::VerdictKind;
using ::testing::HasSubstr;

constexpr char kBeyondCInt[] = "byteorder.htons.beyond_c_int_raises_generic_overflow_error";
constexpr char kBeyondCLong[] = "byteorder.htons.beyond_c_long_raises_overflow_error";

// Runs the cases whose ids start with one of `prefixes` on `implementations`, the toy's
// expectations file being `toy_expectations`. Bazel runs the test inside the runfiles tree.
RunResults RunCases(const std::vector<std::string>& implementations,
                    const std::vector<std::string>& prefixes, const std::string& toy_expectations,
                    std::unique_ptr<Suite>& suite) {
  SuiteOptions options;
  options.root = fs::current_path().string();
  options.implementations = implementations;
  options.extra_registries = {"conformance/drivers/examples/toy_registry.json"};
  options.expectations["toy"] = toy_expectations;
  options.jobs = 2;
  options.multiplier = TimeMultiplierFromEnv();
  suite = LoadSuite(options);
  std::vector<const Case*> selected;
  for (const Case* c : suite->selected) {
    for (const std::string& p : prefixes) {
      if (c->id.rfind(p, 0) == 0) {
        selected.push_back(c);
        break;
      }
    }
  }
  suite->selected = selected;
  return RunSuite(*suite);
}

std::map<std::string, ImplResult> ResultsOf(const RunResults& results, const std::string& impl) {
  std::map<std::string, ImplResult> out;
  for (const CaseResult& c : results.cases) out[c.c->id] = c.results.at(impl);
  return out;
}

// Verdict and Match name results for readable failure messages.
std::string Verdict(const ImplResult& r) { return runner::VerdictName(r.verdict.kind); }
std::string Match(const ImplResult& r) { return runner::MatchName(r.expectation); }

class ToyDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    results_ = new RunResults(RunCases(
        {"cpython", "toy"}, {"byteorder.", "example_inet.", "example_socket.", "example_timeout."},
        "conformance/drivers/examples/toy_expectations.txt", suite_));
  }
  static void TearDownTestSuite() {
    delete results_;
    results_ = nullptr;
    suite_.reset();
  }
  static std::unique_ptr<Suite> suite_;
  static RunResults* results_;
};

std::unique_ptr<Suite> ToyDriverTest::suite_;
RunResults* ToyDriverTest::results_ = nullptr;

TEST_F(ToyDriverTest, DriverStartsAndIntroducesItself) {
  ASSERT_EQ(results_->implementations.size(), 2u);
  const runner::ImplementationInfo& toy = results_->implementations[1];
  ASSERT_TRUE(toy.available) << toy.unavailable_reason;
  EXPECT_EQ(toy.hello["implementation"], "toysocket");
  EXPECT_EQ(toy.hello["module"], "toysocket");
  EXPECT_EQ(toy.restarts, 0);
  EXPECT_EQ(results_->cases.size(), 17u + 4 + 6 + 4);
}

TEST_F(ToyDriverTest, OracleRunsEveryCase) {
  for (const auto& [id, r] : ResultsOf(*results_, "cpython")) {
    EXPECT_EQ(Verdict(r), "pass") << id << ": " << r.verdict.detail;
  }
}

TEST_F(ToyDriverTest, ImplementedFunctionsAgreeWithCPython) {
  for (const auto& [id, r] : ResultsOf(*results_, "toy")) {
    if (id.rfind("byteorder.", 0) != 0 && id.rfind("example_inet.", 0) != 0) continue;
    if (id == kBeyondCInt || id == kBeyondCLong) continue;
    EXPECT_EQ(Verdict(r), "pass") << id << ": "
                                  << (r.verdict.difference ? r.verdict.difference->actual : "");
    EXPECT_EQ(r.agrees, true) << id;
  }
}

TEST_F(ToyDriverTest, SimplificationFailsAsListed) {
  std::map<std::string, ImplResult> toy = ResultsOf(*results_, "toy");
  for (const char* id : {kBeyondCInt, kBeyondCLong}) {
    const ImplResult& r = toy.at(id);
    EXPECT_EQ(Verdict(r), "fail") << id;
    ASSERT_TRUE(r.verdict.difference.has_value()) << id;
    EXPECT_EQ(r.verdict.difference->step, 1) << id;
    EXPECT_EQ(r.verdict.difference->actual,
              "OverflowError: htons: Python int too large to convert to C 16-bit unsigned "
              "integer")
        << id;
    EXPECT_EQ(Match(r), "as listed") << id;
    EXPECT_FALSE(runner::CountsAsFailure(r)) << id;
    EXPECT_EQ(r.agrees, false) << id;
  }
  EXPECT_EQ(toy.at(kBeyondCInt).verdict.difference->expected,
            "OverflowError: signed integer is greater than maximum");
  EXPECT_EQ(runner::FailureCount(*results_), 0);
}

TEST_F(ToyDriverTest, MissingNamesAreUnsupportedNotPassed) {
  std::map<std::string, ImplResult> toy = ResultsOf(*results_, "toy");
  // The first step uses a name toysocket lacks: the driver answers `unsupported`.
  for (const char* id : {"example_socket.close.operations_fail_after",
                         "example_socket.socket.family_and_type_are_enums",
                         "example_socket.accept.returns_connection_and_address",
                         "example_timeout.timeout_is_an_oserror"}) {
    const ImplResult& r = toy.at(id);
    EXPECT_EQ(Verdict(r), "unsupported") << id;
    ASSERT_TRUE(r.verdict.difference.has_value()) << id;
    EXPECT_EQ(r.verdict.difference->step, 1) << id;
    EXPECT_THAT(r.verdict.difference->actual, HasSubstr("unsupported: toysocket has no '")) << id;
    EXPECT_FALSE(r.agrees.has_value()) << id;  // neither agreement nor disagreement
    EXPECT_EQ(Match(r), "as listed") << id;     // toy_expectations.txt says so, plainly
  }
}

// Not listed, a case the implementation cannot try fails the run: unsupported is never a pass.
TEST(ToyExpectationsTest, UnlistedUnsupportedFailsTheRun) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/toy_empty.txt";
  std::ofstream(path) << "# nothing listed\n";
  std::unique_ptr<Suite> suite;
  RunResults results = RunCases({"toy"}, {"example_timeout.timeout_is"}, path, suite);
  ASSERT_EQ(results.cases.size(), 1u);
  EXPECT_EQ(Verdict(results.cases[0].results.at("toy")), "unsupported");
  EXPECT_EQ(runner::FailureCount(results), 1);
  EXPECT_EQ(runner::ExitStatus(results), 1);
}

TEST_F(ToyDriverTest, MissingCapabilitiesAreUnsupportedNotPassed) {
  std::map<std::string, ImplResult> toy = ResultsOf(*results_, "toy");
  for (const char* id : {"example_socket.recv_into.fills_a_buffer_slice",
                         "example_timeout.recv.times_out_then_receives",
                         "example_timeout.zero_means_non_blocking"}) {
    const ImplResult& r = toy.at(id);
    EXPECT_EQ(Verdict(r), "unsupported") << id;
    EXPECT_EQ(r.verdict.detail, "lacks AF_UNIX") << id;
    EXPECT_FALSE(r.verdict.difference.has_value()) << id;  // not run at all
  }
}

TEST_F(ToyDriverTest, CountsAddUp) {
  int pass = 0, fail = 0, unsupported = 0;
  for (const auto& [id, r] : ResultsOf(*results_, "toy")) {
    pass += r.verdict.kind == VerdictKind::kPass;
    fail += r.verdict.kind == VerdictKind::kFail;
    unsupported += r.verdict.kind == VerdictKind::kUnsupported;
  }
  EXPECT_EQ(pass, 15 + 4);
  EXPECT_EQ(fail, 2);
  EXPECT_EQ(unsupported, 6 + 4);
}

// A changed expectations file is noticed: a listed failure that now fails otherwise, and a
// listed case that passes, both fail the run.
TEST(ToyExpectationsTest, ChangedLinesAreReported) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/toy_tampered.txt";
  std::ofstream(path) << kBeyondCInt << " fail@1: OverflowError: some other message\n"
                      << kBeyondCLong
                      << " fail@1: OverflowError: htons: Python int too large to convert to C "
                         "16-bit unsigned integer\n"
                      << "byteorder.htons.swaps_two_bytes fail@1: 0\n";
  std::unique_ptr<Suite> suite;
  RunResults results = RunCases({"toy"}, {"byteorder.htons."}, path, suite);
  std::map<std::string, ImplResult> toy = ResultsOf(results, "toy");
  EXPECT_EQ(Match(toy.at(kBeyondCInt)), "fails differently");
  EXPECT_EQ(Match(toy.at(kBeyondCLong)), "as listed");
  EXPECT_EQ(Match(toy.at("byteorder.htons.swaps_two_bytes")), "unexpected pass");
  EXPECT_EQ(runner::FailureCount(results), 2);
  EXPECT_EQ(runner::ExitStatus(results), 1);
}

}  // namespace
}  // namespace sockref::conformance
