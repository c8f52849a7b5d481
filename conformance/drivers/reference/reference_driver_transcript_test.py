"""Pipes protocol transcripts through the //conformance/drivers/reference:reference_driver program.

ReferenceDriver's own logic is tested in reference_driver_test.cc; this checks what only the
program does: one reply line per request line on stdout and nothing else there, an error reply
for a line that is not JSON, exit status 0 after `quit` or at the end of input, and a step that
closes descriptor 1 cannot corrupt the reply stream.

AgreesWithCPythonTest then runs step sequences through both the program and oracle/driver.py
under this CPython, and requires the same outcome from each: the makefile() file objects,
whose many small behaviours (text decoding, newline modes, what a closed file says) are
easier to hold to CPython itself than to hand-written expectations.
"""

import base64
import json
import os
import subprocess
import sys
import unittest

PROTOCOL = "sockref-driver/1"
TIMEOUT = 20  # seconds for a whole transcript; a hung driver fails the test


def runfile(*parts):
    """A file of the workspace: from Bazel's runfiles, else the source tree or bazel-bin."""
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        path = os.path.join(srcdir, os.environ.get("TEST_WORKSPACE", "sockref"), *parts)
        if os.path.exists(path):
            return path
    # This file is conformance/drivers/<driver>/: the workspace is four levels up.
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    for base in (root, os.path.join(root, "bazel-bin")):
        if os.path.exists(os.path.join(base, *parts)):
            return os.path.join(base, *parts)
    return os.path.join(root, "bazel-bin", *parts)


def driver_path():
    return runfile("conformance/drivers/reference", "reference_driver")


def lit(v):
    return {"lit": v}


def sock(name):
    return {"attr": [{"name": "socket"}, name]}


def call(f, *args, **kwargs):
    return {"call": f, "args": list(args), "kwargs": kwargs}


def method(obj, name, *args, **kwargs):
    return call({"attr": [{"name": obj}, name]}, *args, **kwargs)


def attr(obj, name):
    return {"attr": [{"name": obj}, name]}


def exec_(step, expr, assign=None, **extra):
    message = {"op": "exec", "step": step, "stmt": {"assign": assign, "expr": expr}}
    message.update(extra)
    return json.dumps(message)


def b64(data):
    return {"bytes": base64.b64encode(data).decode("ascii")}


def run(lines):
    """Runs the driver on `lines` (text, one request each) and returns (replies, process)."""
    proc = subprocess.run([driver_path()], input="".join(line + "\n" for line in lines),
                          capture_output=True, text=True, timeout=TIMEOUT)
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    return replies, proc


