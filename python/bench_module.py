"""Times send/recv through sockref's extension against stock _socket, in one run.

    bazel run //python:bench_module                 # or:
    /usr/bin/python3 python/bench_module.py --sockref bazel-bin/python/_sockref_socket.so
    bazel run //python:bench_module -- --markdown $PWD/benchmarks/PYTHON_MODULE.md

Both modules are the full `socket` API (Lib/socket.py) in the same /usr/bin/python3 process:
the stock `socket` module, and sockref_socket (Lib/socket.py on sockref's extension). Workloads
follow benchmarks/: an AF_UNIX socketpair, one thread sends a message with send() (until all is
sent) and then receives it with recv() (until all has arrived), so data is always ready and
what is measured is each module's own path. Timeout mode is settimeout(10.0), which never
expires here: CPython polls before every call in that mode, sockref tries the call first
(impl/timeout_engine.h), so sockref makes one system call per ready operation where CPython makes
two. Samples of the two modules alternate in time; the table shows the median time per message
and the ratio sockref/stock (below 1: sockref is faster).
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sockref_extension  # noqa: E402  (same directory)
WORKLOADS = [  # (message size in bytes, mode)
    (64, "timeout"),
    (64 * 1024, "timeout"),
    (64, "blocking"),
    (64 * 1024, "blocking"),
]


def one_sample(module, size, mode, seconds):
    """Seconds per message over about `seconds` of sending and receiving `size`-byte messages."""
    a, b = module.socketpair()
    try:
        if mode == "timeout":
            a.settimeout(10.0)
            b.settimeout(10.0)
        payload = memoryview(b"x" * size)
        iterations, start = 0, time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(64):  # check the clock every 64 messages, not every one
                sent = 0
                while sent < size:
                    sent += a.send(payload[sent:])
                got = 0
                while got < size:
                    got += len(b.recv(size - got))
            iterations += 64
            now = time.perf_counter()
            if now >= deadline:
                return (now - start) / iterations
    finally:
        a.close()
        b.close()


def load_modules(sockref_path):
    """[(label, module)]: stock `socket`, and Lib/socket.py on the extension at sockref_path."""
    import socket as stock
    # Loaded first, so sockref_socket runs on exactly this file.
    extension = sockref_extension.load(sockref_path)
    import sockref_socket
    assert sockref_socket._socket is extension and stock._socket.__name__ == "_socket"
    return [("stock _socket", stock), ("sockref", sockref_socket)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sockref_extension.add_arguments(
        parser, python_help="interpreter to measure under (the script re-runs itself there)")
    parser.add_argument("--samples", type=int, default=7, help="samples per module and workload")
    parser.add_argument("--seconds", type=float, default=0.3, help="length of one sample")
    parser.add_argument("--markdown", help="also write the table as a Markdown page to this file")
    args = parser.parse_args()
    sockref_extension.run_under(args.python, __file__)
    modules = load_modules(args.sockref)
    times = {}
    for sample in range(args.samples):
        for size, mode in WORKLOADS:
            # Alternate which module goes first, so drift in the machine's load hits both.
            order = modules if sample % 2 == 0 else modules[::-1]
            for label, module in order:
                times.setdefault((label, size, mode), []).append(
                    one_sample(module, size, mode, args.seconds))
    rows = medians(times)
    print("send/recv over an AF_UNIX socketpair, one thread, %s %s; median of %d "
          "samples of %.1f s" % (args.python, sys.version.split()[0], args.samples, args.seconds))
    print("%-28s %14s %14s %14s" % ("workload", "stock _socket", "sockref", "sockref/stock"))
    for name, stock, ours in rows:
        print("%-28s %11.2f us %11.2f us %14.2f" % (name, stock * 1e6, ours * 1e6, ours / stock))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write(markdown(rows, args))
        print("wrote %s" % args.markdown)
    return 0


def medians(times):
    """[(workload name, stock seconds, sockref seconds)] in WORKLOADS order."""
    rows = []
    for size, mode in WORKLOADS:
        name = "%s, %s mode" % ("%d B" % size if size < 1024 else "%d KiB" % (size // 1024), mode)
        rows.append((name, statistics.median(times[("stock _socket", size, mode)]),
                     statistics.median(times[("sockref", size, mode)])))
    return rows


def markdown(rows, args):
    """The page benchmarks/REPORT.md links to: the table, how it was made, what it shows."""
    lines = [
        "# sockref's Python module vs stock `_socket`", "",
        "Written by `bazel run //python:bench_module -- --markdown "
        "$PWD/benchmarks/PYTHON_MODULE.md` (the extension built with `-c opt`).", "",
        "Both modules are the full `socket` API (Lib/socket.py) in the same `%s` %s process, "
        "samples alternating: send/recv over an AF_UNIX socketpair in one thread, so data is "
        "always ready; timeout mode is `settimeout(10.0)`. Median of %d samples of %.1f s, "
        "wall-clock time per message (send and recv of the whole message):"
        % (args.python, sys.version.split()[0], args.samples, args.seconds), "",
        "| workload | stock `_socket` | sockref | sockref/stock |",
        "|---|---:|---:|---:|"]
    for name, stock, ours in rows:
        lines.append("| %s | %.2f µs | %.2f µs | %.2f |" % (name, stock * 1e6, ours * 1e6,
                                                           ours / stock))
    lines += ["", "In timeout mode CPython polls before every call and sockref tries the call "
              "first, so a ready operation costs sockref one system call where CPython makes "
              "two: from Python that shows in the timeout-mode rows. In blocking mode both make "
              "one.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
