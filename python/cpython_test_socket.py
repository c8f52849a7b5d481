"""Runs CPython's own test_socket.py on stock CPython and on sockref, and compares the two.

    bazel run //python:cpython_test_socket

Both runs use /usr/bin/python3 and its installed test suite (Debian's libpython3.11-testsuite):
first with the stock `_socket`, then with sockref's extension standing in for it (see
test_socket_child.py). Tests excluded in test_socket_excluded.txt are left out of both. Each run
is bounded by --timeout; a run cut short reports the test it was in as an error ("hung").

Every differing test is run once more on both modules, alone: a difference counts only when it
reproduces (a timing-sensitive test can fail once on a loaded machine, on either side), and one
that does not is reported as such. The report gives run/passed/failed/errors/skipped for both,
every test that passes on stock and not on sockref with its first failure line, every other
difference, and ends with the line

    sockref: P passed, F failed, E errors, S skipped of T; stock CPython: P0 passed

The exit status is non-zero when a difference is not listed in
test_socket_differences.txt, when a listed one no longer differs (stale), or when sockref passes
fewer than --min-ratio of the tests stock CPython passes.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUTCOMES = ("pass", "fail", "error", "skip")


def read_listing(path):
    """{name: reason} from a file of `name  # reason` lines (blank lines and comments skipped)."""
    entries = {}
    with open(path) as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition("#")
            name, reason = name.strip(), reason.strip()
            if not reason:
                raise SystemExit("%s:%d: %s has no reason" % (path, number, name))
            entries[name] = reason
    return entries


def short_id(test_id):
    """'test.test_socket.Class.method' -> 'Class.method'."""
    return ".".join(test_id.split(".")[-2:])


class Run:
    """One run of the child: its outcomes by test, and how it ended."""

    def __init__(self, label):
        self.label = label
        self.results = {}  # short id -> (outcome, first line)
        self.seconds = 0.0
        self.note = ""
        self.info = {}

    def count(self, outcome):
        return sum(1 for o, _ in self.results.values() if o == outcome)


def run_child(label, python, excluded, sockref, timeout, only=()):
    """Runs test_socket.py once (only the tests in `only`, if given) and collects the results."""
    run = Run(label)
    with tempfile.TemporaryDirectory(prefix="sockref-test-socket-") as tmp:
        events_path = os.path.join(tmp, "events.jsonl")
        argv = [python, os.path.join(HERE, "test_socket_child.py"), "--events", events_path]
        for name in sorted(excluded):
            argv += ["--exclude", name]
        for name in sorted(only):
            argv += ["--only", name]
        if sockref:
            argv += ["--sockref", sockref]
        start = time.monotonic()
        # The child's own output (warnings, tracebacks of threads) goes to a log, not here.
        with open(os.path.join(tmp, "child.log"), "w+") as log:
            try:
                code = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
                                      timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                code = None
            log.seek(0)
            log_tail = log.read()[-2000:]
        run.seconds = time.monotonic() - start
        started = None
        if os.path.exists(events_path):
            with open(events_path) as f:
                for line in f:
                    event = json.loads(line)
                    kind = event["event"]
                    if kind == "begin":
                        run.info = event
                    elif kind == "start":
                        started = event["id"]
                    elif kind == "end":
                        run.results[short_id(event["id"])] = (event["outcome"], event["line"])
                        started = None
                    elif kind == "harness_error":
                        run.note = "harness error: " + event["line"]
        if code is None:
            run.note = "cut off after %d s" % timeout
            if started:
                run.results[short_id(started)] = ("error", "hung: no result within the run's %d s"
                                                  % timeout)
        elif code != 0 and not run.results:
            run.note = "child failed (exit %d): %s" % (code, log_tail.strip().splitlines()[-1:])
    return run


def confirm_differences(stock, sockref, python, excluded, sockref_path, timeout):
    """Re-runs every differing test on both modules, alone; returns the names whose difference
    did not reproduce. Timing-sensitive tests can fail once on a loaded machine, on either side;
    a difference counts only when it shows twice. The first results are kept for the report."""
    names = [d[0] for d in compare(stock, sockref)]
    if not names:
        return []
    again_stock = run_child("stock CPython", python, excluded, None, timeout, names)
    again_ours = run_child("sockref", python, excluded, sockref_path, timeout, names)
    still = {d[0] for d in compare(again_stock, again_ours)}
    flaky = [n for n in names if n not in still and n in again_stock.results
             and n in again_ours.results]
    for name in flaky:  # what the re-run saw replaces the one-off outcome
        stock.results[name] = again_stock.results[name]
        sockref.results[name] = again_ours.results[name]
    return flaky


def compare(stock, sockref):
    """[(name, stock outcome, sockref outcome, sockref line)] for every differing test."""
    differences = []
    for name in sorted(set(stock.results) | set(sockref.results)):
        a = stock.results.get(name, ("missing", ""))
        b = sockref.results.get(name, ("missing", ""))
        if a[0] != b[0]:
            differences.append((name, a[0], b[0], b[1] or a[1]))
    return differences


def find_problems(stock, sockref, listed, min_ratio, listing_name):
    """(problems, sockref passes among stock's passes, stock's passes) for two runs.

    A problem is a difference missing from `listed`, a listed name that no longer differs
    (stale), sockref passing under `min_ratio` of what stock passes, or an incomplete run.
    """
    differing = {d[0] for d in compare(stock, sockref)}
    unlisted = sorted(differing - set(listed))
    stale = sorted(set(listed) - differing)
    stock_passing = [n for n, (o, _) in stock.results.items() if o == "pass"]
    kept = sum(1 for n in stock_passing if sockref.results.get(n, ("",))[0] == "pass")
    ratio = kept / len(stock_passing) if stock_passing else 0.0
    problems = []
    if unlisted:
        problems.append("%d difference(s) not listed in %s: %s" % (
            len(unlisted), listing_name, ", ".join(unlisted)))
    if stale:
        problems.append("%d stale entr(y/ies) in %s (no longer differ): %s" % (
            len(stale), listing_name, ", ".join(stale)))
    if ratio < min_ratio:
        problems.append("sockref passes %.1f%% of the stock-passing tests, below %.0f%%" % (
            100 * ratio, 100 * min_ratio))
    for r in (stock, sockref):
        if r.note or not r.results:
            problems.append("%s run incomplete: %s" % (r.label, r.note or "no results"))
    return problems, kept, len(stock_passing)


def module_name(run):
    """'_socket (_socket.cpython-311-x86_64-linux-gnu.so)': what a run's _socket was, by name and
    file, since sockref's extension names itself _socket as the module it stands in for."""
    path = run.info.get("file", "?")
    where = path if path in ("built-in", "?") else os.path.basename(path)
    return "%s (%s)" % (run.info.get("module", "?"), where)


