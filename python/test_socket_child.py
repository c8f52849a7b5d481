"""Runs CPython's installed test_socket.py once and streams each test's outcome as JSON lines.

    /usr/bin/python3 python/test_socket_child.py --events FILE [--sockref PATH] [--exclude NAME]...

With --sockref, the extension module at PATH (sockref's stand-in for `_socket`) is loaded and put
in sys.modules['_socket'] before anything imports `socket`, so Lib/socket.py and the tests run on
it; the stock `_socket` is never imported. Without it the stock module runs.

Events are written as they happen (one JSON object a line, flushed), so when the parent kills a
run that hangs, every finished test is still on record and the one that hung is the last "start".
"""

import argparse
import json
import sys
import traceback
import unittest

import sockref_extension  # same directory: the child runs as a script from here


def install_sockref(path):
    """Loads the extension at `path` and makes it the `_socket` every later import sees."""
    if "socket" in sys.modules or "_socket" in sys.modules:
        raise RuntimeError("socket was imported before sockref could stand in for _socket")
    module = sockref_extension.load(path)
    sys.modules["_socket"] = module
    return module


def last_line(text):
    """The exception line of a formatted traceback: what a reader wants first."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


class EventResult(unittest.TestResult):
    """A TestResult that writes one "start" and one "end" event per test.

    A test's outcome is its worst: a failing subtest fails the test, an error errors it.
    """

    RANK = {"pass": 0, "skip": 1, "fail": 2, "error": 3}

    def __init__(self, out):
        super().__init__()
        self.out = out
        self.current = None

    def emit(self, **event):
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def startTest(self, test):
        super().startTest(test)
        self.current = {"id": test.id(), "outcome": "pass", "line": ""}
        self.emit(event="start", id=test.id())

    def record(self, test, outcome, line=""):
        if self.current is None or self.current["id"] != test.id():
            # setUpClass/setUpModule failures arrive outside any test: report them alone.
            self.emit(event="end", id=test.id() if hasattr(test, "id") else str(test),
                      outcome=outcome, line=line)
            return
        if self.RANK[outcome] > self.RANK[self.current["outcome"]]:
            self.current["outcome"] = outcome
            self.current["line"] = line

    def stopTest(self, test):
        super().stopTest(test)
        if self.current is not None:
            self.emit(event="end", **self.current)
        self.current = None

    def addError(self, test, err):
        super().addError(test, err)
        self.record(test, "error", last_line(self._exc_info_to_string(err, test)))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.record(test, "fail", last_line(self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.record(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.record(test, "fail", "unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "fail" if issubclass(err[0], test.failureException) else "error"
            self.record(test, kind, "%s: %s" % (subtest._subDescription(),
                                                last_line(self._exc_info_to_string(err, test))))


def excluded(test_id, names):
    """Whether test_id ("test.test_socket.Class.method") matches an excluded class or test."""
    parts = test_id.split(".")
    return any(name in (parts[-2], ".".join(parts[-2:])) for name in names)


def filtered(suite, names):
    keep = unittest.TestSuite()
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            keep.addTest(filtered(item, names))
        elif not excluded(item.id(), names):
            keep.addTest(item)
    return keep


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", required=True, help="file to write JSON-line events to")
    parser.add_argument("--sockref", help="path of sockref's _socket stand-in (.so)")
    parser.add_argument("--exclude", action="append", default=[],
                        help="a test class or Class.method to leave out (repeatable)")
    parser.add_argument("--only", action="append", default=[],
                        help="run only these classes or Class.method (repeatable)")
    args = parser.parse_args()
    if args.sockref:
        install_sockref(args.sockref)
    import socket  # noqa: F401  (after the stand-in is in place)
    from test import test_socket
    suite = unittest.defaultTestLoader.loadTestsFromModule(test_socket)
    suite = filtered(suite, args.exclude)
    if args.only:
        only = unittest.TestSuite()
        for test in _flatten(suite):
            if excluded(test.id(), args.only):
                only.addTest(test)
        suite = only
    with open(args.events, "w") as out:
        result = EventResult(out)
        # Both modules call themselves _socket; the file they were loaded from tells them apart.
        module = sys.modules["_socket"]
        result.emit(event="begin", module=module.__name__,
                    file=getattr(module, "__file__", None) or "built-in",
                    python=sys.version.split()[0], executable=sys.executable)
        try:
            suite.run(result)
        except BaseException:  # a crash in the harness is a result too
            result.emit(event="harness_error", line=last_line(traceback.format_exc()))
            raise
        result.emit(event="finish")


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


if __name__ == "__main__":
    main()
