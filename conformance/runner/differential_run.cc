#include "conformance/runner/differential_run.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <optional>
#include <set>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>

#include "conformance/runner/late_reruns.h"
#include "conformance/runner/machine_capabilities.h"
#include "conformance/runner/managed_driver.h"
#include "conformance/runner/versioned_cases.h"
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {
namespace {

// EstimatedSeconds is how long a case waits on purpose (timeouts, background delays). The
// slow cases start first, so they do not finish last on an otherwise idle pool.
double EstimatedSeconds(const Case& c) {
  double total = 0;
  for (const Step& s : c.steps) {
    if (s.elapsed) total += s.elapsed->seconds;
    if (s.background_delay) total += *s.background_delay;
  }
  return total;
}

struct Task {
  std::size_t case_index;  // into `selected`
  int run;                 // 0, or 1 for the oracle's second run
};

// Lane is one driver instance and the thread that feeds it cases.
struct Lane {
  std::string impl;
  std::unique_ptr<ManagedDriver> driver;
};

}  // namespace

bool CountsAsFailure(const ImplResult& r) {
  switch (r.expectation) {
    case ExpectationMatch::kAsListed:
      return false;
    case ExpectationMatch::kUnexpectedPass:
    case ExpectationMatch::kDifferently:
      return true;
    case ExpectationMatch::kNotListed:
      break;
  }
  // A case that states no behaviour of the implementation's version was not a question.
  return r.verdict.kind != VerdictKind::kPass && r.verdict.kind != VerdictKind::kNotApplicable;
}

std::string AreaOf(const Case& c) {
  std::string name = c.file.substr(c.file.find_last_of('/') + 1);
  const std::string suffix = ".cases";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    name.resize(name.size() - suffix.size());
  }
  return name;
}

namespace {

// JudgeOne returns one (non-oracle) implementation's result on case `c` (at its version), given
// the oracle's judgement when the oracle targets the same version.
ImplResult JudgeOne(const Case& c, const ImplementationInfo& impl, const CaseRun& run,
                    const OracleJudgement* oracle, double multiplier) {
  ImplResult result;
  result.leaked_descriptors = run.leaked_descriptors;
  result.seconds = run.seconds;
  const bool compared = oracle != nullptr && oracle->usable;
  const Baseline none;
  result.verdict = Judge(c, run, compared ? oracle->baseline : none,
                         {multiplier, impl.check_leaks, compared ? oracle->stopped_at : 0});
  const VerdictKind k = result.verdict.kind;
  if (compared && k != VerdictKind::kUnsupported && k != VerdictKind::kNotApplicable) {
    result.agrees = k == VerdictKind::kPass;
  }
  return result;
}

}  // namespace

CaseResult JudgeCase(const Case& c, const CaseAt& case_at,
                     const std::vector<ImplementationInfo>& implementations,
                     const std::string& oracle,
                     const std::map<std::string, std::vector<CaseRun>>& runs,
                     const std::map<std::string, Expectations>& expectations, double multiplier) {
  CaseResult out;
  out.c = &c;
  out.area = AreaOf(c);
  auto runs_of = [&](const std::string& name) -> const std::vector<CaseRun>* {
    auto it = runs.find(name);
    return it == runs.end() ? nullptr : &it->second;
  };
  std::optional<OracleJudgement> judged_oracle;
  const ImplementationInfo* oracle_info = nullptr;
  for (const ImplementationInfo& impl : implementations) {
    if (impl.name != oracle || !impl.available) continue;
    oracle_info = &impl;
    const std::vector<CaseRun>* r = runs_of(oracle);
    const Case* at = case_at(impl);
    if (r != nullptr && r->size() == 2 && at != nullptr) {
      judged_oracle = JudgeOracle(*at, (*r)[0], (*r)[1], {multiplier, false});
    }
  }
  for (const ImplementationInfo& impl : implementations) {
    ImplResult result;
    const std::vector<CaseRun>* r = runs_of(impl.name);
    const Case* at = impl.available ? case_at(impl) : nullptr;
    if (impl.available && at == nullptr) {
      result.verdict = {VerdictKind::kNotApplicable, std::nullopt,
                        "the case states no behaviour of Python " + ToString(impl.version)};
    } else if (!impl.available || r == nullptr || r->empty()) {
      result.verdict = {VerdictKind::kUnavailable, std::nullopt, impl.unavailable_reason};
    } else if (impl.name == oracle) {
      result.verdict = judged_oracle ? judged_oracle->verdict
                                     : Verdict{VerdictKind::kNotRun, std::nullopt,
                                               "the oracle's two runs are missing"};
      result.seconds = r->front().seconds;
    } else {
      const bool same_version = oracle_info != nullptr && oracle_info->version == impl.version;
      result = JudgeOne(*at, impl, r->front(),
                        same_version && judged_oracle ? &*judged_oracle : nullptr, multiplier);
    }
    auto e = expectations.find(impl.name);
    if (e != expectations.end()) {
      result.expectation = e->second.Match(c.id, result.verdict, c.steps.size());
    }
    out.results[impl.name] = std::move(result);
  }
  return out;
}