def header_line(python, stock, sockref):
    return "CPython's test_socket.py under %s (Python %s): stock %s vs sockref %s" % (
        python, stock.info.get("python", "?"), module_name(stock), module_name(sockref))


def print_counts(runs):
    print("%-14s %6s %7s %7s %7s %8s %8s" % ("", "run", "passed", "failed", "errors", "skipped",
                                             "time"))
    for r in runs:
        print("%-14s %6d %7d %7d %7d %8d %7.1fs%s" % (
            r.label, len(r.results), r.count("pass"), r.count("fail"), r.count("error"),
            r.count("skip"), r.seconds, "  (" + r.note + ")" if r.note else ""))


# long-function: the run's steps in order, whose printed report other tools read; kept whole.
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="/usr/bin/python3",
                        help="interpreter whose test suite and _socket are used")
    parser.add_argument("--sockref", default=os.path.join(HERE, "_sockref_socket.so"),
                        help="sockref's extension module")
    parser.add_argument("--excluded", default=os.path.join(HERE, "test_socket_excluded.txt"))
    parser.add_argument("--differences",
                        default=os.path.join(HERE, "test_socket_differences.txt"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds per run")
    parser.add_argument("--min-ratio", type=float, default=0.95,
                        help="share of stock-passing tests sockref must pass")
    args = parser.parse_args()

    excluded = read_listing(args.excluded)
    listed = read_listing(args.differences)
    stock = run_child("stock CPython", args.python, excluded, None, args.timeout)
    sockref = run_child("sockref", args.python, excluded, os.path.abspath(args.sockref),
                        args.timeout)

    flaky = confirm_differences(stock, sockref, args.python, excluded,
                                os.path.abspath(args.sockref), args.timeout)

    print(header_line(args.python, stock, sockref))
    print("Excluded from both runs:")
    for name, reason in sorted(excluded.items()):
        print("  %s: %s" % (name, reason))
    print()
    print_counts([stock, sockref])

    differences = compare(stock, sockref)
    regressions = [d for d in differences if d[1] == "pass"]
    others = [d for d in differences if d[1] != "pass"]
    print("\nPASSES ON STOCK CPYTHON, NOT ON SOCKREF (%d)" % len(regressions))
    for name, _, outcome, line in regressions:
        print("  %s: %s: %s" % (name, outcome, line))
        if name in listed:
            print("      listed: %s" % listed[name])
    print("\nOTHER DIFFERENCES (%d)" % len(others))
    for name, before, after, line in others:
        print("  %s: stock %s, sockref %s: %s" % (name, before, after, line))
        if name in listed:
            print("      listed: %s" % listed[name])

    print("\nDIFFERENCES THAT DID NOT REPRODUCE WHEN RE-RUN ALONE (%d)" % len(flaky))
    for name in flaky:
        print("  %s: now %s on both" % (name, stock.results[name][0]))

    problems, kept, stock_passing = find_problems(stock, sockref, listed, args.min_ratio,
                                                  os.path.basename(args.differences))
    ratio = kept / stock_passing if stock_passing else 0.0
    print("\nsockref passes %d of the %d tests stock CPython passes (%.1f%%)" % (
        kept, stock_passing, 100 * ratio))
    print("PROBLEMS" if problems else "No unlisted or stale differences.")
    for p in problems:
        print("  " + p)
    print("sockref: %d passed, %d failed, %d errors, %d skipped of %d; stock CPython: %d passed"
          % (sockref.count("pass"), sockref.count("fail"), sockref.count("error"),
             sockref.count("skip"), len(sockref.results), stock.count("pass")))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
