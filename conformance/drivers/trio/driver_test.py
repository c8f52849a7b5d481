"""Tests of trio/driver.py: transcripts piped through the real driver under Debian's python3.

What is specific to an asynchronous driver: async methods are awaited, a background task wakes
a foreground step, background tasks run while the driver waits for its next request, a task
still blocked at `end` is cancelled (not leaked into the next case), and the missing timeout
API is `unsupported`. The protocol itself is the kit's, tested in //conformance/drivers/kit.
"""

import json
import os
import selectors
import subprocess
import time
import unittest

PYTHON = "/usr/bin/python3"  # the interpreter the registry runs it with: Debian's, with trio
REPLY_TIMEOUT = 20.0  # seconds; a hung driver fails the test instead of hanging it
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "driver.py")


def trio_installed():
    return os.path.exists(PYTHON) and subprocess.run(
        [PYTHON, "-c", "import trio"], stderr=subprocess.DEVNULL).returncode == 0


def sock(a):
    return {"attr": [{"name": "socket"}, a]}


def call(f, *args):
    return {"call": f, "args": list(args), "kwargs": {}}


def method(obj, m, *args):
    return call({"attr": [{"name": obj}, m]}, *args)


X = {"lit": {"bytes": "eA=="}}  # b"x"


class Driver:
    def __init__(self):
        self.proc = subprocess.Popen([PYTHON, DRIVER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buffer = b""

    def send(self, message):
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def reply(self):
        deadline = time.monotonic() + REPLY_TIMEOUT
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise AssertionError("no reply within %.0f s" % REPLY_TIMEOUT)
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError("driver died: " + self.proc.stderr.read().decode())
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def call(self, message):
        self.send(message)
        return self.reply()

    def exec(self, step, expr, assign=None, **extra):
        message = {"op": "exec", "step": step, "stmt": {"assign": assign, "expr": expr}}
        message.update(extra)
        return self.call(message)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)
        self.proc.stdout.close()
        self.proc.stderr.close()


@unittest.skipUnless(trio_installed(), "Debian's python3-trio is not installed")
class TrioDriverTest(unittest.TestCase):
    def setUp(self):
        self.driver = Driver()
        self.addCleanup(self.driver.close)
        self.hello = self.driver.call({"op": "hello", "protocol": "sockref-driver/1"})
        self.driver.call({"op": "begin", "case": "test.case"})

    def test_hello_names_trio(self):
        self.assertEqual(self.hello["module"], "trio.socket")
        self.assertEqual(self.hello["concurrency"], "trio")
        self.assertRegex(self.hello["python_version"], r"^3\.\d+$")
        self.assertIn("AF_UNIX", self.hello["capabilities"])

    def test_async_methods_are_awaited_and_a_task_wakes_the_foreground(self):
        d = self.driver
        d.exec(1, call(sock("socketpair")), ["a", "b"])
        d.exec(2, method("b", "send", X), background={"delay": 0.05})
        reply = d.exec(3, method("a", "recv", {"lit": 1}))
        self.assertEqual(reply["outcome"], {"value": {"bytes": "eA=="}})
        self.assertGreater(reply["elapsed"], 0.02)  # the recv really waited for the task
        end = d.call({"op": "end"})
        self.assertEqual(end["background"][0]["outcome"], {"value": 1})
        self.assertEqual(end["leaked_fds"], 0)

    def test_tasks_run_while_the_driver_waits_for_a_request(self):
        d = self.driver
        d.exec(1, call(sock("socketpair")), ["a", "b"])
        d.exec(2, method("b", "send", X), background={"delay": 0})
        time.sleep(0.3)  # no request: only a cooperative stdin read lets the task run
        end = d.call({"op": "end", "deadline": 0})
        self.assertEqual(end["background"][0]["outcome"], {"value": 1})

    def test_a_task_blocked_at_end_is_cancelled_and_the_next_case_is_clean(self):
        d = self.driver
        d.exec(1, call(sock("socketpair")), ["a", "b"])
        d.exec(2, method("a", "recv", {"lit": 1}), background={"delay": 0})
        end = d.call({"op": "end", "deadline": 0.1})
        self.assertEqual(end["background"], [{"step": 2, "outcome": {"unfinished": True}}])
        self.assertEqual(end["leaked_fds"], 0)
        d.call({"op": "begin", "case": "test.next"})
        d.exec(1, call(sock("socketpair")), ["a", "b"])
        d.exec(2, method("b", "send", X), background={"delay": 0.02})
        self.assertEqual(d.exec(3, method("a", "recv", {"lit": 1}))["outcome"],
                         {"value": {"bytes": "eA=="}})

    def test_the_missing_timeout_api_is_unsupported(self):
        d = self.driver
        d.exec(1, call(sock("socket")), ["s"])
        outcome = d.exec(2, method("s", "settimeout", {"lit": {"float": 0.1}}))["outcome"]
        self.assertEqual(list(outcome), ["unsupported"])
        self.assertIn("settimeout", outcome["unsupported"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
