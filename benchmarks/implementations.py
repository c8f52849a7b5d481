#!/usr/bin/env python3
"""implementations.py: throughput of every implementation with sockets, beside raw and sockref.

    bazel run //benchmarks:implementations                  # writes IMPLEMENTATIONS.md + .svg
    bazel run //benchmarks:implementations -- --record      # ... and appends to history.jsonl

Runs the same workloads (send/recv of 64 B and 64 KiB messages, blocking and
timeout modes, AF_UNIX socketpair and TCP loopback; see impl_bench.py) through:

  * raw system calls and sockref (C++): socket_benchmark's BM_SendRecv* workloads;
  * every CPython found (pyenv's 3.6-3.13 in /root/.pyenv/versions, Debian's
    /usr/bin/python3), PyPy (pypy3), gevent, eventlet and trio (on Debian's
    CPython, when importable), and sockref's Python module (Lib/socket.py on
    //python:_sockref_socket.so, built -c opt, on Debian's CPython).

Throughput is messages per second and bytes per second of wall-clock time; the
ratio to raw compares CPU time per message (the thread never waits: on this
shared machine CPU time does not move when other users take the cores, see
measure.time_per_op), raw measured in the same run, before and after the Python
implementations (the median of the two). About a minute in all.

With --record the run is appended to history.jsonl (history.py plots it and
flags step changes).
"""

import argparse
import datetime
import glob
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import history  # noqa: E402
import measure  # noqa: E402

IMPL_BENCH = os.path.join(HERE, "impl_bench.py")
DEBIAN_PYTHON = "/usr/bin/python3"
SIZES = [64, 64 * 1024]
TRANSPORTS = ["Unix", "Tcp"]
MODES = ["blocking", "timeout"]
TRANSPORT_LABEL = {"Unix": "AF_UNIX", "Tcp": "TCP"}


def log(message):
    print(f"[implementations {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr,
          flush=True)


def workload_key(transport, mode, size):
    """The workload's name without its impl part: the key results are paired by."""
    return f"BM_SendRecv{transport}/mode:{mode}/size:{size}"


def workload_keys():
    return [workload_key(t, m, s) for t in TRANSPORTS for m in MODES for s in SIZES]


def key_of(name):
    return measure.parse_name(name)["workload"]


def label_of(key):
    parts = measure.parse_name(key.replace("/mode:", "/impl:x/mode:", 1))
    size = parts["size"]
    return (f"{TRANSPORT_LABEL[parts['transport']]} {parts['mode']} "
            f"{size // 1024 if size >= 1024 else size} {'KiB' if size >= 1024 else 'B'}")


# --- implementations ---------------------------------------------------------------------

class PythonImpl:
    """An implementation run by impl_bench.py: a name, an interpreter, impl_bench's --impl."""

    def __init__(self, name, python, module, description, extra=()):
        self.name, self.python, self.module = name, python, module
        self.description, self.extra = description, list(extra)

    def command(self, seconds):
        return [self.python, IMPL_BENCH, "--impl", self.module, "--name", self.name,
                f"--seconds={seconds}"] + self.extra


def _version_key(path):
    m = re.search(r"/(\d+)\.(\d+)\.(\d+)/", path)
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0)


