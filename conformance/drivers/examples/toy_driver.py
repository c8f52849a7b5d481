#!/usr/bin/env python3
"""A minimal sockref-driver/1 driver (conformance/PROTOCOL.md) for toysocket.

The worked example of docs/validating-your-implementation.md: everything a driver must do, in
one file of plain functions, for an implementation that is not Python's socket module.

    python3 conformance/drivers/examples/toy_driver.py        # requests on stdin, replies on stdout

  * one JSON request per line on stdin, one JSON reply per line on stdout, flushed; nothing
    else ever goes to stdout;
  * `hello` names the implementation and the capabilities it really has (none but the uid);
  * `begin` starts an empty namespace, `exec` evaluates one statement AST and encodes its
    outcome, `end` reports the background actions, `quit` exits;
  * a name the implementation lacks is `unsupported`: never an error, never a pass;
  * a request it cannot act on gets {"error": ...}, and the driver keeps going.

The module under test is reached only through EXPORTS, a table from the socket module's names
to the implementation's functions. A port to another language writes the same table, binding
each name to its own function (through a foreign-function interface, or in a driver written
in that language).
"""

import array
import base64
import builtins
import errno
import json
import math
import os
import sys
import threading
import time

import toysocket

PROTOCOL = "sockref-driver/1"

# The implementation, as the protocol's `socket` name sees it. Anything else is unsupported.
EXPORTS = {
    "htonl": toysocket.htonl,
    "htons": toysocket.htons,
    "inet_aton": toysocket.inet_aton,
    "inet_ntoa": toysocket.inet_ntoa,
    "ntohl": toysocket.ntohl,
    "ntohs": toysocket.ntohs,
}
MODULE = object()  # stands for `socket` in the statements

BUILTINS = {name: getattr(builtins, name) for name in (
    "bytes", "bytearray", "memoryview", "len", "isinstance", "issubclass",
    "OSError", "BlockingIOError", "ConnectionError", "BrokenPipeError", "ConnectionAbortedError",
    "ConnectionRefusedError", "ConnectionResetError", "FileExistsError", "FileNotFoundError",
    "InterruptedError", "PermissionError", "TimeoutError", "ValueError", "TypeError",
    "OverflowError")}
BUILTINS["array"] = array


class BadRequest(Exception):
    """The request is not what PROTOCOL.md defines: answered with {"error": ...}."""


class Unsupported(Exception):
    """The implementation lacks a name the statement uses."""


# ----- values ---------------------------------------------------------------------------------

