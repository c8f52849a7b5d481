"""Statement evaluation: PROTOCOL.md's statement AST, walked (never eval of source text).

    evaluator = Evaluator(adapter, ExceptionCodec(socket))
    outcome, elapsed, value, started_at = await evaluator.run_statement(case, stmt)
    # outcome: {"value": ...} | {"raised": ...} | {"unsupported": "..."}

Every call goes through the adapter (Adapter.call), the one place where plain, green and
asynchronous libraries differ.
"""

import json
import time

from .errors import ProtocolError, Unsupported
from .values import decode_value, encode_value, omitted_value


class Evaluator:
    """Evaluator walks statements, making every call through `adapter` and naming exceptions
    with `codec` (an ExceptionCodec of the module under test)."""

    def __init__(self, adapter, codec):
        self.adapter = adapter
        self.codec = codec

    async def run_statement(self, case, stmt, want_value=True, interrupts=None):
        """run_statement runs one statement in `case`; returns (outcome, elapsed seconds, the
        value or None, the monotonic time it started). With want_value false a value is
        reported as omitted_value. `interrupts` (signals.Interrupts), given for a foreground
        step, is told when the step runs, so that signals reach it. Raises ProtocolError for a
        malformed statement."""
        targets = _assignment_targets(stmt)
        start = time.monotonic()
        try:
            try:
                if interrupts is not None:
                    interrupts.step_started()
                value = await self.evaluate(case, stmt["expr"])
                _assign(case, targets, value)
            finally:
                if interrupts is not None:
                    interrupts.step_finished()
        except ProtocolError:
            raise
        except Unsupported as e:
            return {"unsupported": str(e)}, time.monotonic() - start, None, start
        except self.adapter.cancellation:
            raise
        except BaseException as e:  # the step's own outcome, whatever it raised
            elapsed = time.monotonic() - start
            return {"raised": self.codec.encode(_unwrap_pep479(e))}, elapsed, None, start
        elapsed = time.monotonic() - start
        encoded = encode_value(value) if want_value else omitted_value(value)
        return {"value": encoded}, elapsed, value, start

    async def evaluate(self, case, node):
        """evaluate returns the value of expression `node`, evaluated left to right as Python
        would. Raises what the expression raises, Unsupported for a missing attribute, and
        ProtocolError for a malformed node."""
        if not isinstance(node, dict) or not node:
            raise ProtocolError("an expression is a JSON object, got %s" % json.dumps(node))
        for kind, method in _NODES:
            if kind in node:
                return await method(self, case, node[kind], node)
        raise ProtocolError("unknown expression %s" % json.dumps(node))

    async def _lit(self, case, body, node):
        return decode_value(body)

    async def _name(self, case, body, node):
        if not isinstance(body, str):
            raise ProtocolError('"name" takes a string')
        return case.names.lookup(body)

    async def _attr(self, case, body, node):
        target, attribute = _pair(body, "attr")
        obj = await self.evaluate(case, target)
        if not isinstance(attribute, str):
            raise ProtocolError('"attr" takes [expr, name]')
        try:
            return getattr(obj, attribute)
        except AttributeError as e:
            raise Unsupported(str(e))

    async def _call(self, case, body, node):
        fn = await self.evaluate(case, body)
        args, kwargs = node.get("args", []), node.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise ProtocolError('a call has "args": [...] and "kwargs": {...}')
        values = [await self.evaluate(case, a) for a in args]
        keywords = {}
        for k, v in kwargs.items():
            keywords[k] = await self.evaluate(case, v)
        result = await self.adapter.call(fn, values, keywords)
        case.track(result)
        return result

    async def _tuple(self, case, body, node):
        return tuple([await self.evaluate(case, e) for e in _sequence(body, "tuple")])

    async def _list(self, case, body, node):
        return [await self.evaluate(case, e) for e in _sequence(body, "list")]

    async def _index(self, case, body, node):
        obj, index = _pair(body, "index")
        return (await self.evaluate(case, obj))[await self.evaluate(case, index)]

    async def _slice(self, case, body, node):
        parts = _sequence(body, "slice")
        if len(parts) != 3 or parts[0] is None:
            raise ProtocolError('"slice" takes [expr, expr|null, expr|null]')
        obj = await self.evaluate(case, parts[0])
        lower = None if parts[1] is None else await self.evaluate(case, parts[1])
        upper = None if parts[2] is None else await self.evaluate(case, parts[2])
        return obj[lower:upper]

    async def _binop(self, case, body, node):
        parts = _sequence(body, "binop")
        if len(parts) != 3 or parts[0] not in ("+", "*"):
            raise ProtocolError('"binop" takes ["+" or "*", expr, expr]')
        left = await self.evaluate(case, parts[1])
        right = await self.evaluate(case, parts[2])
        return left + right if parts[0] == "+" else left * right

    async def _neg(self, case, body, node):
        return -(await self.evaluate(case, body))


# The node kinds in the order a node is tried ("call" before "args", which only calls have).
_NODES = (
    ("lit", Evaluator._lit),
    ("name", Evaluator._name),
    ("attr", Evaluator._attr),
    ("call", Evaluator._call),
    ("tuple", Evaluator._tuple),
    ("list", Evaluator._list),
    ("index", Evaluator._index),
    ("slice", Evaluator._slice),
    ("binop", Evaluator._binop),
    ("neg", Evaluator._neg),
)


def _assignment_targets(stmt):
    if not isinstance(stmt, dict) or "expr" not in stmt:
        raise ProtocolError('a statement is {"assign": null | [names], "expr": E}')
    targets = stmt.get("assign")
    if targets is not None and (not isinstance(targets, list) or not targets or
                                not all(isinstance(t, str) for t in targets)):
        raise ProtocolError('"assign" takes null or a non-empty array of names')
    return targets


def _assign(case, targets, value):
    if targets is None:
        return
    if len(targets) == 1:
        case.names.bind(targets[0], value)
        return
    for name, item in zip(targets, unpack(value, len(targets))):
        case.names.bind(name, item)


def unpack(value, count):
    """unpack returns the items of Python's `a, b = value`, raising Python's own ValueErrors."""
    items = list(iter(value))
    if len(items) < count:
        raise ValueError("not enough values to unpack (expected %d, got %d)" % (count, len(items)))
    if len(items) > count:
        raise ValueError("too many values to unpack (expected %d)" % count)
    return items


def _unwrap_pep479(exc):
    """A StopIteration a call raises leaves the kit's coroutines as RuntimeError (PEP 479); the
    step raised the StopIteration itself, as a synchronous driver would report."""
    cause = exc.__cause__
    if type(exc) is RuntimeError and isinstance(cause, StopIteration) and \
            "raised StopIteration" in str(exc):
        return cause
    return exc


def _pair(value, what):
    if not isinstance(value, list) or len(value) != 2:
        raise ProtocolError('"%s" takes an array of 2' % what)
    return value


def _sequence(value, what):
    if not isinstance(value, list):
        raise ProtocolError('"%s" takes an array' % what)
    return value
