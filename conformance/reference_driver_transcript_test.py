"""Pipes protocol transcripts through the //conformance:reference_driver program.

ReferenceDriver's own logic is tested in reference_driver_test.cc; this checks what only the
program does: one reply line per request line on stdout and nothing else there, an error reply
for a line that is not JSON, exit status 0 after `quit` or at the end of input, and a step that
closes descriptor 1 cannot corrupt the reply stream.
"""

import base64
import json
import os
import subprocess
import unittest

PROTOCOL = "sockref-driver/1"
TIMEOUT = 20  # seconds for a whole transcript; a hung driver fails the test


def driver_path():
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        path = os.path.join(srcdir, os.environ.get("TEST_WORKSPACE", "sockref"),
                            "conformance", "reference_driver")
        if os.path.exists(path):
            return path
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, "bazel-bin", "conformance", "reference_driver")


def lit(v):
    return {"lit": v}


def sock(name):
    return {"attr": [{"name": "socket"}, name]}


def call(f, *args):
    return {"call": f, "args": list(args), "kwargs": {}}


def method(obj, name, *args):
    return call({"attr": [{"name": obj}, name]}, *args)


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


if __name__ == "__main__":
    unittest.main()
