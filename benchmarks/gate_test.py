"""gate_test: the performance gate fails on injected regressions and passes unchanged code.

Runs gate.py exactly as CI does (its short form, as a subprocess) on three builds
of socket_benchmark, all with -c opt:

  * unchanged: must pass five runs out of five (the deterministic signals must be
    exactly reproducible and the wall-clock check must not cry wolf);
  * SOCKREF_BENCH_INJECT=extra_poll (a poll(2) before every sockref receive):
    must fail on system calls per message, in both regimes of timeout mode (data
    ready, and data not ready: the echo workloads);
  * SOCKREF_BENCH_INJECT=extra_copy (every message copied before sending): must
    fail on instructions per message;
  * SOCKREF_BENCH_INJECT=zero_fill (a buffer of the requested size allocated and
    zero-filled before every sockref recv(), what a recv() that fills its result
    before the kernel writes it costs): must fail on instructions per message on
    every workload that calls recv(), and on nothing else.

It also checks that the benchmarks' in-process syscalls_per_op counter agrees
with the kernel-boundary count of valgrind (and of strace, when installed).

Skipped when the binaries are not built the way the baseline was (a sanitizer
configuration, another compiler): their instruction counts are not comparable.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gate  # noqa: E402
import measure  # noqa: E402

GATE = os.path.join(HERE, "gate.py")
BASELINE = os.path.join(HERE, "baseline.json")
UNCHANGED = os.path.join(HERE, "socket_benchmark_opt")
EXTRA_POLL = os.path.join(HERE, "socket_benchmark_inject_extra_poll_opt")
EXTRA_COPY = os.path.join(HERE, "socket_benchmark_inject_extra_copy_opt")
ZERO_FILL = os.path.join(HERE, "socket_benchmark_inject_zero_fill_opt")
# Echo workloads: one round trip is two receives (one per thread); a peer's
# first wait may start just before the trace's first marker.
ECHO_TOLERANCE = 0.01


def receives_per_message(name):
    return 2 if gate.is_echo(name) else 1


def calls_recv(name):
    """Whether the workload receives with recv() (what zero_fill touches)."""
    return measure.parse_name(name)["api"] in ("SendRecv", "SendRecvEcho")
TMP = os.environ.get("TEST_TMPDIR", tempfile.gettempdir())


def run_gate(binary, *args):
    """Runs the gate's short form on `binary`; returns (exit status, output, verdict JSON)."""
    fd, verdict_path = tempfile.mkstemp(suffix=".json", dir=TMP)
    os.close(fd)
    proc = subprocess.run(
        [sys.executable, GATE, f"--binary={binary}", f"--baseline={BASELINE}",
         f"--json_out={verdict_path}", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    verdict = None
    if os.path.getsize(verdict_path):
        with open(verdict_path) as f:
            verdict = json.load(f)
    os.unlink(verdict_path)
    return proc.returncode, proc.stdout, verdict


class GateTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("valgrind"):
            raise AssertionError("valgrind is required (ci/setup.sh installs it)")
        with open(BASELINE) as f:
            recorded = json.load(f)["build"]
        built = gate.comparable_build(measure.build_info(UNCHANGED))
        if built != recorded:
            raise unittest.SkipTest(f"binaries built as {built}, baseline recorded as "
                                    f"{recorded}: instruction counts are not comparable")

    def test_unchanged_code_passes_five_runs_out_of_five(self):
        for run in range(5):
            status, output, verdict = run_gate(UNCHANGED)
            self.assertEqual(status, 0, f"run {run + 1} of 5 failed:\n{output}")
            self.assertTrue(verdict["pass"])
            self.assertEqual(verdict["inject"], "none")

    def test_an_extra_poll_per_receive_fails_on_syscalls_per_message(self):
        status, output, verdict = run_gate(EXTRA_POLL)
        self.assertEqual(status, 1, output)
        self.assertEqual(verdict["inject"], "extra_poll")
        with open(BASELINE) as f:
            baseline = json.load(f)["workloads"]
        for name in gate.SHORT_WORKLOADS:
            self.assertTrue(
                any(r.startswith(f"{name}: syscalls/op") for r in verdict["regressions"]),
                f"{name} not flagged on syscalls/op:\n{output}")
            # Exactly one more call per receive, the injected poll.
            got = verdict["measured"][name]["syscalls_per_op"]
            want = baseline[name]["syscalls_per_op"] + receives_per_message(name)
            self.assertAlmostEqual(got, want, delta=ECHO_TOLERANCE, msg=name)

    def test_a_zero_filled_receive_buffer_fails_on_instructions_per_message(self):
        status, output, verdict = run_gate(ZERO_FILL)
        self.assertEqual(status, 1, output)
        self.assertEqual(verdict["inject"], "zero_fill")
        for name in gate.SHORT_WORKLOADS:
            flagged = [r for r in verdict["regressions"] if r.startswith(f"{name}: ")]
            if calls_recv(name):
                self.assertTrue(any(": instructions/op" in r for r in flagged),
                                f"{name} not flagged on instructions/op:\n{output}")
            # A fill costs no system call, and APIs without recv() are untouched.
            self.assertFalse(any(": syscalls/op" in r for r in flagged), output)
            if not calls_recv(name):
                self.assertEqual(flagged, [], output)

    def test_an_extra_copy_per_send_fails_on_instructions_per_message(self):
        status, output, verdict = run_gate(EXTRA_COPY)
        self.assertEqual(status, 1, output)
        self.assertEqual(verdict["inject"], "extra_copy")
        for name in gate.SHORT_WORKLOADS:
            self.assertTrue(
                any(r.startswith(f"{name}: instructions/op") for r in verdict["regressions"]),
                f"{name} not flagged on instructions/op:\n{output}")
            # A copy costs no system call: the gate names the right signal.
            self.assertFalse(
                any(r.startswith(f"{name}: syscalls/op") for r in verdict["regressions"]),
                output)

    def test_in_process_counter_agrees_with_the_kernel_boundary(self):
        names = []
        for name in gate.SHORT_WORKLOADS:
            names += [measure.with_impl(name, "raw"), name]
        for name in names:
            traced = measure.callgrind_workload(UNCHANGED, name)
            if gate.is_echo(name):
                self.assertAlmostEqual(traced.inprocess, traced.syscalls_per_op,
                                       delta=ECHO_TOLERANCE, msg=traced)
                continue
            self.assertEqual(traced.inprocess, traced.syscalls_per_op, traced)
            if shutil.which("strace"):
                straced = measure.strace_workload(UNCHANGED, name)
                self.assertEqual(straced.syscalls, traced.syscalls, name)

    def test_timeout_mode_with_data_ready_makes_one_syscall_per_call(self):
        # What the benchmarks promise about sockref's timeout engine: a ready
        # send and a ready receive are one system call each, no poll.
        traced = measure.callgrind_workload(
            UNCHANGED, "BM_SendRecvUnix/impl:sockref/mode:timeout/size:64")
        self.assertEqual(traced.syscalls,
                         {"sendto": measure.ITERATIONS, "recvfrom": measure.ITERATIONS})

    def test_timeout_mode_with_data_not_ready_makes_no_more_calls_than_cpython(self):
        # Every receive waits for the other thread: sockref polls, then receives
        # (two calls, CPython's two); every send is ready (one call, CPython two).
        # Trying first would make each receive three calls (recv, poll, recv).
        for transport in ("Unix", "Tcp"):
            name = f"BM_SendRecvEcho{transport}/impl:sockref/mode:timeout/size:64"
            traced = measure.callgrind_workload(UNCHANGED, name)
            n = measure.ITERATIONS
            self.assertEqual(traced.syscalls.get("sendto"), 2 * n, traced)
            self.assertEqual(traced.syscalls.get("recvfrom"), 2 * n, traced)
            self.assertIn(traced.syscalls.get("poll"), (2 * n - 1, 2 * n), traced)
            self.assertEqual(set(traced.syscalls), {"sendto", "recvfrom", "poll"}, traced)

    def test_update_refuses_a_binary_with_an_injected_regression(self):
        copy = os.path.join(TMP, "baseline_copy.json")
        shutil.copyfile(BASELINE, copy)
        proc = subprocess.run(
            [sys.executable, GATE, f"--binary={EXTRA_POLL}", f"--baseline={copy}", "--update"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertIn("refusing", proc.stdout)
        with open(copy) as a, open(BASELINE) as b:
            self.assertEqual(a.read(), b.read())

    def test_a_binary_built_differently_is_not_compared(self):
        with open(BASELINE) as f:
            baseline = json.load(f)
        baseline["build"]["compiler"] = "some other compiler"
        other = os.path.join(TMP, "baseline_other_build.json")
        with open(other, "w") as f:
            json.dump(baseline, f)
        proc = subprocess.run(
            [sys.executable, GATE, f"--binary={UNCHANGED}", f"--baseline={other}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertIn("not comparable", proc.stdout)


if __name__ == "__main__":
    unittest.main()
