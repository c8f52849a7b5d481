#include "conformance/runner/late_reruns.h"

#include "conformance/runner/timing_policy.h"

namespace sockref::conformance::runner {

bool HasLateStep(const Case& c, const CaseRun& run, double multiplier) {
  if (run.status != CaseRun::Status::kCompleted) return false;
  bool late = false;
  for (std::size_t i = 0; i < c.steps.size() && i < run.steps.size(); ++i) {
    const StepRecord& r = run.steps[i];
    if (!c.steps[i].elapsed || !r.ran ||
        !MatchElapsed(*c.steps[i].elapsed, r.elapsed, multiplier, r.lead)) {
      continue;
    }
    if (r.elapsed < c.steps[i].elapsed->seconds) return false;  // early: no load explains it
    late = true;
  }
  return late;
}

bool StoppedAfterBackgroundAction(const Case& c, const CaseRun& run) {
  if (run.status != CaseRun::Status::kCompleted || run.stopped_early_at <= 0) return false;
  const std::size_t stopped = static_cast<std::size_t>(run.stopped_early_at);  // 1-based
  for (std::size_t i = 0; i + 1 < stopped && i < c.steps.size(); ++i) {
    if (c.steps[i].background_delay) return true;
  }
  return false;
}

CaseRun RunWithLateReruns(const Case& c, double multiplier,
                          const std::function<CaseRun()>& run_once,
                          const std::function<bool()>& can_rerun) {
  CaseRun run = run_once();
  for (int rerun = 0;
       rerun < kLateReruns &&
       (HasLateStep(c, run, multiplier) || StoppedAfterBackgroundAction(c, run)) &&
       (!can_rerun || can_rerun());
       ++rerun) {
    run = run_once();
  }
  return run;
}

}  // namespace sockref::conformance::runner
