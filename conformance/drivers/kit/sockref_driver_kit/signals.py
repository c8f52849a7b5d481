"""The builtins `interrupt` and `interrupts` (CASES.md, "Signals"; PROTOCOL.md, "Names").

A background action calls interrupt() to deliver SIGUSR1 to the thread running the case's
foreground step, whose Python handler then runs there, as PEP 475 describes: a call the signal
interrupted is retried (with the remaining timeout) when the handler returns, and fails with
what the handler raised otherwise.

    interrupts = Interrupts()
    interrupts.install()             # in the main thread, once
    interrupts.begin_case()
    interrupts.interrupt(ValueError) # from a background action: the step sees ValueError
    interrupts.count()               # how many times the handler ran in this case

The signal is sent only while a foreground step runs (step_started ... step_finished); one
requested between steps is delivered as the next step starts, so a handler never runs, nor
raises, in the driver's own code.
"""

import signal
import threading

SIGNAL = getattr(signal, "SIGUSR1", None)
MESSAGE = "raised by the signal handler"


def signals_available():
    """signals_available says whether this interpreter can send SIGUSR1 to a thread and install
    its handler here (in the main thread)."""
    return (SIGNAL is not None and hasattr(signal, "pthread_kill") and
            threading.current_thread() is threading.main_thread())


class Interrupts:
    """One driver's signal state, reset for each case by begin_case()."""

    def __init__(self):
        # Reentrant: the handler can run in the main thread while it holds the lock.
        self._lock = threading.RLock()
        self._target = None      # the thread ident of the running foreground step
        self._pending = False    # a signal requested, its handler not yet run
        self._delivered = False  # sent to the step's thread, its handler not yet run
        self._raising = None
        self._count = 0
        self.installed = False

    def install(self):
        """install sets the SIGUSR1 handler; only the main thread can. Without it (another
        thread, no SIGUSR1, no pthread_kill), interrupt() raises NotImplementedError."""
        if not signals_available():
            return
        signal.signal(SIGNAL, self._handler)
        self.installed = True

    def begin_case(self):
        with self._lock:
            self._pending = self._delivered = False
            self._raising = None
            self._count = 0

    def interrupt(self, exc=None):
        """interrupt() is the builtin: the handler returns, or raises exc(MESSAGE)."""
        if exc is not None and not (isinstance(exc, type) and issubclass(exc, BaseException)):
            raise TypeError("interrupt() takes an exception class, not %r" % type(exc).__name__)
        if not self.installed:
            raise NotImplementedError("this driver cannot deliver signals")
        with self._lock:
            self._raising = exc
            self._pending = True
            if self._target is not None:
                self._delivered = True
                signal.pthread_kill(self._target, SIGNAL)

    def count(self):
        """count() is the builtin `interrupts()`: how many times the handler ran this case."""
        with self._lock:
            return self._count

    def step_started(self):
        """step_started marks the calling thread as running a foreground step, and delivers a
        signal requested meanwhile (its handler runs as the step begins)."""
        with self._lock:
            self._target = threading.get_ident()
            if self._pending and not self._delivered and self.installed:
                self._delivered = True
                signal.pthread_kill(self._target, SIGNAL)

    def step_finished(self):
        with self._lock:
            self._target = None

    def _handler(self, signum, frame):
        with self._lock:
            if self._target is None:
                self._delivered = False  # arrived after its step: delivered to the next one
                return
            if not self._pending:
                return
            self._pending = self._delivered = False
            self._count += 1
            exc, self._raising = self._raising, None
        if exc is not None:
            raise exc(MESSAGE)