namespace {

// LeaveOutOptional moves the optional implementations (chosen by a pattern) whose drivers said
// they are not on this machine (exit status kAbsentExitStatus, or a program not found) from the
// run's implementations to its left_out list: absent is not a failure of an implementation
// nobody named. One that is here but failed to start (a crash, a hello too slow) stays, an
// unavailable column that fails the run.
void LeaveOutOptional(const RunSetup& setup, RunResults& results) {
  auto left_out = [&](const ImplementationInfo& info) {
    return !info.available && info.absent && setup.optional.count(info.name) != 0;
  };
  auto& impls = results.implementations;
  for (const ImplementationInfo& info : impls) {
    if (left_out(info)) results.left_out.emplace_back(info.name, info.unavailable_reason);
  }
  impls.erase(std::remove_if(impls.begin(), impls.end(), left_out), impls.end());
}

// DriversPerSubprocessImplementation is `setup.jobs`, lowered so that all the subprocess
// implementations together run at most kMaxDriverProcesses drivers (at least one each): a
// matrix of sixteen Python columns with six drivers each would start ~100 interpreters at once,
// and on a small machine their hellos time out and timed steps come late.
int DriversPerSubprocessImplementation(const RunSetup& setup) {
  int subprocess = 0;
  for (const std::string& name : setup.names) {
    if (!setup.registry->Find(name)->in_process) ++subprocess;
  }
  const int jobs = std::max(1, setup.jobs);
  if (subprocess == 0) return jobs;
  return std::max(1, std::min(jobs, kMaxDriverProcesses / subprocess));
}

// StartLanes makes each implementation's driver instances (one for an in-process driver,
// `setup.jobs` otherwise), starts them all at once, and records in `results` which
// implementations came up. Python takes a moment to start, and all of them are running before
// any in-process case takes the descriptor table for itself. Returns the running lanes.
std::vector<Lane> StartLanes(const RunSetup& setup, RunResults& results) {
  const Registry& registry = *setup.registry;
  std::vector<Lane> lanes;
  const int per_subprocess = DriversPerSubprocessImplementation(setup);
  for (const std::string& name : setup.names) {
    const Implementation& impl = *registry.Find(name);
    ImplementationInfo info;
    info.name = name;
    info.is_oracle = name == results.oracle;
    info.check_leaks = impl.check_leaks;
    const int count = impl.in_process ? 1 : per_subprocess;
    for (int i = 0; i < count; ++i) {
      try {
        lanes.push_back(
            {name, std::make_unique<ManagedDriver>(MakeDriver(impl, setup.root, setup.factories),
                                                   setup.execution.multiplier)});
      } catch (const DriverUnavailable& e) {  // the program is not here at all
        info.unavailable_reason = e.what();
        info.absent = true;
        break;
      }
    }
    results.implementations.push_back(std::move(info));
  }
  {
    std::vector<std::thread> starters;
    for (Lane& lane : lanes) starters.emplace_back([&lane] { lane.driver->Start(); });
    for (std::thread& t : starters) t.join();
  }
  for (ImplementationInfo& info : results.implementations) {
    for (const Lane& lane : lanes) {
      if (lane.impl != info.name) continue;
      if (lane.driver->running()) {
        if (!info.available) info.hello = lane.driver->hello();
        info.available = true;
      } else {
        if (info.unavailable_reason.empty()) info.unavailable_reason = lane.driver->failure();
        info.absent = info.absent || lane.driver->absent();
      }
    }
    if (info.available) info.unavailable_reason.clear();
    // The oracle is judged at its own version; --target-version moves the others.
    std::tie(info.version, info.version_source) =
        TargetVersion(info.hello, info.is_oracle ? std::nullopt : setup.target_version);
  }
  lanes.erase(std::remove_if(lanes.begin(), lanes.end(),
                             [](const Lane& l) { return !l.driver->running(); }),
              lanes.end());
  LeaveOutOptional(setup, results);
  return lanes;
}

// kMaxConsecutiveHangs is how many cases in a row an implementation may hang on before the
// runner stops sending it cases: each hang costs a watchdog and a restart, and a driver that
// hangs on everything would otherwise cost watchdog x cases.
constexpr int kMaxConsecutiveHangs = 3;

// WorkQueue hands each lane the next run of its implementation, slowest cases first, keeps
// every run's record, and reports each area when its last run is done. Other implementations
// run a case only once the oracle's two runs of it are judged, so each can stop at its first
// step that differs from what CPython did (CASES.md). Thread-safe.
class WorkQueue {
 public:
  WorkQueue(const std::vector<const Case*>& selected, const VersionedCases& cases,
            const std::vector<ImplementationInfo>& implementations, const std::string& oracle,
            double multiplier, std::function<void(const std::string&)> progress,
            std::function<void(int, int, const std::string&)> case_done)
      : selected_(selected),
        cases_(cases),
        runs_(selected.size()),
        oracle_left_(selected.size(), 0),
        judged_(selected.size()),
        multiplier_(multiplier),
        case_left_(selected.size(), 0),
        progress_(std::move(progress)),
        case_done_(std::move(case_done)) {
    std::vector<std::size_t> order(selected.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return EstimatedSeconds(*selected[a]) > EstimatedSeconds(*selected[b]);
    });
    for (const ImplementationInfo& info : implementations) {
      if (!info.available) continue;
      version_[info.name] = info.version;
      if (info.name == oracle) oracle_ = oracle;
      const int repeat = info.is_oracle ? 2 : 1;  // the oracle runs twice to catch instability
      for (std::size_t i : order) {
        runs_[i][info.name].resize(repeat);
        if (info.is_oracle) oracle_left_[i] = repeat;
        for (int r = 0; r < repeat; ++r) {
          queues_[info.name].push_back({i, r});
          ++area_left_[AreaOf(*selected[i])];
          ++case_left_[i];
        }
      }
    }
    for (const Case* c : selected) ++area_cases_[AreaOf(*c)];
  }

