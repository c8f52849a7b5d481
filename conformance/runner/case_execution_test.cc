// Tests of ExecuteCase against a scripted driver: what it sends, what it records, and how it
// stops when the driver fails.
#include "conformance/runner/case_execution.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "conformance/language/case_parser.h"
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/exec_request.h"
#include "conformance/protocol/outcome.h"
#include "conformance/runner/verdict.h"

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ScriptedDriver answers each request with `respond` and keeps every request and deadline.
class ScriptedDriver : public DriverConnection {
 public:
  explicit ScriptedDriver(std::function<DriverReply(const json&)> respond, bool in_process = false)
      : respond_(std::move(respond)), in_process_(in_process) {}
  json Start(Clock::time_point) override { return json::object(); }
  DriverReply Call(const json& request, Clock::time_point deadline) override {
    requests.push_back(request);
    deadlines.push_back(deadline);
    return respond_(request);
  }
  void Stop() override {}
  bool InProcess() const override { return in_process_; }

  // Ops returns "begin", "exec 1", ..., "end" for the requests so far.
  std::vector<std::string> Ops() const {
    std::vector<std::string> out;
    for (const json& r : requests) {
      std::string op = r["op"];
      out.push_back(r.contains("step") ? op + " " + r["step"].dump() : op);
    }
    return out;
  }

  std::vector<json> requests;
  std::vector<Clock::time_point> deadlines;

 private:
  std::function<DriverReply(const json&)> respond_;
  bool in_process_;
};

DriverReply Ok(json message) { return {DriverReply::Status::kOk, std::move(message), ""}; }

// Behaving answers like a correct driver whose every step returns `value`.
DriverReply Behaving(const json& request, json value = nullptr) {
  const std::string op = request["op"];
  if (op == "exec" && request.contains("background")) {
    return Ok({{"op", "exec"}, {"step", request["step"]}, {"background", "started"}});
  }
  if (op == "exec") {
    return Ok({{"op", "exec"},
               {"step", request["step"]},
               {"outcome", {{"value", value}}},
               {"elapsed", 0.25}});
  }
  if (op == "end") return Ok({{"op", "end"}, {"background", json::array()}, {"leaked_fds", 0}});
  return Ok({{"op", op}});
}

Case ParseOne(const std::string& body) {
  return ParseCaseText("t.cases", "case t.c\n  doc: 001 \"x\"\n" + body).cases.at(0);
}

const Case kTwoSteps = ParseOne(
    "  >>> s = socket.socket(AF_INET, SOCK_STREAM)\n"
    "  >>> s.close()\n");

TEST(ExecuteCaseTest, SendsBeginEachStepAndEndAndRecordsOutcomes) {
  ScriptedDriver d([](const json& r) { return Behaving(r); });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kCompleted);
  EXPECT_THAT(d.Ops(), ElementsAre("begin", "exec 1", "exec 2", "end"));
  EXPECT_EQ(d.requests[0]["case"], "t.c");
  EXPECT_EQ(d.requests[1], ExecRequest(kTwoSteps.steps[0], 1));
  EXPECT_TRUE(d.requests[3]["deadline"].is_number());
  ASSERT_EQ(run.steps.size(), 2u);
  EXPECT_TRUE(run.steps[1].ran);
  EXPECT_EQ(run.steps[1].outcome.kind, Outcome::Kind::kValue);
  EXPECT_EQ(run.steps[1].elapsed, 0.25);
  EXPECT_EQ(run.leaked_descriptors, 0);
}

TEST(ExecuteCaseTest, EveryCallSharesTheCaseWatchdogTimesTheMultiplier) {
  ScriptedDriver d([](const json& r) { return Behaving(r); });
  const Clock::time_point start = Clock::now();
  ExecuteCase(kTwoSteps, d, {}, {.multiplier = 1.5, .watchdog_seconds = 2});
  ASSERT_EQ(d.deadlines.size(), 4u);
  const double budget = std::chrono::duration<double>(d.deadlines[0] - start).count();
  EXPECT_NEAR(budget, 3.0, 0.1);
  EXPECT_EQ(d.deadlines[0], d.deadlines[3]);
}

TEST(ExecuteCaseTest, BackgroundStepOutcomeComesFromTheEndReply) {
  Case c = ParseOne(
      "  needs: AF_UNIX\n"
      "  >>> a, b = socketpair()\n"
      "  after 0.05: b.send(b\"x\")\n"
      "  >>> a.recv(1)\n"
      "  b'x'\n");
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "end") {
      return Ok({{"op", "end"},
                 {"background", {{{"step", 2}, {"outcome", {{"value", 1}}}, {"elapsed", 0.001}}}},
                 {"leaked_fds", 0}});
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(c, d, {"AF_UNIX"}, {});
  ASSERT_EQ(run.status, CaseRun::Status::kCompleted) << run.detail;
  EXPECT_EQ(d.requests[2]["background"], json({{"delay", 0.05}}));
  EXPECT_TRUE(run.steps[1].background);
  EXPECT_TRUE(run.steps[1].ran);
  EXPECT_EQ(run.steps[1].outcome.value, Value::Int(1));
  EXPECT_EQ(run.steps[1].elapsed, 0.001);
}

