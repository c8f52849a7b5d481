#include "conformance/drivers/reference/reference_driver.h"

#include <dirent.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "conformance/drivers/reference/runtime/bindings.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "conformance/drivers/reference/runtime/evaluator.h"
#include "conformance/drivers/reference/runtime/interrupts.h"
#include "conformance/drivers/reference/runtime/object.h"
#include "conformance/drivers/reference/runtime/session.h"
#include "conformance/language/ast.h"
#include "conformance/language/python_names.h"
#include "conformance/language/value.h"
#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/outcome.h"
#include "conformance/protocol/seconds.h"
#include "impl/testing/open_fds.h"
#include "conformance/protocol/protocol_error.h"
#include "impl/ancillary.h"
#include "impl/socket.h"
#include "impl/timeout.h"

namespace sockref::conformance {

using nlohmann::json;
using reference::Ref;
using reference::Session;

namespace reference_internal {
namespace {

// How long `end` waits for background steps when the request does not say (oracle/driver.py's
// default), and how much longer once their sockets have been shut down to wake them.
constexpr double kDefaultEndDeadline = 5.0;
constexpr double kGraceAfterShutdown = 1.0;

using Clock = std::chrono::steady_clock;

// ProtocolViolation is a request PROTOCOL.md does not define; Handle answers it with an error.
struct ProtocolViolation {
  std::string message;
};

// StepResult is what one step did: an outcome and the seconds it took, or an internal error.
struct StepResult {
  json outcome;  // null when internal_error is set
  double elapsed = 0;
  std::string internal_error;
  Ref value;  // the result, for captures; null unless the outcome is a value
};

// ClockSeconds returns `t` in seconds on the steady clock: the replies' "started_at".
double ClockSeconds(Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// OmittedValue returns what an exec reply carries for `value` when the runner did not ask for
// it: its type name and, for the sized types PROTOCOL.md names, its len().
Value OmittedValue(const Ref& value) {
  std::optional<std::uint64_t> length;
  if (auto* s = reference::As<reference::StrObject>(value)) {
    length = 0;
    for (const char c : s->utf8) *length += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  } else if (auto* t = reference::As<reference::TupleObject>(value)) {
    length = t->items.size();
  } else if (auto* l = reference::As<reference::ListObject>(value)) {
    length = l->items.size();
  } else if (value->kind() == reference::Kind::kBytes ||
             value->kind() == reference::Kind::kByteArray) {
    length = reference::GetBuffer(value)->size;
  }
  return Value::Omitted(value->TypeName(), length);
}

// RunStatement runs one step. `started` is when its clock starts; with `want_value` false the
// outcome carries an omitted value (PROTOCOL.md), sparing the conversion of a large one.
// A foreground step (`started` given) runs as the case's ForegroundStep: the thread its
// `interrupt()` actions signal.
StepResult RunStatement(Session& session, const Statement& statement, bool want_value,
                        Clock::time_point* started = nullptr) {
  StepResult result;
  const Clock::time_point start = Clock::now();
  if (started != nullptr) *started = start;
  try {
    std::optional<reference::ForegroundStep> foreground;
    if (started != nullptr) foreground.emplace(session.interrupts());
    Ref value = reference::Execute(session, statement);
    foreground.reset();
    result.elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    Outcome o;
    o.kind = Outcome::Kind::kValue;
    o.value = want_value ? value->ToValue() : OmittedValue(value);
    result.outcome = OutcomeToJson(o);
    result.value = std::move(value);
  } catch (...) {
    result.elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    reference::ExceptionReport report = reference::ReportCurrentException();
    if (report.outcome) {
      result.outcome = OutcomeToJson(*report.outcome);
    } else {
      result.internal_error = std::move(report.internal_error);
    }
  }
  return result;
}

using sockref::testing::OpenFds;

double NumberMember(const json& request, const char* key, double fallback) {
  if (!request.contains(key)) return fallback;
  const json& v = request[key];
  if (!v.is_number() || v.get<double>() < 0) {
    throw ProtocolViolation{"\"" + std::string(key) + "\" takes seconds"};
  }
  return v.get<double>();
}

// ----- capabilities (PROTOCOL.md, "hello") -------------------------------------------------------

template <typename Probe>
bool Works(Probe probe) {
  try {
    probe();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

json Capabilities() {
  std::vector<std::string> caps;
  if (Works([] { Socket(AF_INET6, SOCK_STREAM).bind(Inet6Address{"::1", 0, 0, 0}); })) {
    caps.push_back("AF_INET6");
  }
  if (Works([] { socketpair(AF_UNIX, SOCK_STREAM); })) {
    caps.push_back("AF_UNIX");
    if (Works([] {
          const std::string name =
              std::string(1, '\0') + "sockref-reference-probe-" + std::to_string(::getpid());
          Socket(AF_UNIX, SOCK_STREAM).bind(UnixAddress{name});
        })) {
      caps.push_back("AF_UNIX_ABSTRACT");
    }
    if (Works([] {
          auto [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
          const int fds[] = {a.fileno()};
          const AncillaryItem item = FdsItem(fds);
          const ConstBuffer data("x");
          a.sendmsg(std::span<const ConstBuffer>(&data, 1),
                    std::span<const AncillaryItem>(&item, 1));
          RecvMsgResult r = b.recvmsg(1, CmsgSpace(sizeof(int)));
          const std::vector<int> received = UnpackFds(r.ancdata);
          for (int fd : received) ::close(fd);
          if (received.empty()) throw std::runtime_error("no descriptor came back");
        })) {
      caps.push_back("SCM_RIGHTS");
    }
  }
  if (Works([] { Socket(AF_INET, SOCK_STREAM).setsockopt(SOL_SOCKET, SO_REUSEPORT, 1); })) {
    caps.push_back("SO_REUSEPORT");
  }
  // The Linux families whose cases need the kernel's support (and, for AF_PACKET, CAP_NET_RAW):
  // a socket of the kind the cases use can be created.
  for (const FamilyCapability& f : FamilyCapabilities()) {
    if (Works([&f] { Socket(f.family, f.type, f.proto); })) caps.push_back(f.name);
  }
  caps.push_back(::geteuid() == 0 ? "root" : "nonroot");
  caps.push_back("signals");  // interrupt() reaches the step's thread (runtime/interrupts.h)
  std::sort(caps.begin(), caps.end());
  return caps;
}

std::string ExecutablePath() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "";
  return std::string(path, static_cast<std::size_t>(n));
}

}  // namespace

// BackgroundStep is one `after <delay>:` step: its thread and what it did. The thread owns a
// reference to the step (and to the session), so a step that never finishes cannot outlive
// the memory it uses.
struct BackgroundStep {
  json step;
  std::mutex mu;
  std::condition_variable cv;
  bool cancelled = false;  // set by `end`: a step still waiting for its delay does not start
  bool started = false;
  bool done = false;
  StepResult result;
  std::thread thread;
};

struct CaseState {
  std::string id;
  std::shared_ptr<Session> session = std::make_shared<Session>();
  std::vector<std::shared_ptr<BackgroundStep>> background;
  std::optional<std::set<int>> fds_before = OpenFds();
};

namespace {

// StartBackground starts `statement` on its own thread, due `delay` seconds after now, and
// returns now (the instant its delay began, reported as "started_at").
Clock::time_point StartBackground(CaseState& c, json step, Statement statement, double delay,
                                  bool want_value) {
  auto task = std::make_shared<BackgroundStep>();
  task->step = std::move(step);
  std::shared_ptr<Session> session = c.session;
  // The delay counts from here, not from when the thread gets going: the runner anchors the
  // timing of the steps it wakes at this instant.
  const Clock::time_point anchor = Clock::now();
  const Clock::time_point due = anchor + SaturatedDuration(delay);
  task->thread = std::thread([task, session, statement = std::move(statement), due, want_value] {
    {
      std::unique_lock<std::mutex> lock(task->mu);
      task->cv.wait_until(lock, due, [&] { return task->cancelled; });
      if (task->cancelled) return;
      task->started = true;
    }
    StepResult result = RunStatement(*session, statement, want_value);
    std::lock_guard<std::mutex> lock(task->mu);
    task->result = std::move(result);
    task->done = true;
    task->cv.notify_all();
  });
  c.background.push_back(std::move(task));
  return anchor;
}

// WaitAll waits until `deadline` for every background step to finish.
void WaitAll(const std::vector<std::shared_ptr<BackgroundStep>>& steps,
             Clock::time_point deadline) {
  for (const auto& task : steps) {
    std::unique_lock<std::mutex> lock(task->mu);
    task->cv.wait_until(lock, deadline, [&] { return task->done; });
  }
}

}  // namespace
}  // namespace reference_internal

using reference_internal::CaseState;
using reference_internal::ProtocolViolation;

ReferenceDriver::ReferenceDriver() { reference::InstallInterruptHandling(); }

ReferenceDriver::~ReferenceDriver() {
  if (case_) FinishCase(0);
}

json ReferenceDriver::Handle(const json& request) {
  json reply;
  try {
    if (!request.is_object()) throw ProtocolViolation{"a request is a JSON object"};
    const json op = request.contains("op") ? request["op"] : json();
    if (op == "hello") {
      reply = Hello();
    } else if (op == "begin") {
      reply = Begin(request);
    } else if (op == "exec") {
      reply = Exec(request);
    } else if (op == "end") {
      reply = End(request);
    } else if (op == "quit") {
      if (case_) FinishCase(0);
      quit_ = true;
      reply = {{"op", "quit"}};
    } else {
      throw ProtocolViolation{"unknown op " + op.dump()};
    }
  } catch (const ProtocolViolation& e) {
    reply = {{"error", e.message}};
  } catch (const ProtocolError& e) {
    reply = {{"error", e.what()}};
  } catch (const std::exception& e) {
    reply = {{"error", std::string("driver failure: ") + e.what()}};
  }
  if (reply.contains("error") && request.is_object()) {
    for (const char* key : {"op", "step"}) {
      if (request.contains(key)) reply[key] = request[key];
    }
  }
  return reply;
}

json ReferenceDriver::Hello() {
  return {
      {"op", "hello"},
      {"protocol", kProtocolVersion},
      {"implementation", "sockref"},
      {"version", "C++20 reference implementation"},
      // sockref implements CPython 3.11's behaviour on Linux (README), so it is judged at 3.11.
      {"python_version", "3.11"},
      {"interpreter", reference_internal::ExecutablePath()},
      {"module", "sockref"},
      {"module_version", "//impl:sockref"},
      {"concurrency", "threads"},
      {"capabilities", reference_internal::Capabilities()},
  };
}

json ReferenceDriver::Begin(const json& request) {
  if (!request.contains("case") || !request["case"].is_string()) {
    throw ProtocolViolation{"\"begin\" takes \"case\": id"};
  }
  if (case_) FinishCase(reference_internal::kDefaultEndDeadline);
  sockref::setdefaulttimeout(TimeoutNs());
  case_ = std::make_unique<CaseState>();
  case_->id = request["case"].get<std::string>();
  return {{"op", "begin"}, {"case", case_->id}};
}

json ReferenceDriver::Exec(const json& request) {
  if (!case_) throw ProtocolViolation{"\"exec\" outside a case (send \"begin\" first)"};
  const json step = request.contains("step") ? request["step"] : json();
  if (!request.contains("stmt")) {
    throw ProtocolViolation{"a statement is {\"assign\": null | [names], \"expr\": E}"};
  }
  Statement statement = StatementFromJson(request["stmt"]);
  const bool want_value = request.value("want_value", json(true)) != json(false);
  if (request.contains("background") && !request["background"].is_null()) {
    const json& background = request["background"];
    if (!background.is_object() || !background.contains("delay") ||
        !background["delay"].is_number() || background["delay"].get<double>() < 0) {
      throw ProtocolViolation{"\"background\" takes {\"delay\": seconds}"};
    }
    if (!statement.targets.empty()) {
      throw ProtocolViolation{"a background statement cannot assign"};
    }
    const auto anchor = reference_internal::StartBackground(
        *case_, step, std::move(statement), background["delay"].get<double>(), want_value);
    return {{"op", "exec"},
            {"step", step},
            {"background", "started"},
            {"started_at", reference_internal::ClockSeconds(anchor)}};
  }
  reference_internal::Clock::time_point started;
  reference_internal::StepResult result =
      reference_internal::RunStatement(*case_->session, statement, want_value, &started);
  if (!result.internal_error.empty()) {
    return {{"op", "exec"}, {"step", step}, {"error", result.internal_error}};
  }
  if (result.value && request.contains("capture")) {
    const json& capture = request["capture"];
    if (!capture.is_object()) throw ProtocolViolation{"\"capture\" takes {name: [index, ...]}"};
    for (auto it = capture.begin(); it != capture.end(); ++it) {
      if (!it.value().is_array()) throw ProtocolViolation{"\"capture\" takes {name: [index, ...]}"};
      Ref item = result.value;
      bool found = true;
      for (const json& index : it.value()) {
        const auto items = reference::bindings_internal::SequenceItems(item);
        if (!items || !index.is_number_integer() || index.get<std::int64_t>() < 0 ||
            index.get<std::uint64_t>() >= items->size()) {
          found = false;  // the value has another shape; the runner reports the mismatch
          break;
        }
        item = (*items)[index.get<std::size_t>()];
      }
      if (found) case_->session->Assign(it.key(), item);
    }
  }
  return {{"op", "exec"},
          {"step", step},
          {"outcome", result.outcome},
          {"elapsed", result.elapsed},
          {"started_at", reference_internal::ClockSeconds(started)}};
}

json ReferenceDriver::End(const json& request) {
  if (!case_) throw ProtocolViolation{"\"end\" outside a case"};
  const double deadline = reference_internal::NumberMember(request, "deadline",
                                                           reference_internal::kDefaultEndDeadline);
  json reply = FinishCase(deadline);
  reply["op"] = "end";
  return reply;
}

namespace {

using reference_internal::Clock;

Clock::time_point SecondsFromNow(double seconds) { return Clock::now() + SaturatedDuration(seconds); }

// WakeStuckSteps returns which background steps had finished by the deadline. Steps still
// running are woken the way the oracle wakes them: a step not yet started is cancelled, and
// every socket of the case is shut down, which ends a blocked recv().
std::vector<bool> WakeStuckSteps(CaseState& c) {
  std::vector<bool> finished;
  bool stuck = false;
  for (const auto& task : c.background) {
    std::lock_guard<std::mutex> lock(task->mu);
    finished.push_back(task->done);
    if (!task->done) {
      stuck = true;
      task->cancelled = true;
      task->cv.notify_all();
    }
  }
  if (stuck) {
    for (const auto& s : c.session->LiveSockets()) {
      try {
        s->socket.shutdown(SHUT_RDWR);
      } catch (const std::exception&) {
      }
    }
    reference_internal::WaitAll(c.background,
                                SecondsFromNow(reference_internal::kGraceAfterShutdown));
  }
  return finished;
}

// BackgroundReport returns the `background` member of the end reply (PROTOCOL.md), a step that
// had not finished by the deadline being reported unfinished even if waking it made it return.
// Threads that finished are joined; one still stuck in a system call is left to finish on its
// own, holding its own references.
json BackgroundReport(CaseState& c, const std::vector<bool>& finished) {
  json background = json::array();
  for (std::size_t i = 0; i < c.background.size(); ++i) {
    const auto& task = c.background[i];
    std::unique_lock<std::mutex> lock(task->mu);
    const bool done = task->done || !task->started;
    if (finished[i] && task->result.internal_error.empty()) {
      background.push_back({{"step", task->step},
                            {"outcome", task->result.outcome},
                            {"elapsed", task->result.elapsed}});
    } else if (finished[i]) {
      background.push_back({{"step", task->step}, {"error", task->result.internal_error}});
    } else {
      background.push_back({{"step", task->step}, {"outcome", {{"unfinished", true}}}});
    }
    lock.unlock();
    if (done) {
      task->thread.join();
    } else {
      task->thread.detach();
    }
  }
  return background;
}

// CloseCaseSockets closes what the case created, newest first, then forgets its variables.
void CloseCaseSockets(CaseState& c) {
  std::vector<std::shared_ptr<reference::SocketObject>> sockets = c.session->LiveSockets();
  for (auto it = sockets.rbegin(); it != sockets.rend(); ++it) {
    (*it)->closed = true;
    try {
      (*it)->socket.close();
    } catch (const std::exception&) {
    }
  }
  sockets.clear();
  c.session->Clear();
  c.session->RemoveTmpDir();
}

// LeakedDescriptors returns how many descriptors are open now that were not at the case's
// start, or null when that cannot be known.
json LeakedDescriptors(const CaseState& c) {
  if (!c.fds_before) return nullptr;
  const std::optional<std::set<int>> after = reference_internal::OpenFds();
  if (!after) return nullptr;
  int count = 0;
  for (int fd : *after) count += c.fds_before->count(fd) == 0;
  return count;
}

}  // namespace

json ReferenceDriver::FinishCase(double deadline_seconds) {
  std::unique_ptr<CaseState> c = std::move(case_);
  reference_internal::WaitAll(c->background, SecondsFromNow(deadline_seconds));
  const std::vector<bool> finished = WakeStuckSteps(*c);
  json background = BackgroundReport(*c, finished);
  CloseCaseSockets(*c);
  sockref::setdefaulttimeout(TimeoutNs());
  return {{"background", background}, {"leaked_fds", LeakedDescriptors(*c)}};
}

}  // namespace sockref::conformance