  // Serve runs cases on `lane` until its implementation's queue is empty, or its driver cannot
  // be restarted while another lane of the same implementation still can.
  void Serve(Lane& lane, const ExecutionOptions& options) {
    Task task;
    while (Next(lane, task)) {
      const Case* at = cases_.At(task.case_index, version_.at(lane.impl));
      const Case& c = at != nullptr ? *at : *selected_[task.case_index];
      CaseRun run;
      if (at == nullptr) {
        run = Unsent(c, CaseRun::Status::kNotApplicable,
                     "the case states no behaviour of Python " + ToString(version_.at(lane.impl)));
      } else if (given_up_.count(lane.impl)) {
        run = NotRun(c, lane.impl);
      } else {
        // Each of the oracle's two runs gets the same reruns: both runs of a case often run
        // at once, so one burst of load can delay both.
        run = RunWithLateReruns(
            c, multiplier_, [&] { return RunChecked(lane, c, options, task.case_index); },
            [&] { return lane.driver->running(); });
      }
      Record(lane.impl, task, std::move(run));
    }
  }

  // CountLive notes one live lane of `impl`; call before serving.
  void CountLive(const std::string& impl) { ++live_[impl]; }

  // Runs returns, per selected case, each implementation's runs.
  std::vector<std::map<std::string, std::vector<CaseRun>>>& runs() { return runs_; }

