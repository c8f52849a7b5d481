#!/usr/bin/env python3
"""history.py: the throughput history, its plot, and step changes in it.

Every recorded run of the implementations matrix (implementations.py --record)
appends one JSON line to benchmarks/history.jsonl: when, the commit, the build
of socket_benchmark, the machine's load, and for every implementation and
workload its throughput and its ratio to raw system calls measured in the same
run (implementation time ÷ raw time per message: 1 is raw's speed, 2 half of it).

    python3 benchmarks/history.py                       # steps in the whole history
    python3 benchmarks/history.py --svg benchmarks/history.svg
    python3 benchmarks/history.py --check               # exit 1 on a step in the last run

A step change is a jump of a workload's ratio between two consecutive runs that
is beyond that series' noise, and that the runs after it confirm (a single run
off the line and back is an outlier, not a step). Noise is estimated robustly
from the series' own run-to-run changes (see find_steps).
"""

import argparse
import json
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_HISTORY = os.path.join(HERE, "history.jsonl")

# Step detection. Ratios are compared on a log scale, so a jump from 1.0 to 1.2
# weighs what a jump from 2.0 to 2.4 does.
NOISE_K = 4.0          # a step is more than NOISE_K robust standard deviations ...
MIN_STEP = math.log(1.15)  # ... and never less than 15 %: this machine is shared
CONFIRM_RUNS = 2       # runs after the jump whose median must stay on the new level
# Until a series has MIN_RUNS_FOR_NOISE runs its own noise cannot be estimated;
# PRIOR_NOISE stands in: what separate runs of the matrix on this shared machine
# show for one workload's ratio (TCP's 64 B ratios move by up to 20 % between
# runs minutes apart), so an early step must exceed about 4 x 5 %.
MIN_RUNS_FOR_NOISE = 6
PRIOR_NOISE = 0.05


def append(path, record):
    """Appends one run's record (a dict) to the history file at `path`."""
    with open(path, "a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")


