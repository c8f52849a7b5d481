#!/usr/bin/env python3
"""The oracle driver: speaks sockref-driver/1 (conformance/PROTOCOL.md) over a real socket module.

    python3 oracle/driver.py                                # CPython's socket: the oracle
    pypy3 oracle/driver.py                                  # PyPy's socket
    /usr/bin/python3 oracle/driver.py --module gevent.socket
    /usr/bin/python3 oracle/driver.py --module eventlet.green.socket

It reads one JSON request per line on stdin and writes one JSON reply per line on stdout; logs go
to stderr. It evaluates the statement ASTs the runner sends by walking them (never `eval` of
source text), so the driver needs no parser and sees exactly what every other driver sees.

Background actions (`after <delay>: ...`) run in threads for plain socket modules. For green
modules (gevent, eventlet) they run as greenlets spawned with the library's own timer (gevent's
spawn_later, eventlet's spawn_after), and the driver waits for stdin cooperatively, so a green
socket is only ever used from the hub's thread. The driver does not monkey-patch: patching would
change the stdlib `socket` module under the very comparison the suite makes.

Runs unchanged under CPython 3.9+ and PyPy 3.9+.
"""

import argparse
import array
import base64
import enum
import errno
import gc
import importlib
import json
import math
import os
import platform
import sys
import threading
import time
import weakref

PROTOCOL = "sockref-driver/1"

# How long `end` waits for background actions when the runner does not say.
DEFAULT_END_DEADLINE = 5.0


class ProtocolError(Exception):
    """A request the protocol does not define; answered with {"error": ...}."""


class Unsupported(Exception):
    """The implementation lacks a name the step uses (AttributeError from the driver's lookup)."""


# ----------------------------------------------------------------------------------------------
# Values: Python objects <-> the protocol's JSON encoding
# ----------------------------------------------------------------------------------------------

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def enum_member_name(value):
    """The member name as Python 3.11 prints it, also for flag combinations on older Pythons."""
    name = value.name
    if name is None:  # Python < 3.11 leaves combinations of flags unnamed
        parts = [m.name for m in type(value)
                 if m.value and (m.value & (m.value - 1)) == 0 and (value & m.value) == m.value]
        name = "|".join(parts)
    return name


def encode_value(value, depth=0):
    """Encodes `value` as PROTOCOL.md's "Values" section says."""
    if depth > 50:
        return {"object": type(value).__name__, "repr": "<nested too deeply>"}
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum) and isinstance(value, int):
        return {"enum": type(value).__name__, "name": enum_member_name(value),
                "value": int(value)}
    kind = type(value)
    if kind is int:
        return value if INT64_MIN <= value <= INT64_MAX else {"int": str(value)}
    if kind is float:
        if math.isnan(value):
            return {"float": "nan"}
        if math.isinf(value):
            return {"float": "inf" if value > 0 else "-inf"}
        return {"float": value}
    if kind is str:
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:  # lone surrogates cannot travel as JSON text
            return {"object": "str", "repr": repr(value)}
    if kind is bytes:
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if kind is bytearray:
        return {"bytearray": base64.b64encode(bytes(value)).decode("ascii")}
    if kind is tuple:
        return {"tuple": [encode_value(v, depth + 1) for v in value]}
    if kind is list:
        return {"list": [encode_value(v, depth + 1) for v in value]}
    return {"object": kind.__name__, "repr": safe_repr(value)}


# The types whose len() an omitted value reports (PROTOCOL.md, "want_value"): asking others
# could run arbitrary code.
SIZED_TYPES = (str, bytes, bytearray, tuple, list)


def omitted_value(value):
    """What a reply carries for a value the runner did not ask for: its type and size."""
    kind = type(value)
    return {"omitted": kind.__name__, "len": len(value) if kind in SIZED_TYPES else None}


def safe_repr(value):
    try:
        return clean_text(repr(value))
    except BaseException as e:  # a repr that raises must not take the driver down
        return "<repr failed: %s>" % type(e).__name__