 private:
  // Next takes the lane's next task, waiting (for the oracle's runs of a case) when it must.
  // Returns false when the lane is done.
  bool Next(Lane& lane, Task& task) {
    std::unique_lock lock(mu_);
    while (true) {
      std::deque<Task>& q = queues_[lane.impl];
      // The last live lane drains the queue, recording why nothing could run.
      if (q.empty() || (!lane.driver->running() && live_[lane.impl] > 1)) {
        if (!lane.driver->running()) --live_[lane.impl];
        return false;
      }
      // Only an implementation of the oracle's version is compared with what CPython did.
      const bool waits = !oracle_.empty() && lane.impl != oracle_ &&
                         version_.at(lane.impl) == version_.at(oracle_);
      auto ready = std::find_if(q.begin(), q.end(), [&](const Task& t) {
        return !waits || oracle_left_[t.case_index] == 0;
      });
      if (ready != q.end()) {
        task = *ready;
        q.erase(ready);
        return true;
      }
      judged_cv_.wait(lock);
    }
  }

  CaseRun RunChecked(Lane& lane, const Case& c, const ExecutionOptions& options, std::size_t i) {
    StepChecker checker = CheckerFor(lane.impl, i);
    return lane.driver->Run(c, options, [&checker](std::size_t step, const Outcome& o) {
      return checker.GoOn(step, o);
    });
  }

  // CheckerFor returns how `impl`'s run of case `i` decides to go on: against the table for the
  // oracle, against CPython's judged runs for the others (the table where CPython was unusable).
  StepChecker CheckerFor(const std::string& impl, std::size_t i) {
    std::lock_guard lock(mu_);
    const Case* at = cases_.At(i, version_.at(impl));
    const Case& c = at != nullptr ? *at : *selected_[i];
    const bool compared = impl != oracle_ && !oracle_.empty() &&
                          version_.at(impl) == version_.at(oracle_) && judged_[i] &&
                          judged_[i]->usable;
    if (!compared) return StepChecker(c, nullptr, 0);
    return StepChecker(c, &judged_[i]->baseline, judged_[i]->stopped_at);
  }

  CaseRun NotRun(const Case& c, const std::string& impl) const {
    return Unsent(c, CaseRun::Status::kNotRun,
                  "not sent: " + impl + " hung on " + std::to_string(kMaxConsecutiveHangs) +
                      " cases in a row, so the runner stopped sending it cases");
  }

  static CaseRun Unsent(const Case& c, CaseRun::Status status, std::string detail) {
    CaseRun run;
    run.status = status;
    run.detail = std::move(detail);
    run.steps.resize(c.steps.size());
    for (std::size_t i = 0; i < c.steps.size(); ++i) run.steps[i].number = int(i) + 1;
    return run;
  }

  void Record(const std::string& impl, const Task& task, CaseRun run) {
    std::lock_guard lock(mu_);
    if (run.status == CaseRun::Status::kHung) {
      if (++consecutive_hangs_[impl] >= kMaxConsecutiveHangs) given_up_.insert(impl);
    } else if (run.status != CaseRun::Status::kNotRun) {
      consecutive_hangs_[impl] = 0;
    }
    auto& runs = runs_[task.case_index][impl];
    runs[task.run] = std::move(run);
    if (impl == oracle_ && --oracle_left_[task.case_index] == 0) {
      if (const Case* at = cases_.At(task.case_index, version_.at(oracle_))) {
        judged_[task.case_index] = JudgeOracle(*at, runs[0], runs[1], {multiplier_, false});
      }
      judged_cv_.notify_all();
    }
    const std::string area = AreaOf(*selected_[task.case_index]);
    if (--case_left_[task.case_index] == 0 && case_done_) {
      case_done_(++cases_done_, static_cast<int>(selected_.size()), area);
    }
    if (--area_left_[area] == 0 && progress_) {
      ++areas_done_;
      progress_("[" + std::to_string(areas_done_) + "/" + std::to_string(area_cases_.size()) +
                "] " + area + ": " + std::to_string(area_cases_[area]) + " cases done");
    }
  }

