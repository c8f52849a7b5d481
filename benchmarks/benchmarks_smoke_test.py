"""benchmarks_smoke_test: every workload runs, and both programs run the same ones.

Runs socket_benchmark and cpython_bench.py over every workload for a moment
(--benchmark_min_time=0.001: at least one message each, including the 1 MiB
ones with a peer thread) and checks that none reports an error, that each moved
bytes, and that CPython's workload names are the C++ ones with impl:cpython:
the report pairs them by name.
"""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402

BINARY = os.path.join(HERE, "socket_benchmark")
OPT_BINARY = os.path.join(HERE, "socket_benchmark_opt")  # what `bazel run -c opt` builds
# README.md's "Running the benchmarks by hand", run as the reader types them (a few seconds).
README_FILTER = "--benchmark_filter=BM_SendRecvUnix/.*/size:64/"
README_FIXED = ["--workload=BM_SendRecvUnix/impl:sockref/mode:timeout/size:64", "--iterations=200"]
CPYTHON = [sys.executable, os.path.join(HERE, "cpython_bench.py")]


def run_all(program):
    report = measure.run_benchmarks(program, ".", 0.001)
    return report["benchmarks"]


class SmokeTest(unittest.TestCase):

    def check(self, benchmarks, impls):
        self.assertTrue(benchmarks)
        for b in benchmarks:
            with self.subTest(b["name"]):
                self.assertFalse(b.get("error_occurred"), b.get("error_message"))
                self.assertGreater(b["iterations"], 0)
                self.assertGreater(b["bytes_per_second"], 0)
                self.assertGreater(b["items_per_second"], 0)
                self.assertIn(measure.parse_name(b["name"])["impl"], impls)
                self.assertTrue(b["name"].endswith("/real_time"), b["name"])

    def test_every_cpp_workload_moves_its_messages(self):
        benchmarks = run_all(BINARY)
        self.check(benchmarks, {"raw", "sockref"})
        for b in benchmarks:
            # Ready data never needs a poll: at least one call per half message.
            self.assertGreaterEqual(b["syscalls_per_op"], 2, b["name"])

    def test_every_cpython_workload_moves_its_messages(self):
        self.check(run_all(CPYTHON), {"cpython"})

    def test_cpython_runs_the_same_workloads_as_sockref(self):
        cpp = measure.run_lines([BINARY, "--list_workloads"])
        py = measure.run_lines(CPYTHON + ["--list_workloads"])
        sockref = [n for n in cpp if "/impl:sockref/" in n]
        self.assertEqual([measure.with_impl(n, "cpython") for n in sockref], py)
        self.assertEqual([measure.with_impl(n, "raw") for n in sockref],
                         [n for n in cpp if "/impl:raw/" in n])

    def test_each_raw_workload_runs_just_before_its_sockref_twin(self):
        cpp = measure.run_lines([BINARY, "--list_workloads"])
        for raw, mine in zip(cpp[::2], cpp[1::2]):
            self.assertEqual(measure.with_impl(raw, "sockref"), mine)

    def test_an_unknown_workload_is_an_error(self):
        for program in ([BINARY], CPYTHON):
            proc = subprocess.run(program + ["--workload=BM_NoSuchThing/impl:raw/size:1"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn("no workload named", proc.stderr)



class ReadmeCommandsTest(unittest.TestCase):
    """The README's commands by hand: each runs the 64-byte AF_UNIX send/recv pairs it names."""

    def run_ok(self, command):
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_the_benchmark_with_the_readmes_filter(self):
        out = self.run_ok([OPT_BINARY, README_FILTER])
        for impl in ("raw", "sockref"):
            for mode in ("blocking", "timeout"):
                self.assertIn(f"BM_SendRecvUnix/impl:{impl}/mode:{mode}/size:64/", out)
        self.assertNotIn("size:65536", out)

    def test_cpython_bench_with_the_readmes_filter(self):
        out = self.run_ok(CPYTHON + [README_FILTER])
        for mode in ("blocking", "timeout"):
            self.assertIn(f"BM_SendRecvUnix/impl:cpython/mode:{mode}/size:64/", out)
        self.assertNotIn("impl:raw", out)

    def test_the_fixed_iteration_mode_for_tracers(self):
        result = json.loads(self.run_ok([OPT_BINARY] + README_FIXED))
        self.assertEqual(result["iterations"], 200)
        self.assertEqual(result["bytes"], 200 * 64)
        self.assertTrue(result["build"]["optimized"], result["build"])


if __name__ == "__main__":
    unittest.main()
