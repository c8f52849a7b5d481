// Tests of RunDifferential with misbehaving fake drivers: each crash, hang or garbage line
// costs one case, a fresh driver takes over, the run goes on, and the exit status says so.
#include "conformance/runner/differential_run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/language/case_parser.h"
#include "conformance/runner/in_process_driver.h"
#include "conformance/runner/run_status.h"
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

const Registry kRegistry = ParseRegistry("test", R"({
  "oracle": "fake-oracle",
  "implementations": [
    {"name": "fake-oracle", "argv": ["python3", "conformance/runner/testdata/fake_driver.py",
                                     "--quirks", "exits,garbage,hangs"]},
    {"name": "fake", "argv": ["python3", "conformance/runner/testdata/fake_driver.py"],
     "check_leaks": true},
    {"name": "missing", "argv": ["no-such-program-sockref"]},
    {"name": "inproc", "in_process": true}
  ]})");

// The fake driver misbehaves at step 2 of cases whose id names the misbehaviour; every other
// step returns None, so "fine" cases pass. The fake oracle only crashes and hangs; it neither
// raises nor leaks.
const std::vector<Case> kCases = ParseCaseText("t.cases", R"(
case t.exits
  doc: 001 "x"
  >>> s = socket.socket()
  >>> s.close()
case t.fine_after_exit
  doc: 001 "x"
  >>> s = socket.socket()
  >>> s.close()
case t.garbage
  doc: 001 "x"
  >>> s = socket.socket()
  >>> s.close()
case t.fine_after_junk
  doc: 001 "x"
  >>> s = socket.socket()
  >>> s.close()
case t.hangs
  doc: 001 "x"
  >>> s = socket.socket()
  >>> s.close()
case t.fine_after_hang
  doc: 001 "x"
  >>> s = socket.socket()
  >>> s.close()
case t.raises
  doc: 001 "x"
  >>> s = socket.socket()
case t.leaks
  doc: 001 "x"
  >>> s = socket.socket()
case t.needs_rights
  doc: 001 "x"
  needs: SCM_RIGHTS
  >>> s = socket.socket()
)")
                                     .cases;

// InProcessFake answers like a correct driver whose steps all return None.
JsonHandler InProcessFake() {
  return [](const json& r) -> json {
    const std::string op = r["op"];
    if (op == "hello") {
      return {{"op", "hello"}, {"protocol", "sockref-driver/1"}, {"capabilities", {"AF_UNIX"}}};
    }
    if (op == "exec") {
      return {
          {"op", "exec"}, {"step", r["step"]}, {"outcome", {{"value", nullptr}}}, {"elapsed", 0}};
    }
    if (op == "end") return {{"op", "end"}, {"background", json::array()}, {"leaked_fds", 0}};
    return {{"op", op}};
  };
}

RunSetup MakeSetup(std::vector<std::string> names, std::vector<std::string>* progress) {
  RunSetup s;
  s.registry = &kRegistry;
  s.names = std::move(names);
  s.root = ".";
  s.jobs = 1;  // one driver each, so "the next case" runs on the restarted one
  s.execution.watchdog_seconds = 1;
  s.factories["inproc"] = [] { return std::make_unique<InProcessDriver>(InProcessFake); };
  if (progress != nullptr) {
    s.progress = [progress](const std::string& l) { progress->push_back(l); };
    s.case_done = [progress](int done, int total, const std::string& area) {
      progress->push_back("case " + std::to_string(done) + "/" + std::to_string(total) + " " +
                          area);
    };
  }
  return s;
}

std::vector<const Case*> All() {
  std::vector<const Case*> out;
  for (const Case& c : kCases) out.push_back(&c);
  return out;
}

VerdictKind Kind(const RunResults& r, const std::string& id, const std::string& impl) {
  for (const CaseResult& c : r.cases) {
    if (c.c->id == id) return c.results.at(impl).verdict.kind;
  }
  ADD_FAILURE() << "no case " << id;
  return VerdictKind::kPass;
}

class DifferentialRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    results_ = new RunResults(RunDifferential(
        kCases, All(), MakeSetup({"fake", "fake-oracle", "missing", "inproc"}, &progress_)));
  }
  static void TearDownTestSuite() { delete results_; }
  static RunResults* results_;
  static std::vector<std::string> progress_;
};
RunResults* DifferentialRunTest::results_ = nullptr;
std::vector<std::string> DifferentialRunTest::progress_;

TEST_F(DifferentialRunTest, EachMisbehaviourCostsOneCaseAndAFreshDriverRunsTheNext) {
  const RunResults& r = *results_;
  EXPECT_EQ(Kind(r, "t.exits", "fake"), VerdictKind::kCrash);
  EXPECT_EQ(Kind(r, "t.fine_after_exit", "fake"), VerdictKind::kPass);
  EXPECT_EQ(Kind(r, "t.garbage", "fake"), VerdictKind::kCrash);
  EXPECT_EQ(Kind(r, "t.fine_after_junk", "fake"), VerdictKind::kPass);
  EXPECT_EQ(Kind(r, "t.hangs", "fake"), VerdictKind::kHang);
  EXPECT_EQ(Kind(r, "t.fine_after_hang", "fake"), VerdictKind::kPass);
  EXPECT_EQ(r.implementations[0].restarts, 3);
}

TEST_F(DifferentialRunTest, FailuresUnsupportedAndLeaksAreJudged) {
  const RunResults& r = *results_;
  EXPECT_EQ(Kind(r, "t.raises", "fake"), VerdictKind::kFail);
  EXPECT_EQ(Kind(r, "t.raises", "fake-oracle"), VerdictKind::kPass);
  EXPECT_EQ(Kind(r, "t.leaks", "fake"), VerdictKind::kFail);         // leaks are checked
  EXPECT_EQ(Kind(r, "t.leaks", "fake-oracle"), VerdictKind::kPass);  // not for the oracle
  EXPECT_EQ(Kind(r, "t.needs_rights", "fake"), VerdictKind::kUnsupported);
  EXPECT_EQ(Kind(r, "t.fine_after_exit", "inproc"), VerdictKind::kPass);
}

TEST_F(DifferentialRunTest, MissingProgramIsUnavailableNotACrash) {
  const RunResults& r = *results_;
  EXPECT_FALSE(r.implementations[2].available);
  EXPECT_EQ(r.implementations[2].unavailable_reason, "program not found: no-such-program-sockref");
  EXPECT_EQ(Kind(r, "t.fine_after_exit", "missing"), VerdictKind::kUnavailable);
  EXPECT_TRUE(r.implementations[0].available);
  EXPECT_EQ(r.implementations[0].hello["implementation"], "Fake");
}

TEST_F(DifferentialRunTest, OracleRunsTwiceAndAgreementIsRecorded) {
  const RunResults& r = *results_;
  EXPECT_EQ(r.oracle, "fake-oracle");
  std::map<std::string, std::optional<bool>> agrees;
  for (const CaseResult& c : r.cases) agrees[c.c->id] = c.results.at("fake").agrees;
  EXPECT_EQ(agrees["t.fine_after_exit"], true);
  EXPECT_EQ(agrees["t.raises"], false);
  // The oracle crashed on t.exits too, so agreement is unknown there.
  EXPECT_EQ(agrees["t.exits"], std::nullopt);
}

TEST_F(DifferentialRunTest, ProgressReportsEachAreaAndTheExitStatusFails) {
  EXPECT_THAT(progress_, Contains(HasSubstr("[1/1] t: 9 cases done")));
  EXPECT_EQ(ExitStatus(*results_), 1);
}