// Steps 2 and 3 are background actions (0.05 s and 0.5 s), step 4 the step they may wake.
const Case kWoken = ParseOne(
    "  >>> a, b = socketpair()\n"
    "  after 0.05: b.send(b\"x\")\n"
    "  after 0.5: b.send(b\"y\")\n"
    "  >>> a.recv(1)\n"
    "  b'x'\n"
    "  elapsed: 0.05\n");

// ClockedDriver answers like Behaving, reporting `started_at[step]` as the driver's clock.
DriverReply Clocked(const json& request, const std::map<int, double>& started_at) {
  DriverReply r = Behaving(request);
  if (request["op"] == "exec") {
    auto it = started_at.find(request["step"].get<int>());
    if (it != started_at.end()) r.message["started_at"] = it->second;
  }
  return r;
}

TEST(ExecuteCaseTest, LeadIsTheEarliestPendingBackgroundHeadStartOnTheDriversClock) {
  ScriptedDriver d([](const json& r) {
    return Clocked(r, {{1, 99.0}, {2, 100.0}, {3, 100.01}, {4, 100.03}});
  });
  CaseRun run = ExecuteCase(kWoken, d, {}, {});
  ASSERT_EQ(run.status, CaseRun::Status::kCompleted) << run.detail;
  EXPECT_NEAR(run.steps[3].lead, 0.03, 1e-9);  // from step 2's delay, still 20 ms to go
  EXPECT_EQ(run.steps[0].lead, 0);
}

TEST(ExecuteCaseTest, BackgroundActionAlreadyDueGivesNoLead) {
  // Step 4 starts 0.2 s after step 2's 0.05 s delay began, 0.19 s after step 3's 0.5 s one.
  ScriptedDriver d([](const json& r) { return Clocked(r, {{2, 100.0}, {3, 100.01}, {4, 100.2}}); });
  CaseRun run = ExecuteCase(kWoken, d, {}, {});
  ASSERT_EQ(run.status, CaseRun::Status::kCompleted) << run.detail;
  EXPECT_NEAR(run.steps[3].lead, 0.19, 1e-9);  // only step 3 is still pending
  ScriptedDriver later([](const json& r) {
    return Clocked(r, {{2, 100.0}, {3, 100.01}, {4, 101.0}});
  });
  run = ExecuteCase(kWoken, later, {}, {});
  EXPECT_EQ(run.steps[3].lead, 0);  // both actions were due before the step began
}

// Without "started_at" (an older driver), the lead is measured between the runner's sending
// of the two requests: here a driver that takes 30 ms to acknowledge the background action.
TEST(ExecuteCaseTest, LeadFallsBackToTheRunnersClock) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "exec" && r["step"] == 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a slow driver, not a wait
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(kWoken, d, {}, {});
  ASSERT_EQ(run.status, CaseRun::Status::kCompleted) << run.detail;
  EXPECT_GE(run.steps[3].lead, 0.03);
  EXPECT_LT(run.steps[3].lead, 0.05);  // a pending action's head start is below its delay
}

TEST(ExecuteCaseTest, UncheckedValuesAreNotAskedForUnlessTheOptionsSaySo) {
  ScriptedDriver d([](const json& r) { return Behaving(r); });
  ExecuteCase(kWoken, d, {}, {});
  ASSERT_THAT(d.Ops(), ElementsAre("begin", "exec 1", "exec 2", "exec 3", "exec 4", "end"));
  EXPECT_EQ(d.requests[1]["want_value"], false);       // a, b = socketpair()
  EXPECT_EQ(d.requests[2]["want_value"], false);       // after 0.05: ...
  EXPECT_FALSE(d.requests[4].contains("want_value"));  // a.recv(1) / b'x'
  ScriptedDriver all([](const json& r) { return Behaving(r); });
  ExecuteCase(kWoken, all, {}, {.omit_unchecked_values = false});
  for (const json& r : all.requests) EXPECT_FALSE(r.contains("want_value")) << r;
}

TEST(ExecuteCaseTest, MissingCapabilitySkipsTheCaseWithoutTalkingToTheDriver) {
  Case c = ParseOne("  needs: AF_UNIX, SCM_RIGHTS\n  >>> socketpair()\n");
  ScriptedDriver d([](const json& r) { return Behaving(r); });
  CaseRun run = ExecuteCase(c, d, {"AF_UNIX", "AF_INET6"}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kUnsupported);
  EXPECT_THAT(run.missing, ElementsAre("SCM_RIGHTS"));
  EXPECT_TRUE(d.requests.empty());
  EXPECT_EQ(run.steps.size(), 1u);
}

