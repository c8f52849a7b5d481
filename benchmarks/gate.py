#!/usr/bin/env python3
"""gate.py: sockref's performance regression gate.

Compares the sockref side of the benchmark workloads with the committed baseline
(benchmarks/baseline.json) and exits 1 on a regression beyond the thresholds:

  deterministic signals (always gate), from one callgrind run per workload with
  a fixed number of messages (measure.callgrind_workload):
    syscalls_per_op        system calls per message at the kernel boundary;
                           fails if it grows by more than SYSCALLS_TOLERANCE
    instructions_per_op    user-space instructions per message;
                           fails if it grows by more than INSTRUCTIONS_TOLERANCE

  time (gates only when it reproduces): sockref's time per message divided by
  the raw system calls' time for the same workload, both measured in one run,
  interleaved (socket_benchmark runs each raw workload just before its sockref
  twin). The gated workloads run inline, so the time is the thread's CPU time,
  which is their wall-clock time on an idle machine and does not move when other
  processes take the CPU (measure.time_per_op); wall-clock ratios are printed
  beside it. It fails only if the ratio is worse than the baseline's by more than
  RATIO_TOLERANCE in every one of ROUNDS repeated runs.

    bazel run //benchmarks:gate                     # the short form (CI)
    bazel run //benchmarks:gate -- --full           # every inline workload, 5 rounds
    bazel run //benchmarks:gate -- --update         # re-record the baseline

Exit status: 0 pass, 1 regression, 2 not comparable (the binary was built
differently from the baseline's binary) or a measurement failed.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

# Thresholds. Deterministic counts move only when the code (or the compiler) does,
# so their tolerance is small: big enough for an unrelated allocation-size change,
# far smaller than one extra poll (+1 syscall) or one extra copy per message.
SYSCALLS_TOLERANCE = 0.05      # absolute, system calls per message
INSTRUCTIONS_TOLERANCE = 0.03  # relative: +3 %
RATIO_TOLERANCE = 0.10         # relative: ratio to raw worse by 10 % ...
ROUNDS = 3                     # ... in each of 3 of 3 rounds
SHORT_MIN_TIME = 0.05          # seconds per benchmark per round, short form
FULL_ROUNDS = 5
FULL_MIN_TIME = 0.2

# The short form's workloads: the primary transport's APIs at 64 B in both modes,
# recv() of a large message in both modes, one each of TCP and UDP, and the
# timeout mode's other regime, data not ready (the echo workloads). --full adds
# every other deterministic workload: all that run inline and the echo ones
# (a peer thread's counts depend on scheduling, except where every receive
# waits for the other thread, as in an echo).
SHORT_WORKLOADS = [
    "BM_SendRecvUnix/impl:sockref/mode:blocking/size:64",
    "BM_SendRecvUnix/impl:sockref/mode:timeout/size:64",
    "BM_SendallRecvIntoUnix/impl:sockref/mode:timeout/size:64",
    "BM_SendmsgRecvmsgIntoUnix/impl:sockref/mode:timeout/buffers:1/size:64",
    "BM_SendmsgRecvmsgIntoUnix/impl:sockref/mode:timeout/buffers:4/size:64",
    "BM_SendRecvUnix/impl:sockref/mode:blocking/size:65536",
    "BM_SendRecvUnix/impl:sockref/mode:timeout/size:65536",
    "BM_SendallRecvIntoTcp/impl:sockref/mode:timeout/size:1024",
    "BM_SendtoRecvfromUdp/impl:sockref/mode:timeout/size:64",
    "BM_SendRecvEchoUnix/impl:sockref/mode:timeout/size:64",
    "BM_SendRecvEchoTcp/impl:sockref/mode:timeout/size:64",
]
HERE = os.path.dirname(os.path.abspath(__file__))


def default_baseline_path(for_writing=False):
    """The baseline in the source tree when run by `bazel run`, else beside this script."""
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if for_writing and workspace:
        return os.path.join(workspace, "benchmarks", "baseline.json")
    return os.path.join(HERE, "baseline.json")


def is_echo(name):
    """Whether `name` is an echo workload (data not ready, a peer thread echoes)."""
    return measure.parse_name(name)["api"] == "SendRecvEcho"


def runs_inline(name):
    """Whether `name` runs on one thread (its time ratio is thread CPU time)."""
    return not is_echo(name) and measure.parse_name(name)["size"] <= measure.INLINE_LIMIT


def all_deterministic_workloads(binary):
    """Every sockref workload of the binary whose counts are deterministic: those
    that run on one thread, and the echo workloads."""
    names = measure.run_lines([binary, "--list_workloads"])
    return [n for n in names if "/impl:sockref/" in n and (runs_inline(n) or is_echo(n))]


def comparable_build(build):
    """The parts of --build_info that must match for counts to be comparable."""
    return {k: build[k] for k in ("compiler", "optimized", "sanitized", "codegen")}


def measure_deterministic(binary, workloads, jobs):
    """Runs callgrind on every workload, `jobs` at a time; returns name -> Measurement."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {name: pool.submit(measure.callgrind_workload, binary, name) for name in workloads}
        return {name: f.result() for name, f in futures.items()}


