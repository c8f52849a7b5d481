"""Tests of oracle/driver.py: transcripts piped through the real driver process.

Each transcript test runs against every interpreter/module pair installed here (CPython's socket
under the python3 running the test, Debian's /usr/bin/python3 with gevent and eventlet, PyPy), and
skips pairs that are missing. ExampleCasesPassOnTheOracle then runs the example case files, as
dump_cases parses them, through CPython's socket and checks their expectations.
"""

import glob
import json
import math
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

PROTOCOL = "sockref-driver/1"
REPLY_TIMEOUT = 20.0  # seconds; a hung driver fails the test instead of hanging it


def workspace_path(relative):
    """A file of this workspace, from Bazel's runfiles or, run by hand, from the source tree."""
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        path = os.path.join(srcdir, os.environ.get("TEST_WORKSPACE", "sockref"), relative)
        if os.path.exists(path):
            return path
    # This file is conformance/drivers/<driver>/: the workspace is four levels up.
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    for candidate in (os.path.join(root, relative), os.path.join(root, "bazel-bin", relative)):
        if os.path.exists(candidate):
            return candidate
    return None


DRIVER = workspace_path("conformance/drivers/oracle/driver.py")


# ----- AST helpers, spelled like PROTOCOL.md -----

def lit(v):
    return {"lit": v}


def name(n):
    return {"name": n}


def attr(e, a):
    return {"attr": [e, a]}


def sock(a):
    return attr(name("socket"), a)


def call(f, *args, **kwargs):
    return {"call": f, "args": list(args), "kwargs": kwargs}


def method(obj, m, *args):
    return call(attr(name(obj), m), *args)


def b64(data):
    import base64
    return {"bytes": base64.b64encode(data).decode("ascii")}


