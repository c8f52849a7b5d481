#!/usr/bin/env python3
"""A minimal sockref-driver/1 driver (conformance/PROTOCOL.md) for toysocket, on the driver kit.

The worked example of docs/validating-your-implementation.md, for an implementation that is not
a Python module with the socket API:

    python3 conformance/drivers/examples/toy_driver.py        # requests on stdin, replies on stdout

The driver kit (conformance/drivers/kit/) does everything the protocol asks of any driver: the
JSON-lines loop with stdout kept for replies, hello with probed capabilities and
python_version, fresh namespaces, statement evaluation, values (exact types, enum members by
name), exceptions (`socket.gaierror` for the module's own classes, gaierror's EAI_* errno
names), captures, background actions, `end` with leaked descriptors counted, and an error
reply for a bad request. What is left here is what only this driver knows:

  * what `socket` is: EXPORTS, a table from the socket module's names to toysocket's
    functions; any other name is `unsupported`, never an error, never a pass. A port to
    another language writes the same table, binding each name to its own function through a
    foreign-function interface;
  * how the implementation introduces itself in hello;
  * how a call is made: as it is, with background actions in threads (the kit's default
    adapter; a green or asynchronous library passes its own, see conformance/drivers/trio/).
"""

import os
import sys

import toysocket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "kit"))
import sockref_driver_kit as kit  # noqa: E402  (after the path it is found on)

# The implementation, as the protocol's `socket` name sees it. Anything else is unsupported.
EXPORTS = {
    "htonl": toysocket.htonl,
    "htons": toysocket.htons,
    "inet_aton": toysocket.inet_aton,
    "inet_ntoa": toysocket.inet_ntoa,
    "ntohl": toysocket.ntohl,
    "ntohs": toysocket.ntohs,
}


def main():
    return kit.run_driver(
        kit.ExportTable("toysocket", EXPORTS), "toysocket", kit.Adapter(),
        hello={"implementation": "toysocket", "version": toysocket.__version__})


if __name__ == "__main__":
    sys.exit(main())