def _importable(python, module):
    try:
        return subprocess.run([python, "-c", f"import {module}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_sockref_extension():
    """(the opt-built _sockref_socket.so, the folder of sockref_socket.py), or (None, None)."""
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.path.dirname(HERE)
    so_candidates = [os.path.join(HERE, "opt", "_sockref_socket.so"),
                     os.path.join(workspace, "bazel-bin", "benchmarks", "opt", "_sockref_socket.so"),
                     os.path.join(workspace, "bazel-bin", "python", "opt", "_sockref_socket.so")]
    so = next((c for c in so_candidates if os.path.exists(c)), None)
    py_dir = os.path.join(workspace, "python")
    if not os.path.exists(os.path.join(py_dir, "sockref_socket.py")):
        py_dir = None
    return so, py_dir


def find_python_impls():
    """Every Python implementation with sockets found on this machine."""
    impls = []
    for python in sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3"), key=_version_key):
        version = ".".join(str(x) for x in _version_key(python)[:2])
        impls.append(PythonImpl(f"cpython-{version}", python, "socket",
                                f"CPython {'.'.join(map(str, _version_key(python)))} (pyenv)"))
    if os.path.exists(DEBIAN_PYTHON):
        impls.append(PythonImpl("cpython-debian", DEBIAN_PYTHON, "socket",
                                f"Debian's CPython ({DEBIAN_PYTHON})"))
    pypy = shutil.which("pypy3")
    if pypy:
        impls.append(PythonImpl("pypy3", pypy, "socket", "PyPy's socket module"))
    for name, module, what in (("gevent", "gevent.socket", "gevent.socket"),
                               ("eventlet", "eventlet", "eventlet.green.socket"),
                               ("trio", "trio", "trio.socket, awaited")):
        if os.path.exists(DEBIAN_PYTHON) and _importable(DEBIAN_PYTHON, module):
            impls.append(PythonImpl(name, DEBIAN_PYTHON, name, f"{what} on Debian's CPython"))
    so, py_dir = find_sockref_extension()
    if so and py_dir and os.path.exists(DEBIAN_PYTHON):
        impls.append(PythonImpl("sockref-python", DEBIAN_PYTHON, "sockref",
                                "sockref's Python module (Lib/socket.py on "
                                "_sockref_socket.so, -c opt) on Debian's CPython",
                                ["--sockref_so", so, "--sockref_dir", py_dir]))
    return impls


# --- measuring ---------------------------------------------------------------------------

def run_cpp(binary, min_time):
    """{impl (raw, sockref): {key: benchmark entry}} from one socket_benchmark run."""
    names = []
    for key in workload_keys():
        for impl in ("raw", "sockref"):
            names.append(key.replace("/mode:", f"/impl:{impl}/mode:", 1))
    report = measure.run_benchmarks(binary, measure.exact_filter(names), min_time)
    out = {"raw": {}, "sockref": {}}
    for name, entry in measure.results_by_name(report).items():
        out[measure.parse_name(name)["impl"]][key_of(name)] = entry
    return out


def run_python(impl, seconds):
    """{key: entry} for one Python implementation, its interpreter's version, or an error."""
    try:
        proc = subprocess.run(impl.command(seconds), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {}, None, "timed out"
    if proc.returncode != 0:
        return {}, None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else \
            f"exit {proc.returncode}"
    data = json.loads(proc.stdout)
    out = {}
    errors = []
    for entry in data["results"]:
        if "error" in entry:
            errors.append(f"{entry['name']}: {entry['error']}")
            continue
        out[key_of(entry["name"])] = entry
    return out, data.get("python"), "; ".join(errors) or None


def measure_all(binary, impls, seconds, min_time):
    """Runs everything; returns (rows, raw_cpu): rows maps impl name -> {key: entry}."""
    log("raw and sockref (C++): first run")
    first = run_cpp(binary, min_time)
    rows = {}
    info = {}
    for impl in impls:
        log(f"{impl.name}: {impl.python}")
        results, version, error = run_python(impl, seconds)
        rows[impl.name] = results
        info[impl.name] = {"description": impl.description, "python": version, "error": error}
        if error:
            log(f"{impl.name}: {error}")
    log("raw and sockref (C++): second run")
    second = run_cpp(binary, min_time)
    raw_cpu = {}
    for key in workload_keys():
        samples = [run["raw"][key]["cpu_time"] for run in (first, second) if key in run["raw"]]
        if samples:
            raw_cpu[key] = statistics.median(samples)
    for impl in ("raw", "sockref"):
        merged = {}
        for key in workload_keys():
            entries = [run[impl][key] for run in (first, second) if key in run[impl]]
            if entries:
                merged[key] = {
                    "cpu_time": statistics.median(e["cpu_time"] for e in entries),
                    "real_time": statistics.median(e["real_time"] for e in entries),
                    "items_per_second": statistics.median(e["items_per_second"] for e in entries),
                    "bytes_per_second": statistics.median(e["bytes_per_second"] for e in entries),
                }
        rows[impl] = merged
        info[impl] = {"description": "raw system calls (C++)" if impl == "raw" else
                      "sockref::Socket (C++)", "python": None, "error": None}
    return rows, info, raw_cpu


def results_table(rows, raw_cpu):
    """{impl: {key: {msgs_per_s, bytes_per_s, ratio_to_raw}}}: what is published and recorded."""
    out = {}
    for impl, entries in rows.items():
        for key, e in entries.items():
            ratio = e["cpu_time"] / raw_cpu[key] if key in raw_cpu and raw_cpu[key] else None
            out.setdefault(impl, {})[key] = {
                "msgs_per_s": round(e["items_per_second"], 1),
                "bytes_per_s": round(e["bytes_per_second"], 1),
                "cpu_ns_per_msg": round(e["cpu_time"], 1),
                "ratio_to_raw": round(ratio, 4) if ratio else None,
            }
    return out


# --- publishing --------------------------------------------------------------------------

def ordered_impls(table):
    fixed = ["raw", "sockref", "sockref-python"]
    rest = sorted(i for i in table if i not in fixed)
    cpythons = sorted((i for i in rest if i.startswith("cpython-")),
                      key=lambda n: (n == "cpython-debian",
                                     tuple(int(x) for x in re.findall(r"\d+", n))))
    others = [i for i in rest if not i.startswith("cpython-")]
    return [i for i in fixed if i in table] + cpythons + others


def fmt_rate(value, unit):
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:,.2f} {suffix}{unit}"
    return f"{value:,.0f} {unit}"


def markdown(table, info, meta):
    keys = workload_keys()
    impls = ordered_impls(table)
    lines = ["# Throughput of every implementation", "",
             f"Generated by `bazel run //benchmarks:implementations` on {meta['date']} in "
             f"{meta['elapsed']:.0f} s at commit `{meta['commit'][:12]}`. Do not edit: re-run it "
             "(`-- --record` also appends the run to [history.jsonl](history.jsonl); "
             "`python3 benchmarks/history.py --svg benchmarks/history.svg` plots the history and "
             "flags step changes: [history.svg](history.svg)).", "",
             f"* machine: {meta['cpu']}, {meta['cores']} cores, load average "
             f"{meta['load_start']:.1f} at the start, {meta['load_end']:.1f} at the end (shared: "
             "compare ratios from one run)",
             f"* sockref: {meta['build']['compiler']}, -c opt ({meta['build']['codegen']})",
             f"* {meta['seconds']} s per workload and Python implementation; raw and sockref: "
             "Google Benchmark, run before and after the Python implementations (medians)", "",
             "Every implementation runs the same workloads: one thread sends a message with "
             "`send()` until all is sent, then receives it with `recv()` until all has arrived "
             "(data is always ready), over an AF_UNIX socketpair or TCP loopback with "
             "TCP_NODELAY, in blocking mode or timeout mode (`settimeout(10.0)`; trio: each call "
             "in `trio.fail_after(10.0)`). Throughput is of wall-clock time; *× raw* is CPU time "
             "per message over raw system calls' in the same run (1 = raw's speed, 2 = half of "
             "it), which this shared machine does not skew.", "",
             "![throughput of every implementation](implementations.svg)", "",
             "## Implementations", "", "| name | what | interpreter |", "|---|---|---|"]
    for impl in impls:
        i = info.get(impl, {})
        note = f" (errors: {i['error']})" if i.get("error") else ""
        lines.append(f"| {impl} | {i.get('description', '')}{note} | {i.get('python') or '–'} |")
    for title, field, unit, sizes in (("Messages per second, 64 B messages", "msgs_per_s", "msg/s",
                                       [64]),
                                      ("Bytes per second, 64 KiB messages", "bytes_per_s", "B/s",
                                       [65536]),
                                      ("Messages per second, 64 KiB messages", "msgs_per_s",
                                       "msg/s", [65536]),
                                      ("Bytes per second, 64 B messages", "bytes_per_s", "B/s",
                                       [64])):
        cols = [k for k in keys if measure.parse_name(k.replace("/mode:", "/impl:x/mode:"))["size"]
                in sizes]
        lines += ["", f"## {title}", "",
                  "| implementation | " + " | ".join(label_of(k) for k in cols) + " |",
                  "|---|" + "---|" * len(cols)]
        for impl in impls:
            cells = []
            for k in cols:
                e = table[impl].get(k)
                if not e:
                    cells.append("–")
                    continue
                ratio = f" ×{e['ratio_to_raw']:.2f}" if e.get("ratio_to_raw") else ""
                cells.append(f"{fmt_rate(e[field], unit)}{ratio}")
            name = f"**{impl}**" if impl == "sockref" else impl
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


COLORS = {"AF_UNIX blocking": "#1f66c1", "AF_UNIX timeout": "#7fb0ec",
          "TCP blocking": "#e07b00", "TCP timeout": "#f5b971"}


# long-function: a generated-SVG writer, one element after the other.
def plot(table):
    """Two panels (64 B: messages/s; 64 KiB: bytes/s), one row per implementation,
    one marker per transport and mode, log scale."""
    impls = ordered_impls(table)
    row_h, top, left, pw, gap = 22, 60, 130, 380, 60
    width = left + 2 * pw + gap + 30
    height = top + row_h * len(impls) + 90
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">Throughput of every '
           f'implementation, send/recv, one thread, data ready (higher is better)</text>']
    panels = [(64, "msgs_per_s", "64 B messages: messages per second", "msg/s"),
              (65536, "bytes_per_s", "64 KiB messages: bytes per second", "B/s")]
    for p, (size, field, title, unit) in enumerate(panels):
        x0 = left + p * (pw + gap)
        values = [e[field] for impl in impls for k, e in table[impl].items()
                  if k.endswith(f"/size:{size}")]
        if not values:
            continue
        lo = 10 ** math.floor(math.log10(min(values)))
        hi = 10 ** math.ceil(math.log10(max(values)))
        if hi / lo < 100:
            lo = hi / 100

        def x_of(v):
            return x0 + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * pw

        out.append(f'<text x="{x0 + pw / 2}" y="{top - 22}" text-anchor="middle" '
                   f'font-size="12">{title}</text>')
        out.append(f'<rect x="{x0}" y="{top - 10}" width="{pw}" height="{row_h * len(impls) + 10}" '
                   f'fill="none" stroke="#888"/>')
        tick = lo
        while tick <= hi * 1.0001:
            for m in (1, 2, 5):
                v = tick * m
                if lo <= v <= hi:
                    x = x_of(v)
                    out.append(f'<line x1="{x:.1f}" y1="{top - 10}" x2="{x:.1f}" '
                               f'y2="{top + row_h * len(impls)}" stroke="#eee"/>')
                    if m == 1 or (m == 5 and hi / lo <= 1000):
                        out.append(f'<text x="{x:.1f}" y="{top + row_h * len(impls) + 14}" '
                                   f'text-anchor="middle">{fmt_rate(v, unit)}</text>')
            tick *= 10
        for r, impl in enumerate(impls):
            y = top + r * row_h + row_h / 2
            if p == 0:
                weight = ' font-weight="bold"' if impl in ("raw", "sockref") else ""
                out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end"{weight}>'
                           f'{impl}</text>')
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" '
                       f'stroke="#f4f4f4"/>')
            for key, e in table[impl].items():
                if not key.endswith(f"/size:{size}"):
                    continue
                label = label_of(key).rsplit(" ", 2)[0]
                out.append(f'<circle cx="{x_of(e[field]):.1f}" cy="{y:.1f}" r="4" '
                           f'fill="{COLORS[label]}"><title>{impl} {label_of(key)}: '
                           f'{fmt_rate(e[field], unit)}</title></circle>')
    ly = top + row_h * len(impls) + 40
    for n, (label, color) in enumerate(COLORS.items()):
        lx = left + n * 170
        out.append(f'<circle cx="{lx}" cy="{ly}" r="4" fill="{color}"/>')
        out.append(f'<text x="{lx + 10}" y="{ly + 4}">{label}</text>')
    out.append(f'<text x="{left}" y="{height - 12}" fill="#555">Wall-clock throughput; see '
               f'IMPLEMENTATIONS.md for the ratios to raw system calls (CPU time).</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def git_commit(workspace):
    try:
        return subprocess.run(["git", "-C", workspace, "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default=measure.default_binary(), help="socket_benchmark built -c opt")
    p.add_argument("--seconds", type=float, default=0.2,
                   help="measured seconds per workload and Python implementation")
    p.add_argument("--min_time", type=float, default=0.2, help="Google Benchmark's, for C++")
    p.add_argument("--out_dir", help="where IMPLEMENTATIONS.md and implementations.svg go")
    p.add_argument("--record", action="store_true", help="append this run to history.jsonl")
    p.add_argument("--history", help="the history file (default benchmarks/history.jsonl)")
    p.add_argument("--only", action="append", help="only these Python implementations")
    args = p.parse_args(argv)
    if not args.binary:
        print("implementations: socket_benchmark_opt not found; use `bazel run "
              "//benchmarks:implementations`", file=sys.stderr)
        return 2
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.path.dirname(HERE)
    out_dir = args.out_dir or os.path.join(workspace, "benchmarks")
    started = datetime.datetime.now()
    load_start = os.getloadavg()[0]
    impls = find_python_impls()
    if args.only:
        impls = [i for i in impls if i.name in args.only]
    rows, info, raw_cpu = measure_all(args.binary, impls, args.seconds, args.min_time)
    table = results_table(rows, raw_cpu)
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    build = measure.build_info(args.binary)
    meta = {"date": f"{started:%Y-%m-%d %H:%M}", "commit": git_commit(workspace),
            "elapsed": (datetime.datetime.now() - started).total_seconds(), "cpu": cpu,
            "cores": os.cpu_count(), "load_start": load_start, "load_end": os.getloadavg()[0],
            "build": build, "seconds": args.seconds}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "IMPLEMENTATIONS.md"), "w") as f:
        f.write(markdown(table, info, meta))
    with open(os.path.join(out_dir, "implementations.svg"), "w") as f:
        f.write(plot(table))
    log(f"wrote {out_dir}/IMPLEMENTATIONS.md and implementations.svg in {meta['elapsed']:.0f} s")
    if args.record:
        path = args.history or os.path.join(workspace, "benchmarks", "history.jsonl")
        history.append(path, {
            "date": started.isoformat(timespec="seconds"), "commit": meta["commit"],
            "build": build, "host": platform.node(), "load": [load_start, meta["load_end"]],
            "seconds": args.seconds,
            "interpreters": {name: i.get("python") for name, i in info.items()},
            "results": table})
        records = history.load(path)
        with open(os.path.join(os.path.dirname(path), "history.svg"), "w") as f:
            f.write(history.svg(records))
        log(f"appended run {len(records) - 1} to {path}; wrote history.svg")
        for impl, workload, step in history.all_steps(records):
            if step["run"] == len(records) - 1:
                log(f"step change: {impl} {workload}: {step['before']:.3f} -> {step['after']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
