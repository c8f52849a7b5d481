"""measure.py: runs the benchmark programs and turns what they print into numbers.

Shared by gate.py, report.py and gate_test.py. Three kinds of measurement:

  * wall clock: Google Benchmark's JSON from socket_benchmark (or the same JSON
    from cpython_bench.py), parsed by run_benchmarks();
  * user-space instructions per message: callgrind on a fixed-iteration run
    (callgrind_workload()); valgrind counts guest instructions exactly, so the
    number is deterministic for a given binary and machine kind;
  * system calls per message at the kernel boundary: the same valgrind run's
    syscall trace, or strace (strace_workload()).

A fixed-iteration run ("--workload=NAME --iterations=N") calls getppid(2) right
before and right after its N measured messages; nothing else in either program
calls it, so the trace between the two markers is exactly the N messages.

    >>> m = callgrind_workload(binary, "BM_SendRecvUnix/impl:sockref/mode:timeout/size:64")
    >>> m.instructions_per_op, m.syscalls_per_op
    (404.1, 2.0)
"""

import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Workloads whose system calls the gate counts run this many measured messages
# after WARMUP unmeasured ones (first-call costs: page faults, lazy binding,
# thread-local buffers, malloc growing its arena).
ITERATIONS = 200
WARMUP = 20

# Calls that the x86-64 vDSO serves in user space: not system calls natively, but
# valgrind does not use the vDSO and traces them as real ones.
VDSO_CALLS = frozenset({"clock_gettime", "gettimeofday", "time", "getcpu"})

MARKER = "getppid"
HERE = os.path.dirname(os.path.abspath(__file__))

_NAME_PART = re.compile(r"^(?P<key>[a-z_]+):(?P<value>.+)$")
_FAMILY = re.compile(r"^BM_(?P<api>SendRecvEcho|SendRecv|SendallRecvInto|SendmsgRecvmsgInto|SendtoRecvfrom)"
                     r"(?P<transport>Unix|Tcp|Udp)$")


class MeasureError(RuntimeError):
    """A program failed or printed something this module cannot read."""


def default_binary():
    """socket_benchmark_opt beside these scripts (bazel run/test runfiles), or in bazel-bin;
    None when neither exists."""
    for candidate in (os.path.join(HERE, "socket_benchmark_opt"),
                      os.path.join(HERE, "..", "bazel-bin", "benchmarks", "socket_benchmark_opt")):
        if os.path.exists(candidate):
            return candidate
    return None


def parse_name(name):
    """Splits a benchmark name into its parts.

    Returns a dict with api, transport, impl, mode, buffers (1 unless sendmsg),
    size (int) and workload (the name without "/real_time" nor the impl part, the
    key that pairs raw, sockref and CPython).
    """
    parts = name.split("/")
    if parts and parts[-1] == "real_time":
        parts = parts[:-1]
    family = _FAMILY.match(parts[0])
    if not family:
        raise MeasureError(f"not a sockref benchmark name: {name}")
    out = {"api": family["api"], "transport": family["transport"], "buffers": 1}
    for part in parts[1:]:
        m = _NAME_PART.match(part)
        if not m:
            raise MeasureError(f"bad part {part!r} in {name}")
        out[m["key"]] = int(m["value"]) if m["key"] in ("buffers", "size") else m["value"]
    out["name"] = "/".join(parts)
    out["workload"] = "/".join(p for p in parts if not p.startswith("impl:"))
    return out


def with_impl(name, impl):
    """Returns `name` with its impl part replaced by `impl` (raw, sockref, cpython)."""
    return re.sub(r"/impl:[a-z]+/", f"/impl:{impl}/", name)


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    if proc.returncode != 0:
        raise MeasureError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc


def run_lines(cmd):
    """Runs `cmd`; returns its non-empty output lines."""
    return [line for line in _run(cmd).stdout.splitlines() if line.strip()]


def build_info(binary):
    """Returns the binary's --build_info: compiler, optimized, sanitized, inject."""
    return json.loads(_run([binary, "--build_info"]).stdout)


def fixed_command(program, workload, iterations=ITERATIONS, warmup=WARMUP):
    """Returns the command line of a fixed-iteration run of `workload`.

    `program` is socket_benchmark, or a list such as [python3, cpython_bench.py].
    """
    base = list(program) if isinstance(program, (list, tuple)) else [program]
    return base + [f"--workload={workload}", f"--iterations={iterations}", f"--warmup={warmup}"]


