"""The extension has every name stock _socket has, and no other: a drop-in must not lack one.

Run under Debian's /usr/bin/python3, the interpreter whose headers the extension is built against
(the script re-executes itself there):

    /usr/bin/python3 python/names_test.py [--sockref PATH]

A name stock has and the extension lacks fails the test unless NOT_PROVIDED lists it with its
reason; so does a name only the extension has. The Bluetooth names (BTPROTO_*, HCI_*, SOL_HCI,
BDADDR_ANY, BDADDR_LOCAL) need BlueZ's headers at build time, as CPython's own build does:
ci/setup.sh installs libbluetooth-dev.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sockref_extension  # noqa: E402  (same directory)

# Names stock _socket has that the extension does not provide, each with the reason.
NOT_PROVIDED = {
    "CAPI": "a capsule of CPython's internal C API for other C modules (ssl); python/README.md",
}


def public_names(module):
    return {n for n in dir(module) if not (n.startswith("__") and n.endswith("__"))}


def differences(stock, ours):
    """Lines describing each unexplained difference between the two modules' names and values."""
    lines = []
    for name in sorted(public_names(stock) - public_names(ours)):
        if name not in NOT_PROVIDED:
            lines.append("missing: %s (stock: %r)" % (name, getattr(stock, name)))
    for name in sorted(public_names(ours) - public_names(stock)):
        lines.append("extra: %s" % name)
    for name in sorted(NOT_PROVIDED):
        if name not in public_names(stock) or name in public_names(ours):
            lines.append("NOT_PROVIDED lists %s, which is no longer a difference" % name)
    for name in sorted(public_names(stock) & public_names(ours)):
        a, b = getattr(stock, name), getattr(ours, name)
        if isinstance(a, (int, str)) and (type(a) is not type(b) or a != b):
            lines.append("value: %s is %r in stock, %r in sockref" % (name, a, b))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sockref_extension.add_arguments(parser)
    args = parser.parse_args()
    sockref_extension.run_under(args.python, __file__)
    import _socket as stock
    ours = sockref_extension.load(args.sockref)
    found = differences(stock, ours)
    for line in found:
        print(line)
    print("%d names compared, %d unexplained differences"
          % (len(public_names(stock) | public_names(ours)), len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
