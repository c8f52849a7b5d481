// conformance_test: one GoogleTest test per conformance case, reference vs CPython.
//
// Each case of conformance/cases/*.cases becomes the test <Area>.<Rest of its id>, e.g.
// `example_inet.aton.two_part_shorthand` is ExampleInet.AtonTwoPartShorthand, so
//
//   bazel test //conformance/report:conformance_test --test_arg=--gtest_filter='ExampleInet.*'
//
// runs one area, and Bazel's shard_count spreads the cases over processes. A test runs its
// case twice on the CPython oracle (python3 from PATH), then on the in-process reference driver,
// which stops at its first step that differs from what CPython did. It fails on any verdict but
// a pass (CountsAsFailure: the reference failing or unsupported, CPython disagreeing with the
// table or unstable, either unavailable) unless conformance/expectations/<impl>.txt lists that
// very failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/report/cli.h"
#include "conformance/report/reference_in_process.h"
#include "conformance/runner/differential_run.h"
#include "conformance/runner/expectations.h"
#include "conformance/runner/implementations.h"
#include "conformance/runner/late_reruns.h"
#include "conformance/runner/managed_driver.h"
#include "conformance/runner/suite_loader.h"
#include "conformance/runner/verdict.h"
#include "conformance/runner/versioned_cases.h"
#include "conformance/runner/timing_policy.h"

namespace sockref::conformance::runner {
namespace {

namespace fs = std::filesystem;

constexpr char kReference[] = "reference";

// SharedDrivers holds what every test of this process shares: the registry, the expectations and
// the drivers, which start when the first test needs them (a shard may have none).
class SharedDrivers {
 public:
  static SharedDrivers& Get() {
    static SharedDrivers* suite = new SharedDrivers();  // never destroyed: tests may run until exit
    return *suite;
  }

  std::string root;
  Registry registry;
  std::map<std::string, Expectations> expectations;
  double multiplier = 1;

  // Start starts the drivers on first use (the reference and two of the oracle) and returns
  // what was learned about the two implementations, in that order.
  std::vector<ImplementationInfo>& Start() {
    std::call_once(started_, [this] { StartDrivers(); });
    return implementations_;
  }
  ManagedDriver& reference() { return *reference_; }
  ManagedDriver& oracle(int i) { return *oracle_[i]; }

 private:
  void StartDrivers() {
    const Implementation& ref = *registry.Find(kReference);
    const Implementation& cpython = *registry.Find(registry.oracle);
    reference_ =
        std::make_unique<ManagedDriver>(MakeDriver(ref, root, ReferenceFactories()), multiplier);
    for (auto& o : oracle_) {
      o = std::make_unique<ManagedDriver>(MakeDriver(cpython, root, {}), multiplier);
    }
    // The oracle's drivers start together, before any in-process case holds the descriptor
    // table.
    std::thread second([this] { oracle_[1]->Start(); });
    oracle_[0]->Start();
    second.join();
    reference_->Start();
    implementations_ = {Info(ref, *reference_, false), Info(cpython, *oracle_[0], true)};
  }

  static ImplementationInfo Info(const Implementation& impl, const ManagedDriver& d, bool oracle) {
    ImplementationInfo info;
    info.name = impl.name;
    info.is_oracle = oracle;
    info.check_leaks = impl.check_leaks;
    info.available = d.running();
    info.unavailable_reason = d.failure();
    info.hello = d.hello();
    std::tie(info.version, info.version_source) = TargetVersion(info.hello, std::nullopt);
    return info;
  }

