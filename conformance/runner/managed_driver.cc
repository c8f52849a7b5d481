#include "conformance/runner/managed_driver.h"

#include <utility>
#include "conformance/language/ast.h"

namespace sockref::conformance::runner {

ManagedDriver::ManagedDriver(std::unique_ptr<DriverConnection> connection, double multiplier)
    : connection_(std::move(connection)), multiplier_(multiplier) {}

ManagedDriver::~ManagedDriver() { Stop(); }

bool ManagedDriver::Start() {
  try {
    hello_ = connection_->Start(Deadline(kStartSeconds * multiplier_));
    capabilities_ = hello_["capabilities"].get<std::vector<std::string>>();
    running_ = true;
    failure_.clear();
  } catch (const DriverUnavailable& e) {
    running_ = false;
    failure_ = e.what();
    absent_ = e.absent();
  }
  return running_;
}

CaseRun ManagedDriver::Run(const Case& c, const ExecutionOptions& options, const GoOn& go_on) {
  if (!running_) {
    CaseRun run;
    run.status = CaseRun::Status::kCrashed;
    run.detail = "no driver: " + failure_;
    run.steps.resize(c.steps.size());
    for (std::size_t i = 0; i < c.steps.size(); ++i) run.steps[i].number = int(i) + 1;
    return run;
  }
  CaseRun run = ExecuteCase(c, *connection_, capabilities_, options, go_on);
  connection_->ReleaseReplyMemory();  // the run keeps only what KeptOutcome kept
  if (run.status == CaseRun::Status::kCrashed || run.status == CaseRun::Status::kHung) {
    ++restarts_;
    Start();  // on failure, later runs report it
  }
  return run;
}

void ManagedDriver::Stop() {
  if (connection_) connection_->Stop();
  running_ = false;
}

}  // namespace sockref::conformance::runner
