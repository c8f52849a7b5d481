#include "conformance/drivers/reference/runtime/interrupts.h"

#include <signal.h>

#include <cstring>
#include <mutex>
#include <utility>

#include "conformance/drivers/reference/runtime/errors.h"
#include "impl/interrupt.h"

namespace sockref::conformance::reference {
namespace {

// The case whose foreground step this thread is running, if any.
thread_local Interrupts* current_step = nullptr;

void IgnoreSignal(int) {}

void CheckCurrentStep() {
  if (current_step != nullptr) current_step->CheckSignals();
}

}  // namespace

void Interrupts::Interrupt(std::optional<std::string> raising) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = true;
  raising_ = std::move(raising);
  // Signalled under the lock, so the step cannot finish between the test and the kill.
  if (in_step_) ::pthread_kill(target_, SIGUSR1);
}

void Interrupts::CheckSignals() {
  std::optional<std::string> raising;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_) return;
    pending_ = false;
    ++handled_;
    raising.swap(raising_);
  }
  if (raising) throw PyException(*raising, kInterruptMessage);
}

int Interrupts::Handled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return handled_;
}

void Interrupts::StepStarted() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_step_ = true;
    target_ = ::pthread_self();
  }
  CheckSignals();
}

void Interrupts::StepFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  in_step_ = false;
}

void InstallInterruptHandling() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = IgnoreSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked call fails with EINTR, as under CPython
    ::sigaction(SIGUSR1, &action, nullptr);
    sockref::SetInterruptCheck(CheckCurrentStep);
  });
}

ForegroundStep::ForegroundStep(Interrupts& interrupts)
    : interrupts_(interrupts), previous_(current_step) {
  current_step = &interrupts_;
  try {
    interrupts_.StepStarted();
  } catch (...) {
    interrupts_.StepFinished();
    current_step = previous_;
    throw;
  }
}

ForegroundStep::~ForegroundStep() {
  interrupts_.StepFinished();
  current_step = previous_;
}

}  // namespace sockref::conformance::reference