  std::once_flag started_;
  std::unique_ptr<ManagedDriver> reference_;
  std::unique_ptr<ManagedDriver> oracle_[2];
  std::vector<ImplementationInfo> implementations_;
};

std::string Describe(const Case& c, const std::string& impl, const ImplResult& r) {
  std::string s = impl + ": " + VerdictName(r.verdict.kind);
  if (r.expectation != ExpectationMatch::kNotListed) {
    s += std::string(" (") + MatchName(r.expectation) + " in expectations/" + impl + ".txt)";
  }
  if (r.verdict.difference) {
    const Difference& d = *r.verdict.difference;
    s += " at " + StepLabel(d, c.steps.size());
    if (d.step >= 1 && d.step <= static_cast<int>(c.steps.size())) {
      s += " (" + c.file + ":" + std::to_string(d.line) + "): " + d.source;
    }
    s += "\n  expected: " + d.expected + "\n  actual:   " + d.actual;
  } else if (!r.verdict.detail.empty()) {
    s += ": " + r.verdict.detail;
  }
  if (CountsAsFailure(r) && r.verdict.kind != VerdictKind::kPass) {
    s += "\n  expectations line: " + c.id + " " + Signature(r.verdict, c.steps.size());
  }
  return s;
}

class CaseTest : public ::testing::Test {
 public:
  // TableGoOn stops a run of `at` at its first step the table does not accept (the oracle's
  // rule).
  static GoOn TableGoOn(const Case& at) {
    auto checker = std::make_shared<StepChecker>(at, nullptr, 0);
    return [checker](std::size_t i, const Outcome& o) { return checker->GoOn(i, o); };
  }

  explicit CaseTest(const Case* c) : case_(*c) {}

  void TestBody() override {
    SharedDrivers& suite = SharedDrivers::Get();
    std::vector<ImplementationInfo>& impls = suite.Start();
    ExecutionOptions options;
    options.multiplier = suite.multiplier;
    // Each is judged at its own Python version (the table records every version).
    std::vector<const Case*> one = {&case_};
    VersionedCases cases(one);
    for (const ImplementationInfo& impl : impls) cases.Prepare(impl.version);
    const Case* oracle_case = cases.At(0, impls[1].version);
    const Case* reference_case = cases.At(0, impls[0].version);
    std::map<std::string, std::vector<CaseRun>> runs;
    // The oracle's two runs go side by side on separate CPython processes; the reference's
    // follows, so that it stops where it first parts from what CPython did.
    std::optional<OracleJudgement> oracle_judged;
    if (oracle_case != nullptr) {
      std::vector<CaseRun> oracle_runs(2);
      // Each run, when only late, is run again (late_reruns.h), as the report does.
      auto oracle_run = [&](int i) {
        return RunWithLateReruns(*oracle_case, suite.multiplier, [&] {
          return suite.oracle(i).Run(*oracle_case, options, TableGoOn(*oracle_case));
        });
      };
      std::thread first([&] { oracle_runs[0] = oracle_run(0); });
      oracle_runs[1] = oracle_run(1);
      first.join();
      oracle_judged =
          JudgeOracle(*oracle_case, oracle_runs[0], oracle_runs[1], {suite.multiplier, false});
      runs[suite.registry.oracle] = std::move(oracle_runs);
    }
    if (reference_case != nullptr) {
      const bool compared = oracle_judged && oracle_judged->usable &&
                            impls[0].version == impls[1].version;
      StepChecker checker = compared ? StepChecker(*reference_case, &oracle_judged->baseline,
                                                   oracle_judged->stopped_at)
                                     : StepChecker(*reference_case, nullptr, 0);
      runs[kReference].push_back(RunWithLateReruns(*reference_case, suite.multiplier, [&] {
        return suite.reference().Run(
            *reference_case, options,
            [&checker](std::size_t i, const Outcome& o) { return checker.GoOn(i, o); });
      }));
    }
    const CaseAt case_at = [&cases](const ImplementationInfo& impl) {
      return cases.At(0, impl.version);
    };
    CaseResult result = JudgeCase(case_, case_at, impls, suite.registry.oracle, runs,
                                  suite.expectations, suite.multiplier);

    const ImplResult& oracle = result.results.at(suite.registry.oracle);
    const ImplResult& reference = result.results.at(kReference);
    RecordProperty(suite.registry.oracle, VerdictName(oracle.verdict.kind));
    RecordProperty(kReference, VerdictName(reference.verdict.kind));
    if (oracle.verdict.kind == VerdictKind::kUnavailable) {  // said once, plainly
      FAIL() << "the oracle is unavailable: " << oracle.verdict.detail;
    }
    if (reference.verdict.kind == VerdictKind::kUnavailable) {
      FAIL() << "the reference driver is unavailable: " << reference.verdict.detail;
    }
    for (const auto& [name, r] : result.results) {
      std::string text = Describe(case_, name, r);
      if (CountsAsFailure(r)) {
        ADD_FAILURE() << case_.id << " (" << case_.file << ":" << case_.line << ")\n" << text;
      } else if (r.verdict.kind != VerdictKind::kPass) {  // listed in an expectations file
        std::cout << "[  KNOWN   ] " << case_.id << ": " << text << "\n";
      }
    }
    // Neither could run it here (a version it does not state, a capability the machine lacks):
    // a skip, which CI counts as neither passed nor failed, never a pass.
    if (!HasFailure() && oracle.verdict.kind == VerdictKind::kNotApplicable &&
        reference.verdict.kind == VerdictKind::kNotApplicable) {
      GTEST_SKIP() << "n/a: " << oracle.verdict.detail;
    }
  }

