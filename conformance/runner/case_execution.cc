#include "conformance/runner/case_execution.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <vector>
#include "conformance/language/ast.h"
#include "conformance/protocol/protocol_error.h"
#include "conformance/protocol/exec_request.h"
#include "conformance/protocol/outcome.h"
#include "conformance/runner/kept_value.h"
#include "conformance/runner/machine_capabilities.h"
#include "impl/testing/open_fds.h"

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;

// How long `end` may spend joining background actions: they start within a second or so,
// and the protocol's own default is 5 s.
constexpr double kEndJoinSeconds = 5;

// OpenDescriptors returns this process's open descriptors (empty when /proc cannot tell).
std::set<int> OpenDescriptors() { return sockref::testing::OpenFds().value_or(std::set<int>{}); }

class Executor {
 public:
  Executor(const Case& c, DriverConnection& driver, const ExecutionOptions& options,
           const GoOn& go_on)
      : case_(c), driver_(driver), options_(options), go_on_(go_on) {
    run_.steps.resize(c.steps.size());
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      run_.steps[i].number = static_cast<int>(i) + 1;
      run_.steps[i].background = c.steps[i].background_delay.has_value();
    }
    deadline_ = Deadline(options.watchdog_seconds * options.multiplier);
  }

  CaseRun Run() {
    const int end_position = static_cast<int>(case_.steps.size()) + 1;
    if (!Send({{"op", "begin"}, {"case", case_.id}}, 0)) return std::move(run_);
    for (std::size_t i = 0; i < case_.steps.size(); ++i) {
      if (!RunStep(i)) return std::move(run_);
      if (StopsHere(i)) break;
    }
    double left = std::chrono::duration<double>(deadline_ - Clock::now()).count();
    double join = std::clamp(left - 1.0, 0.0, kEndJoinSeconds * options_.multiplier);
    if (!Send({{"op", "end"}, {"deadline", join}}, end_position)) return std::move(run_);
    ReadEnd(end_position);
    return std::move(run_);
  }

 private:
  // Send makes one call; on anything but a proper reply it records the crash or hang at
  // `position` and returns false.
  bool Send(const json& request, int position) {
    DriverReply r = driver_.Call(request, deadline_);
    deadline_ += r.throttled;  // the runner's own wait is not the driver's time
    if (r.status == DriverReply::Status::kOk && r.message.contains("error")) {
      Stop(CaseRun::Status::kDriverError, position, "driver error: " + ShownJson(r.message["error"]));
      // The driver is fine otherwise: close the case so the next one starts clean. If that
      // `end` fails too, this case takes the blame and the driver is replaced, not the next.
      if (request.value("op", "") != "end") {
        const DriverReply end = driver_.Call({{"op", "end"}, {"deadline", 0}}, deadline_);
        if (end.status != DriverReply::Status::kOk) {
          const auto status = end.status == DriverReply::Status::kHung ? CaseRun::Status::kHung
                                                                       : CaseRun::Status::kCrashed;
          Stop(status, static_cast<int>(case_.steps.size()) + 1,
               run_.detail + "; then `end` failed: " + end.detail);
        }
      }
      return false;
    }
    if (r.status == DriverReply::Status::kHung) {
      return Stop(CaseRun::Status::kHung, position, r.detail);
    }
    if (r.status == DriverReply::Status::kGarbage) {
      return Stop(CaseRun::Status::kCrashed, position, "garbage: " + r.detail);
    }
    if (r.status != DriverReply::Status::kOk) {
      return Stop(CaseRun::Status::kCrashed, position, r.detail);
    }
    reply_ = std::move(r.message);
    return true;
  }

  bool Stop(CaseRun::Status status, int position, std::string detail) {
    run_.status = status;
    run_.stopped_at = position;
    run_.detail = std::move(detail);
    return false;
  }

  bool RunStep(std::size_t i) {
    const Step& step = case_.steps[i];
    const int number = static_cast<int>(i) + 1;
    json request = ExecRequest(step, number);
    if (!options_.omit_unchecked_values) request.erase("want_value");
    const Clock::time_point sent = Clock::now();
    if (!Send(request, number)) return false;
    StepRecord& record = run_.steps[i];
    if (record.background) {
      if (reply_.value("background", json()) != "started") {
        return Stop(CaseRun::Status::kCrashed, number,
                    "background step not acknowledged: " + ShownJson(reply_));
      }
      pending_.push_back({*step.background_delay, sent, DriverClock(reply_)});
      return true;
    }
    record.lead = Lead(sent, DriverClock(reply_));
    const bool recorded = Record(record, reply_, number);
    reply_ = nullptr;  // what is kept is in the record; a large reply is not held meanwhile
    driver_.ReleaseReplyMemory();
    return recorded;
  }

  // StopsHere says whether the case ends after foreground step `i`, recording where.
  bool StopsHere(std::size_t i) {
    const StepRecord& record = run_.steps[i];
    if (!go_on_ || record.background || !record.ran || go_on_(i, record.outcome)) return false;
    run_.stopped_early_at = record.number;
    return true;
  }

  // DriverClock returns the reply's "started_at" (the driver's clock when the step's timing
  // began), nullopt when the driver does not report it.
  static std::optional<double> DriverClock(const json& reply) {
    const json& t = reply.value("started_at", json());
    if (!t.is_number()) return std::nullopt;
    return t.get<double>();
  }

  // Lead returns StepRecord::lead for a foreground step sent at `sent` whose clock started at
  // `started` on the driver's clock (when known).
  double Lead(Clock::time_point sent, std::optional<double> started) const {
    double lead = 0;
    for (const PendingBackground& b : pending_) {
      // Both instants on one clock: the driver's when it gave both, else the runner's, where
      // each `exec` was sent (the driver receives each a little later, about equally).
      const double head_start = started && b.started
                                    ? *started - *b.started
                                    : std::chrono::duration<double>(sent - b.sent).count();
      if (head_start < b.delay) lead = std::max(lead, head_start);
    }
    return lead;
  }

  // Record decodes an outcome (an exec reply or an `end` background entry) into `record`.
  bool Record(StepRecord& record, const json& j, int position) {
    try {
      if (!j.contains("outcome")) throw ProtocolError("no \"outcome\"");
      record.outcome = KeptOutcome(OutcomeFromJson(j["outcome"]));
      const json& elapsed = j.value("elapsed", json());
      if (!elapsed.is_number()) throw ProtocolError("\"elapsed\" is not a number of seconds");
      record.elapsed = elapsed.get<double>();
      record.ran = true;
      return true;
    } catch (const ProtocolError& e) {
      return Stop(CaseRun::Status::kCrashed, position,
                  std::string("malformed reply: ") + e.what() + ": " + ShownJson(j));
    }
  }

  void ReadEnd(int end_position) {
    const json& leaked = reply_.value("leaked_fds", json());
    if (leaked.is_number_integer() && leaked.get<std::int64_t>() >= 0 &&
        leaked.get<std::int64_t>() <= 1 << 20) {
      run_.leaked_descriptors = static_cast<int>(leaked.get<std::int64_t>());
    } else if (!leaked.is_null()) {
      Stop(CaseRun::Status::kCrashed, end_position,
           "malformed end reply: \"leaked_fds\" is " + ShownJson(leaked) +
               ", not null or a count of descriptors");
      return;
    }
    const json& background = reply_.value("background", json::array());
    for (const json& entry : background) {
      const json& step = entry.is_object() ? entry.value("step", json()) : json();
      int number = step.is_number_integer() ? step.get<int>() : 0;
      if (number < 1 || number > static_cast<int>(run_.steps.size()) ||
          !run_.steps[number - 1].background) {
        Stop(CaseRun::Status::kCrashed, end_position,
             "end reply names no background step of this case: " + ShownJson(entry));
        return;
      }
      StepRecord& record = run_.steps[number - 1];
      if (entry.value("outcome", json()) == json{{"unfinished", true}}) {
        record.unfinished = true;
        // A stuck action may still hold resources: a hang, and the driver is replaced.
        if (run_.status == CaseRun::Status::kCompleted) {
          Stop(CaseRun::Status::kHung, number, "background action still running at end");
        }
      } else if (!Record(record, entry, end_position)) {
        return;
      }
    }
  }

  // PendingBackground is a background step already started, for Lead.
  struct PendingBackground {
    double delay;                   // seconds
    Clock::time_point sent;         // the runner's clock, as its `exec` was sent
    std::optional<double> started;  // the driver's clock, as its delay began
  };

  const Case& case_;
  DriverConnection& driver_;
  const ExecutionOptions& options_;
  const GoOn& go_on_;
  Clock::time_point deadline_;
  CaseRun run_;
  json reply_;
  std::vector<PendingBackground> pending_;
};