def clean_text(text):
    """`text`, with each lone surrogate written as the escape repr() gives it ("\\udc96").

    A repr can hold raw surrogates: a socket's shows str(laddr), and an AF_UNIX path that is
    not UTF-8 decodes with surrogateescape (PyPy's fromfd() misreads an AF_INET address that
    way). JSON can only escape them ("\\udc96"), and strict readers such as the runner's reject
    a lone surrogate escape, so the reply must not carry one."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_message(message):
    """`message` with clean_text applied to every string in it, keys included."""
    if isinstance(message, str):
        return clean_text(message)
    if isinstance(message, dict):
        return {clean_text(k): clean_message(v) for k, v in message.items()}
    if isinstance(message, list):
        return [clean_message(v) for v in message]
    return message


def decode_value(j):
    """Decodes a literal value; raises ProtocolError for anything a literal cannot be."""
    if j is None or isinstance(j, (bool, str)):
        return j
    if isinstance(j, int):
        return j
    if isinstance(j, float):
        raise ProtocolError('a float is written {"float": x}, got bare %r' % j)
    if isinstance(j, list):
        raise ProtocolError('a tuple or list is written {"tuple": [...]} or {"list": [...]}')
    if not isinstance(j, dict) or len(j) != 1:
        raise ProtocolError("not a literal value: %s" % json.dumps(j))
    (key, body), = j.items()
    if key == "int" and isinstance(body, str):
        try:
            return int(body, 10)
        except ValueError:
            raise ProtocolError("bad {\"int\": ...} digits: %r" % body)
    if key == "float":
        if isinstance(body, (int, float)) and not isinstance(body, bool):
            return float(body)
        if body in ("nan", "inf", "-inf"):
            return float(body)
    if key in ("bytes", "bytearray") and isinstance(body, str):
        try:
            data = base64.b64decode(body.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise ProtocolError("bad base64 in {\"%s\": ...}" % key)
        return data if key == "bytes" else bytearray(data)
    if key in ("tuple", "list") and isinstance(body, list):
        items = [decode_value(v) for v in body]
        return tuple(items) if key == "tuple" else items
    raise ProtocolError("not a literal value: %s" % json.dumps(j))


# ----------------------------------------------------------------------------------------------
# Concurrency: threads for plain modules, the library's own greenlets for green ones
# ----------------------------------------------------------------------------------------------

# spawn_after(due, fn) runs fn once time.monotonic() reaches `due`: the delay of a background
# action counts from when its request arrived, not from when a thread or greenlet gets going.

class Threads:
    name = "threads"

    def spawn_after(self, due, fn):
        def run():
            time.sleep(max(0.0, due - time.monotonic()))
            fn()
        t = threading.Thread(target=run, name="sockref-background", daemon=True)
        t.start()
        return t

    def join(self, handles, deadline):
        end = time.monotonic() + deadline
        for t in handles:
            t.join(max(0.0, end - time.monotonic()))
        return [not t.is_alive() for t in handles]

    def cancel(self, handles):
        pass  # threads cannot be killed; finish_case shuts their sockets down instead

    def wait_readable(self, fd):
        pass  # a plain blocking read is fine: background threads run regardless


class Gevent:
    name = "gevent"

    def __init__(self):
        import gevent
        import gevent.socket
        self.gevent = gevent
        self.wait_read = gevent.socket.wait_read

    def spawn_after(self, due, fn):
        return self.gevent.spawn_later(max(0.0, due - time.monotonic()), fn)

    def join(self, handles, deadline):
        self.gevent.joinall(handles, timeout=deadline)
        return [g.ready() for g in handles]

    def cancel(self, handles):
        self.gevent.killall(handles, block=True, timeout=1.0)

    def wait_readable(self, fd):
        try:
            self.wait_read(fd)
        except OSError:
            pass  # not pollable (a regular file): it is always readable anyway


class Eventlet:
    name = "eventlet"

    def __init__(self):
        import eventlet
        import eventlet.hubs
        self.eventlet = eventlet
        self.trampoline = eventlet.hubs.trampoline

    def spawn_after(self, due, fn):
        done = {"finished": False}

        def run():
            try:
                fn()
            finally:
                done["finished"] = True
        gt = self.eventlet.spawn_after(max(0.0, due - time.monotonic()), run)
        return (gt, done)

    def join(self, handles, deadline):
        end = time.monotonic() + deadline
        while time.monotonic() < end and not all(d["finished"] for _, d in handles):
            self.eventlet.sleep(0.005)
        return [d["finished"] for _, d in handles]

    def cancel(self, handles):
        for gt, _ in handles:
            gt.kill()

    def wait_readable(self, fd):
        try:
            self.trampoline(fd, read=True)
        except OSError:
            pass  # not pollable (a regular file): it is always readable anyway


def concurrency_for(module_name):
    root = module_name.split(".")[0]
    if root == "gevent":
        return Gevent()
    if root == "eventlet":
        return Eventlet()
    return Threads()


# ----------------------------------------------------------------------------------------------
# Evaluation of the statement AST
# ----------------------------------------------------------------------------------------------

EXCEPTION_BUILTINS = (
    "BlockingIOError", "BrokenPipeError", "ConnectionAbortedError", "ConnectionError",
    "ConnectionRefusedError", "ConnectionResetError", "FileExistsError", "FileNotFoundError",
    "InterruptedError", "OSError", "OverflowError", "PermissionError", "TimeoutError",
    "TypeError", "ValueError",
)


def make_builtins():
    import builtins
    names = {
        "array": array,
        "bytearray": bytearray,
        "bytes": bytes,
        "isinstance": isinstance,
        "issubclass": issubclass,
        "len": len,
        "memoryview": memoryview,
    }
    for n in EXCEPTION_BUILTINS:
        names[n] = getattr(builtins, n)
    return names


class Case:
    """One case's state: its namespace, the objects it created, its background actions."""

    def __init__(self, case_id):
        self.case_id = case_id
        self.namespace = {}
        self.created = []      # weak (or, when impossible, strong) references to closeable objects
        self.background = []   # [step, handle, result dict]
        self.fds_before = open_fds()


