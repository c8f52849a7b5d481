"""Checks that sockref's _socket stand-in leaks neither descriptors nor Python objects.

    /usr/bin/python3 python/leak_check.py --sockref bazel-bin/python/_sockref_socket.so

Runs classes of CPython's test_socket.py (a cross-section: module functions, TCP, UDP, UNIX,
sendmsg/recvmsg with descriptor passing, timeouts, makefile, sendfile) several rounds in one
process on sockref's module, and after every round counts the process's open descriptors and the
memory tracemalloc traces. The first round warms caches up; after it, a leak shows as growth
from round to round. /usr/bin/python3 is a release build (no sys.gettotalrefcount), so a leaked
reference is caught by what it keeps alive: every object and buffer is traced memory.

Exit status 0 when no descriptor was gained after the warm-up round and traced memory grew by
less than --max-growth bytes per round on average; 1 otherwise.
"""

import argparse
import gc
import os
import sys
import tracemalloc
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

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


def one_round(classes):
    """Runs the classes once; returns (tests run, problems)."""
    from test import test_socket
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(getattr(test_socket, name))
                               for name in classes)
    result = unittest.TestResult()
    suite.run(result)
    return result.testsRun, len(result.failures) + len(result.errors)


def measure():
    gc.collect()
    return open_descriptors(), tracemalloc.get_traced_memory()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockref", default=os.path.join(HERE, "_sockref_socket.so"),
                        help="sockref's extension module; 'stock' checks stock _socket instead")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--max-growth", type=int, default=16 * 1024,
                        help="bytes of traced memory a round may add on average after warm-up")
    parser.add_argument("--python", default="/usr/bin/python3",
                        help="interpreter to check under (the script re-runs itself there)")
    args = parser.parse_args()
    if os.path.realpath(sys.executable) != os.path.realpath(args.python):
        # Bazel's py_test starts the python3 on PATH; the module and the test suite are
        # Debian's CPython's.
        os.execv(args.python, [args.python, os.path.abspath(__file__)] + sys.argv[1:])
    if args.sockref != "stock":
        test_socket_child.install_sockref(os.path.abspath(args.sockref))
    import socket  # noqa: F401  (after the stand-in is in place)
    module = sys.modules["_socket"].__name__
    tracemalloc.start()
    samples = []
    for number in range(1, args.rounds + 1):
        tests, problems = one_round(CLASSES)
        fds, traced = measure()
        samples.append((fds, traced))
        print("round %d: %d tests (%d failed or errored), %d open descriptors, %d bytes traced"
              % (number, tests, problems, fds, traced))
    warm_fds, warm_traced = samples[0]
    last_fds, last_traced = samples[-1]
    growth = (last_traced - warm_traced) / max(1, args.rounds - 1)
    print("%s: descriptors %+d after warm-up; traced memory %+.0f bytes per round after warm-up"
          % (module, last_fds - warm_fds, growth))
    leaked = last_fds > warm_fds or growth > args.max_growth
    print("LEAK" if leaked else "no leak")
    return 1 if leaked else 0


if __name__ == "__main__":
    sys.exit(main())
