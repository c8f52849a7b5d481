#!/usr/bin/env python3
"""The oracle driver: speaks sockref-driver/1 (conformance/PROTOCOL.md) over a real socket module.

    python3 oracle/driver.py                                # CPython's socket: the oracle
    pypy3 oracle/driver.py                                  # PyPy's socket
    /usr/bin/python3 oracle/driver.py --module gevent.socket
    /usr/bin/python3 oracle/driver.py --module eventlet.green.socket

It reads one JSON request per line on stdin and writes one JSON reply per line on stdout; logs go
to stderr. Everything but choosing the module is the driver kit's (conformance/drivers/kit/),
which evaluates the statement ASTs the runner sends by walking them (never `eval` of source
text), so the driver needs no parser and sees exactly what every other driver sees.

Background actions (`after <delay>: ...`) run in threads for plain socket modules. For green
modules (gevent, eventlet) they run as greenlets spawned with the library's own timer, and the
driver waits for stdin cooperatively, so a green socket is only ever used from the hub's thread
(the kit's Gevent and Eventlet adapters). The driver does not monkey-patch: patching would
change the stdlib `socket` module under the very comparison the suite makes.

Runs unchanged under CPython 3.6+ and PyPy 3.
"""

import argparse
import importlib
import os
import sys


def import_kit():
    """The kit lives in ../kit beside this driver: in the source tree, in Bazel's runfiles (as
    laid out, or through their symlinks) and in a release directory alike."""
    for here in (os.path.abspath(__file__), os.path.realpath(__file__)):
        kit_dir = os.path.join(os.path.dirname(os.path.dirname(here)), "kit")
        if os.path.isdir(os.path.join(kit_dir, "sockref_driver_kit")):
            sys.path.insert(0, kit_dir)
            break
    return importlib.import_module("sockref_driver_kit")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", default="socket",
                        help="the socket module to drive: socket, gevent.socket, "
                             "eventlet.green.socket, ...")
    args = parser.parse_args(argv)
    kit = import_kit()
    out = kit.claim_stdout()  # before the import, whose output must not reach the protocol
    try:
        module = importlib.import_module(args.module)
        adapter = kit.adapter_for(args.module)
    except Exception as e:
        kit.send(out, {"error": "cannot load module %r: %s: %s"
                                % (args.module, type(e).__name__, e)})
        return 1
    return kit.run_driver(module, args.module, adapter, out=out)


if __name__ == "__main__":
    sys.exit(main())