def measure_ratios(binary, workloads, rounds, min_time):
    """Returns name -> [(time ratio, wall-clock ratio) sockref/raw, per round]."""
    names = []
    for name in workloads:
        names += [measure.with_impl(name, "raw"), name]
    ratios = {name: [] for name in workloads}
    for _ in range(rounds):
        results = measure.results_by_name(
            measure.run_benchmarks(binary, measure.exact_filter(names), min_time))
        for name in workloads:
            raw = results.get(measure.with_impl(name, "raw"))
            mine = results.get(name)
            if not (raw and mine):
                raise measure.MeasureError(f"no result for {name} or its raw twin")
            ratios[name].append((measure.time_per_op(mine) / measure.time_per_op(raw),
                                mine["real_time"] / raw["real_time"]))
    return ratios


def compare(baseline, measured, ratios, rounds=ROUNDS):
    """Returns (rows, regressions): one row per signal and workload."""
    rows, regressions = [], []
    for name, base in baseline["workloads"].items():
        if name not in measured:
            continue
        m = measured[name]
        checks = [
            ("syscalls/op", base["syscalls_per_op"], m.syscalls_per_op,
             m.syscalls_per_op > base["syscalls_per_op"] + SYSCALLS_TOLERANCE,
             m.syscalls_per_op < base["syscalls_per_op"] - SYSCALLS_TOLERANCE),
            ("instructions/op", base["instructions_per_op"], m.instructions_per_op,
             m.instructions_per_op > base["instructions_per_op"] * (1 + INSTRUCTIONS_TOLERANCE),
             m.instructions_per_op < base["instructions_per_op"] * (1 - INSTRUCTIONS_TOLERANCE)),
        ]
        for signal, want, got, worse, better in checks:
            verdict = "REGRESSION" if worse else "improved" if better else "ok"
            rows.append((name, signal, f"{want:.2f}", f"{got:.2f}", verdict))
            if worse:
                detail = ""
                if signal == "syscalls/op":
                    detail = f" (calls per {m.iterations} messages: {m.syscalls})"
                regressions.append(f"{name}: {signal} {want:.2f} -> {got:.2f}{detail}")
        if name in ratios and "time_ratio_to_raw" in base:
            want = base["time_ratio_to_raw"]
            got = [t for t, _ in ratios[name]]
            wall = [w for _, w in ratios[name]]
            # sockref makes the same system calls as raw plus its own work, so a
            # recorded ratio below 1 was noise: never hold sockref to beating raw.
            limit = max(want, 1.0) * (1 + RATIO_TOLERANCE)
            slow_rounds = sum(r > limit for r in got)
            reproduced = slow_rounds == len(got) == rounds
            verdict = ("REGRESSION" if reproduced else
                       f"noise ({slow_rounds}/{len(got)} slow)" if slow_rounds else "ok")
            rows.append((name, "time/raw", f"{want:.3f}",
                         " ".join(f"{r:.3f}" for r in got), verdict))
            rows.append((name, "(wall clock)", "", " ".join(f"{r:.3f}" for r in wall), "not gated"))
            if reproduced:
                regressions.append(f"{name}: time ratio to raw {want:.3f} -> "
                                   f"{', '.join(f'{r:.3f}' for r in got)} "
                                   f"(limit {limit:.3f}, slow in {slow_rounds} of {len(got)} rounds)")
    return rows, regressions