def _between_markers(calls):
    """Returns the calls between the first two MARKER calls of `calls`."""
    marks = [i for i, name in enumerate(calls) if name == MARKER]
    if len(marks) < 2:
        raise MeasureError(f"expected two {MARKER} markers in the trace, found {len(marks)}")
    return calls[marks[0] + 1:marks[1]]


# "SYSCALL[123,1](45) sys_recvfrom ( 4, ...": the start of a call. Its completion,
# for a blocking call, is a second line "SYSCALL[123,1](45) ... [async] --> ...".
_VALGRIND_CALL = re.compile(r"^SYSCALL\[\d+,\d+\]\(\s*\d+\)\s+(?!\.\.\.)(?:sys_)?(\w+)")
# "123   recvfrom(4, ..." (strace -f). "<... recvfrom resumed>" continues a call.
_STRACE_CALL = re.compile(r"^(?:\d+\s+)?(\w+)\(")


def parse_valgrind_trace(text):
    """Returns the syscall names in a valgrind --trace-syscalls=yes log, in order."""
    return [m.group(1) for m in map(_VALGRIND_CALL.match, text.splitlines()) if m]


def parse_strace(text):
    """Returns the syscall names in an `strace -f -qq -o` trace, in order."""
    return [m.group(1) for m in map(_STRACE_CALL.match, text.splitlines()) if m]


Measurement = collections.namedtuple(
    "Measurement", "workload iterations instructions_per_op syscalls_per_op syscalls inprocess")


def callgrind_workload(program, workload, iterations=ITERATIONS, warmup=WARMUP):
    """Runs `workload` under callgrind; returns a Measurement.

    instructions_per_op counts user-space instructions of the measured messages
    only (collection is toggled by the program). syscalls_per_op counts the system
    calls between the markers, without VDSO_CALLS; syscalls maps name -> count.
    """
    with tempfile.TemporaryDirectory(prefix="sockref_callgrind_") as tmp:
        out = os.path.join(tmp, "callgrind.out")
        log = os.path.join(tmp, "valgrind.log")
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--trace-syscalls=yes",
               f"--callgrind-out-file={out}", f"--log-file={log}"]
        proc = _run(cmd + fixed_command(program, workload, iterations, warmup))
        with open(out) as f:
            totals = [int(line.split()[1]) for line in f if line.startswith("summary:")]
        with open(log) as f:
            calls = _between_markers(parse_valgrind_trace(f.read()))
    if not totals:
        raise MeasureError(f"no summary in callgrind output for {workload}")
    calls = [c for c in calls if c not in VDSO_CALLS]
    return Measurement(workload, iterations, totals[0] / iterations, len(calls) / iterations,
                       dict(collections.Counter(calls)), _inprocess(proc.stdout))


def strace_workload(program, workload, iterations=ITERATIONS, warmup=WARMUP):
    """Runs `workload` under strace -f; returns a Measurement (no instructions)."""
    with tempfile.TemporaryDirectory(prefix="sockref_strace_") as tmp:
        trace = os.path.join(tmp, "strace.txt")
        proc = _run(["strace", "-f", "-qq", "-o", trace] +
                    fixed_command(program, workload, iterations, warmup))
        with open(trace) as f:
            calls = _between_markers(parse_strace(f.read()))
    return Measurement(workload, iterations, None, len(calls) / iterations,
                       dict(collections.Counter(calls)), _inprocess(proc.stdout))


def count_syscalls(program, workload, iterations=ITERATIONS, warmup=WARMUP):
    """Counts a workload's system calls per message with strace when it is
    installed, otherwise with valgrind (--tool=none: no instruction counting)."""
    if shutil.which("strace"):
        return strace_workload(program, workload, iterations, warmup)
    with tempfile.TemporaryDirectory(prefix="sockref_valgrind_") as tmp:
        log = os.path.join(tmp, "valgrind.log")
        proc = _run(["valgrind", "--tool=none", "--trace-syscalls=yes", f"--log-file={log}"] +
                    fixed_command(program, workload, iterations, warmup))
        with open(log) as f:
            calls = [c for c in _between_markers(parse_valgrind_trace(f.read()))
                     if c not in VDSO_CALLS]
    return Measurement(workload, iterations, None, len(calls) / iterations,
                       dict(collections.Counter(calls)), _inprocess(proc.stdout))