// A terminal's progress line counts cases: each once, when its last run (of every available
// implementation, the oracle's two included) is in, in order, before its area is reported done.
TEST_F(DifferentialRunTest, CaseDoneCountsEachCaseOnceInOrder) {
  std::vector<std::string> cases;
  for (const std::string& line : progress_) {
    if (line.rfind("case ", 0) == 0) cases.push_back(line);
  }
  ASSERT_EQ(cases.size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(cases[i], "case " + std::to_string(i + 1) + "/9 t");
  EXPECT_EQ(progress_.back(), "[1/1] t: 9 cases done");
}

TEST(DifferentialRunExpectationsTest, ListedFailuresPassTheRunAndUnexpectedPassesFailIt) {
  std::vector<const Case*> some = {&kCases[0], &kCases[1], &kCases[6]};  // exits, fine, raises
  RunSetup s = MakeSetup({"fake", "fake-oracle"}, nullptr);
  s.expectations["fake"] = Expectations::Parse("fake.txt", "t.exits crash@2\nt.raises fail@1\n");
  s.expectations["fake-oracle"] = Expectations::Parse("fake-oracle.txt", "t.exits crash@2\n");
  RunResults r = RunDifferential(kCases, some, s);
  EXPECT_EQ(FailureCount(r), 0);
  s.expectations["fake"] = Expectations::Parse(
      "fake.txt", "t.exits crash@2\nt.raises fail@1\nt.fine_after_exit fail@1\nt.gone fail\n");
  r = RunDifferential(kCases, some, s);
  EXPECT_EQ(r.cases[1].results.at("fake").expectation, ExpectationMatch::kUnexpectedPass);
  ASSERT_EQ(r.stale_expectations["fake"].size(), 1u);
  EXPECT_EQ(r.stale_expectations["fake"][0].case_id, "t.gone");
  EXPECT_EQ(FailureCount(r), 2);
}

// Run over part of the table (--cases DIR), an expectations file's lines about other areas are
// not stale: this run says nothing about them.
TEST(StaleExpectationsTest, OnlyTheLoadedAreasAreJudged) {
  std::map<std::string, Expectations> files;
  files["x"] = Expectations::Parse("x.txt", "t.gone fail\nother.area.case fail\nt.exits crash@2\n");
  const auto stale = StaleExpectations(kCases, files);
  ASSERT_EQ(stale.count("x"), 1u);
  ASSERT_EQ(stale.at("x").size(), 1u);
  EXPECT_EQ(stale.at("x")[0].case_id, "t.gone");
}

// A timed step's driver that reports `elapsed` from `times`, one entry per run of the case (the
// last repeated), and counts the runs.
struct TimedFake {
  std::vector<double> times;
  std::shared_ptr<int> runs = std::make_shared<int>(0);
  JsonHandler Handler() const {
    return [times = times, runs = runs](const json& r) -> json {
      const std::string op = r["op"];
      if (op == "hello") {
        return {{"op", "hello"}, {"protocol", "sockref-driver/1"}, {"capabilities", json::array()}};
      }
      if (op == "begin") ++*runs;
      if (op == "exec") {
        const double t = times[std::min<std::size_t>(*runs, times.size()) - 1];
        return {{"op", "exec"}, {"step", r["step"]}, {"outcome", {{"value", nullptr}}},
                {"elapsed", t}};
      }
      if (op == "end") return {{"op", "end"}, {"background", json::array()}, {"leaked_fds", 0}};
      return {{"op", op}};
    };
  }
};

const std::vector<Case> kTimed = ParseCaseText("t.cases", R"(
case t.timed
  doc: 001 "x"
  >>> s = socket.socket()
  elapsed: 0.2
)")
                                     .cases;

RunResults RunTimed(const TimedFake& fake) {
  RunSetup s = MakeSetup({"inproc"}, nullptr);
  s.factories["inproc"] = [&fake] {
    return std::make_unique<InProcessDriver>([&fake] { return fake.Handler(); });
  };
  return RunDifferential(kTimed, {&kTimed[0]}, s);
}

// A step late once (a loaded machine) and on time when run again passes: load only delays.
TEST(LateStepTest, ALateRunIsTriedOnceMoreAndAnOnTimeRerunPasses) {
  TimedFake fake{{0.5, 0.2}};
  RunResults r = RunTimed(fake);
  EXPECT_EQ(*fake.runs, 2);
  EXPECT_EQ(r.cases[0].results.at("inproc").verdict.kind, VerdictKind::kPass);
}

TEST(LateStepTest, LateEveryTimeFails) {
  TimedFake fake{{0.5}};
  RunResults r = RunTimed(fake);
  EXPECT_EQ(*fake.runs, 3);  // the run and two reruns
  EXPECT_EQ(r.cases[0].results.at("inproc").verdict.kind, VerdictKind::kFail);
}

// The oracle's runs get the same second chance: each of its two runs, late once, is run again.
TEST(LateStepTest, EachLateOracleRunIsTriedOnceMore) {
  static const Registry registry = ParseRegistry("test", R"({
    "oracle": "inproc-oracle",
    "implementations": [{"name": "inproc-oracle", "in_process": true}]})");
  TimedFake fake{{0.5, 0.2, 0.5, 0.2}};
  RunSetup s = MakeSetup({"inproc-oracle"}, nullptr);
  s.registry = &registry;
  s.factories["inproc-oracle"] = [&fake] {
    return std::make_unique<InProcessDriver>([&fake] { return fake.Handler(); });
  };
  RunResults r = RunDifferential(kTimed, {&kTimed[0]}, s);
  EXPECT_EQ(*fake.runs, 4);
  EXPECT_EQ(r.cases[0].results.at("inproc-oracle").verdict.kind, VerdictKind::kPass);
}