class Driver:
    """One driver process and a line-by-line conversation with it."""

    def __init__(self, interpreter, module):
        self.proc = subprocess.Popen(
            [interpreter, DRIVER, "--module", module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buffer = b""
        self.step = 0

    def send_raw(self, line):
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def read_reply(self, timeout=REPLY_TIMEOUT):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise AssertionError("no reply from the driver within %.0f s" % timeout)
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError("the driver closed stdout; stderr: %s"
                                         % self.proc.stderr.read().decode(errors="replace"))
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        self.last_line = line
        return json.loads(line)

    def call(self, message):
        self.send_raw(json.dumps(message))
        return self.read_reply()

    def exec(self, expr, assign=None, **extra):
        self.step += 1
        message = {"op": "exec", "step": self.step, "stmt": {"assign": assign, "expr": expr}}
        message.update(extra)
        return self.call(message)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send_raw(json.dumps({"op": "quit"}))
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


# ----- the interpreter/module pairs to test -----

def can_import(interpreter, module):
    if shutil.which(interpreter) is None:
        return False
    return subprocess.run([interpreter, "-c", "import " + module],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


CONFIGS = [
    ("ReferenceSocket", sys.executable, "socket"),
    ("SystemPythonSocket", "/usr/bin/python3", "socket"),
    ("SystemPythonGevent", "/usr/bin/python3", "gevent.socket"),
    ("SystemPythonEventlet", "/usr/bin/python3", "eventlet.green.socket"),
    ("PyPySocket", "pypy3", "socket"),
]


class TranscriptTests:
    """Mixed into one unittest.TestCase per configuration (see the bottom of the file)."""

    interpreter = None
    module = None

    @classmethod
    def setUpClass(cls):
        # One driver serves the whole class, as one serves a whole run: every test begins its
        # own case, which is what the protocol promises isolates them.
        cls.driver = None
        if can_import(cls.interpreter, cls.module):
            cls.driver = Driver(cls.interpreter, cls.module)
            cls.hello = cls.driver.call({"op": "hello", "protocol": PROTOCOL})

    @classmethod
    def tearDownClass(cls):
        if cls.driver is not None:
            cls.driver.close()

    def setUp(self):
        if self.driver is None:
            self.skipTest("%s cannot import %s here" % (self.interpreter, self.module))
        self.assertIsNone(self.driver.proc.poll(), "the shared driver died in an earlier test")

    def own_driver(self):
        """A driver of this test's own, for tests that end the process."""
        driver = Driver(self.interpreter, self.module)
        self.addCleanup(driver.close)
        driver.call({"op": "hello", "protocol": PROTOCOL})
        return driver

    def begin(self, case_id="test.case"):
        self.driver.step = 0
        reply = self.driver.call({"op": "begin", "case": case_id})
        self.assertEqual(reply, {"op": "begin", "case": case_id})

    def value_of(self, reply):
        self.assertIn("outcome", reply, reply)
        self.assertIn("value", reply["outcome"], reply)
        return reply["outcome"]["value"]

    def test_hello_reports_protocol_interpreter_and_capabilities(self):
        h = self.hello
        self.assertEqual(h["op"], "hello")
        self.assertEqual(h["protocol"], PROTOCOL)
        self.assertEqual(h["module"], self.module)
        self.assertTrue(os.path.isabs(h["interpreter"]), h)
        self.assertIn(h["implementation"], ("CPython", "PyPy"))
        self.assertRegex(h["version"], r"^3\.\d+\.\d+")
        language = subprocess.run([self.interpreter, "-c", "import sys; print(sys.version_info[0], "
                                   "sys.version_info[1], sep='.')"],
                                  stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        self.assertEqual(h["python_version"], language)  # PROTOCOL.md: major.minor, "3.9"
        self.assertIn("root" if os.geteuid() == 0 else "nonroot", h["capabilities"])
        self.assertIn("AF_UNIX", h["capabilities"])

    def test_values_are_encoded_as_the_protocol_says(self):
        self.begin()
        big = "123456789012345678901234567890"
        expr = {"tuple": [
            lit(None), lit(True), lit(-7), lit({"int": big}), lit({"int": "5"}),
            lit({"float": 1.5}), lit({"float": "nan"}), lit({"float": "-inf"}), lit("h\u00e9"),
            lit(b64(b"\x00\xff")), call(name("bytearray"), lit(b64(b"ab"))),
            {"list": [lit(1)]}, lit({"tuple": []}), sock("AF_INET"),
        ]}
        value = self.value_of(self.driver.exec(expr))
        expected = [
            None, True, -7, {"int": big}, 5,
            {"float": 1.5}, {"float": "nan"}, {"float": "-inf"}, "h\u00e9",
            b64(b"\x00\xff"), {"bytearray": "YWI="},
            {"list": [1]}, {"tuple": []},
        ]
        self.assertEqual(value["tuple"][:-1], expected)
        family = value["tuple"][-1]
        if self.module == "socket":
            self.assertEqual(family, {"enum": "AddressFamily", "name": "AF_INET", "value": 2})
        self.assertIn(family, (2, {"enum": "AddressFamily", "name": "AF_INET", "value": 2}))

    def test_objects_are_encoded_by_type_and_repr(self):
        self.begin()
        value = self.value_of(self.driver.exec(call(name("memoryview"), lit(b64(b"ab")))))
        self.assertEqual(value["object"], "memoryview")
        self.assertTrue(value["repr"].startswith("<memory at "), value)

    def test_expressions_cover_subscripts_slices_and_operators(self):
        self.begin()
        self.driver.exec(call(name("bytearray"), lit(b64(b"abcdef"))), assign=["buf"])
        reply = self.driver.exec({"slice": [name("buf"), lit(1), None]})
        self.assertEqual(self.value_of(reply), {"bytearray": "YmNkZWY="})
        reply = self.driver.exec({"index": [name("buf"), {"neg": lit(1)}]})
        self.assertEqual(self.value_of(reply), ord("f"))
        reply = self.driver.exec({"binop": ["+", lit(b64(b"x")), {"binop": ["*", lit(b64(b"y")), lit(3)]}]})
        self.assertEqual(self.value_of(reply), b64(b"xyyy"))
        reply = self.driver.exec(call(name("len"), call(attr(name("array"), "array"), lit("i"),
                                                         {"list": [lit(1), lit(2)]})))
        self.assertEqual(self.value_of(reply), 2)

    def test_exceptions_carry_class_errno_and_message(self):
        self.begin()
        self.driver.exec(call(sock("socket"), sock("AF_INET"), sock("SOCK_STREAM")), assign=["s"])
        self.driver.exec(method("s", "close"))
        reply = self.driver.exec(method("s", "recv", lit(1)))
        self.assertEqual(reply["outcome"], {"raised": {
            "type": "OSError", "mro": ["OSError", "Exception", "BaseException", "object"],
            "errno": 9, "errno_name": "EBADF", "str": "[Errno 9] Bad file descriptor"}})
        self.assertEqual(reply["step"], 3)
        self.assertIsInstance(reply["elapsed"], float)

    def test_errors_without_errno_report_null(self):
        self.begin()
        reply = self.driver.exec(call(sock("inet_aton"), lit("1.2.3.256")))
        raised = reply["outcome"]["raised"]
        self.assertEqual(raised["type"], "OSError")
        self.assertIsNone(raised["errno"])
        self.assertIsNone(raised["errno_name"])
        self.assertEqual(raised["str"], "illegal IP address string passed to inet_aton")

    def test_gaierror_is_named_as_the_module_exports_it(self):
        self.begin()
        reply = self.driver.exec(call(sock("getaddrinfo"), lit("127.0.0.1"),
                                      lit("no-such-service-sockref")))
        raised = reply["outcome"]["raised"]
        self.assertEqual(raised["type"], "socket.gaierror")
        self.assertIn("OSError", raised["mro"])
        self.assertTrue(raised["errno_name"].startswith("EAI_"), raised)

    def test_a_missing_attribute_is_unsupported_not_raised(self):
        self.begin()
        reply = self.driver.exec(call(sock("no_such_function"), lit(1)))
        self.assertEqual(list(reply["outcome"]), ["unsupported"])
        self.assertIn("no_such_function", reply["outcome"]["unsupported"])

    def test_an_unbound_name_raises_name_error(self):
        self.begin()
        reply = self.driver.exec(name("nothing_here"))
        self.assertEqual(reply["outcome"]["raised"]["type"], "NameError")

    def test_assignment_and_unpacking_bind_names(self):
        self.begin()
        reply = self.driver.exec(call(sock("socketpair")), assign=["a", "b"])
        self.assertEqual(len(self.value_of(reply)["tuple"]), 2)
        self.assertEqual(self.value_of(self.driver.exec(method("a", "send", lit(b64(b"hi"))))), 2)
        self.assertEqual(self.value_of(self.driver.exec(method("b", "recv", lit(2)))), b64(b"hi"))
        reply = self.driver.exec(lit({"tuple": [1, 2, 3]}), assign=["x", "y"])
        self.assertEqual(reply["outcome"]["raised"]["type"], "ValueError")
        self.assertEqual(reply["outcome"]["raised"]["str"], "too many values to unpack (expected 2)")

    def test_captures_bind_a_path_into_the_result(self):
        self.begin()
        self.driver.exec(call(sock("socket")), assign=["s"])
        self.driver.exec(method("s", "bind", lit({"tuple": ["127.0.0.1", 0]})))
        reply = self.driver.exec(method("s", "getsockname"), capture={"port": [1], "whole": []})
        host, port = self.value_of(reply)["tuple"]
        self.assertEqual(host, "127.0.0.1")
        self.assertEqual(self.value_of(self.driver.exec(name("port"))), port)
        self.assertEqual(self.value_of(self.driver.exec(name("whole"))), {"tuple": [host, port]})

    def test_a_capture_path_that_does_not_fit_binds_nothing(self):
        self.begin()
        self.driver.exec(lit(5), capture={"n": [0]})
        self.assertEqual(self.driver.exec(name("n"))["outcome"]["raised"]["type"], "NameError")

    def test_background_actions_run_concurrently_and_report_at_end(self):
        self.begin()
        self.driver.exec(call(sock("socketpair")), assign=["a", "b"])
        self.driver.exec(method("a", "settimeout", lit({"float": 5.0})))
        ack = self.driver.exec(method("b", "send", lit(b64(b"x"))), background={"delay": 0.05})
        started_at = ack.pop("started_at")
        self.assertEqual(ack, {"op": "exec", "step": 3, "background": "started"})
        reply = self.driver.exec(method("a", "recv", lit(1)))
        self.assertEqual(self.value_of(reply), b64(b"x"))
        # The delay counts from the request ("started_at" on the driver's clock), so the step
        # it woke ended no sooner than that plus the delay.
        lead = reply["started_at"] - started_at
        self.assertGreaterEqual(lead, 0)
        self.assertGreaterEqual(lead + reply["elapsed"], 0.05)
        end = self.driver.call({"op": "end"})
        self.assertEqual(len(end["background"]), 1)
        self.assertEqual(end["background"][0]["step"], 3)
        self.assertEqual(end["background"][0]["outcome"], {"value": 1})

    def test_every_exec_reply_says_when_its_clock_started(self):
        self.begin()
        before = time.monotonic()
        first = self.driver.exec(lit(1))
        second = self.driver.exec(lit(2))
        # time.monotonic() reads CLOCK_MONOTONIC, one clock for every process of the machine.
        self.assertLessEqual(before, first["started_at"])
        self.assertLessEqual(first["started_at"] + first["elapsed"], second["started_at"])

    def test_an_unwanted_value_is_sent_as_its_type_and_length(self):
        self.begin()
        big = {"binop": ["*", lit(b64(b"x")), lit(10000000)]}
        reply = self.driver.exec(big, assign=["data"], want_value=False)
        self.assertEqual(reply["outcome"], {"value": {"omitted": "bytes", "len": 10000000}})
        self.assertEqual(self.value_of(self.driver.exec(call(name("len"), name("data")))),
                         10000000)
        reply = self.driver.exec(call(sock("socketpair")), assign=["a", "b"], want_value=False)
        self.assertEqual(reply["outcome"], {"value": {"omitted": "tuple", "len": 2}})
        reply = self.driver.exec(name("a"), want_value=False)
        kind = self.value_of(self.driver.exec(name("a")))["object"]  # GreenSocket, socket...
        self.assertEqual(reply["outcome"], {"value": {"omitted": kind, "len": None}})
        reply = self.driver.exec(name("nothing_here"), want_value=False)
        self.assertEqual(reply["outcome"]["raised"]["type"], "NameError")
        self.driver.exec(method("b", "send", lit(b64(b"xy"))), background={"delay": 0},
                         want_value=False)
        end = self.driver.call({"op": "end"})
        self.assertEqual(end["background"][0]["outcome"],
                         {"value": {"omitted": "int", "len": None}})

    def test_a_repr_with_lone_surrogates_is_sent_escaped(self):
        # An AF_UNIX path that is not UTF-8 comes back from the kernel as a str holding a lone
        # surrogate (surrogateescape), which a socket's repr quotes raw. (PyPy's fromfd() of an
        # AF_INET socket as AF_UNIX makes one too.) Strict JSON readers, the runner's among
        # them, reject a lone surrogate escape, so the driver writes it as repr() would.
        # /tmp, as Bazel's TEST_TMPDIR is too long for an AF_UNIX path (108 bytes).
        directory = tempfile.mkdtemp(prefix="sockref-", dir="/tmp")
        self.addCleanup(shutil.rmtree, directory)
        path = os.path.join(directory, "s\udcff")
        self.begin()
        self.driver.exec(call(sock("socket"), sock("AF_UNIX")), assign=["s"])
        # json.dumps writes the lone surrogate as the escape \udcff, which Python reads back.
        self.assertEqual(self.driver.exec(method("s", "bind", lit(path)))["outcome"],
                         {"value": None})
        value = self.value_of(self.driver.exec(name("s")))
        if self.module == "socket":  # green sockets' reprs leave the address out
            self.assertIn("s\\udcff", value["repr"])  # backslash, u, d, c, f, f
        self.assertNotIn(b"\\udcff", self.driver.last_line.replace(b"\\\\udcff", b""),
                         "a lone surrogate escape reached the JSON text")
        self.driver.call({"op": "end"})

    def test_a_background_action_still_running_at_the_deadline_is_unfinished(self):
        self.begin()
        self.driver.exec(call(sock("socketpair")), assign=["a", "b"])
        self.driver.exec(method("a", "recv", lit(1)), background={"delay": 0})
        started = time.monotonic()
        end = self.driver.call({"op": "end", "deadline": 0.2})
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(end["background"], [{"step": 2, "outcome": {"unfinished": True}}])

    def test_end_closes_the_case_objects_and_counts_leaked_descriptors(self):
        self.begin()
        self.driver.exec(call(sock("socketpair")), assign=["a", "b"])
        self.driver.exec(call(sock("socket")))  # never bound to a name
        end = self.driver.call({"op": "end"})
        self.assertEqual(end, {"op": "end", "background": [], "leaked_fds": 0})
        self.begin("test.leak")
        self.driver.exec(call(sock("socket")), assign=["s"])
        self.driver.exec(method("s", "detach"))  # the bare descriptor stays open
        self.assertEqual(self.driver.call({"op": "end"})["leaked_fds"], 1)

    def test_begin_resets_the_default_timeout(self):
        self.begin()
        self.driver.exec(call(sock("setdefaulttimeout"), lit({"float": 2.5})))
        self.assertEqual(self.value_of(self.driver.exec(call(sock("getdefaulttimeout")))),
                         {"float": 2.5})
        self.driver.call({"op": "end"})
        self.begin("test.next")
        self.assertIsNone(self.value_of(self.driver.exec(call(sock("getdefaulttimeout")))))

    def test_begin_starts_a_fresh_namespace(self):
        self.begin()
        self.driver.exec(lit(1), assign=["x"])
        self.driver.call({"op": "end"})
        self.begin("test.next")
        self.assertEqual(self.driver.exec(name("x"))["outcome"]["raised"]["type"], "NameError")

    def test_bad_requests_get_error_replies_and_the_driver_carries_on(self):
        d = self.own_driver()
        d.send_raw("this is not json")
        self.assertIn("error", d.read_reply())
        d.send_raw("[1, 2]")
        self.assertIn("error", d.read_reply())
        self.assertIn("error", d.call({"op": "frobnicate"}))
        self.assertIn("error", d.call({"op": "exec", "step": 1,
                                       "stmt": {"assign": None, "expr": lit(1)}}))
        self.assertIn("error", d.call({"op": "end"}))
        d.call({"op": "begin", "case": "test.bad"})
        for bad in ({"bogus": 1}, {"lit": 1.5}, {"lit": [1]}, {"lit": {"bytes": "!!"}},
                    {"attr": [name("socket")]}, {"binop": ["-", lit(1), lit(2)]}, "text"):
            reply = d.call({"op": "exec", "step": 7, "stmt": {"assign": None, "expr": bad}})
            self.assertIn("error", reply, bad)
            self.assertEqual(reply["step"], 7)
        self.assertIn("error", d.call({"op": "exec", "step": 8, "stmt": {"expr": lit(1),
                                                                          "assign": "x"}}))
        self.assertIn("error", d.call({"op": "exec", "step": 9, "background": {"delay": -1},
                                       "stmt": {"assign": None, "expr": lit(1)}}))
        self.assertEqual(self.value_of(d.exec(lit(3))), 3)
        self.assertEqual(d.call({"op": "hello"})["protocol"], PROTOCOL)

    def test_a_case_after_an_unfinished_background_action_is_unaffected(self):
        self.begin()
        self.driver.exec(call(sock("socketpair")), assign=["a", "b"])
        self.driver.exec(method("a", "recv", lit(1)), background={"delay": 0})
        self.driver.call({"op": "end", "deadline": 0.1})
        self.begin("test.after_unfinished")
        # The new pair likely reuses the old descriptor numbers.
        self.driver.exec(call(sock("socketpair")), assign=["a", "b"])
        self.driver.exec(method("b", "send", lit(b64(b"y"))), background={"delay": 0.02})
        self.assertEqual(self.value_of(self.driver.exec(method("a", "recv", lit(1)))), b64(b"y"))
        self.assertEqual(self.driver.call({"op": "end"})["background"][0]["outcome"], {"value": 1})

    def test_quit_ends_the_driver(self):
        driver = self.own_driver()
        driver.call({"op": "begin", "case": "test.quit"})
        self.assertEqual(driver.call({"op": "quit"}), {"op": "quit"})
        self.assertEqual(driver.proc.wait(10), 0)

    def test_end_of_input_ends_the_driver(self):
        driver = self.own_driver()
        driver.call({"op": "begin", "case": "test.eof"})
        driver.proc.stdin.close()
        self.assertEqual(driver.proc.wait(10), 0)
        driver.proc.stdin = open(os.devnull, "wb")  # for close()


for _name, _interpreter, _module in CONFIGS:
    globals()[_name + "Test"] = type(_name + "Test", (TranscriptTests, unittest.TestCase),
                                     {"interpreter": _interpreter, "module": _module})


# ----------------------------------------------------------------------------------------------
# The example case files, parsed by dump_cases, pass on CPython's socket
# ----------------------------------------------------------------------------------------------

def match_pattern(pattern, value, bindings):
    """A test's own check of a dump_cases pattern against an encoded value. (The runner's
    matcher is MatchOutcome in conformance/runner/matching.h; this one only needs the examples.)"""
    if isinstance(pattern, dict) and "capture" in pattern:
        if pattern["type"] is not None and type_name(value) != pattern["type"]:
            return False
        if pattern["capture"] in bindings:
            return bindings[pattern["capture"]] == value
        bindings[pattern["capture"]] = value
        return True
    if isinstance(pattern, dict) and set(pattern) == {"format"}:
        # An f-string: the text formatted with the values captured so far.
        text = []
        for part in pattern["format"]:
            if isinstance(part, str):
                text.append(part)
                continue
            if part["field"] not in bindings:
                return False
            field = decoded(bindings[part["field"]])
            if part["attribute"] is not None:
                field = field[part["attribute"]]
            text.append(repr(field) if part["conversion"] == "r" else str(field))
        return value == "".join(text)
    if isinstance(pattern, dict) and set(pattern) <= {"tuple", "list"} and len(pattern) == 1:
        (kind, items), = pattern.items()
        if not isinstance(value, dict) or list(value) != [kind] or len(value[kind]) != len(items):
            return False
        return all(match_pattern(p, v, bindings) for p, v in zip(items, value[kind]))
    return pattern == value


def decoded(value):
    """The Python value of an encoded one, enough for str() and repr() of the examples' fields:
    an enum member decodes to a dict with its name and value, and str() of it is the int."""
    if isinstance(value, dict) and "enum" in value:
        class Member(dict):
            def __str__(self):
                return str(self["value"])
        return Member(name=value["name"], value=value["value"])
    if isinstance(value, dict) and set(value) <= {"tuple", "list"} and len(value) == 1:
        (kind, items), = value.items()
        items = [decoded(v) for v in items]
        return tuple(items) if kind == "tuple" else items
    if isinstance(value, dict) and "bytes" in value:
        return base64.b64decode(value["bytes"])
    return value


def type_name(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if value is None:
        return "NoneType"
    if "object" in value:
        return value["object"]
    if "enum" in value:
        return value["enum"]
    return {"int": "int"}.get(next(iter(value)), next(iter(value)))


def matches(expected, outcome, bindings):
    if "value" in expected:
        return "value" in outcome and match_pattern(expected["value"], outcome["value"], bindings)
    want, got = expected["raised"], outcome.get("raised")
    if got is None or got["type"] != want["type"]:
        return False
    if "errno_name" in want:
        aliases = {"EWOULDBLOCK": "EAGAIN", "EOPNOTSUPP": "ENOTSUP", "EDEADLK": "EDEADLOCK"}
        return aliases.get(want["errno_name"], want["errno_name"]) == got["errno_name"]
    return want["str"] == got["str"]


class ExampleCasesPassOnTheOracle(unittest.TestCase):
    def test_every_example_case_passes_on_cpython_socket(self):
        dump_cases = (os.environ.get("SOCKREF_DUMP_CASES") or
                      workspace_path("conformance/report/dump_cases"))
        cases_dir = workspace_path("conformance/cases")
        if dump_cases is None or cases_dir is None:
            self.skipTest("dump_cases is not built (run through bazel test)")
        files = sorted(glob.glob(os.path.join(cases_dir, "example_*.cases")))
        self.assertGreaterEqual(len(files), 3, cases_dir)
        dumped = subprocess.run([dump_cases, "--compact"] + files, check=True,
                                stdout=subprocess.PIPE).stdout.decode()
        cases = [json.loads(line) for line in dumped.splitlines()]
        self.assertGreaterEqual(len(cases), 8)

        multiplier = float(os.environ.get("SOCKREF_TIME_MULTIPLIER", "1"))
        driver = Driver(sys.executable, "socket")
        self.addCleanup(driver.close)
        capabilities = driver.call({"op": "hello", "protocol": PROTOCOL})["capabilities"]
        ran = 0
        for case in cases:
            if not set(case["needs"]) <= set(capabilities):
                continue
            ran += 1
            with self.subTest(case=case["id"]):
                self.assertEqual(driver.call({"op": "begin", "case": case["id"]})["op"], "begin")
                bindings = {}
                pending = []  # (started_at, delay) of each background action
                for number, step in enumerate(case["steps"], 1):
                    request = {"op": "exec", "step": number, "stmt": step["stmt"]}
                    if step["capture"]:
                        request["capture"] = step["capture"]
                    if step["background"]:
                        request["background"] = step["background"]
                        ack = driver.call(request)
                        self.assertEqual(ack["background"], "started")
                        pending.append((ack["started_at"], step["background"]["delay"]))
                        continue
                    reply = driver.call(request)
                    # CASES.md's lead: the head start of a background action still waiting out
                    # its delay as this step began, which a step it wakes is due that much
                    # sooner.
                    lead = max([reply["started_at"] - started for started, delay in pending
                                if reply["started_at"] - started < delay] + [0])
                    where = "%s:%d %s" % (case["file"], step["line"], step["source"])
                    if step["expected"]:
                        self.assertTrue(any(matches(e, reply["outcome"], bindings)
                                            for e in step["expected"]),
                                        "%s: expected %s, got %s" % (where, step["expected"],
                                                                     reply["outcome"]))
                    else:
                        self.assertIn("value", reply["outcome"], where)
                    timing = step["elapsed"]
                    if timing and "about" in timing:
                        t = timing["about"]
                        self.assertGreaterEqual(reply["elapsed"], t - lead - 0.005, where)
                        self.assertLessEqual(reply["elapsed"], t + max(0.05, 0.5 * t) * multiplier,
                                             where)
                    elif timing:
                        self.assertLess(reply["elapsed"], timing["below"] * multiplier, where)
                end = driver.call({"op": "end", "deadline": 10 * multiplier})
                for action in end["background"]:
                    self.assertIn("value", action["outcome"], action)
                self.assertEqual(end["leaked_fds"], 0)
        self.assertGreater(ran, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
