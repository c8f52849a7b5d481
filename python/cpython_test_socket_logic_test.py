"""Tests the comparison's verdicts (cpython_test_socket.find_problems) on made-up runs: an
unlisted difference, a stale entry, a pass rate under the minimum and a cut-off run must each
fail the comparison, and listed differences alone must not."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cpython_test_socket as cts  # noqa: E402


def run(label, **outcomes):
    r = cts.Run(label)
    r.results = {name.replace("__", "."): (outcome, "") for name, outcome in outcomes.items()}
    return r


class FindProblemsTest(unittest.TestCase):
    def test_listed_differences_are_no_problem(self):
        stock = run("stock", A__a="pass", A__b="skip")
        ours = run("sockref", A__a="pass", A__b="error")
        problems, kept, passing = cts.find_problems(stock, ours, {"A.b": "why"}, 0.95, "list")
        self.assertEqual(problems, [])
        self.assertEqual((kept, passing), (1, 1))

    def test_unlisted_difference_is_a_problem(self):
        stock = run("stock", A__a="pass", A__b="pass")
        ours = run("sockref", A__a="pass", A__b="fail")
        problems, _, _ = cts.find_problems(stock, ours, {}, 0.0, "list")
        self.assertEqual(len(problems), 1)
        self.assertIn("not listed", problems[0])
        self.assertIn("A.b", problems[0])

    def test_stale_entry_is_a_problem(self):
        stock = run("stock", A__a="pass")
        ours = run("sockref", A__a="pass")
        problems, _, _ = cts.find_problems(stock, ours, {"A.a": "was broken"}, 0.95, "list")
        self.assertEqual(len(problems), 1)
        self.assertIn("stale", problems[0])

    def test_pass_rate_below_minimum_is_a_problem_even_when_listed(self):
        stock = run("stock", A__a="pass", A__b="pass")
        ours = run("sockref", A__a="pass", A__b="fail")
        problems, kept, passing = cts.find_problems(stock, ours, {"A.b": "known"}, 0.95, "list")
        self.assertEqual((kept, passing), (1, 2))
        self.assertEqual(len(problems), 1)
        self.assertIn("below 95%", problems[0])

    def test_incomplete_run_is_a_problem(self):
        stock = run("stock", A__a="pass")
        ours = run("sockref", A__a="pass")
        ours.note = "cut off after 300 s"
        problems, _, _ = cts.find_problems(stock, ours, {}, 0.95, "list")
        self.assertEqual(len(problems), 1)
        self.assertIn("incomplete", problems[0])


class ReadListingTest(unittest.TestCase):
    def test_entry_without_reason_is_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("# comment\nA.a  # a reason\nA.b\n")
        try:
            with self.assertRaises(SystemExit):
                cts.read_listing(f.name)
        finally:
            os.unlink(f.name)

    def test_entries_and_reasons(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n# comment\nA.a  # first reason\nB  # second\n")
        try:
            self.assertEqual(cts.read_listing(f.name), {"A.a": "first reason", "B": "second"})
        finally:
            os.unlink(f.name)


class HeaderTest(unittest.TestCase):
    def test_header_tells_the_two_modules_apart_by_file(self):
        # Both runs' modules are named _socket: only the file they came from differs.
        stock = run("stock CPython")
        stock.info = {"module": "_socket", "python": "3.11.2",
                      "file": "/usr/lib/python3.11/lib-dynload/_socket.cpython-311-x86_64-linux-gnu.so"}
        ours = run("sockref")
        ours.info = {"module": "_socket", "python": "3.11.2", "file": "/x/python/_sockref_socket.so"}
        self.assertEqual(
            cts.header_line("/usr/bin/python3", stock, ours),
            "CPython's test_socket.py under /usr/bin/python3 (Python 3.11.2): stock _socket "
            "(_socket.cpython-311-x86_64-linux-gnu.so) vs sockref _socket (_sockref_socket.so)")

    def test_built_in_module_has_no_file(self):
        stock = run("stock CPython")
        stock.info = {"module": "_socket", "file": "built-in"}
        self.assertEqual(cts.module_name(stock), "_socket (built-in)")


if __name__ == "__main__":
    unittest.main()
