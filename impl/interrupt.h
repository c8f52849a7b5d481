// interrupt.h: what a socket call does when a signal interrupts it.
//
// PEP 475: a system call that fails with EINTR is retried (with the remaining
// time, in timeout mode), unless the signal handler raised. A C++ signal handler
// cannot raise, so by default sockref simply retries. A program that turns
// signals into errors installs an interrupt check, which sockref runs on the
// interrupted thread after every EINTR, before retrying:
//
//   std::atomic<bool> stop;  // set by a SIGINT handler
//   sockref::SetInterruptCheck([] { if (stop) throw Cancelled(); });
//   sock.recv(1024);  // a SIGINT now ends the wait with Cancelled
//
// CPython's own check is PyErr_CheckSignals(), which runs the Python-level
// handlers there and propagates what they raise; a Python binding of sockref
// installs exactly that. sendall() also runs the check after every partial send,
// as CPython's does: send(2) interrupted after some bytes succeeds short instead
// of failing with EINTR, and the loop must not block again with a signal pending.
#ifndef SOCKREF_IMPL_INTERRUPT_H_
#define SOCKREF_IMPL_INTERRUPT_H_

namespace sockref {

// InterruptCheck runs after a signal interrupted a socket call. Returning means
// "retry"; throwing ends the call with that exception (nothing was sent or
// received by the interrupted system call). It runs on the interrupted thread.
using InterruptCheck = void (*)();

// SetInterruptCheck installs `check` for every thread (nullptr removes it) and
// returns the previous one. Install it before starting threads that use sockets.
InterruptCheck SetInterruptCheck(InterruptCheck check) noexcept;

// RunInterruptCheck runs the installed check, if any. Socket calls run it after
// EINTR; it raises whatever the check throws.
void RunInterruptCheck();

}  // namespace sockref

#endif  // SOCKREF_IMPL_INTERRUPT_H_
