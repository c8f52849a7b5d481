"""The one adapter point: how a call is made and how background actions run.

The kit's logic (evaluation, sessions, the JSON-lines loop) is written once as coroutines that
await only their adapter. A plain or green adapter never suspends, so run_sync() drives them
without an event loop; an asynchronous adapter (trio, asyncio) runs them on its loop and awaits
the calls that return awaitables.

    class Adapter:                    # plain: calls as they are, background actions in threads
    Gevent(), Eventlet()              # green: the library's own greenlets and cooperative stdin
    adapter_for("gevent.socket")      # the adapter for a module name, as oracle/driver.py picks

An adapter for another library subclasses Adapter and overrides what differs (see
conformance/drivers/trio/driver.py for an asynchronous one).
"""

import threading
import time


def run_sync(coroutine):
    """run_sync returns the result of a coroutine that never suspends (one that awaits only a
    plain or green adapter), or raises what it raised. Raises RuntimeError if it suspends."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("a synchronous adapter's coroutine suspended")


class Adapter:
    """Adapter is the plain one: calls are made as they are, and each background action runs in
    its own OS thread. Every method is what a subclass may override.

    `due` and deadlines are time.monotonic() seconds: a background action's delay counts from
    when its request arrived, not from when its thread or task gets going."""

    name = "threads"   # hello's "concurrency"
    # Whether interrupt() can reach a blocked foreground step (the "signals" capability): the
    # step blocks in the implementation's own call on the thread the signal is sent to. Not so
    # for green and asynchronous libraries, whose steps wait in the hub or event loop.
    delivers_signals = True
    # Exception classes by which the adapter stops a background action: the kit lets them
    # propagate instead of reporting them as the step's outcome (trio.Cancelled, say).
    cancellation = ()

    def run(self, main):
        """run returns the result of the coroutine function `main`, run to completion."""
        return run_sync(main())

    async def call(self, fn, args, kwargs):
        """call returns fn(*args, **kwargs), or raises what it raised. An asynchronous adapter
        awaits the result when it is awaitable."""
        return fn(*args, **kwargs)

    def spawn_after(self, due, action):
        """spawn_after starts the coroutine function `action` once the clock reaches `due`,
        concurrently with what follows; returns a handle for join and cancel."""
        def run():
            time.sleep(max(0.0, due - time.monotonic()))
            run_sync(action())
        thread = threading.Thread(target=run, name="sockref-background", daemon=True)
        thread.start()
        return thread

    async def join(self, handles, deadline):
        """join waits up to `deadline` seconds in all for the actions; returns, for each handle,
        whether it has finished."""
        end = time.monotonic() + deadline
        for thread in handles:
            thread.join(max(0.0, end - time.monotonic()))
        return [not thread.is_alive() for thread in handles]

    def cancel(self, handles):
        """cancel stops the actions if the library can. OS threads cannot be stopped: the
        session shuts their sockets down instead, which wakes a blocked call."""

    async def wait_readable(self, fd):
        """wait_readable returns once `fd` (stdin) has data, letting background actions run
        meanwhile. A blocking read is fine under OS threads: they run regardless."""


class Gevent(Adapter):
    """gevent: background actions are greenlets started by gevent's own timer, and stdin is
    waited for cooperatively, so a green socket is only ever used from the hub's thread."""

    name = "gevent"
    delivers_signals = False

    def __init__(self):
        import gevent
        import gevent.socket
        self.gevent = gevent
        self.wait_read = gevent.socket.wait_read

    def spawn_after(self, due, action):
        return self.gevent.spawn_later(max(0.0, due - time.monotonic()),
                                       lambda: run_sync(action()))

    async def join(self, handles, deadline):
        self.gevent.joinall(handles, timeout=deadline)
        return [g.ready() for g in handles]

    def cancel(self, handles):
        self.gevent.killall(handles, block=True, timeout=1.0)

    async def wait_readable(self, fd):
        try:
            self.wait_read(fd)
        except OSError:
            pass  # not pollable (a regular file): it is always readable anyway


class Eventlet(Adapter):
    """eventlet: as Gevent, with eventlet's spawn_after and trampoline."""

    name = "eventlet"
    delivers_signals = False

    def __init__(self):
        import eventlet
        import eventlet.hubs
        self.eventlet = eventlet
        self.trampoline = eventlet.hubs.trampoline

    def spawn_after(self, due, action):
        done = {"finished": False}

        def run():
            try:
                run_sync(action())
            finally:
                done["finished"] = True
        thread = self.eventlet.spawn_after(max(0.0, due - time.monotonic()), run)
        return (thread, done)

    async def join(self, handles, deadline):
        # GreenThread.wait() has no timeout; poll the flags while letting the hub run.
        end = time.monotonic() + deadline
        while time.monotonic() < end and not all(d["finished"] for _, d in handles):
            self.eventlet.sleep(0.005)
        return [d["finished"] for _, d in handles]

    def cancel(self, handles):
        for thread, _ in handles:
            thread.kill()

    async def wait_readable(self, fd):
        try:
            self.trampoline(fd, read=True)
        except OSError:
            pass  # not pollable (a regular file): it is always readable anyway


def adapter_for(module_name):
    """adapter_for returns the adapter for a module by its top-level package: Gevent for
    gevent.*, Eventlet for eventlet.*, else the plain Adapter."""
    root = module_name.split(".")[0]
    if root == "gevent":
        return Gevent()
    if root == "eventlet":
        return Eventlet()
    return Adapter()