class Driver:
    def __init__(self, module_name, out):
        self.module_name = module_name
        self.module = importlib.import_module(module_name)
        self.concurrency = concurrency_for(module_name)
        self.builtins = make_builtins()
        self.out = out
        self.case = None
        self.capabilities = sorted(probe_capabilities(self.module))
        warm_up(self.module)

    # ----- names and exceptions -----

    def exception_name(self, cls):
        """How a traceback names the class: bare for builtins, socket.<name> for classes the
        module under test exports under that name, module.qualname otherwise."""
        if cls.__module__ == "builtins":
            return cls.__qualname__
        if getattr(self.module, cls.__name__, None) is cls:
            return "socket." + cls.__name__
        return "%s.%s" % (cls.__module__, cls.__qualname__)

    def encode_exception(self, e):
        err = getattr(e, "errno", None) if isinstance(e, OSError) else None
        if not isinstance(err, int) or isinstance(err, bool):
            err = None
        errno_name = None
        if err is not None:
            if isinstance(e, getattr(self.module, "gaierror", ())):
                for name in dir(self.module):
                    if name.startswith("EAI_") and getattr(self.module, name) == err:
                        errno_name = name
                        break
            elif not isinstance(e, getattr(self.module, "herror", ())):
                errno_name = errno.errorcode.get(err)
        try:
            text = str(e)
        except BaseException:
            text = "<str() failed>"
        return {
            "type": self.exception_name(type(e)),
            "mro": [self.exception_name(c) for c in type(e).__mro__],
            "errno": err,
            "errno_name": errno_name,
            "str": text,
        }

    # ----- evaluation -----

    def lookup(self, case, name):
        if name in case.namespace:
            return case.namespace[name]
        if name in self.builtins:
            return self.builtins[name]
        if name == "socket":
            return self.module
        raise NameError("name %r is not defined" % name)

    def evaluate(self, case, node):
        if not isinstance(node, dict) or not node:
            raise ProtocolError("an expression is a JSON object, got %s" % json.dumps(node))
        if "lit" in node:
            return decode_value(node["lit"])
        if "name" in node:
            if not isinstance(node["name"], str):
                raise ProtocolError('"name" takes a string')
            return self.lookup(case, node["name"])
        if "attr" in node:
            target, attribute = pair(node["attr"], "attr")
            obj = self.evaluate(case, target)
            if not isinstance(attribute, str):
                raise ProtocolError('"attr" takes [expr, name]')
            try:
                return getattr(obj, attribute)
            except AttributeError as e:
                raise Unsupported(str(e))
        if "call" in node:
            fn = self.evaluate(case, node["call"])
            args = node.get("args", [])
            kwargs = node.get("kwargs", {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise ProtocolError('a call has "args": [...] and "kwargs": {...}')
            values = [self.evaluate(case, a) for a in args]
            keywords = {k: self.evaluate(case, v) for k, v in kwargs.items()}
            result = fn(*values, **keywords)
            self.track(case, result)
            return result
        if "tuple" in node:
            return tuple(self.evaluate(case, e) for e in sequence(node["tuple"], "tuple"))
        if "list" in node:
            return [self.evaluate(case, e) for e in sequence(node["list"], "list")]
        if "index" in node:
            obj, index = pair(node["index"], "index")
            return self.evaluate(case, obj)[self.evaluate(case, index)]
        if "slice" in node:
            parts = sequence(node["slice"], "slice")
            if len(parts) != 3 or parts[0] is None:
                raise ProtocolError('"slice" takes [expr, expr|null, expr|null]')
            obj = self.evaluate(case, parts[0])
            lower = None if parts[1] is None else self.evaluate(case, parts[1])
            upper = None if parts[2] is None else self.evaluate(case, parts[2])
            return obj[lower:upper]
        if "binop" in node:
            parts = sequence(node["binop"], "binop")
            if len(parts) != 3 or parts[0] not in ("+", "*"):
                raise ProtocolError('"binop" takes ["+" or "*", expr, expr]')
            left, right = self.evaluate(case, parts[1]), self.evaluate(case, parts[2])
            return left + right if parts[0] == "+" else left * right
        if "neg" in node:
            return -self.evaluate(case, node["neg"])
        raise ProtocolError("unknown expression %s" % json.dumps(node))

    def track(self, case, value, depth=0):
        """Remembers objects a call returned that own resources, so `end` can close them."""
        if depth > 3:
            return
        if isinstance(value, (tuple, list)):
            for v in value:
                self.track(case, v, depth + 1)
            return
        if isinstance(value, (type, type(sys))) or not callable(getattr(value, "close", None)):
            return
        try:
            case.created.append(weakref.ref(value))
        except TypeError:
            case.created.append(lambda v=value: v)

    def run_statement(self, case, stmt, want_value=True):
        """Runs one statement; returns (outcome, elapsed seconds, result or None, start time).

        With want_value false, a value is reported as omitted_value (PROTOCOL.md)."""
        if not isinstance(stmt, dict) or "expr" not in stmt:
            raise ProtocolError('a statement is {"assign": null | [names], "expr": E}')
        targets = stmt.get("assign")
        if targets is not None and (not isinstance(targets, list) or not targets or
                                    not all(isinstance(t, str) for t in targets)):
            raise ProtocolError('"assign" takes null or a non-empty array of names')
        start = time.monotonic()
        try:
            value = self.evaluate(case, stmt["expr"])
            if targets is not None:
                if len(targets) == 1:
                    case.namespace[targets[0]] = value
                else:
                    items = unpack(value, len(targets))
                    for name, item in zip(targets, items):
                        case.namespace[name] = item
        except (ProtocolError, Unsupported) as e:
            elapsed = time.monotonic() - start
            if isinstance(e, ProtocolError):
                raise
            return {"unsupported": str(e)}, elapsed, None, start
        except BaseException as e:  # the step's own outcome, whatever it raised
            elapsed = time.monotonic() - start
            return {"raised": self.encode_exception(e)}, elapsed, None, start
        elapsed = time.monotonic() - start
        encoded = encode_value(value) if want_value else omitted_value(value)
        return {"value": encoded}, elapsed, value, start

    # ----- messages -----

    def handle(self, request):
        op = request.get("op")
        handler = {
            "hello": self.on_hello,
            "begin": self.on_begin,
            "exec": self.on_exec,
            "end": self.on_end,
        }.get(op)
        if handler is None:
            raise ProtocolError("unknown op %r" % (op,))
        return handler(request)

    def on_hello(self, request):
        version = getattr(self.module, "__version__", None)
        root = sys.modules.get(self.module_name.split(".")[0])
        return {
            "op": "hello",
            "protocol": PROTOCOL,
            "implementation": platform.python_implementation(),
            "version": platform.python_version(),
            # The Python language version this implementation implements: the runner judges
            # it against the table's truth for that version (PROTOCOL.md, hello).
            "python_version": "%d.%d" % sys.version_info[:2],
            "interpreter": sys.executable,
            "module": self.module_name,
            "module_version": version or getattr(root, "__version__", None) or
            platform.python_version(),
            "concurrency": self.concurrency.name,
            "capabilities": self.capabilities,
        }

    def on_begin(self, request):
        if self.case is not None:
            self.finish_case(DEFAULT_END_DEADLINE)
        case_id = request.get("case")
        if not isinstance(case_id, str):
            raise ProtocolError('"begin" takes "case": id')
        set_default_timeout = getattr(self.module, "setdefaulttimeout", None)
        if set_default_timeout is not None:
            set_default_timeout(None)
        self.case = Case(case_id)
        return {"op": "begin", "case": case_id}

    def on_exec(self, request):
        if self.case is None:
            raise ProtocolError('"exec" outside a case (send "begin" first)')
        step = request.get("step")
        stmt = request.get("stmt")
        background = request.get("background")
        want_value = request.get("want_value", True) is not False
        if background is not None:
            delay = background.get("delay") if isinstance(background, dict) else None
            if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
                raise ProtocolError('"background" takes {"delay": seconds}')
            if not isinstance(stmt, dict) or stmt.get("assign") is not None:
                raise ProtocolError("a background statement cannot assign")
            started_at = self.start_background(step, stmt, float(delay), want_value)
            return {"op": "exec", "step": step, "background": "started",
                    "started_at": started_at}
        outcome, elapsed, value, started_at = self.run_statement(self.case, stmt, want_value)
        capture = request.get("capture")
        if capture and "value" in outcome:
            self.bind_captures(capture, value)
        return {"op": "exec", "step": step, "outcome": outcome, "elapsed": elapsed,
                "started_at": started_at}

    def bind_captures(self, capture, value):
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
                continue  # the value has another shape; the runner reports the mismatch
            self.case.namespace[name] = item

    def start_background(self, step, stmt, delay, want_value=True):
        """Schedules the action `delay` seconds from now; returns now (its "started_at")."""
        result = {"step": step}
        case = self.case
        now = time.monotonic()

        def action():
            try:
                outcome, elapsed, _, _ = self.run_statement(case, stmt, want_value)
            except ProtocolError as e:
                outcome, elapsed = {"unsupported": "bad statement: %s" % e}, 0.0
            result["outcome"] = outcome
            result["elapsed"] = elapsed

        handle = self.concurrency.spawn_after(now + delay, action)
        case.background.append((step, handle, result))
        return now

    def on_end(self, request):
        if self.case is None:
            raise ProtocolError('"end" outside a case')
        deadline = request.get("deadline", DEFAULT_END_DEADLINE)
        if not isinstance(deadline, (int, float)) or isinstance(deadline, bool) or deadline < 0:
            raise ProtocolError('"deadline" takes seconds')
        background, leaked = self.finish_case(float(deadline))
        return {"op": "end", "background": background, "leaked_fds": leaked}

    def finish_case(self, deadline):
        case = self.case
        finished = self.concurrency.join([h for _, h, _ in case.background], deadline)
        background = []
        stuck = []
        for (step, handle, result), done in zip(case.background, finished):
            if done and "outcome" in result:
                background.append(result)
            else:
                background.append({"step": step, "outcome": {"unfinished": True}})
                stuck.append(handle)
        if stuck:
            # Unblock what is still running before its sockets are closed and their descriptor
            # numbers reused: kill green threads, and shut sockets down under OS threads.
            self.concurrency.cancel(stuck)
            for ref in case.created:
                obj = ref()
                if callable(getattr(obj, "shutdown", None)):
                    try:
                        obj.shutdown(2)  # SHUT_RDWR wakes a recv() blocked in another thread
                    except BaseException:
                        pass
            self.concurrency.join(stuck, 1.0)
        for ref in reversed(case.created):
            obj = ref()
            if obj is not None:
                try:
                    obj.close()
                except BaseException:
                    pass
        case.namespace.clear()
        case.created.clear()
        gc.collect()
        self.case = None
        leaked = None
        if case.fds_before is not None:
            after = open_fds()
            leaked = len(after - case.fds_before) if after is not None else None
        return background, leaked


def pair(value, what):
    if not isinstance(value, list) or len(value) != 2:
        raise ProtocolError('"%s" takes an array of 2' % what)
    return value


def sequence(value, what):
    if not isinstance(value, list):
        raise ProtocolError('"%s" takes an array' % what)
    return value


def unpack(value, count):
    """Python's `a, b = value`, with Python's own errors."""
    items = list(iter(value))
    if len(items) < count:
        raise ValueError("not enough values to unpack (expected %d, got %d)" % (count, len(items)))
    if len(items) > count:
        raise ValueError("too many values to unpack (expected %d)" % count)
    return items


def open_fds():
    """The set of this process's open descriptors, or None where /proc cannot tell."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return None
    fds = set()
    for n in names:
        try:
            fd = int(n)
            os.fstat(fd)  # the descriptor listdir itself used is closed by now
        except (ValueError, OSError):
            continue
        fds.add(fd)
    return fds


# ----------------------------------------------------------------------------------------------
# Capabilities (PROTOCOL.md, "hello")
# ----------------------------------------------------------------------------------------------

def probe_capabilities(m):
    caps = set()

    def works(fn):
        try:
            fn()
            return True
        except Exception:
            return False

    def inet6():
        with m.socket(m.AF_INET6, m.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    if getattr(m, "has_ipv6", False) and works(inet6):
        caps.add("AF_INET6")

    def unix():
        a, b = m.socketpair(m.AF_UNIX, m.SOCK_STREAM)
        a.close()
        b.close()
    if hasattr(m, "AF_UNIX") and works(unix):
        caps.add("AF_UNIX")

    def abstract():
        with m.socket(m.AF_UNIX, m.SOCK_STREAM) as s:
            s.bind(b"\0sockref-probe-%d" % os.getpid())
    if "AF_UNIX" in caps and works(abstract):
        caps.add("AF_UNIX_ABSTRACT")

    def rights():
        a, b = m.socketpair(m.AF_UNIX, m.SOCK_STREAM)
        try:
            a.sendmsg([b"x"], [(m.SOL_SOCKET, m.SCM_RIGHTS, array.array("i", [a.fileno()]))])
            msg, anc, flags, addr = b.recvmsg(1, m.CMSG_SPACE(array.array("i").itemsize))
            for level, kind, data in anc:
                if level == m.SOL_SOCKET and kind == m.SCM_RIGHTS:
                    for fd in array.array("i", data[:array.array("i").itemsize]):
                        os.close(fd)
                    return
            raise OSError("no descriptor came back")
        finally:
            a.close()
            b.close()
    if "AF_UNIX" in caps and hasattr(m, "SCM_RIGHTS") and works(rights):
        caps.add("SCM_RIGHTS")

    def reuseport():
        with m.socket(m.AF_INET, m.SOCK_STREAM) as s:
            s.setsockopt(m.SOL_SOCKET, m.SO_REUSEPORT, 1)
    if hasattr(m, "SO_REUSEPORT") and works(reuseport):
        caps.add("SO_REUSEPORT")

    caps.add("root" if os.geteuid() == 0 else "nonroot")
    return caps


def warm_up(m):
    """Creates the lazily-made machinery of green modules (hub, resolver threads) up front, so
    it is not counted as descriptors leaked by the first case that touches it."""
    for fn in (lambda: m.getaddrinfo("127.0.0.1", 0), lambda: m.gethostbyname("localhost")):
        try:
            fn()
        except Exception:
            pass
    try:
        a, b = m.socketpair()
        b.settimeout(1.0)
        a.sendall(b"x")
        b.recv(1)
        a.close()
        b.close()
    except Exception:
        pass


# ----------------------------------------------------------------------------------------------
# Main loop
# ----------------------------------------------------------------------------------------------

class LineReader:
    """Reads request lines from a descriptor, letting green hubs run while it waits."""

    def __init__(self, fd, concurrency):
        self.fd = fd
        self.concurrency = concurrency
        self.buffer = b""

    def readline(self):
        while b"\n" not in self.buffer:
            self.concurrency.wait_readable(self.fd)
            chunk = os.read(self.fd, 65536)
            if not chunk:
                line, self.buffer = self.buffer, b""
                return line or None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", default="socket",
                        help="the socket module to drive: socket, gevent.socket, "
                             "eventlet.green.socket, ...")
    args = parser.parse_args(argv)

    # Keep the protocol stream to ourselves: whatever else writes to descriptor 1 (a library,
    # a C extension) lands on stderr instead.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(message):
        try:
            text = json.dumps(message, allow_nan=False)
            # ensure_ascii escapes every surrogate as \ud8xx-\udfxx: a lone one (an exception
            # message, say, quoting a surrogateescape'd path) is cleaned before it goes out.
            if "\\ud" in text:
                text = json.dumps(clean_message(message), allow_nan=False)
        except (TypeError, ValueError) as e:  # a driver bug; say so instead of dying
            text = json.dumps({"error": "driver failure: unencodable reply: %s" % e})
        out.write(text + "\n")
        out.flush()

    try:
        driver = Driver(args.module, out)
    except Exception as e:
        send({"error": "cannot load module %r: %s: %s" % (args.module, type(e).__name__, e)})
        return 1

    reader = LineReader(0, driver.concurrency)
    while True:
        line = reader.readline()
        if line is None:
            return 0
        if not line.strip():
            continue
        try:
            request = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            send({"error": "not a JSON line: %s" % e})
            continue
        if not isinstance(request, dict):
            send({"error": "a request is a JSON object"})
            continue
        if request.get("op") == "quit":
            if driver.case is not None:
                driver.finish_case(0.0)
            send({"op": "quit"})
            return 0
        try:
            reply = driver.handle(request)
        except ProtocolError as e:
            reply = {"error": str(e)}
        except Exception as e:  # a driver bug must not kill the conversation
            reply = {"error": "driver failure: %s: %s" % (type(e).__name__, e)}
        if "error" in reply:
            for key in ("op", "step"):
                if key in request:
                    reply[key] = request[key]
        send(reply)


if __name__ == "__main__":
    sys.exit(main())