def print_table(rows):
    widths = [max(len(str(r[i])) for r in rows + [("workload", "signal", "baseline", "measured",
                                                     "verdict")]) for i in range(5)]
    header = ("workload", "signal", "baseline", "measured", "verdict")
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def update(binary, build, baseline_path, jobs):
    workloads = all_deterministic_workloads(binary)
    # Time ratios only where time is the thread's CPU time (see measure.time_per_op).
    short = [n for n in SHORT_WORKLOADS if runs_inline(n)]
    measured = measure_deterministic(binary, workloads, jobs)
    ratios = measure_ratios(binary, short, FULL_ROUNDS, FULL_MIN_TIME)
    entries = {}
    for name in workloads:
        m = measured[name]
        entry = {"syscalls_per_op": round(m.syscalls_per_op, 4),
                 "instructions_per_op": round(m.instructions_per_op, 2)}
        if name in short and ratios[name]:
            entry["time_ratio_to_raw"] = round(statistics.median(t for t, _ in ratios[name]), 4)
        entries[name] = entry
    baseline = {
        "about": "sockref's performance baseline; see benchmarks/README.md. Regenerate with "
                 "`bazel run //benchmarks:gate -- --update`, never by hand.",
        "recorded": datetime.date.today().isoformat(),
        "build": comparable_build(build),
        "iterations": measure.ITERATIONS,
        "warmup": measure.WARMUP,
        "workloads": entries,
    }
    with open(baseline_path, "w") as f:
        json.dump(baseline, f, indent=2)
        f.write("\n")
    print(f"wrote {baseline_path} ({len(entries)} workloads)")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default=measure.default_binary(),
                   help="socket_benchmark built with -c opt")
    p.add_argument("--baseline", help="baseline.json (default: benchmarks/baseline.json)")
    p.add_argument("--full", action="store_true",
                   help=f"every deterministic workload, {FULL_ROUNDS} wall-clock rounds")
    p.add_argument("--update", action="store_true", help="re-record the baseline")
    p.add_argument("--rounds", type=int, help=f"wall-clock rounds (default {ROUNDS})")
    p.add_argument("--no_timing", action="store_true", help="deterministic signals only (no time ratios)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="callgrind runs in parallel")
    p.add_argument("--json_out", help="write the verdict and all numbers here")
    return p.parse_args(argv)


def gated_workloads(binary, full, baseline):
    """The workloads to gate (all deterministic ones with --full, else SHORT_WORKLOADS) that the
    baseline holds, each other one named on stderr; and the baseline cut down to them."""
    workloads = all_deterministic_workloads(binary) if full else SHORT_WORKLOADS
    missing = [n for n in workloads if n not in baseline["workloads"]]
    for name in missing:
        print(f"gate: {name} is not in the baseline (new workload?): not gated; "
              f"re-record the baseline", file=sys.stderr)
    workloads = [n for n in workloads if n not in missing]
    return workloads, dict(baseline, workloads={n: baseline["workloads"][n] for n in workloads})


def main(argv=None):
    args = parse_args(argv)
    if not args.binary or not os.path.exists(args.binary):
        print("gate: socket_benchmark_opt not found; run `bazel run //benchmarks:gate` "
              "or pass --binary", file=sys.stderr)
        return 2
    build = measure.build_info(args.binary)
    baseline_path = args.baseline or default_baseline_path(for_writing=args.update)

    if args.update:
        if build["inject"] != "none":
            print(f"gate: refusing to record a baseline from a binary with an injected "
                  f"regression ({build['inject']})", file=sys.stderr)
            return 2
        update(args.binary, build, baseline_path, args.jobs)
        return 0

    with open(baseline_path) as f:
        baseline = json.load(f)
    if comparable_build(build) != baseline["build"]:
        print(f"gate: not comparable: baseline recorded with {baseline['build']}, "
              f"this binary is {comparable_build(build)}. Build with gcc -c opt (what "
              f"//benchmarks:socket_benchmark_opt does) or re-record the baseline.",
              file=sys.stderr)
        return 2
    workloads, baseline = gated_workloads(args.binary, args.full, baseline)
    rounds = args.rounds or (FULL_ROUNDS if args.full else ROUNDS)
    min_time = FULL_MIN_TIME if args.full else SHORT_MIN_TIME

    try:
        measured = measure_deterministic(args.binary, workloads, args.jobs)
        timed = [n for n in workloads if "time_ratio_to_raw" in baseline["workloads"][n]]
        ratios = {} if args.no_timing else measure_ratios(args.binary, timed, rounds, min_time)
    except measure.MeasureError as e:
        print(f"gate: measurement failed: {e}", file=sys.stderr)
        return 2
    rows, regressions = compare(baseline, measured, ratios, rounds)

    print(f"sockref performance gate: {args.binary} (inject={build['inject']}) against "
          f"{baseline_path}")
    print(f"thresholds: syscalls/op +{SYSCALLS_TOLERANCE}, instructions/op "
          f"+{INSTRUCTIONS_TOLERANCE:.0%}, time/raw +{RATIO_TOLERANCE:.0%} in {rounds} of "
          f"{rounds} rounds")
    print_table(rows)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"pass": not regressions, "regressions": regressions,
                       "inject": build["inject"],
                       "measured": {n: m._asdict() for n, m in measured.items()},
                       "ratios": ratios}, f, indent=2)
    if regressions:
        print("\nFAIL: performance regression")
        for r in regressions:
            print(f"  {r}")
        print("If the change is intended, re-record: bazel run //benchmarks:gate -- --update")
        return 1
    print("\nPASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