class TranscriptTest(unittest.TestCase):

    def test_a_whole_case_round_trips(self):
        replies, proc = run([
            json.dumps({"op": "hello", "protocol": PROTOCOL}),
            json.dumps({"op": "begin", "case": "transcript.case"}),
            exec_(1, call(sock("socketpair")), assign=["a", "b"]),
            exec_(2, method("a", "settimeout", lit({"float": 5.0}))),
            exec_(3, method("b", "send", lit(b64(b"x"))), background={"delay": 0.02}),
            exec_(4, method("a", "recv", lit(1))),
            exec_(5, call(sock("inet_aton"), lit("1.2.3.256"))),
            exec_(6, sock("no_such_name")),
            json.dumps({"op": "end"}),
            json.dumps({"op": "quit"}),
        ])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(replies), 10, proc.stdout)
        hello = replies[0]
        self.assertEqual(hello["op"], "hello")
        self.assertEqual(hello["protocol"], PROTOCOL)
        self.assertEqual(hello["implementation"], "sockref")
        self.assertTrue(os.path.isabs(hello["interpreter"]), hello)
        self.assertIn("AF_UNIX", hello["capabilities"])
        self.assertEqual(replies[1], {"op": "begin", "case": "transcript.case"})
        self.assertEqual(replies[2]["outcome"]["value"]["tuple"][0]["object"], "socket")
        self.assertEqual(replies[3]["outcome"], {"value": None})
        self.assertIsInstance(replies[4].pop("started_at"), float)
        self.assertEqual(replies[4], {"op": "exec", "step": 3, "background": "started"})
        self.assertEqual(replies[5]["outcome"], {"value": b64(b"x")})
        self.assertEqual(replies[6]["outcome"], {"raised": {
            "type": "OSError", "mro": ["OSError", "Exception", "BaseException", "object"],
            "errno": None, "errno_name": None,
            "str": "illegal IP address string passed to inet_aton"}})
        self.assertEqual(replies[7]["outcome"],
                         {"unsupported": "module 'socket' has no attribute 'no_such_name'"})
        end = replies[8]
        self.assertEqual(end["op"], "end")
        self.assertEqual([b["step"] for b in end["background"]], [3])
        self.assertEqual(end["background"][0]["outcome"], {"value": 1})
        self.assertEqual(end["leaked_fds"], 0)
        self.assertEqual(replies[9], {"op": "quit"})

    def test_garbage_gets_an_error_reply_and_the_driver_goes_on(self):
        replies, proc = run([
            "this is not json",
            "[1, 2]",
            "",
            json.dumps({"op": "exec", "step": 1, "stmt": {"assign": None, "expr": lit(1)}}),
            json.dumps({"op": "begin", "case": "after.garbage"}),
            exec_(1, {"bogus": 1}),
            exec_(2, call(sock("htons"), lit(-1))),
            json.dumps({"op": "quit"}),
        ])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(replies), 7, proc.stdout)  # the blank line gets no reply
        self.assertIn("not a JSON line", replies[0]["error"])
        self.assertEqual(replies[1], {"error": "a request is a JSON object"})
        self.assertEqual(replies[2]["op"], "exec")
        self.assertEqual(replies[2]["step"], 1)
        self.assertIn("outside a case", replies[2]["error"])
        self.assertEqual(replies[4], {"op": "exec", "step": 1,
                                      "error": 'unknown expression "bogus"'})
        self.assertEqual(replies[5]["outcome"]["raised"]["type"], "OverflowError")
        self.assertEqual(replies[6], {"op": "quit"})

    def test_end_of_input_ends_the_open_case_and_exits_cleanly(self):
        replies, proc = run([
            json.dumps({"op": "begin", "case": "eof.case"}),
            exec_(1, call(sock("socket")), assign=["s"]),
        ])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(replies), 2, proc.stdout)

    def test_closing_descriptor_one_does_not_corrupt_the_replies(self):
        replies, proc = run([
            json.dumps({"op": "begin", "case": "stdout.closed"}),
            exec_(1, call(sock("close"), lit(1))),
            exec_(2, call(sock("inet_ntoa"), lit(b64(b"\x7f\x00\x00\x01")))),
            json.dumps({"op": "quit"}),
        ])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(replies[1]["outcome"], {"value": None})
        self.assertEqual(replies[2]["outcome"], {"value": "127.0.0.1"})
        self.assertEqual(replies[3], {"op": "quit"})


# ----------------------------------------------------------------------------------------------
# The same steps on the reference driver and on CPython's
# ----------------------------------------------------------------------------------------------

