#!/usr/bin/env python3
"""The trio driver: speaks sockref-driver/1 (conformance/PROTOCOL.md) over trio.socket.

    /usr/bin/python3 conformance/drivers/trio/driver.py     # Debian's python3-trio

trio.socket mirrors the stdlib's API with its blocking methods as coroutines. Everything but
how a call is made is the driver kit's (conformance/drivers/kit/); TrioAdapter is the kit's one
adapter point made asynchronous: the whole driver runs inside trio.run, calls whose result is
awaitable are awaited, background actions are tasks of one nursery, and stdin is waited for
with trio's own wait_readable, so background tasks run while the driver waits for a request.

`elapsed` is the step's time from its first evaluation to its completion, including the time
its task spent suspended awaiting the kernel. trio has no timeout API on sockets (settimeout
and friends are absent: callers use cancel scopes), so the cases that need one are reported as
unsupported at that step; a step that awaits something that never comes never replies, and
the runner reports it as a hang.
"""

import inspect
import os
import sys
import time

import trio
import trio.socket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "kit"))
import sockref_driver_kit as kit  # noqa: E402  (after the path it is found on)


class Task:
    """A background action's handle: its cancel scope and whether it has finished."""

    def __init__(self):
        self.scope = trio.CancelScope()
        self.finished = trio.Event()


class TrioAdapter(kit.Adapter):
    name = "trio"
    delivers_signals = False  # steps wait in trio's loop, not in a call a signal interrupts
    cancellation = (trio.Cancelled,)  # must reach trio's cancel scope, not become an outcome

    def run(self, main):
        async def root():
            async with trio.open_nursery() as nursery:
                self.nursery = nursery
                status = await main()
                nursery.cancel_scope.cancel()  # background tasks of an unfinished case
            return status
        return trio.run(root)

    async def call(self, fn, args, kwargs):
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):  # trio's blocking methods are coroutines
            result = await result
        return result

    def spawn_after(self, due, action):
        task = Task()

        async def run():
            with task.scope:
                await trio.sleep(max(0.0, due - time.monotonic()))
                await action()
            task.finished.set()
        self.nursery.start_soon(run)
        return task

    async def join(self, handles, deadline):
        with trio.move_on_after(deadline):
            for task in handles:
                await task.finished.wait()
        return [task.finished.is_set() for task in handles]

    def cancel(self, handles):
        for task in handles:
            task.scope.cancel()

    async def wait_readable(self, fd):
        try:
            await trio.lowlevel.wait_readable(fd)
        except OSError:
            pass  # not pollable (a regular file): it is always readable anyway


if __name__ == "__main__":
    sys.exit(kit.run_driver(trio.socket, "trio.socket", TrioAdapter()))
