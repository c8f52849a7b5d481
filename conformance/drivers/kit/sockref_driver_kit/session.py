"""A driver's side of the conversation: hello, begin, exec, end (PROTOCOL.md, "Messages").

    session = Session(module, adapter, hello=hello_reply)
    reply = await session.handle({"op": "begin", "case": "x.y"})
"""

import gc
import time

from .case import Case
from .descriptors import count_new
from .errors import ProtocolError
from .evaluation import Evaluator
from .exceptions import ExceptionCodec
from .names import Namespace
from .signals import Interrupts

# How long `end` waits for background actions when the runner does not say.
DEFAULT_END_DEADLINE = 5.0

# How long stuck background actions get to wind down once cancelled or their sockets shut down.
CANCEL_GRACE = 1.0


class Session:
    """The state between requests: the module under test, its adapter, the open case."""

    def __init__(self, module, adapter, hello):
        self.module = module
        self.adapter = adapter
        self.hello_reply = hello
        self.evaluator = Evaluator(adapter, ExceptionCodec(module))
        self.case = None
        self.interrupts = Interrupts()
        self.interrupts.install()

    async def handle(self, request):
        """handle returns the reply to one request other than quit. Raises ProtocolError for a
        request the protocol does not define."""
        handler = {
            "hello": self.on_hello,
            "begin": self.on_begin,
            "exec": self.on_exec,
            "end": self.on_end,
        }.get(request.get("op"))
        if handler is None:
            raise ProtocolError("unknown op %r" % (request.get("op"),))
        return await handler(request)

    async def on_hello(self, request):
        return dict(self.hello_reply)

    async def on_begin(self, request):
        if self.case is not None:
            await self.finish_case(DEFAULT_END_DEADLINE)
        case_id = request.get("case")
        if not isinstance(case_id, str):
            raise ProtocolError('"begin" takes "case": id')
        set_default_timeout = getattr(self.module, "setdefaulttimeout", None)
        if set_default_timeout is not None:
            await self.adapter.call(set_default_timeout, [None], {})
        names = Namespace(self.module)
        names.builtins = dict(names.builtins, interrupt=self.interrupts.interrupt,
                              interrupts=self.interrupts.count)
        self.interrupts.begin_case()
        self.case = Case(case_id, names)
        return {"op": "begin", "case": case_id}

    async def on_exec(self, request):
        if self.case is None:
            raise ProtocolError('"exec" outside a case (send "begin" first)')
        step, stmt = request.get("step"), request.get("stmt")
        want_value = request.get("want_value", True) is not False
        if request.get("background") is not None:
            started_at = self.start_background(step, stmt, request["background"], want_value)
            return {"op": "exec", "step": step, "background": "started",
                    "started_at": started_at}
        outcome, elapsed, value, started_at = await self.evaluator.run_statement(
            self.case, stmt, want_value, self.interrupts)
        capture = request.get("capture")
        if capture and "value" in outcome:
            bind_captures(self.case, capture, value)
        return {"op": "exec", "step": step, "outcome": outcome, "elapsed": elapsed,
                "started_at": started_at}

    def start_background(self, step, stmt, background, want_value):
        """start_background schedules the statement `delay` seconds from now, when its request
        arrived; returns now (the reply's "started_at")."""
        delay = background.get("delay") if isinstance(background, dict) else None
        if not _is_seconds(delay):
            raise ProtocolError('"background" takes {"delay": seconds}')
        if not isinstance(stmt, dict) or stmt.get("assign") is not None:
            raise ProtocolError("a background statement cannot assign")
        result, case, now = {"step": step}, self.case, time.monotonic()

        async def action():
            try:
                outcome, elapsed, _, _ = await self.evaluator.run_statement(case, stmt, want_value)
            except ProtocolError as e:
                outcome, elapsed = {"unsupported": "bad statement: %s" % e}, 0.0
            result["outcome"] = outcome
            result["elapsed"] = elapsed

        handle = self.adapter.spawn_after(now + float(delay), action)
        case.background.append((step, handle, result))
        return now

    async def on_end(self, request):
        if self.case is None:
            raise ProtocolError('"end" outside a case')
        deadline = request.get("deadline", DEFAULT_END_DEADLINE)
        if not _is_seconds(deadline):
            raise ProtocolError('"deadline" takes seconds')
        background, leaked = await self.finish_case(float(deadline))
        return {"op": "end", "background": background, "leaked_fds": leaked}

    async def finish_case(self, deadline):
        """finish_case ends the open case: joins its background actions for up to `deadline`
        seconds, stops those still running, closes what it created; returns the `end` reply's
        background list and leaked descriptor count."""
        case, self.case = self.case, None
        handles = [handle for _, handle, _ in case.background]
        finished = await self.adapter.join(handles, deadline)
        background, stuck = [], []
        for (step, handle, result), done in zip(case.background, finished):
            if done and "outcome" in result:
                background.append(result)
            else:
                background.append({"step": step, "outcome": {"unfinished": True}})
                stuck.append(handle)
        if stuck:
            await self.unblock(case, stuck)
        for obj in case.live_objects(newest_first=True):
            await self._quietly(obj, "close")
        case.names.clear()
        case.names.remove_tmpdir()
        case.created = []
        gc.collect()
        return background, count_new(case.fds_before)

    async def unblock(self, case, stuck):
        """Stops what is still running before its sockets are closed and their descriptor
        numbers reused: cancels what the adapter can, and shuts every socket down, which wakes
        a call blocked in an OS thread."""
        self.adapter.cancel(stuck)
        for obj in case.live_objects():
            await self._quietly(obj, "shutdown", 2)  # SHUT_RDWR
        await self.adapter.join(stuck, CANCEL_GRACE)

    async def _quietly(self, obj, method, *args):
        fn = getattr(obj, method, None)
        if not callable(fn):
            return
        try:
            await self.adapter.call(fn, list(args), {})
        except BaseException:  # cleanup of a case must not fail the driver
            pass


def bind_captures(case, capture, value):
    """bind_captures binds each name of `capture` to the part of `value` its path indexes
    (PROTOCOL.md, "capture"). A path that does not fit binds nothing: the runner reports it."""
    if not isinstance(capture, dict):
        raise ProtocolError('"capture" takes {name: [index, ...]}')
    for name, path in capture.items():
        if not isinstance(path, list):
            raise ProtocolError('"capture" takes {name: [index, ...]}')
        item = value
        try:
            for index in path:
                if not isinstance(item, (tuple, list)) or not isinstance(index, int):
                    raise IndexError(index)
                item = item[index]
        except IndexError:
            continue
        case.names.bind(name, item)


def _is_seconds(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