class Conversation:
    """A driver process spoken to one request at a time."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.call({"op": "hello", "protocol": PROTOCOL})

    def call(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("%s closed its stdout" % self.proc.args[0])
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(TIMEOUT)
        self.proc.stdout.close()


def comparable(outcome):
    """An outcome as SameOutcome compares them: objects by type, unsupported without wording."""
    if isinstance(outcome, dict):
        if set(outcome) == {"object", "repr"}:
            return {"object": outcome["object"]}
        if "unsupported" in outcome:
            return {"unsupported": True}
        return {k: comparable(v) for k, v in outcome.items()}
    if isinstance(outcome, list):
        return [comparable(v) for v in outcome]
    return outcome


PAIR = (["a", "b"], call(sock("socketpair")))


def step(expr, assign=None):
    return (assign, expr)


def shut(obj):
    return step(method(obj, "shutdown", sock("SHUT_WR")))


# Every step returns at once: data is sent before it is read, and the peer shuts its side down
# before a read to the end, so no step blocks (except the timeout ones, 50 ms each).
NEWLINE_STEPS = []
for _newline in (None, "", "\n", "\r", "\r\n"):
    NEWLINE_STEPS += [
        step(call(sock("socketpair")), ["c", "d"]),
        step(method("d", "makefile", newline=lit(_newline)), ["t"]),
        step(method("c", "sendall", lit(b64(b"a\rb\r\nc\nd\r")))),
        step(method("c", "sendall", lit(b64(b"\ne\r")))),
        shut("c"),
    ] + [step(method("t", "readline")) for _ in range(6)] + [
        step(attr("t", "newlines")),
        step(call(sock("socketpair")), ["e", "g"]),
        step(method("e", "makefile", lit("w"), newline=lit(_newline)), ["u"]),
        step(method("u", "write", lit("x\ny\r\n"))),
        step(method("u", "flush")),
        step(method("g", "recv", lit(100))),
    ] + [step(method(o, "close")) for o in ("t", "u", "c", "d", "e", "g")]

BIG = 2 ** 70  # beyond any C integer, within what the reference driver holds

CASES = {
    "text_reading": [
        PAIR,
        step(method("b", "makefile"), ["r"]),
        step(attr("r", "mode")), step(attr("r", "encoding")), step(attr("r", "errors")),
        step(attr("r", "newlines")), step(attr("r", "closed")), step(attr("r", "name")),
        step(method("a", "sendall", lit(b64("caf\u00e9\nsecond line\nthird".encode())))),
        step(method("r", "readline")), step(method("r", "read", lit(3))),
        step(method("r", "readline", lit(2))), step(method("r", "readline")),
        shut("a"),
        step(method("r", "readline")), step(method("r", "readline")), step(method("r", "read")),
        step(method("r", "readable")), step(method("r", "writable")),
        step(method("r", "write", lit("x"))), step(method("r", "flush")),
        step(method("r", "fileno")),
        step(method("r", "read", lit("x"))), step(method("r", "readline", lit("x"))),
        step(method("r", "readline", lit(None))), step(method("r", "read", lit({"float": 1.5}))),
        step(method("r", "read", lit({"int": str(BIG)}))),
        step(method("r", "readline", lit({"int": str(BIG)}))),
        step(method("r", "read", size=lit(1))), step(method("r", "read", lit(1), lit(2))),
    ],
    "text_reading_split_characters": [
        PAIR,
        step(method("b", "makefile"), ["r"]),
        step(method("a", "sendall", lit(b64("h\u00e9llo w\u00f6rld\n".encode())))),
        step(method("r", "read", lit(3))), step(method("r", "readline", lit(2))),
        step(method("r", "readline", lit(-1))),
        step(method("a", "sendall", lit(b64(b"\xe2")))),
        step(method("a", "sendall", lit(b64(b"\x82")))),
        step(method("a", "sendall", lit(b64(b"\xac\n")))),
        step(method("r", "readline")),
        step(method("a", "sendall", lit(b64(b"\xc3")))),
        step(method("a", "sendall", lit(b64(b"\xa9x")))),
        shut("a"),
        step(method("r", "read", lit(1))), step(method("r", "read")), step(method("r", "read")),
        step(method("r", "readline")), step(method("r", "read", lit(0))),
    ],
    "text_decoding_errors": [
        PAIR,
        step(method("b", "makefile"), ["r"]),
        step(method("a", "sendall", lit(b64(b"\xff\n")))), step(method("r", "readline")),
        step(method("a", "sendall", lit(b64(b"ok\n")))), step(method("r", "readline")),
        step(method("a", "sendall", lit(b64(b"\xed\xa0")))),
        step(method("a", "sendall", lit(b64(b"\x80\n")))),
        step(method("r", "readline")),
        step(method("a", "sendall", lit(b64(b"ab\xe2\x82")))), shut("a"),
        step(method("r", "readline")), step(method("r", "readline")),
        step(method("b", "makefile", errors=lit("replace")), ["replace"]),
        step(method("b", "makefile", encoding=lit("ascii"), errors=lit("bogus")), ["bogus"]),
        step(call(sock("socketpair")), ["c", "d"]),
        step(method("d", "makefile", errors=lit("replace")), ["replace"]),
        step(method("d", "makefile", encoding=lit("ascii")), ["ascii"]),
        step(method("d", "makefile", encoding=lit("ascii"), errors=lit("bogus")), ["bogus"]),
        step(method("d", "makefile", encoding=lit("iso-8859-1")), ["latin"]),
        step(method("c", "sendall", lit(b64(b"a\xffb\xe2\x82\nc\n")))),
        step(method("replace", "readline")),
        step(method("c", "sendall", lit(b64(b"a\xffb\n")))), step(method("ascii", "readline")),
        step(method("c", "sendall", lit(b64(b"a\xffb\n")))), step(method("bogus", "readline")),
        step(method("c", "sendall", lit(b64(b"\xe9\xff\n")))), step(method("latin", "readline")),
    ],
    "text_writing": [
        PAIR,
        step(method("a", "makefile", lit("w"), encoding=lit("latin-1")), ["w"]),
        step(method("w", "write", lit("caf\u00e9\n"))), step(method("w", "flush")),
        step(method("b", "recv", lit(10))),
        step(method("w", "write", lit("a\u20ac\u20acb"))),
        step(method("w", "write", lit("\U0001f600"))),
        step(method("w", "write", lit(1))), step(method("w", "write")),
        step(method("w", "write", lit("x"), lit("y"))), step(method("w", "write", text=lit("x"))),
        step(method("w", "read")), step(method("w", "readline")),
        step(method("w", "readable")), step(method("w", "writable")),
        step(method("w", "write", lit("pending"))), step(method("w", "close")),
        step(method("b", "recv", lit(100))),
        step(method("w", "write", lit("x"))), step(method("w", "writable")),
        step(method("w", "readable")), step(method("w", "flush")),
    ],
    "text_write_buffering": [
        PAIR,
        step(method("a", "makefile", lit("w")), ["w"]),
        step(method("b", "setblocking", lit(False))),
        step(method("w", "write", lit("x" * 5000))), step(method("b", "recv", lit(100000))),
        step(method("w", "write", lit("y" * 5000))), step(method("b", "recv", lit(100000))),
        step(method("w", "write", lit("z" * 5000))),
        step(call({"name": "len"}, method("b", "recv", lit(100000)))),
        step(method("w", "write", lit("\u00e9" * 5000))),
        step(call({"name": "len"}, method("b", "recv", lit(100000)))),
        step(method("w", "flush")),
        step(call({"name": "len"}, method("b", "recv", lit(100000)))),
        step(method("w", "close")),
    ],
    "text_read_write_pair": [
        PAIR,
        step(method("a", "makefile", lit("rw")), ["rw"]),
        step(attr("rw", "mode")),
        step(method("b", "sendall", lit(b64(b"one\ntwo\n")))),
        step(method("rw", "readline")),
        step(method("rw", "write", lit("x"))),  # discards "two\n", read ahead and decoded
        step(method("a", "settimeout", lit({"float": 0.05}))),
        step(method("rw", "readline")),
        step(method("rw", "flush")), step(method("b", "recv", lit(10))),
        step(method("rw", "fileno")), step(method("rw", "close")),
        step(method("rw", "fileno")), step(method("rw", "readable")),
    ],
    "text_makefile_arguments": [
        PAIR,
        step(method("a", "makefile", lit("r"), encoding=lit(5))),
        step(method("a", "makefile", lit("r"), errors=lit(5))),
        step(method("a", "makefile", lit("r"), newline=lit(5))),
        step(method("a", "makefile", lit("r"), newline=lit("x"))),
        step(method("a", "makefile", lit("r"), encoding=lit("utf\0"))),
        step(method("a", "makefile", lit("r"), newline=lit("\0"))),
        step(method("a", "makefile", lit("r"), errors=lit(5), newline=lit("x"))),
        step(method("a", "makefile", lit("r"), encoding=lit(5), errors=lit(5))),
        step(method("a", "makefile", lit("r"), lit(0))),
        step(method("a", "makefile", lit("rb"), encoding=lit(5))),
        step({"attr": [method("a", "makefile", encoding=lit("LATIN-1")), "encoding"]}),
        step({"attr": [method("a", "makefile", lit("wr")), "mode"]}),
        step({"attr": [method("a", "makefile", lit("")), "mode"]}),
        step(method("a", "sendfile", method("a", "makefile", lit("r")))),
        step(method("a", "sendfile", method("a", "makefile", lit("rw")))),
    ],
    "text_newline_modes": NEWLINE_STEPS,
    "text_timeout": [
        PAIR,
        step(method("b", "settimeout", lit({"float": 0.05}))),
        step(method("b", "makefile"), ["r"]),
        step(method("r", "readline")),
        step(method("a", "sendall", lit(b64(b"x\n")))),
        step(method("r", "readline")), step(method("r", "read", lit(1))),
    ],
    "text_file_outlives_close_of_its_socket": [
        PAIR,
        step(method("b", "makefile"), ["r"]),
        step(method("a", "sendall", lit(b64(b"x\ny\n")))), step(method("b", "close")),
        step(method("r", "readline")), step(method("r", "readline")),
        step(method("r", "close")), step(method("b", "fileno")),
    ],
    "binary_files_once_closed": [
        PAIR,
        step(method("b", "makefile", lit("rb")), ["r"]),
        step(method("a", "makefile", lit("wb")), ["w"]),
        step(method("a", "makefile", lit("rwb")), ["p"]),
        step(method("a", "sendall", lit(b64(b"l1\nl2\n")))),
        step(method("r", "readline")),
        step(method("r", "close")), step(method("w", "close")), step(method("p", "close")),
    ] + [step(method(f, op, *args))
         for f in ("r", "w", "p")
         for op, args in (("read", [lit(1)]), ("read", [lit(0)]), ("read", []),
                          ("readline", []), ("write", [lit(b64(b"x"))]), ("flush", []),
                          ("fileno", []), ("readable", []), ("writable", []), ("close", []))] + [
        step(method("r", "read", lit({"int": str(BIG)}))),
        step(method("r", "readline", lit({"int": str(BIG)}))),
    ],
}


class AgreesWithCPythonTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.reference = Conversation([driver_path()])
        cls.cpython = Conversation([sys.executable, runfile("conformance/drivers/oracle", "driver.py")])

    @classmethod
    def tearDownClass(cls):
        cls.reference.close()
        cls.cpython.close()

    def check(self, name):
        for d in (self.reference, self.cpython):
            d.call({"op": "begin", "case": "agree." + name})
        for number, (assign, expr) in enumerate(CASES[name], 1):
            request = {"op": "exec", "step": number, "stmt": {"assign": assign, "expr": expr}}
            ours, theirs = self.reference.call(request), self.cpython.call(request)
            self.assertEqual(comparable(ours.get("outcome", ours)),
                             comparable(theirs.get("outcome", theirs)),
                             "step %d: %s" % (number, json.dumps(expr)))
        ends = [d.call({"op": "end"}) for d in (self.reference, self.cpython)]
        self.assertEqual(ends[0]["leaked_fds"], ends[1]["leaked_fds"])


for _name in CASES:
    setattr(AgreesWithCPythonTest, "test_" + _name,
            lambda self, name=_name: self.check(name))


if __name__ == "__main__":
    unittest.main()
