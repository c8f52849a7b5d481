#!/usr/bin/env python3
"""report.py: raw system calls, sockref and CPython side by side; writes REPORT.md
and throughput.svg.

    bazel run //benchmarks:report                 # about 10 minutes on 2 cores
    bazel run //benchmarks:report -- --quick      # a smoke run (~2 minutes), same layout

What it runs, in order:
  1. every workload of socket_benchmark (raw and sockref interleaved) and of
     cpython_bench.py (CPython): the tables of time per message;
  2. CPython's system calls per message, traced in fixed mode (strace, else
     valgrind); raw's and sockref's come from the benchmarks' own counter, which
     gate_test checks against the kernel boundary;
  3. callgrind on every inline raw and sockref workload: user-space instructions
     per message, and where sockref's extra instructions go at 64 B;
  4. the targets, measured again in ROUNDS interleaved rounds (raw, sockref and
     CPython one after the other in each round) and judged on the medians, since
     this machine is shared and noisy: only ratios from one round are compared.
"""

import argparse
import concurrent.futures
import datetime
import math
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402

SIZES = [1, 64, 1024, 16 * 1024, 64 * 1024, 1024 * 1024]
INLINE_LIMIT = 64 * 1024
STREAM_APIS = [("SendRecv", 1), ("SendallRecvInto", 1), ("SendmsgRecvmsgInto", 1),
               ("SendmsgRecvmsgInto", 4), ("SendmsgRecvmsgInto", 16)]
API_LABEL = {"SendRecv": "send / recv", "SendallRecvInto": "sendall / recv_into",
             "SendmsgRecvmsgInto": "sendmsg / recvmsg_into", "SendtoRecvfrom": "sendto / recvfrom",
             "SendRecvEcho": "send / recv through an echo"}
TRANSPORT_LABEL = {"Unix": "AF_UNIX stream (socketpair)", "Tcp": "TCP loopback, TCP_NODELAY",
                   "Udp": "UDP loopback datagrams"}

# Targets from the issues.
PER_OP_LIMIT_64B = 1.10       # sockref time per 64 B message <= 1.10 x raw
THROUGHPUT_FLOOR_64K = 0.97   # sockref throughput at 64 KiB >= 0.97 x raw
CPYTHON_SPEEDUP_64B = 1.3     # timeout mode at 64 B: sockref throughput >= 1.3 x CPython
# Issue 15 ("performance, round two").
RECV_64K_FLOOR = 0.95         # recv() at 64 KiB: throughput >= 0.95 x raw ...
RECV_64K_INSTRUCTIONS = 0.02  # ... instructions within +2 % of raw plus the allocation
UDP_64B_LIMIT = 1.10          # sendto/recvfrom at 64 B: time <= 1.10 x raw
SENDMSG_64B_LIMIT = 1.05      # sendmsg/recvmsg_into x1, x4 at 64 B: time <= 1.05 x raw
# The libc allocator's functions, whose instructions are "the allocation".
ALLOCATOR_FUNCTIONS = {"malloc", "free", "_int_malloc", "_int_free", "operator new",
                       "operator delete", "alloc_perturb", "malloc_consolidate", "unlink_chunk",
                       "tcache_get", "tcache_put", "sysmalloc", "systrim", "realloc",
                       "_int_realloc"}
# System calls that are the socket's work (CPython's traces also hold the GIL's
# futex calls between its two threads in the echo workloads: not socket calls).
SOCKET_CALLS = {"poll", "ppoll", "select", "pselect6", "epoll_wait", "sendto", "recvfrom",
                "sendmsg", "recvmsg", "send", "recv", "read", "write", "readv", "writev"}

# Why sockref does more work than the raw calls, per API: what the profiles
# (callgrind, "where the extra instructions go" below) show.
WHY = {
    "SendRecv": "recv() must return a new Bytes object. Up to 1 KiB (and after short reads) "
                "it receives into a per-thread buffer and copies what arrived; larger ones "
                "receive straight into the result's own storage, allocated unwritten "
                "(resize_and_overwrite), so the cost is one allocation, no fill and no copy, "
                "whatever the size (as CPython's recv(), which allocates its bytes object "
                "uninitialised).",
    "SendallRecvInto": "sendall() in timeout mode reads the monotonic clock to bound the whole "
                       "call (vDSO, no system call); recv_into() checks its arguments.",
    "SendmsgRecvmsgInto": "the caller's buffers go to the kernel as they are (ConstBuffer and "
                          "MutableBuffer are laid out as iovec), nothing is allocated without "
                          "ancillary data and a call without an address or ancillary data is "
                          "one inlined path; what remains is two library calls (each a frame "
                          "around the timeout engine's retry loop), the sender-address buffer "
                          "recvmsg(2) is given (and its stack protector), and the Python-shaped "
                          "result (RecvMsgIntoResult: a vector and an Address variant, built "
                          "with six stores and destroyed per call), a fixed ~135 instructions "
                          "per message whatever the size.",
    "SendtoRecvfrom": "sendto() encodes its ('127.0.0.1', port) address on every call and "
                      "recvfrom() decodes the sender's into a new (host, port): Python's API "
                      "shape, paid per datagram; IPv4 literals take a fast path (no Python "
                      "value, no resolver, no sprintf), and the datagram's Bytes is an "
                      "allocation.",
}