def load(path):
    """Returns the records of the history file, oldest first ([] if there is none)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def series(records):
    """Maps (implementation, workload) -> [(run index, ratio to raw)], in run order."""
    out = {}
    for index, record in enumerate(records):
        for impl, workloads in sorted(record.get("results", {}).items()):
            for workload, entry in sorted(workloads.items()):
                ratio = entry.get("ratio_to_raw")
                if ratio:
                    out.setdefault((impl, workload), []).append((index, ratio))
    return out


def noise(values):
    """The robust standard deviation of run-to-run changes in log(values): 1.4826 x
    the median absolute deviation of the consecutive differences, divided by sqrt(2)
    (a difference of two noisy values has twice a value's variance)."""
    logs = [math.log(v) for v in values]
    diffs = [b - a for a, b in zip(logs, logs[1:])]
    if len(diffs) < 2:
        return 0.0
    center = statistics.median(diffs)
    mad = statistics.median(abs(d - center) for d in diffs)
    return 1.4826 * mad / math.sqrt(2)


def find_steps(values, k=NOISE_K, min_step=MIN_STEP, confirm=CONFIRM_RUNS):
    """Returns the step changes in a series of ratios, oldest first, each a dict:
    index (the first run on the new level), before, after (the ratios of the two
    consecutive runs), change (after / before) and confirmed (False when fewer than
    `confirm` runs follow the jump: the last runs of a history).

    A jump between runs i-1 and i is a step when |log(v[i] / v[i-1])| exceeds
    max(k x noise, min_step) (noise: at least PRIOR_NOISE while the series is shorter
    than MIN_RUNS_FOR_NOISE) and the median of the runs from i on (up to
    `confirm` + 1 of them) is as far from the median of the runs before i (up to
    `confirm` + 1) in the same direction, so that one outlying run, which jumps
    away and straight back, is not reported.
    """
    if len(values) < 2:
        return []
    sigma = noise(values)
    if len(values) < MIN_RUNS_FOR_NOISE:
        sigma = max(sigma, PRIOR_NOISE)
    threshold = max(k * sigma, min_step)
    logs = [math.log(v) for v in values]
    steps = []
    for i in range(1, len(values)):
        jump = logs[i] - logs[i - 1]
        if abs(jump) <= threshold:
            continue
        before = statistics.median(logs[max(0, i - confirm - 1):i])
        after_window = logs[i:i + confirm + 1]
        after = statistics.median(after_window)
        shift = after - before
        if abs(shift) <= threshold or (shift > 0) != (jump > 0):
            continue
        steps.append({"index": i, "before": values[i - 1], "after": values[i],
                      "change": values[i] / values[i - 1],
                      "confirmed": len(after_window) > confirm})
    # A run-up of several large jumps in the same direction is one step: keep its first.
    merged = []
    for step in steps:
        if merged and step["index"] == merged[-1]["index"] + 1 and \
                (step["change"] > 1) == (merged[-1]["change"] > 1):
            continue
        merged.append(step)
    return merged


def all_steps(records):
    """[(implementation, workload, step)] over the whole history."""
    out = []
    for (impl, workload), points in sorted(series(records).items()):
        indices = [i for i, _ in points]
        for step in find_steps([r for _, r in points]):
            out.append((impl, workload, dict(step, run=indices[step["index"]])))
    return out


def describe(records, run):
    record = records[run]
    return f"run {run} ({record.get('date', '?')}, {record.get('commit', '?')[:10]})"


# --- the plot ----------------------------------------------------------------------------

PALETTE = ["#222222", "#1f66c1", "#e07b00", "#2a9d3a", "#c0392b", "#8e44ad", "#16a085",
           "#7f8c8d", "#d35400", "#2c3e50", "#27ae60", "#f1c40f", "#e84393", "#6c5ce7",
           "#00838f", "#a1887f"]


# long-function: a generated-SVG writer, one element after the other.
def svg(records, title="Ratio to raw system calls over the recorded runs (lower is faster)"):
    """Small multiples, one panel per workload: each implementation's ratio to raw
    per recorded run (log scale); step changes are circled in red."""
    data = series(records)
    workloads = sorted({w for _, w in data}, key=_workload_order)
    impls = sorted({i for i, _ in data}, key=_impl_order)
    color = {impl: PALETTE[n % len(PALETTE)] for n, impl in enumerate(impls)}
    steps = {(i, w, s["run"]) for i, w, s in all_steps(records)}
    cols = 4
    rows = max(1, math.ceil(len(workloads) / cols))
    pw, ph, left, top, gap_x, gap_y = 250, 170, 60, 50, 40, 60
    legend_h = 20 * math.ceil(len(impls) / 4) + 20
    width = left + cols * pw + (cols - 1) * gap_x + 20
    height = top + rows * (ph + gap_y) + legend_h
    ratios = [r for points in data.values() for _, r in points] or [1.0]
    lo = _decade_below(min(ratios))
    hi = _decade_above(max(ratios))
    n_runs = max(1, len(records))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{_esc(title)}</text>']

    def y_of(ratio):
        return ph - (math.log(ratio) - math.log(lo)) / (math.log(hi) - math.log(lo)) * ph

    def x_of(run):
        return 0 if n_runs == 1 else run / (n_runs - 1) * pw

    for n, workload in enumerate(workloads):
        x0 = left + (n % cols) * (pw + gap_x)
        y0 = top + (n // cols) * (ph + gap_y)
        out.append(f'<g transform="translate({x0},{y0})">')
        out.append(f'<text x="{pw / 2}" y="-8" text-anchor="middle">{_esc(_short(workload))}</text>')
        out.append(f'<rect width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
        tick = lo
        while tick <= hi * 1.0001:
            for m in (1, 2, 5):
                v = tick * m
                if lo <= v <= hi:
                    y = y_of(v)
                    out.append(f'<line x1="0" y1="{y:.1f}" x2="{pw}" y2="{y:.1f}" stroke="#eee"/>')
                    out.append(f'<text x="-4" y="{y + 4:.1f}" text-anchor="end">{v:g}×</text>')
            tick *= 10
        out.append(f'<text x="{pw / 2}" y="{ph + 16}" text-anchor="middle" fill="#555">'
                   f'recorded run (1 … {n_runs})</text>')
        for impl in impls:
            points = data.get((impl, workload))
            if not points:
                continue
            coords = [(x_of(run), y_of(r)) for run, r in points]
            if len(coords) > 1:
                out.append(f'<polyline fill="none" stroke="{color[impl]}" stroke-width="1.5" '
                           f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in coords)}"/>')
            for (run, _), (x, y) in zip(points, coords):
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{color[impl]}"/>')
                if (impl, workload, run) in steps:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="none" '
                               f'stroke="red" stroke-width="1.5"/>')
        out.append('</g>')
    ly = top + rows * (ph + gap_y) + 5
    for n, impl in enumerate(impls):
        lx = left + (n % 4) * 260
        y = ly + (n // 4) * 20
        out.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 24}" y2="{y}" stroke="{color[impl]}" '
                   f'stroke-width="2"/>')
        out.append(f'<text x="{lx + 30}" y="{y + 4}">{_esc(impl)}</text>')
    out.append(f'<text x="{left}" y="{height - 6}" fill="#555">Red circles: step changes '
               f'(history.py). Ratio = time per message ÷ raw system calls\' time in the same '
               f'run.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _decade_below(v):
    return 10 ** math.floor(math.log10(v)) if v > 0 else 0.1


def _decade_above(v):
    return 10 ** math.ceil(math.log10(v)) if v > 0 else 10


def _esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _short(workload):
    """'BM_SendRecvUnix/mode:timeout/size:65536' -> 'Unix, timeout, 64 KiB'."""
    parts = workload.split("/")
    transport = parts[0].replace("BM_SendRecv", "").replace("Tcp", "TCP")
    mode = next((p.split(":")[1] for p in parts if p.startswith("mode:")), "?")
    size = int(next((p.split(":")[1] for p in parts if p.startswith("size:")), "0"))
    size_text = f"{size // 1024} KiB" if size >= 1024 else f"{size} B"
    return f"{transport}, {mode}, {size_text}"


def _workload_order(workload):
    parts = workload.split("/")
    return (parts[0] != "BM_SendRecvUnix", workload)


def _impl_order(impl):
    fixed = ["raw", "sockref", "sockref-python"]
    return (fixed.index(impl) if impl in fixed else len(fixed), impl)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--history", default=DEFAULT_HISTORY)
    p.add_argument("--svg", help="write the plot here")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when the last run holds a step change")
    args = p.parse_args(argv)
    if args.history == DEFAULT_HISTORY and os.environ.get("BUILD_WORKSPACE_DIRECTORY"):
        args.history = os.path.join(os.environ["BUILD_WORKSPACE_DIRECTORY"], "benchmarks",
                                    "history.jsonl")
    records = load(args.history)
    print(f"{len(records)} recorded runs in {args.history}")
    steps = all_steps(records)
    for impl, workload, step in steps:
        state = "" if step["confirmed"] else " (not yet confirmed by later runs)"
        print(f"step: {impl} {workload}: ratio to raw {step['before']:.3f} -> {step['after']:.3f} "
              f"(×{step['change']:.2f}) at {describe(records, step['run'])}{state}")
    if not steps:
        print("no step changes")
    if args.svg:
        with open(args.svg, "w") as f:
            f.write(svg(records))
        print(f"wrote {args.svg}")
    last = len(records) - 1
    if args.check and any(s["run"] == last for _, _, s in steps):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
