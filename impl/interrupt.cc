#include "impl/interrupt.h"

#include <atomic>

namespace sockref {
namespace {

// Atomic so a check installed by one thread is seen by calls in another.
std::atomic<InterruptCheck> installed_check{nullptr};

}  // namespace

InterruptCheck SetInterruptCheck(InterruptCheck check) noexcept {
  return installed_check.exchange(check, std::memory_order_acq_rel);
}

void RunInterruptCheck() {
  if (InterruptCheck check = installed_check.load(std::memory_order_acquire)) check();
}

}  // namespace sockref