// An implementation a pattern chose that cannot start here is left out, with why, and costs
// the run nothing; the same implementation named outright is an unavailable column, a failure.
TEST(OptionalImplementationTest, ChosenByAPatternAndAbsentIsLeftOut) {
  std::vector<const Case*> one = {&kCases[1]};  // fine_after_exit
  RunSetup s = MakeSetup({"inproc", "missing"}, nullptr);
  s.optional = {"missing"};
  RunResults r = RunDifferential(kCases, one, s);
  ASSERT_EQ(r.implementations.size(), 1u);
  EXPECT_EQ(r.implementations[0].name, "inproc");
  ASSERT_EQ(r.left_out.size(), 1u);
  EXPECT_EQ(r.left_out[0].first, "missing");
  EXPECT_THAT(r.left_out[0].second, HasSubstr("no-such-program-sockref"));
  EXPECT_EQ(FailureCount(r), 0);
  s.optional.clear();
  EXPECT_GT(FailureCount(RunDifferential(kCases, one, s)), 0);
}

// Only a driver that says its implementation is absent (exit status 77 before hello) is left
// out; one that fails to start otherwise is broken, and fails the run even when optional.
TEST(OptionalImplementationTest, OnlyAnAbsentImplementationIsLeftOut) {
  static const Registry registry = ParseRegistry("test", R"({
    "oracle": "inproc",
    "implementations": [
      {"name": "inproc", "in_process": true},
      {"name": "absent", "argv": ["sh", "-c", "echo 'no such version here' >&2; exit 77"]},
      {"name": "broken", "argv": ["sh", "-c", "exit 1"]}]})");
  RunSetup s = MakeSetup({"inproc", "absent", "broken"}, nullptr);
  s.registry = &registry;
  s.optional = {"absent", "broken"};
  RunResults r = RunDifferential(kCases, {&kCases[1]}, s);
  ASSERT_EQ(r.left_out.size(), 1u);
  EXPECT_EQ(r.left_out[0].first, "absent");
  EXPECT_THAT(r.left_out[0].second, HasSubstr("no such version here"));
  ASSERT_EQ(r.implementations.size(), 2u);
  EXPECT_EQ(r.implementations[1].name, "broken");
  EXPECT_FALSE(r.implementations[1].available);
  EXPECT_GT(FailureCount(r), 0);
}