def encode(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if type(v) is int:
        return v if -2 ** 63 <= v < 2 ** 63 else {"int": str(v)}
    if type(v) is float:
        return {"float": v if math.isfinite(v) else str(v)}  # "nan", "inf", "-inf"
    if type(v) in (bytes, bytearray):
        return {type(v).__name__: base64.b64encode(v).decode("ascii")}
    if type(v) in (tuple, list):
        return {type(v).__name__: [encode(x) for x in v]}
    return {"object": type(v).__name__, "repr": repr(v)}


def decode(j):
    if j is None or isinstance(j, (bool, int, str)):
        return j
    if isinstance(j, dict) and len(j) == 1:
        (kind, body), = j.items()
        if kind == "int":
            return int(body)
        if kind == "float":
            return float(body)
        if kind in ("bytes", "bytearray"):
            data = base64.b64decode(body, validate=True)
            return data if kind == "bytes" else bytearray(data)
        if kind in ("tuple", "list"):
            items = [decode(x) for x in body]
            return tuple(items) if kind == "tuple" else items
    raise BadRequest("not a literal: %s" % json.dumps(j))


def encode_exception(e):
    def name(cls):
        return cls.__qualname__ if cls.__module__ == "builtins" else \
            "%s.%s" % (cls.__module__, cls.__qualname__)
    code = getattr(e, "errno", None)
    code = code if type(code) is int else None
    return {"type": name(type(e)), "mro": [name(c) for c in type(e).__mro__],
            "errno": code, "errno_name": errno.errorcode.get(code) if code else None,
            "str": str(e)}


# ----- statements -----------------------------------------------------------------------------

def evaluate(e, names):
    if not isinstance(e, dict):
        raise BadRequest("not an expression: %s" % json.dumps(e))
    if "lit" in e:
        return decode(e["lit"])
    if "name" in e:
        n = e["name"]
        if n in names:
            return names[n]
        if n in BUILTINS:
            return BUILTINS[n]
        if n == "socket":
            return MODULE
        raise NameError("name %r is not defined" % n)
    if "attr" in e:
        target, attribute = e["attr"]
        obj = evaluate(target, names)
        if obj is MODULE:
            if attribute not in EXPORTS:
                raise Unsupported("toysocket has no %r" % attribute)
            return EXPORTS[attribute]
        try:
            return getattr(obj, attribute)
        except AttributeError as missing:
            raise Unsupported(str(missing))
    if "call" in e:
        fn = evaluate(e["call"], names)
        args = [evaluate(a, names) for a in e.get("args", [])]
        kwargs = {k: evaluate(v, names) for k, v in e.get("kwargs", {}).items()}
        return fn(*args, **kwargs)
    if "tuple" in e:
        return tuple(evaluate(x, names) for x in e["tuple"])
    if "list" in e:
        return [evaluate(x, names) for x in e["list"]]
    if "index" in e:
        obj, index = e["index"]
        return evaluate(obj, names)[evaluate(index, names)]
    if "slice" in e:
        obj, lo, hi = e["slice"]
        return evaluate(obj, names)[slice(
            None if lo is None else evaluate(lo, names),
            None if hi is None else evaluate(hi, names))]
    if "binop" in e:
        op, left, right = e["binop"]
        a, b = evaluate(left, names), evaluate(right, names)
        if op == "+":
            return a + b
        if op == "*":
            return a * b
        raise BadRequest("unknown operator %r" % op)
    if "neg" in e:
        return -evaluate(e["neg"], names)
    raise BadRequest("unknown expression %s" % json.dumps(e))


def run(stmt, names):
    """Runs one statement; returns (outcome, elapsed seconds, value or None, start time)."""
    if not isinstance(stmt, dict) or "expr" not in stmt:
        raise BadRequest('a statement is {"assign": null | [names], "expr": E}')
    start = time.monotonic()
    try:
        value = evaluate(stmt["expr"], names)
        targets = stmt.get("assign")
        if targets and len(targets) == 1:
            names[targets[0]] = value
        elif targets:
            items = list(value)
            if len(items) < len(targets):
                raise ValueError("not enough values to unpack (expected %d, got %d)"
                                 % (len(targets), len(items)))
            if len(items) > len(targets):
                raise ValueError("too many values to unpack (expected %d)" % len(targets))
            names.update(zip(targets, items))
        outcome = {"value": encode(value)}
    except BadRequest:
        raise
    except Unsupported as e:
        outcome, value = {"unsupported": str(e)}, None
    except Exception as e:  # whatever the implementation raised is the step's outcome
        outcome, value = {"raised": encode_exception(e)}, None
    return outcome, time.monotonic() - start, value, start


# ----- the conversation -----------------------------------------------------------------------

class Session:
    def __init__(self):
        self.names = None       # the open case's variables; None between cases
        self.background = []    # [(thread, result)] of the open case's background actions

    def hello(self, request):
        return {"op": "hello", "protocol": PROTOCOL, "implementation": "toysocket",
                "version": toysocket.__version__, "interpreter": sys.executable,
                "module": "toysocket", "concurrency": "threads",
                # toysocket has no sockets, so no socket capability; exactly one of these:
                "capabilities": ["root" if os.geteuid() == 0 else "nonroot"]}

    def begin(self, request):
        self.finish(0)
        self.names, self.background = {}, []
        return {"op": "begin", "case": request["case"]}

    def exec(self, request):
        if self.names is None:
            raise BadRequest("exec outside a case")
        step, stmt = request["step"], request["stmt"]
        if "background" in request:
            # The delay counts from now, when the request arrived; `started_at` says when that
            # was on the clock the foreground replies use, so the runner can time the steps the
            # action wakes (PROTOCOL.md, "Timing against a background action").
            arrived, result = time.monotonic(), {"step": step}

            def action():
                time.sleep(max(0.0, arrived + request["background"]["delay"] - time.monotonic()))
                result["outcome"], result["elapsed"], _, _ = run(stmt, self.names)
            thread = threading.Thread(target=action, daemon=True)
            thread.start()
            self.background.append((thread, result))
            return {"op": "exec", "step": step, "background": "started", "started_at": arrived}
        # `want_value` (PROTOCOL.md) is optional: this driver always sends the whole value.
        outcome, elapsed, value, started_at = run(stmt, self.names)
        for name, path in request.get("capture", {}).items():
            try:
                item = value
                for i in path:
                    item = item[i]
                self.names[name] = item
            except (TypeError, IndexError):
                pass  # the value has another shape: the runner reports the mismatch
        return {"op": "exec", "step": step, "outcome": outcome, "elapsed": elapsed,
                "started_at": started_at}

    def end(self, request):
        if self.names is None:
            raise BadRequest("end outside a case")
        return {"op": "end", "background": self.finish(request.get("deadline", 5.0)),
                # toysocket opens no descriptors; null says the driver does not count them.
                "leaked_fds": None}

    def finish(self, deadline):
        """Ends the open case: joins background actions for up to `deadline` seconds."""
        stop = time.monotonic() + deadline
        reports = []
        for thread, result in self.background:
            thread.join(max(0.0, stop - time.monotonic()))
            done = not thread.is_alive() and "outcome" in result
            reports.append(result if done else {"step": result["step"],
                                                "outcome": {"unfinished": True}})
        self.names, self.background = None, []
        return reports


def main():
    out = os.fdopen(os.dup(1), "w", buffering=1)  # replies only; stray prints go to stderr
    os.dup2(2, 1)
    session = Session()
    handlers = {"hello": session.hello, "begin": session.begin, "exec": session.exec,
                "end": session.end}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = {}
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise BadRequest("a request is a JSON object")
            if request.get("op") == "quit":
                session.finish(0)
                out.write(json.dumps({"op": "quit"}) + "\n")
                return 0
            if request.get("op") not in handlers:
                raise BadRequest("unknown op %r" % request.get("op"))
            reply = handlers[request["op"]](request)
        except Exception as e:  # a bad request, or a bug here: say so and keep going
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
            reply.update({k: request[k] for k in ("op", "step") if k in request})
        out.write(json.dumps(reply) + "\n")
    session.finish(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
