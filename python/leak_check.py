"""Checks that sockref's _socket stand-in leaks neither descriptors nor Python objects.

    /usr/bin/python3 python/leak_check.py --sockref bazel-bin/python/_sockref_socket.so
    python3.11-dbg python/leak_check.py --python /usr/bin/python3.11-dbg --all \
        --sockref bazel-bin/python/_sockref_socket_d.so          # what //python:leak_test runs

Runs classes of CPython's test_socket.py several rounds in one process on sockref's module (with
--all every class but the excluded ones, else a cross-section of 16), and after every round
counts the process's open descriptors, the memory tracemalloc traces and, under a debug build
(python3.11-dbg), sys.gettotalrefcount(). The first round warms caches up; after it, a leak shows
as growth from round to round. The extension must then be built against the debug headers
(_sockref_socket_d.so): a release build's inline Py_INCREF/Py_DECREF do not count into the total,
so the interpreter's own decrements of its objects would look like a change.

Exit status 0 when no descriptor was gained after the warm-up round, traced memory grew by less
than --max-growth bytes and total references by less than --max-ref-growth per round on average;
1 otherwise.
"""

import argparse
import gc
import os
import sys
import time
import tracemalloc
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sockref_extension  # noqa: E402  (same directory)
from cpython_test_socket import read_listing  # noqa: E402  (test_socket_excluded.txt's reader)
import test_socket_child  # noqa: E402  (same directory; installs the stand-in)

CLASSES = [
    "GeneralModuleTests",
    "BasicTCPTest",
    "BasicUDPTest",
    "BasicSocketPairTest",
    "NonBlockingTCPTests",
    "SendmsgUnixStreamTest",
    "RecvmsgUnixStreamTest",
    "RecvmsgIntoSCMRightsStreamTest",
    "RecvmsgUDP6Test",
    "TCPTimeoutTest",
    "InterruptedRecvTimeoutTest",
    "TestUnixDomain",
    "UnbufferedFileObjectClassTestCase",
    "SendfileUsingSendfileTest",
    "ContextManagersTest",
    "InheritanceTest",
]


def open_descriptors():
    return len(os.listdir("/proc/self/fd"))


def load_suite(classes, excluded):
    """The named classes of test_socket.py, or every class but the excluded ones (classes=None)."""
    from test import test_socket
    loader = unittest.defaultTestLoader
    if classes is None:
        return test_socket_child.filtered(loader.loadTestsFromModule(test_socket), excluded)
    return unittest.TestSuite(loader.loadTestsFromTestCase(getattr(test_socket, name))
                              for name in classes)


def one_round(classes, excluded):
    """Runs the classes once; returns (tests run, problems)."""
    result = unittest.TestResult()
    load_suite(classes, excluded).run(result)
    return result.testsRun, len(result.failures) + len(result.errors)


def measure():
    """(open descriptors, traced bytes, total references or None on a release build)."""
    gc.collect()
    refs = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else None
    return open_descriptors(), tracemalloc.get_traced_memory()[0], refs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sockref_extension.add_arguments(
        parser, sockref_help="sockref's extension module; 'stock' checks stock _socket instead",
        python_help="interpreter to check under (the script re-runs itself there)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--all", action="store_true",
                        help="every class of test_socket.py but those of --excluded, not CLASSES")
    parser.add_argument("--excluded", default=os.path.join(HERE, "test_socket_excluded.txt"),
                        help="tests left out with --all (they hang in this sandbox)")
    parser.add_argument("--max-growth", type=int, default=16 * 1024,
                        help="bytes of traced memory a round may add on average after warm-up")
    parser.add_argument("--max-ref-growth", type=int, default=200,
                        help="references a round may add on average after warm-up (debug builds)")
    args = parser.parse_args()
    sockref_extension.run_under(args.python, __file__)
    if args.sockref != "stock":
        test_socket_child.install_sockref(os.path.abspath(args.sockref))
    import socket  # noqa: F401  (after the stand-in is in place)
    module = sys.modules["_socket"].__name__
    excluded = list(read_listing(args.excluded)) if args.all else []
    tracemalloc.start()
    samples = []
    for number in range(1, args.rounds + 1):
        started = time.monotonic()
        tests, problems = one_round(None if args.all else CLASSES, excluded)
        fds, traced, refs = measure()
        samples.append((fds, traced, refs))
        print("round %d: %d tests (%d failed or errored), %d open descriptors, %d bytes traced,"
              "%s %.1f s" % (number, tests, problems, fds, traced,
                             "" if refs is None else " %d references," % refs,
                             time.monotonic() - started))
        sys.stdout.flush()
    return report(module, samples, args)


def report(module, samples, args):
    """Prints the growth after the warm-up round; returns the exit status."""
    (warm_fds, warm_traced, warm_refs), (last_fds, last_traced, last_refs) = samples[0], samples[-1]
    rounds = max(1, len(samples) - 1)
    growth = (last_traced - warm_traced) / rounds
    print("%s: descriptors %+d after warm-up; traced memory %+.0f bytes per round after warm-up"
          % (module, last_fds - warm_fds, growth))
    leaked = last_fds > warm_fds or growth > args.max_growth
    if warm_refs is not None:
        ref_growth = (last_refs - warm_refs) / rounds
        print("%s: total references %+.0f per round after warm-up (sys.gettotalrefcount)"
              % (module, ref_growth))
        leaked = leaked or ref_growth > args.max_ref_growth
    else:
        print("no sys.gettotalrefcount (a release build): references are seen as traced memory")
    print("LEAK" if leaked else "no leak")
    return 1 if leaked else 0


if __name__ == "__main__":
    sys.exit(main())