def log(message):
    print(f"[report {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def name_of(api, transport, impl, mode, size, buffers=1):
    parts = [f"BM_{api}{transport}", f"impl:{impl}", f"mode:{mode}"]
    if api == "SendmsgRecvmsgInto":
        parts.append(f"buffers:{buffers}")
    parts.append(f"size:{size}")
    return "/".join(parts)


def api_label(api, buffers):
    label = API_LABEL[api]
    return f"{label} ×{buffers}" if api == "SendmsgRecvmsgInto" else label


def workloads_of(transport):
    if transport == "Udp":
        return [("SendtoRecvfrom", 1)]
    return STREAM_APIS


def sizes_of(transport):
    return [s for s in SIZES if transport != "Udp" or s <= 65507]


# --- formatting ------------------------------------------------------------------------

def fmt_time(ns):
    if ns is None:
        return "–"
    if ns < 10_000:
        return f"{ns:,.0f} ns"
    if ns < 10_000_000:
        return f"{ns / 1000:,.1f} µs"
    return f"{ns / 1e6:,.2f} ms"


def fmt_size(size):
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    if size >= 1 << 10:
        return f"{size >> 10} KiB"
    return f"{size} B"


def fmt_rate(bytes_per_second):
    for unit, scale in (("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)):
        if bytes_per_second >= scale:
            return f"{bytes_per_second / scale:,.2f} {unit}"
    return f"{bytes_per_second:,.0f} B/s"


def fmt_count(x):
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")


# --- measurements ----------------------------------------------------------------------

def machine_info(binary, python):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    py_version = subprocess.run([python, "-c", "import platform; print("
                                 "platform.python_implementation(), platform.python_version())"],
                                stdout=subprocess.PIPE, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "build": measure.build_info(binary), "python": f"{py_version} ({python})",
            "load_start": os.getloadavg()}


def socket_calls_per_op(m):
    """System calls per message of a Measurement, counting only SOCKET_CALLS."""
    return sum(n for call, n in m.syscalls.items() if call in SOCKET_CALLS) / m.iterations


def measure_cpython_syscalls(program, names):
    """{name: socket system calls per message} for CPython (strace, else valgrind)."""
    out = {}
    for name in names:
        inline = measure.parse_name(name)["size"] <= INLINE_LIMIT
        m = measure.count_syscalls(program, name, iterations=200 if inline else 20,
                                   warmup=20 if inline else 2)
        out[name] = socket_calls_per_op(m)
    return out


def measure_target_rounds(binary, python_program, rounds, min_time):
    """Runs the targets' workloads in `rounds` interleaved rounds; returns a list of
    {name: entry} dicts, one per round, C++ and CPython merged."""
    cpp_names, py_names = [], []
    for api, buffers in STREAM_APIS:
        for mode in ("blocking", "timeout"):
            for size in (64, 64 * 1024):
                for impl in ("raw", "sockref"):
                    cpp_names.append(name_of(api, "Unix", impl, mode, size, buffers))
            py_names.append(name_of(api, "Unix", "cpython", mode, 64, buffers))
    for mode in ("blocking", "timeout"):
        for impl in ("raw", "sockref"):
            cpp_names.append(name_of("SendtoRecvfrom", "Udp", impl, mode, 64))
    results = []
    for r in range(rounds):
        log(f"targets: round {r + 1} of {rounds}")
        merged = measure.results_by_name(
            measure.run_benchmarks(binary, measure.exact_filter(cpp_names), min_time))
        merged.update(measure.results_by_name(
            measure.run_benchmarks(python_program, measure.exact_filter(py_names), min_time)))
        results.append(merged)
    return results


def median_ratio(rounds, numerator, denominator, of=measure.time_per_op):
    """Median over rounds of of(numerator) / of(denominator), and (min, max)."""
    values = [of(r[numerator]) / of(r[denominator])
              for r in rounds if numerator in r and denominator in r]
    if not values:
        return None, (None, None)
    return statistics.median(values), (min(values), max(values))


# --- the report ----------------------------------------------------------------------------

def time_tables(results):
    lines = []
    for transport in ("Unix", "Tcp", "Udp"):
        for mode in ("blocking", "timeout"):
            sizes = sizes_of(transport)
            lines.append(f"#### {TRANSPORT_LABEL[transport]}, {mode} mode\n")
            lines.append("| API | impl | " + " | ".join(fmt_size(s) for s in sizes) + " |")
            lines.append("|---|---|" + "---|" * len(sizes))
            for api, buffers in workloads_of(transport):
                for impl in ("raw", "sockref", "cpython"):
                    cells = []
                    for size in sizes:
                        entry = results.get(name_of(api, transport, impl, mode, size, buffers))
                        raw = results.get(name_of(api, transport, "raw", mode, size, buffers))
                        if not entry:
                            cells.append("–")
                        elif impl == "raw":
                            cells.append(fmt_time(measure.time_per_op(entry)))
                        elif raw:
                            ratio = measure.time_per_op(entry) / measure.time_per_op(raw)
                            cells.append(f"{fmt_time(measure.time_per_op(entry))} ×{ratio:.2f}")
                        else:
                            cells.append(fmt_time(measure.time_per_op(entry)))
                    label = api_label(api, buffers) if impl == "raw" else ""
                    impl_label = {"raw": "raw", "sockref": "**sockref**", "cpython": "CPython"}[impl]
                    lines.append(f"| {label} | {impl_label} | " + " | ".join(cells) + " |")
            lines.append("")
    lines.append("#### Data not ready: send/recv round trips through an echoing peer thread, "
                 "64 B (wall clock)\n")
    lines.append("A round trip's time is mostly two thread wake-ups, which depend on where the "
                 "scheduler puts the two threads: CPython's threads, taking turns at the GIL, "
                 "tend to share a core and wake each other faster than two free-running C++ "
                 "threads on two cores. What these workloads hold for sockref is the system "
                 "call count (above).\n")
    lines.append("| transport | mode | raw | sockref | CPython |")
    lines.append("|---|---|---|---|---|")
    for transport in ("Unix", "Tcp"):
        for mode in ("blocking", "timeout"):
            raw = results.get(name_of("SendRecvEcho", transport, "raw", mode, 64))
            cells = []
            for impl in ("raw", "sockref", "cpython"):
                entry = results.get(name_of("SendRecvEcho", transport, impl, mode, 64))
                if not entry:
                    cells.append("–")
                elif impl == "raw" or not raw:
                    cells.append(fmt_time(entry["real_time"]))
                else:
                    cells.append(f"{fmt_time(entry['real_time'])} "
                                 f"×{entry['real_time'] / raw['real_time']:.2f}")
            lines.append(f"| {transport} | {mode} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def syscall_table(results, py_syscalls, instr):
    lines = ["| transport | mode | API | raw 64 B | sockref 64 B | CPython 64 B | raw 1 MiB | "
             "sockref 1 MiB | CPython 1 MiB |", "|---|---|---|---|---|---|---|---|---|"]
    for transport in ("Unix", "Tcp", "Udp"):
        for mode in ("blocking", "timeout"):
            for api, buffers in workloads_of(transport):
                cells = []
                for size in (64, 1024 * 1024):
                    for impl in ("raw", "sockref", "cpython"):
                        name = name_of(api, transport, impl, mode, size, buffers)
                        if impl == "cpython":
                            value = py_syscalls.get(name)
                        elif name in instr:  # kernel-boundary count, deterministic
                            value = instr[name].syscalls_per_op
                        else:
                            value = results.get(name, {}).get("syscalls_per_op")
                        cells.append(fmt_count(value))
                lines.append(f"| {transport} | {mode} | {api_label(api, buffers)} | " +
                             " | ".join(cells) + " |")
    return lines


def instruction_table(instr):
    lines = []
    for transport in ("Unix", "Udp"):
        sizes = [s for s in sizes_of(transport) if s <= INLINE_LIMIT]
        lines.append(f"#### {TRANSPORT_LABEL[transport]}: sockref instructions per message "
                     f"(+ over raw)\n")
        lines.append("| API | mode | " + " | ".join(fmt_size(s) for s in sizes) + " |")
        lines.append("|---|---|" + "---|" * len(sizes))
        for api, buffers in workloads_of(transport):
            for mode in ("blocking", "timeout"):
                cells = []
                for size in sizes:
                    mine = instr.get(name_of(api, transport, "sockref", mode, size, buffers))
                    raw = instr.get(name_of(api, transport, "raw", mode, size, buffers))
                    if mine and raw:
                        cells.append(f"{mine.instructions_per_op:,.0f} "
                                     f"(+{mine.instructions_per_op - raw.instructions_per_op:,.0f})")
                    else:
                        cells.append("–")
                lines.append(f"| {api_label(api, buffers)} | {mode} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def round_two_section(rounds, instr, py_syscalls, alloc):
    """Issue 15's targets: recv() at 64 KiB, UDP, sendmsg, both timeout-mode regimes."""
    lines = []
    met_all = True

    def verdict(ok):
        nonlocal met_all
        met_all &= bool(ok)
        return "met" if ok else "**missed**"

    def ratio_row(label, mode, raw, mine, limit, throughput=False):
        of = measure.throughput if throughput else measure.time_per_op
        ratio, (lo, hi) = median_ratio(rounds, mine, raw, of=of)
        if ratio is None:
            return None
        wall_of = (lambda e: e["bytes_per_second"]) if throughput else (lambda e: e["real_time"])
        wall, _ = median_ratio(rounds, mine, raw, of=wall_of)
        ok = ratio >= limit if throughput else ratio <= limit
        return (f"| {label} | {mode} | {ratio:.3f} ({lo:.2f}–{hi:.2f}) | {wall:.2f} | "
                f"{'≥' if throughput else '≤'} {limit:.2f} | {verdict(ok)} |")

    lines.append("#### recv() at 64 KiB over AF_UNIX: no fill, no copy\n")
    lines.append(f"Throughput ≥ {RECV_64K_FLOOR:.2f} × raw, and instructions within "
                 f"+{RECV_64K_INSTRUCTIONS:.0%} of raw plus the allocation of the result.\n")
    lines.append("| API | mode | throughput ratio (median; min–max) | wall-clock ratio | target "
                 "| |")
    lines.append("|---|---|---|---|---|---|")
    for mode in ("blocking", "timeout"):
        row = ratio_row("send / recv", mode, name_of("SendRecv", "Unix", "raw", mode, 65536),
                        name_of("SendRecv", "Unix", "sockref", mode, 65536), RECV_64K_FLOOR,
                        throughput=True)
        if row:
            lines.append(row)
    lines.append("")
    lines.append("| mode | raw | sockref | of which the allocation | sockref − raw − allocation "
                 "| sockref at 64 B | target | |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for mode in ("blocking", "timeout"):
        raw = instr.get(name_of("SendRecv", "Unix", "raw", mode, 65536))
        mine = instr.get(name_of("SendRecv", "Unix", "sockref", mode, 65536))
        small = instr.get(name_of("SendRecv", "Unix", "sockref", mode, 64))
        allocation = alloc.get(mode)
        if not (raw and mine and allocation is not None):
            continue
        rest = mine.instructions_per_op - raw.instructions_per_op - allocation
        ok = rest <= raw.instructions_per_op * RECV_64K_INSTRUCTIONS
        lines.append(f"| {mode} | {raw.instructions_per_op:,.0f} | {mine.instructions_per_op:,.0f} "
                     f"| {allocation:,.0f} | {rest:+,.0f} "
                     f"({rest / raw.instructions_per_op:+.0%} of raw) | "
                     f"{fmt_count(small.instructions_per_op if small else None)} | "
                     f"+{RECV_64K_INSTRUCTIONS:.0%} of raw | {verdict(ok)} |")
    lines.append("")
    lines.append("A 64 KiB message costs no per-byte work in user space: sockref's instructions "
                 "at 64 KiB are those at 64 B plus the allocator's for a large block (64 B "
                 "messages go through the per-thread buffer and a small string). The "
                 "remainder over raw is the API's fixed cost: the call, its argument checks, "
                 "the Bytes result handed back and destroyed by the caller (raw's user-space "
                 "work per message is only a loop around two system calls, so +2 % of it is "
                 "3 instructions: no API returning new bytes can meet that half of the target; "
                 "the throughput half is met).\n")

    lines.append(f"#### sendto / recvfrom at 64 B over UDP: time ≤ {UDP_64B_LIMIT:.2f} × raw\n")
    lines.append("| API | mode | ratio (median; min–max) | wall-clock ratio | target | |")
    lines.append("|---|---|---|---|---|---|")
    for mode in ("blocking", "timeout"):
        row = ratio_row("sendto / recvfrom", mode,
                        name_of("SendtoRecvfrom", "Udp", "raw", mode, 64),
                        name_of("SendtoRecvfrom", "Udp", "sockref", mode, 64), UDP_64B_LIMIT)
        if row:
            lines.append(row)
    udp = instr.get(name_of("SendtoRecvfrom", "Udp", "sockref", "timeout", 64))
    udp_raw = instr.get(name_of("SendtoRecvfrom", "Udp", "raw", "timeout", 64))
    if udp and udp_raw:
        lines.append("")
        lines.append(f"Instructions per message: {udp.instructions_per_op:,.0f} (raw "
                     f"{udp_raw.instructions_per_op:,.0f}; 4,033 before this round: the "
                     "address tuple built and parsed through the Python value model, glibc's "
                     "inet_pton and inet_ntop's sprintf).")
    lines.append("")

    lines.append(f"#### sendmsg / recvmsg_into ×1 and ×4 at 64 B over AF_UNIX: time ≤ "
                 f"{SENDMSG_64B_LIMIT:.2f} × raw\n")
    lines.append("| API | mode | ratio (median; min–max) | wall-clock ratio | target | |")
    lines.append("|---|---|---|---|---|---|")
    for buffers in (1, 4):
        for mode in ("blocking", "timeout"):
            row = ratio_row(api_label("SendmsgRecvmsgInto", buffers), mode,
                            name_of("SendmsgRecvmsgInto", "Unix", "raw", mode, 64, buffers),
                            name_of("SendmsgRecvmsgInto", "Unix", "sockref", mode, 64, buffers),
                            SENDMSG_64B_LIMIT)
            if row:
                lines.append(row)
    lines.append("")

    lines.append("#### Timeout mode: system calls per socket call, both regimes\n")
    lines.append("Never more than CPython in either regime, and 1 when data is ready. *Ready*: "
                 "one thread sends, then receives (64 B, send/recv). *Not ready*: a peer thread "
                 "echoes every message (64 B, send/recv), so every receive on either side waits "
                 "for a message not yet sent; a round trip is four calls (two sends, two "
                 "receives). sockref polls first after an operation had to wait and tries "
                 "first otherwise (impl/timeout_engine.h); raw does the cheapest correct thing "
                 "knowing the regime (try first when ready, poll first when not). Kernel "
                 "boundary: valgrind for raw and sockref, strace for CPython (its GIL's futex "
                 "calls between the two threads left out).\n")
    lines.append("| regime | transport | raw | sockref | CPython | sockref per receive | "
                 "sockref per send | target | |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for regime, api, transports, calls in (("ready", "SendRecv", ("Unix", "Tcp"), 2),
                                           ("not ready", "SendRecvEcho", ("Unix", "Tcp"), 4)):
        for transport in transports:
            raw = instr.get(name_of(api, transport, "raw", "timeout", 64))
            mine = instr.get(name_of(api, transport, "sockref", "timeout", 64))
            py = py_syscalls.get(name_of(api, transport, "cpython", "timeout", 64))
            if not mine:
                continue
            per_call = socket_calls_per_op(mine) / calls
            receives = mine.syscalls.get("recvfrom", 0) + mine.syscalls.get("poll", 0)
            per_receive = receives / (mine.iterations * calls / 2)
            per_send = mine.syscalls.get("sendto", 0) / (mine.iterations * calls / 2)
            py_per_call = py / calls if py is not None else None
            ok = (py_per_call is None or per_call <= py_per_call + 0.01) and \
                (regime != "ready" or abs(per_call - 1) < 0.01)
            lines.append(f"| {regime} | {transport} | "
                         f"{fmt_count(socket_calls_per_op(raw) / calls if raw else None)} | "
                         f"{fmt_count(per_call)} | {fmt_count(py_per_call)} | "
                         f"{fmt_count(per_receive)} | {fmt_count(per_send)} | "
                         f"{'1' if regime == 'ready' else '≤ CPython'} | {verdict(ok)} |")
    lines.append("")
    lines.append("Before this round sockref tried first always: 3 calls per receive that must "
                 "wait (the call, poll, the call again), 2 per call on average in the echo "
                 "workload against CPython's 2 and raw's 1.5. The gate holds both regimes "
                 "(`BM_SendRecv*/mode:timeout` and `BM_SendRecvEcho*/mode:timeout`).\n")
    return lines, met_all


def targets_section(rounds, instr, py_syscalls, profiles):
    lines = []
    met_all = True

    def verdict(ok):
        nonlocal met_all
        met_all &= bool(ok)
        return "met" if ok else "**missed**"

    lines.append("#### 64 B over AF_UNIX: sockref time per message ≤ "
                 f"{PER_OP_LIMIT_64B:.2f} × raw\n")
    lines.append("| API | mode | raw | sockref | ratio (median; min–max) | wall-clock ratio "
                 "| target | by |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for api, buffers in STREAM_APIS:
        for mode in ("blocking", "timeout"):
            raw = name_of(api, "Unix", "raw", mode, 64, buffers)
            mine = name_of(api, "Unix", "sockref", mode, 64, buffers)
            ratio, (lo, hi) = median_ratio(rounds, mine, raw)
            if ratio is None:
                continue
            t_raw = statistics.median(measure.time_per_op(r[raw]) for r in rounds if raw in r)
            t_mine = statistics.median(measure.time_per_op(r[mine]) for r in rounds if mine in r)
            wall, _ = median_ratio(rounds, mine, raw, of=lambda e: e["real_time"])
            ok = ratio <= PER_OP_LIMIT_64B
            lines.append(f"| {api_label(api, buffers)} | {mode} | {fmt_time(t_raw)} | "
                         f"{fmt_time(t_mine)} | {ratio:.3f} ({lo:.2f}–{hi:.2f}) | {wall:.2f} | "
                         f"{verdict(ok)} | {(PER_OP_LIMIT_64B - ratio) / PER_OP_LIMIT_64B:+.1%} |")
    lines.append("")

    lines.append(f"#### 64 KiB over AF_UNIX: sockref throughput ≥ {THROUGHPUT_FLOOR_64K:.2f} × raw\n")
    lines.append("| API | mode | raw | sockref | ratio (median; min–max) | wall-clock ratio "
                 "| target | by |")
    lines.append("|---|---|---|---|---|---|---|---|")
    misses_64k = set()
    for api, buffers in STREAM_APIS:
        for mode in ("blocking", "timeout"):
            raw = name_of(api, "Unix", "raw", mode, 65536, buffers)
            mine = name_of(api, "Unix", "sockref", mode, 65536, buffers)
            ratio, (lo, hi) = median_ratio(rounds, mine, raw, of=measure.throughput)
            if ratio is None:
                continue
            wall, _ = median_ratio(rounds, mine, raw, of=lambda e: e["bytes_per_second"])
            b_raw = statistics.median(measure.throughput(r[raw]) for r in rounds if raw in r)
            b_mine = statistics.median(measure.throughput(r[mine]) for r in rounds if mine in r)
            ok = ratio >= THROUGHPUT_FLOOR_64K
            if not ok:
                misses_64k.add(api)
            lines.append(f"| {api_label(api, buffers)} | {mode} | {fmt_rate(b_raw)} | "
                         f"{fmt_rate(b_mine)} | {ratio:.3f} ({lo:.2f}–{hi:.2f}) | {wall:.2f} | "
                         f"{verdict(ok)} | "
                         f"{(ratio - THROUGHPUT_FLOOR_64K) / THROUGHPUT_FLOOR_64K:+.1%} |")
    lines.append("")

    lines.append("#### Timeout mode, data ready: system calls per socket call "
                 "(sockref 1, CPython 2)\n")
    lines.append("Each message is one send-side call and one receive-side call, so "
                 "per call = per message ÷ 2. Counted at the kernel boundary (64 B, AF_UNIX).\n")
    lines.append("| API | raw | sockref | CPython | target | ")
    lines.append("|---|---|---|---|---|")
    for api, buffers in STREAM_APIS:
        raw = instr.get(name_of(api, "Unix", "raw", "timeout", 64, buffers))
        mine = instr.get(name_of(api, "Unix", "sockref", "timeout", 64, buffers))
        py = py_syscalls.get(name_of(api, "Unix", "cpython", "timeout", 64, buffers))
        if not (raw and mine and py is not None):
            continue
        ok = mine.syscalls_per_op / 2 == 1 and py / 2 == 2
        lines.append(f"| {api_label(api, buffers)} | {raw.syscalls_per_op / 2:g} | "
                     f"{mine.syscalls_per_op / 2:g} | {py / 2:g} | {verdict(ok)} |")
    lines.append("")

    lines.append(f"#### Timeout mode, data ready, 64 B over AF_UNIX: sockref throughput ≥ "
                 f"{CPYTHON_SPEEDUP_64B} × CPython\n")
    lines.append("| API | CPython | sockref | speed-up (median; min–max) | wall-clock speed-up "
                 "| target | by |")
    lines.append("|---|---|---|---|---|---|---|")
    for api, buffers in STREAM_APIS:
        py = name_of(api, "Unix", "cpython", "timeout", 64, buffers)
        mine = name_of(api, "Unix", "sockref", "timeout", 64, buffers)
        speedup, (lo, hi) = median_ratio(rounds, py, mine)
        if speedup is None:
            continue
        t_py = statistics.median(measure.time_per_op(r[py]) for r in rounds if py in r)
        t_mine = statistics.median(measure.time_per_op(r[mine]) for r in rounds if mine in r)
        wall, _ = median_ratio(rounds, py, mine, of=lambda e: e["real_time"])
        ok = speedup >= CPYTHON_SPEEDUP_64B
        lines.append(f"| {api_label(api, buffers)} | {fmt_time(t_py)} | {fmt_time(t_mine)} | "
                     f"×{speedup:.2f} ({lo:.2f}–{hi:.2f}) | ×{wall:.2f} | {verdict(ok)} | "
                     f"{(speedup - CPYTHON_SPEEDUP_64B) / CPYTHON_SPEEDUP_64B:+.0%} |")
    lines.append("")

    lines.append("#### Per-message overhead over raw, per API (AF_UNIX)\n")
    lines.append("Time: median over the interleaved rounds of (sockref − raw). Instructions: "
                 "callgrind, user space only (the kernel's work is the same for both).\n")
    lines.append("| API | mode | 64 B: ns | 64 B: instructions | 64 KiB: ns | 64 KiB: instructions |")
    lines.append("|---|---|---|---|---|---|")
    for api, buffers in STREAM_APIS:
        for mode in ("blocking", "timeout"):
            cells = []
            for size in (64, 65536):
                raw = name_of(api, "Unix", "raw", mode, size, buffers)
                mine = name_of(api, "Unix", "sockref", mode, size, buffers)
                diffs = [measure.time_per_op(r[mine]) - measure.time_per_op(r[raw])
                         for r in rounds if raw in r and mine in r]
                cells.append(f"{statistics.median(diffs):+,.0f}" if diffs else "–")
                if raw in instr and mine in instr:
                    cells.append(f"+{instr[mine].instructions_per_op - instr[raw].instructions_per_op:,.0f}")
                else:
                    cells.append("–")
            lines.append(f"| {api_label(api, buffers)} | {mode} | " + " | ".join(cells) + " |")
    lines.append("")

    if profiles:
        lines.append("#### Where sockref's instructions go (64 B, timeout mode)\n")
        lines.append("The functions with the highest self cost per message (callgrind).\n")
        lines.append("| workload | instructions/message | top functions (instructions/message) |")
        lines.append("|---|---|---|")
        for name, rows in profiles.items():
            parts = measure.parse_name(name)
            total = instr[name].instructions_per_op if name in instr else None
            top = ", ".join(f"`{fn}` {ir:,.0f}" for ir, fn in rows)
            lines.append(f"| {api_label(parts['api'], parts['buffers'])} ({parts['transport']}) | "
                         f"{fmt_count(total)} | {top} |")
        lines.append("")

    lines.append("#### Why\n")
    for api in ("SendRecv", "SendallRecvInto", "SendmsgRecvmsgInto", "SendtoRecvfrom"):
        note = " (this is why the 64 KiB target is missed)" if api in misses_64k else ""
        lines.append(f"* **{API_LABEL[api]}**{note}: {WHY[api]}")
    lines.append("")
    return lines, met_all


# --- the plot ------------------------------------------------------------------------------------

def throughput_svg(results):
    """Throughput vs message size, AF_UNIX, one panel per mode, in plain SVG."""
    series = [("raw send/recv", "raw", "SendRecv", "#222222", ""),
              ("sockref send/recv", "sockref", "SendRecv", "#1f66c1", ""),
              ("sockref sendall/recv_into", "sockref", "SendallRecvInto", "#1f66c1", "6,4"),
              ("CPython send/recv", "cpython", "SendRecv", "#e07b00", ""),
              ("CPython sendall/recv_into", "cpython", "SendallRecvInto", "#e07b00", "6,4")]
    panel_w, panel_h, left, top, gap = 400, 300, 80, 50, 90
    width = left + 2 * panel_w + gap + 30
    height = top + panel_h + 150
    values = [measure.throughput(results[n]) for n in results if "Unix/" in n]
    y_lo = 10 ** math.floor(math.log10(min(values)))
    y_hi = 10 ** math.ceil(math.log10(max(values)))
    x_lo, x_hi = math.log2(SIZES[0]), math.log2(SIZES[-1])

    def x_of(panel, size):
        return left + panel * (panel_w + gap) + (math.log2(size) - x_lo) / (x_hi - x_lo) * panel_w

    def y_of(rate):
        frac = (math.log10(rate) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo))
        return top + panel_h - frac * panel_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">Throughput vs '
           f'message size, AF_UNIX stream socketpair (higher is better)</text>']
    for panel, mode in enumerate(("blocking", "timeout")):
        x0 = left + panel * (panel_w + gap)
        out.append(f'<text x="{x0 + panel_w / 2}" y="{top - 10}" text-anchor="middle" '
                   f'font-size="13">{mode} mode</text>')
        out.append(f'<rect x="{x0}" y="{top}" width="{panel_w}" height="{panel_h}" fill="none" '
                   f'stroke="#888"/>')
        decade = y_lo
        while decade <= y_hi * 1.0001:
            y = y_of(decade)
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w}" y2="{y:.1f}" '
                       f'stroke="#ddd"/>')
            out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">'
                       f'{fmt_rate(decade).replace(".00", "")}</text>')
            decade *= 10
        for size in SIZES:
            x = x_of(panel, size)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + panel_h}" '
                       f'stroke="#eee"/>')
            label = fmt_size(size).replace(" B", "").replace(" KiB", "Ki").replace(" MiB", "Mi")
            out.append(f'<text x="{x:.1f}" y="{top + panel_h + 16}" text-anchor="middle">'
                       f'{label}</text>')
        out.append(f'<text x="{x0 + panel_w / 2}" y="{top + panel_h + 34}" '
                   f'text-anchor="middle">message size (bytes, log scale)</text>')
        for label, impl, api, color, dash in series:
            points = []
            for size in SIZES:
                entry = results.get(name_of(api, "Unix", impl, mode, size))
                if entry:
                    points.append((x_of(panel, size), y_of(measure.throughput(entry))))
            if len(points) < 2:
                continue
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash_attr} '
                       f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>')
            for x, y in points:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
    legend_y = top + panel_h + 60
    for i, (label, _, _, color, dash) in enumerate(series):
        lx = left + (i % 3) * 250
        ly = legend_y + (i // 3) * 20
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 30}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"{dash_attr}/>')
        out.append(f'<text x="{lx + 36}" y="{ly + 4}">{label}</text>')
    out.append(f'<text x="{left}" y="{height - 28}" fill="#555">Up to 64 KiB one thread sends '
               f'and receives (never blocks): bytes per second of its CPU time.</text>')
    out.append(f'<text x="{left}" y="{height - 12}" fill="#555">1 MiB: a peer thread receives: '
               f'bytes per second of wall-clock time.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --- main --------------------------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default=None, help="socket_benchmark built with -c opt")
    p.add_argument("--python", default=sys.executable, help="the CPython to compare with")
    p.add_argument("--min_time", type=float, default=0.2, help="seconds per benchmark")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds for the targets")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: short times, 2 rounds, fewer callgrind runs")
    p.add_argument("--out_dir", default=None, help="where REPORT.md and throughput.svg go")
    args = p.parse_args(argv)

    binary = args.binary or measure.default_binary()
    if not binary:
        print("report: socket_benchmark_opt not found; use `bazel run //benchmarks:report`",
              file=sys.stderr)
        return 2
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    out_dir = args.out_dir or (os.path.join(workspace, "benchmarks") if workspace else HERE)
    python_program = [args.python, os.path.join(HERE, "cpython_bench.py")]
    min_time = 0.05 if args.quick else args.min_time
    rounds = 2 if args.quick else args.rounds
    started = datetime.datetime.now()

    info = machine_info(binary, args.python)
    log("sockref and raw: every workload")
    results = measure.results_by_name(measure.run_benchmarks(binary, ".", min_time))
    log("CPython: every workload")
    results.update(measure.results_by_name(measure.run_benchmarks(python_program, ".", min_time)))

    log("CPython: system calls per message")
    py_names = [n for n in measure.run_lines(python_program + ["--list_workloads"])
                if not args.quick or "/size:64/" in n + "/" or "/size:1048576" in n]
    py_syscalls = measure_cpython_syscalls(python_program, py_names)

    log("callgrind: instructions per message")
    inline = [n for n in measure.run_lines([binary, "--list_workloads"])
              if measure.parse_name(n)["size"] <= INLINE_LIMIT and
              (not args.quick or measure.parse_name(n)["size"] in (64, 65536) and
               ("Unix/" in n or "Echo" in n or "Udp/" in n))]
    # Instruction counts do not depend on what else runs: use both cores.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {name: pool.submit(measure.callgrind_workload, binary, name) for name in inline}
        instr = {name: f.result() for name, f in futures.items()}
    profiles = {}
    for api, buffers in STREAM_APIS + [("SendtoRecvfrom", 1)]:
        transport = "Udp" if api == "SendtoRecvfrom" else "Unix"
        name = name_of(api, transport, "sockref", "timeout", 64, buffers)
        if name in instr:
            profiles[name] = measure.callgrind_profile(binary, name)

    alloc = {}
    for mode in ("blocking", "timeout"):
        name = name_of("SendRecv", "Unix", "sockref", mode, 65536)
        if name in instr:
            alloc[mode] = sum(ir for ir, fn in measure.callgrind_profile(binary, name, top=60)
                              if fn in ALLOCATOR_FUNCTIONS)
    for name in (name_of("SendRecvEcho", "Unix", "sockref", "timeout", 64),):
        if name in instr:
            profiles[name] = measure.callgrind_profile(binary, name)

    rounds_data = measure_target_rounds(binary, python_program, rounds, min_time * 2)
    round_two_lines, met_round_two = round_two_section(rounds_data, instr, py_syscalls, alloc)
    target_lines, met_all = targets_section(rounds_data, instr, py_syscalls, profiles)
    info["load_end"] = os.getloadavg()
    elapsed = datetime.datetime.now() - started

    build = info["build"]
    md = ["# sockref benchmark report", "",
          f"Generated by `bazel run //benchmarks:report` on {started:%Y-%m-%d %H:%M}"
          f"{' (--quick)' if args.quick else ''} in {elapsed.seconds // 60} min. "
          "Do not edit: re-run it.", "",
          f"* machine: {info['cpu']}, {info['cores']} cores, Linux {info['kernel']}; load "
          f"average {info['load_start'][0]:.1f} at the start, {info['load_end'][0]:.1f} at the end "
          "(the machine is shared: compare ratios from one run, not absolute times between runs)",
          f"* sockref: {build['compiler']}, -c opt ({build['codegen']}); Google Benchmark "
          "1.7.1 from Debian",
          f"* CPython: {info['python']}",
          f"* {min_time} s per benchmark; targets judged on the median of {rounds} interleaved "
          f"rounds", "",
          "A message is one send-side call sequence and one receive-side call sequence "
          "moving one whole message. Up to 64 KiB one thread sends and then receives: data is "
          "always ready, no thread ever blocks, and in timeout mode the timeout path's own cost "
          "shows. For those, *time per message is the thread's CPU time*: it equals wall-clock "
          "time on an idle machine (the thread never waits), and unlike wall-clock time it does "
          "not move when the machine's other users take the CPU (interleaved wall-clock ratios "
          "on this shared 2-core machine varied up to 8× between rounds, CPU-time ratios by a "
          "few percent). Wall-clock ratios are shown beside the targets. 1 MiB messages are "
          "received by a peer thread, and their time is wall-clock time (UseRealTime). `×r` is "
          "the ratio to raw system calls measured in the same run, interleaved; throughput is "
          "message size ÷ time per message.", "",
          "The throughput of every other implementation (CPython 3.6–3.13, PyPy, gevent, "
          "eventlet, trio, sockref's Python module) is in [IMPLEMENTATIONS.md]"
          "(IMPLEMENTATIONS.md), its history in [history.svg](history.svg).", "",
          "## Targets of issue 15 (performance, round two)", "",
          ("All met." if met_round_two else "Some are missed; each says why."), ""]
    md += round_two_lines
    md += ["## Targets of the first round", "",
           ("All targets met." if met_all else "Some targets are missed; see *by* and *Why*."),
           ""]
    md += target_lines
    md += ["## Time per message", ""]
    md += time_tables(results)
    md += ["## System calls per message", "",
           "Raw and sockref at 64 B: kernel boundary (valgrind's syscall trace, vDSO clock "
           "reads excluded); at 1 MiB: the benchmarks' in-process counter (libc calls, "
           "checked against the kernel boundary by gate_test). CPython: strace in fixed mode. "
           "1 MiB counts depend on scheduling (how often the peer finds the socket empty).", ""]
    md += syscall_table(results, py_syscalls, instr)
    md += ["", "## User-space instructions per message (callgrind)", ""]
    md += instruction_table(instr)
    md += ["## Throughput", "", "![throughput vs message size](throughput.svg)", ""]

    with open(os.path.join(out_dir, "REPORT.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(out_dir, "throughput.svg"), "w") as f:
        f.write(throughput_svg(results))
    log(f"wrote {os.path.join(out_dir, 'REPORT.md')} and throughput.svg in {elapsed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