// Early is never the machine's doing: no second run.
TEST(LateStepTest, AnEarlyStepFailsWithoutARerun) {
  TimedFake fake{{0.05, 0.2}};
  RunResults r = RunTimed(fake);
  EXPECT_EQ(*fake.runs, 1);
  EXPECT_EQ(r.cases[0].results.at("inproc").verdict.kind, VerdictKind::kFail);
}

// A driver whose `fileno()` step returns -1 on the runs numbered in `wrong_runs` (1-based) and
// 3 otherwise, and counts the runs: a background action delayed by load looks like this.
struct WokenFake {
  std::set<int> wrong_runs;
  std::shared_ptr<int> runs = std::make_shared<int>(0);
  JsonHandler Handler() const {
    auto has_action = std::make_shared<bool>(false);
    return [wrong_runs = wrong_runs, runs = runs, has_action](const json& r) -> json {
      const std::string op = r["op"];
      if (op == "hello") {
        return {{"op", "hello"}, {"protocol", "sockref-driver/1"}, {"capabilities", json::array()}};
      }
      if (op == "begin") {
        ++*runs;
        *has_action = false;
      }
      if (op == "exec" && r.contains("background")) {
        *has_action = true;
        return {{"op", "exec"}, {"step", r["step"]}, {"background", "started"}};
      }
      if (op == "exec") {
        const bool checked = r["stmt"].dump().find("fileno") != std::string::npos;
        const int value = checked && wrong_runs.count(*runs) ? -1 : 3;
        return {{"op", "exec"}, {"step", r["step"]}, {"outcome", {{"value", value}}},
                {"elapsed", 0.001}};
      }
      if (op == "end") {
        // Step 2 is the background action of the case that has one.
        json background = json::array();
        if (*has_action) {
          background.push_back({{"step", 2}, {"outcome", {{"value", true}}}, {"elapsed", 0}});
        }
        return {{"op", "end"}, {"background", background}, {"leaked_fds", 0}};
      }
      return {{"op", op}};
    };
  }
};

const std::vector<Case> kWoken = ParseCaseText("w.cases", R"(
case w.after_an_action
  doc: 001 "x"
  >>> a = socket.socket()
  after 0.05: a.getblocking()
  >>> a.fileno()
  3

case w.without_one
  doc: 001 "x"
  >>> a = socket.socket()
  >>> a.fileno()
  3
)")
                                     .cases;

RunResults RunWoken(const WokenFake& fake, const Case& c) {
  RunSetup s = MakeSetup({"inproc"}, nullptr);
  s.factories["inproc"] = [&fake] {
    return std::make_unique<InProcessDriver>([&fake] { return fake.Handler(); });
  };
  return RunDifferential(kWoken, {&c}, s);
}

// A step that diverges after a background action (which load can delay past the step waiting
// for it) is run again, as a late one is; right on the rerun, the case passes.
TEST(BackgroundActionRerunTest, ADivergenceAfterAnActionIsRunAgain) {
  WokenFake fake{{1}};
  RunResults r = RunWoken(fake, kWoken[0]);
  EXPECT_EQ(*fake.runs, 2);
  EXPECT_EQ(r.cases[0].results.at("inproc").verdict.kind, VerdictKind::kPass);
}

TEST(BackgroundActionRerunTest, DivergingEveryTimeFails) {
  WokenFake fake{{1, 2, 3}};
  RunResults r = RunWoken(fake, kWoken[0]);
  EXPECT_EQ(*fake.runs, 3);  // the run and two reruns
  EXPECT_EQ(r.cases[0].results.at("inproc").verdict.kind, VerdictKind::kFail);
}

// With no background action before it, a divergence is the implementation's: no second run.
TEST(BackgroundActionRerunTest, ADivergenceWithNoActionBeforeItIsNotRunAgain) {
  WokenFake fake{{1}};
  RunResults r = RunWoken(fake, kWoken[1]);
  EXPECT_EQ(*fake.runs, 1);
  EXPECT_EQ(r.cases[0].results.at("inproc").verdict.kind, VerdictKind::kFail);
}

}  // namespace
}  // namespace sockref::conformance::runner
