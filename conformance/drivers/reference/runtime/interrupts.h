// interrupts.h: the builtins `interrupt` and `interrupts` (CASES.md, "Signals"): a background
// action delivers a signal to the thread running the case's steps, and the "Python handler"
// runs there through sockref's interrupt check (impl/interrupt.h), as CPython runs a Python
// signal handler from PyErr_CheckSignals() after EINTR (PEP 475).
//
//   InstallInterruptHandling();            // once: SIGUSR1's handler, the interrupt check
//   Interrupts& i = session.interrupts();
//   ForegroundStep step(i);                // on the thread running a foreground step
//   i.Interrupt("ValueError");             // from a background action's thread
//   // ... a recv() blocked in the step fails with EINTR; the check raises
//   // ValueError("raised by the signal handler"), which ends the recv()
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_INTERRUPTS_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_INTERRUPTS_H_

#include <pthread.h>

#include <mutex>
#include <optional>
#include <string>

namespace sockref::conformance::reference {

// kInterruptMessage is str() of the exception a raising handler raises.
inline constexpr char kInterruptMessage[] = "raised by the signal handler";

// Interrupts is one case's signal state: whether a signal is pending for its handler, what
// the handler raises, and how many times it ran. Safe to use from several threads.
class Interrupts {
 public:
  // Interrupt delivers SIGUSR1 to the thread running the case's foreground step, with a
  // handler that returns (`raising` nullopt) or raises `raising` (an exception class's
  // traceback spelling) with kInterruptMessage. With no step running, the handler runs as the
  // next step starts.
  void Interrupt(std::optional<std::string> raising);

  // CheckSignals runs the handler if a signal is pending: counts it, and throws PyException
  // when it raises. Called on the foreground step's thread (by the interrupt check, and as a
  // step starts).
  void CheckSignals();

  // Handled returns how many times the handler ran in this case.
  int Handled() const;

  // StepStarted / StepFinished bracket a foreground step on its own thread.
  void StepStarted();
  void StepFinished();

 private:
  mutable std::mutex mu_;
  bool pending_ = false;
  std::optional<std::string> raising_;
  int handled_ = 0;
  bool in_step_ = false;
  pthread_t target_{};
};

// InstallInterruptHandling installs, once per process, a SIGUSR1 handler that does nothing
// but interrupt the system call in progress (no SA_RESTART, as CPython's signal.signal), and
// sockref's interrupt check, which runs the pending handler of the step running on the
// interrupted thread.
void InstallInterruptHandling();

// ForegroundStep marks the calling thread as running a foreground step of the case owning
// `interrupts` for as long as it lives: the thread `Interrupt` signals and whose interrupt
// checks run the case's handler. Its constructor runs a pending handler (and may throw).
class ForegroundStep {
 public:
  explicit ForegroundStep(Interrupts& interrupts);
  ~ForegroundStep();
  ForegroundStep(const ForegroundStep&) = delete;
  ForegroundStep& operator=(const ForegroundStep&) = delete;

 private:
  Interrupts& interrupts_;
  Interrupts* previous_;
};

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_INTERRUPTS_H_