// Whichever of root/nonroot this process is not is a capability the machine lacks for every
// implementation: a case needing it is n/a, with the reason, not the driver's `unsupported`.
TEST(ExecuteCaseTest, CapabilityTheMachineLacksMakesTheCaseNotApplicable) {
  const std::string other = ::geteuid() == 0 ? "nonroot" : "root";
  Case c = ParseOne("  needs: " + other + "\n  >>> socketpair()\n");
  ScriptedDriver d([](const json& r) { return Behaving(r); });
  CaseRun run = ExecuteCase(c, d, {"AF_UNIX"}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kNotApplicable);
  EXPECT_THAT(run.missing, ElementsAre(other));
  EXPECT_EQ(run.detail, "this machine lacks " + other +
                            " (no implementation, the oracle included, can run the case here)");
  EXPECT_TRUE(d.requests.empty());
}

// A case needing both what the machine lacks and what only the driver lacks is the driver's
// `unsupported`: the machine is not the whole reason.
TEST(ExecuteCaseTest, DriverLackingMoreThanTheMachineIsUnsupported) {
  const std::string other = ::geteuid() == 0 ? "nonroot" : "root";
  Case c = ParseOne("  needs: " + other + ", SCM_RIGHTS\n  >>> socketpair()\n");
  ScriptedDriver d([](const json& r) { return Behaving(r); });
  CaseRun run = ExecuteCase(c, d, {"AF_UNIX"}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kUnsupported);
  EXPECT_THAT(run.missing, ElementsAre(other, "SCM_RIGHTS"));
}

TEST(ExecuteCaseTest, CrashAtAStepStopsTheCaseThere) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "exec" && r["step"] == 2) {
      return DriverReply{DriverReply::Status::kCrashed, nullptr, "driver exited with status 3"};
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kCrashed);
  EXPECT_EQ(run.stopped_at, 2);
  EXPECT_EQ(run.detail, "driver exited with status 3");
  EXPECT_TRUE(run.steps[0].ran);
  EXPECT_FALSE(run.steps[1].ran);
  EXPECT_THAT(d.Ops(), ElementsAre("begin", "exec 1", "exec 2"));
}

TEST(ExecuteCaseTest, HangAtBeginIsRecordedAtPositionZero) {
  ScriptedDriver d([](const json&) {
    return DriverReply{DriverReply::Status::kHung, nullptr, "no reply to begin"};
  });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kHung);
  EXPECT_EQ(run.stopped_at, 0);
  EXPECT_EQ(run.detail, "no reply to begin");
}

TEST(ExecuteCaseTest, ErrorReplySkipsTheRestOfTheCaseAndEndsIt) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "exec" && r["step"] == 1) return Ok({{"error", "unknown expression"}});
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kDriverError);
  EXPECT_EQ(run.stopped_at, 1);
  EXPECT_EQ(run.detail, "driver error: \"unknown expression\"");
  EXPECT_THAT(d.Ops(), ElementsAre("begin", "exec 1", "end"));
}

TEST(ExecuteCaseTest, MalformedOutcomeIsACrash) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "exec") {
      return Ok(
          {{"op", "exec"}, {"step", r["step"]}, {"outcome", {{"exploded", 1}}}, {"elapsed", 0}});
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kCrashed);
  EXPECT_EQ(run.stopped_at, 1);
  EXPECT_THAT(run.detail, HasSubstr("malformed reply: unknown outcome \"exploded\""));
}

TEST(ExecuteCaseTest, MissingElapsedIsACrash) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "exec") {
      return Ok({{"op", "exec"}, {"step", r["step"]}, {"outcome", {{"value", 1}}}});
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kCrashed);
  EXPECT_THAT(run.detail, HasSubstr("\"elapsed\" is not a number of seconds"));
}

TEST(ExecuteCaseTest, UnfinishedBackgroundActionIsAHangOfThatStep) {
  Case c = ParseOne(
      "  >>> a, b = socketpair()\n"
      "  after 0.05: b.send(b\"x\")\n"
      "  >>> a.close()\n");
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "end") {
      return Ok({{"op", "end"},
                 {"background", {{{"step", 2}, {"outcome", {{"unfinished", true}}}}}},
                 {"leaked_fds", 0}});
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(c, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kHung);
  EXPECT_EQ(run.stopped_at, 2);
  EXPECT_TRUE(run.steps[1].unfinished);
  EXPECT_TRUE(run.steps[2].ran);
}