bool HasAll(const std::vector<std::string>& have, const std::vector<std::string>& need,
            std::vector<std::string>& missing) {
  for (const std::string& n : need) {
    if (std::find(have.begin(), have.end(), n) == have.end()) missing.push_back(n);
  }
  return missing.empty();
}

}  // namespace

const char* StatusName(CaseRun::Status status) {
  switch (status) {
    case CaseRun::Status::kCompleted:
      return "completed";
    case CaseRun::Status::kUnsupported:
      return "unsupported";
    case CaseRun::Status::kCrashed:
      return "crashed";
    case CaseRun::Status::kHung:
      return "hung";
    case CaseRun::Status::kDriverError:
      return "driver error";
    case CaseRun::Status::kNotRun:
      return "not run";
    case CaseRun::Status::kNotApplicable:
      return "not applicable";
  }
  return "?";
}

CaseRun ExecuteCase(const Case& c, DriverConnection& driver,
                    const std::vector<std::string>& capabilities, const ExecutionOptions& options,
                    const GoOn& go_on) {
  const Clock::time_point start = Clock::now();
  std::vector<std::string> missing;
  if (!HasAll(capabilities, c.needs, missing)) {
    CaseRun run;
    if (MachineLacksAll(missing)) {
      run.status = CaseRun::Status::kNotApplicable;
      run.detail = MachineLacksReason(missing);
    } else {
      run.status = CaseRun::Status::kUnsupported;
    }
    run.missing = std::move(missing);
    run.steps.resize(c.steps.size());
    for (std::size_t i = 0; i < c.steps.size(); ++i) run.steps[i].number = int(i) + 1;
    return run;
  }
  std::unique_lock<std::shared_mutex> exclusive(DescriptorTableLock(), std::defer_lock);
  std::set<int> before;
  if (driver.InProcess()) {
    exclusive.lock();
    before = OpenDescriptors();
  }
  CaseRun run = Executor(c, driver, options, go_on).Run();
  if (driver.InProcess() && run.status == CaseRun::Status::kCompleted && !run.leaked_descriptors) {
    std::set<int> after = OpenDescriptors();
    int leaked = 0;
    for (int fd : after) leaked += before.count(fd) == 0 ? 1 : 0;
    run.leaked_descriptors = leaked;
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return run;
}

}  // namespace sockref::conformance::runner