def _inprocess(stdout):
    """Returns the program's own syscalls_per_op from its fixed-run JSON line, or None."""
    for line in stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line).get("inprocess_syscalls_per_op")
    return None


def run_benchmarks(program, name_filter, min_time, extra_args=()):
    """Runs a Google-Benchmark-style program; returns its parsed JSON.

    `program` is socket_benchmark or [python3, cpython_bench.py]; both accept
    --benchmark_filter, --benchmark_min_time and --benchmark_format=json.
    """
    base = list(program) if isinstance(program, (list, tuple)) else [program]
    cmd = base + [f"--benchmark_filter={name_filter}", f"--benchmark_min_time={min_time}",
                  "--benchmark_format=json"] + list(extra_args)
    return json.loads(_run(cmd).stdout)


def results_by_name(report):
    """Maps benchmark name (without /real_time) -> its entry; skips errored runs."""
    out = {}
    for b in report.get("benchmarks", []):
        if b.get("error_occurred"):
            print(f"warning: {b['name']}: {b.get('error_message')}", file=sys.stderr)
            continue
        if b.get("run_type", "iteration") != "iteration":
            continue
        out[parse_name(b["name"])["name"]] = b
    return out


INLINE_LIMIT = 64 * 1024


def time_per_op(entry):
    """Nanoseconds per message to compare: thread CPU time for a workload that runs
    inline, wall-clock time for one with a peer thread.

    An inline workload's thread never blocks (data is always ready), so its CPU
    time is what its wall-clock time would be on an idle machine, while other
    processes taking the CPU inflate wall-clock time at random: on a shared
    2-core machine CPU-time ratios between interleaved runs vary by a few percent,
    wall-clock ratios by up to 8x. With a peer thread, waiting is part of the
    work: only wall-clock time tells the truth.
    """
    inline = parse_name(entry["name"])["size"] <= INLINE_LIMIT
    return entry["cpu_time"] if inline else entry["real_time"]


def throughput(entry):
    """Bytes per second on time_per_op()."""
    return parse_name(entry["name"])["size"] / time_per_op(entry) * 1e9


def exact_filter(names):
    """Returns a --benchmark_filter that matches exactly `names`."""
    return "^(" + "|".join(re.escape(n) for n in names) + ")(/real_time)?$"


_ANNOTATE_LINE = re.compile(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(?:\S*?:)?(.+?)(?:\s+\[.*\])?$")


def _short_function(name):
    """'sockref::Socket::recv[abi:cxx11](long, int)' -> 'sockref::Socket::recv'."""
    name = name.replace("[abi:cxx11]", "").replace("(anonymous namespace)::", "")
    depth, out = 0, []
    for ch in name:  # drop template and parameter lists
        if ch in "(<":
            depth += 1
        elif ch in ")>":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out).strip()


def callgrind_profile(program, workload, iterations=ITERATIONS, warmup=WARMUP, top=6):
    """Returns [(instructions per message, function)] for the `top` functions with
    the highest self cost in the measured messages of `workload`."""
    if not shutil.which("callgrind_annotate"):
        return []
    with tempfile.TemporaryDirectory(prefix="sockref_profile_") as tmp:
        out = os.path.join(tmp, "callgrind.out")
        _run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
              f"--callgrind-out-file={out}", f"--log-file={os.path.join(tmp, 'log')}"] +
             fixed_command(program, workload, iterations, warmup))
        text = _run(["callgrind_annotate", "--inclusive=no", out]).stdout
    rows = []
    seen_header = False
    for line in text.splitlines():
        if "file:function" in line:
            seen_header = True
            continue
        if not seen_header:
            continue
        m = _ANNOTATE_LINE.match(line)
        if m:
            rows.append((int(m.group(1).replace(",", "")) / iterations, _short_function(m.group(2))))
    merged = collections.Counter()
    for ir, fn in rows:
        merged[fn] += ir
    return [(ir, fn) for fn, ir in merged.most_common(top)]