TEST(ExecuteCaseTest, EndReplyNamingAnotherStepIsACrashAtEnd) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "end") {
      return Ok({{"op", "end"},
                 {"background", {{{"step", 1}, {"outcome", {{"value", 1}}}, {"elapsed", 0}}}}});
    }
    return Behaving(r);
  });
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  EXPECT_EQ(run.status, CaseRun::Status::kCrashed);
  EXPECT_EQ(run.stopped_at, 3);
  EXPECT_THAT(run.detail, HasSubstr("names no background step"));
}

TEST(ExecuteCaseTest, LeakCountFromTheEndReplyIsRecorded) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "end")
      return Ok({{"op", "end"}, {"background", json::array()}, {"leaked_fds", 2}});
    return Behaving(r);
  });
  EXPECT_EQ(ExecuteCase(kTwoSteps, d, {}, {}).leaked_descriptors, 2);
}

TEST(ExecuteCaseTest, InProcessRunCountsLeakedDescriptorsWhenTheDriverCannot) {
  int leaked = -1;
  ScriptedDriver d(
      [&](const json& r) {
        if (r["op"] == "exec" && r["step"] == 1) leaked = ::dup(0);  // the "case" leaks one
        if (r["op"] == "end") {
          return Ok({{"op", "end"}, {"background", json::array()}, {"leaked_fds", nullptr}});
        }
        return Behaving(r);
      },
      /*in_process=*/true);
  CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
  ::close(leaked);
  EXPECT_EQ(run.leaked_descriptors, 1);
}

TEST(ExecuteCaseTest, SubprocessRunWithoutALeakCountHasNone) {
  ScriptedDriver d([](const json& r) {
    if (r["op"] == "end") return Ok({{"op", "end"}, {"background", json::array()}});
    return Behaving(r);
  });
  EXPECT_EQ(ExecuteCase(kTwoSteps, d, {}, {}).leaked_descriptors, std::nullopt);
}

// docs/reliability.md: a leak count that is not a non-negative integer is a broken protocol
// (a crash at `end`), not a count read loosely ("3" as 3, 1.5 as 1) or ignored.
TEST(ExecuteCaseTest, LeakCountThatIsNotACountIsAMalformedEnd) {
  for (const json& leaked : {json("3"), json(1.5), json(-1), json(true)}) {
    ScriptedDriver d([&leaked](const json& r) {
      if (r["op"] == "end")
        return Ok({{"op", "end"}, {"background", json::array()}, {"leaked_fds", leaked}});
      return Behaving(r);
    });
    CaseRun run = ExecuteCase(kTwoSteps, d, {}, {});
    EXPECT_EQ(run.status, CaseRun::Status::kCrashed) << leaked;
    EXPECT_EQ(run.stopped_at, 3) << leaked;  // `end` of a two-step case
    EXPECT_EQ(run.detail, "malformed end reply: \"leaked_fds\" is " + leaked.dump() +
                              ", not null or a count of descriptors");
    EXPECT_EQ(run.leaked_descriptors, std::nullopt) << leaked;
  }
}

// A case stops at its first divergent step (CASES.md) when that step returned a wrong value,
// not only when the driver failed: the later steps are never sent, `end` still is, and the
// verdict names the divergent step.
TEST(ExecuteCaseTest, WrongValueStopsTheCaseAtThatStepAndStillEndsIt) {
  const Case c = ParseOne(
      "  >>> htons(1)\n  256\n"
      "  >>> htons(2)\n  512\n"
      "  >>> htons(3)\n  768\n");
  ScriptedDriver d([](const json& r) {
    if (r["op"] != "exec") return Behaving(r);
    const int step = r["step"].get<int>();
    return Behaving(r, step == 2 ? 7 : 256 * step);  // wrong at step 2 only
  });
  StepChecker check(c, nullptr, 0);
  CaseRun run = ExecuteCase(c, d, {}, {}, [&check](std::size_t i, const Outcome& o) {
    return check.GoOn(i, o);
  });
  EXPECT_THAT(d.Ops(), ElementsAre("begin", "exec 1", "exec 2", "end"));
  EXPECT_EQ(run.status, CaseRun::Status::kCompleted);
  EXPECT_EQ(run.stopped_early_at, 2);
  EXPECT_TRUE(run.steps[1].ran);
  EXPECT_FALSE(run.steps[2].ran);
  const Verdict v = Judge(c, run, {}, {});
  EXPECT_EQ(v.kind, VerdictKind::kFail);
  ASSERT_TRUE(v.difference.has_value());
  EXPECT_EQ(v.difference->step, 2);
  EXPECT_EQ(v.difference->expected, "512");
  EXPECT_EQ(v.difference->actual, "7");
}

}  // namespace
}  // namespace sockref::conformance::runner