  const std::vector<const Case*>& selected_;
  const VersionedCases& cases_;
  std::map<std::string, PythonVersion> version_;  // each available implementation's target
  std::mutex mu_;  // guards everything below
  std::condition_variable judged_cv_;  // an oracle judgement arrived
  std::string oracle_;                 // empty when no oracle runs
  std::map<std::string, std::deque<Task>> queues_;
  std::vector<std::map<std::string, std::vector<CaseRun>>> runs_;
  std::vector<int> oracle_left_;  // the oracle's runs of each case still to come
  std::vector<std::optional<OracleJudgement>> judged_;
  double multiplier_;
  std::map<std::string, int> live_;  // lanes per implementation still able to run cases
  std::map<std::string, int> consecutive_hangs_;
  std::set<std::string> given_up_;  // implementations no longer sent cases
  std::map<std::string, int> area_left_;
  std::map<std::string, int> area_cases_;
  int areas_done_ = 0;
  std::vector<int> case_left_;  // runs of each case still to come
  int cases_done_ = 0;
  std::function<void(const std::string&)> progress_;
  std::function<void(int, int, const std::string&)> case_done_;
};

// RunLanes feeds every lane from `queue`, one thread per lane, then stops the drivers and adds
// their counts to `results`.
void RunLanes(std::vector<Lane>& lanes, WorkQueue& queue, const ExecutionOptions& options,
              RunResults& results) {
  for (const Lane& lane : lanes) queue.CountLive(lane.impl);
  {
    std::vector<std::thread> workers;
    for (Lane& lane : lanes) {
      workers.emplace_back([&queue, &lane, &options] { queue.Serve(lane, options); });
    }
    for (std::thread& t : workers) t.join();
  }
  for (ImplementationInfo& info : results.implementations) {
    for (const Lane& lane : lanes) {
      if (lane.impl != info.name) continue;
      ++info.drivers;
      info.restarts += lane.driver->restarts();
    }
  }
  lanes.clear();  // stops the drivers
}

}  // namespace

std::map<std::string, std::vector<KnownFailure>> StaleExpectations(
    const std::vector<Case>& all, const std::map<std::string, Expectations>& expectations) {
  std::set<std::string> areas;  // of the table that was loaded (all of it, or --cases DIR)
  for (const Case& c : all) areas.insert(AreaOf(c));
  std::map<std::string, std::vector<KnownFailure>> out;
  for (const auto& [name, file] : expectations) {
    for (KnownFailure& k : file.Unknown(all)) {
      // A line about an area this run did not load says nothing about this run.
      if (areas.count(k.case_id.substr(0, k.case_id.find('.'))) != 0) {
        out[name].push_back(std::move(k));
      }
    }
  }
  return out;
}

RunResults RunDifferential(const std::vector<Case>& all, const std::vector<const Case*>& selected,
                           const RunSetup& setup) {
  const Clock::time_point start = Clock::now();
  // Probed now, once: its sockets must not open while an in-process case counts descriptors.
  MachineLacks();
  RunResults results;
  results.multiplier = setup.execution.multiplier;
  const Registry& registry = *setup.registry;
  if (std::find(setup.names.begin(), setup.names.end(), registry.oracle) != setup.names.end()) {
    results.oracle = registry.oracle;
  }
  std::vector<Lane> lanes = StartLanes(setup, results);
  VersionedCases cases(selected);
  for (const ImplementationInfo& info : results.implementations) cases.Prepare(info.version);
  WorkQueue queue(selected, cases, results.implementations, results.oracle,
                  setup.execution.multiplier, setup.progress, setup.case_done);
  RunLanes(lanes, queue, setup.execution, results);
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const CaseAt case_at = [&cases, i](const ImplementationInfo& impl) {
      return cases.At(i, impl.version);
    };
    results.cases.push_back(JudgeCase(*selected[i], case_at, results.implementations,
                                      results.oracle, queue.runs()[i], setup.expectations,
                                      setup.execution.multiplier));
  }
  results.stale_expectations = StaleExpectations(all, setup.expectations);
  results.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return results;
}

}  // namespace sockref::conformance::runner