 private:
  const Case& case_;
};

// RegisterCases registers one test per case; on a malformed table, one failing test that
// says why.
void RegisterCases(const std::vector<Case>* cases) {
  for (const Case& c : *cases) {
    const std::string area = AreaOf(c);  // every id starts with "<area>." (CASES.md)
    const std::string suite = TestNameForCaseId(area);
    const std::string name = TestNameForCaseId(c.id.substr(area.size() + 1));
    ::testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, c.id.c_str(), c.file.c_str(),
                            c.line, [&c]() -> ::testing::Test* { return new CaseTest(&c); });
  }
}

void RegisterSetupFailure(const std::string& message) {
  ::testing::RegisterTest("CaseTable", "Loads", nullptr, nullptr, __FILE__, __LINE__,
                          [message]() -> ::testing::Test* {
                            class Failing : public ::testing::Test {
                             public:
                              explicit Failing(std::string m) : m_(std::move(m)) {}
                              void TestBody() override { FAIL() << m_; }
                              std::string m_;
                            };
                            return new Failing(message);
                          });
}

}  // namespace
}  // namespace sockref::conformance::runner

int main(int argc, char** argv) {
  using namespace sockref::conformance;
  using namespace sockref::conformance::runner;
  ::testing::InitGoogleTest(&argc, argv);
  sockref::conformance::report::PrepareProcess();
  SharedDrivers& suite = SharedDrivers::Get();
  // Bazel runs tests inside the runfiles tree, which holds the data files; relative case
  // paths, so failures name conformance/cases/<area>.cases.
  static std::unique_ptr<sockref::conformance::runner::Suite> loaded;
  try {
    SuiteOptions options;
    options.root = std::filesystem::current_path().string();
    options.multiplier = TimeMultiplierFromEnv();
    options.factories = ReferenceFactories();
    loaded = LoadSuite(options);
    const Registry& registry = loaded->registry;
    if (registry.Find(kReference) == nullptr) throw SuiteError("the registry has no reference");
    suite.root = options.root;
    suite.registry = registry;
    suite.multiplier = options.multiplier;
    for (const std::string& name : {std::string(kReference), registry.oracle}) {
      suite.expectations[name] =
          Expectations::Load(options.root + "/conformance/expectations/" + name + ".txt");
    }
    RegisterCases(&loaded->cases);
  } catch (const std::exception& e) {
    RegisterSetupFailure(e.what());
  }
  return RUN_ALL_TESTS();
}
