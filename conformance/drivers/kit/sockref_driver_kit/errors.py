"""The two ways a step can fail to be an ordinary outcome.

ProtocolError: the request itself is wrong; the driver answers {"error": ...} and carries on.
Unsupported: the implementation lacks a name the step uses; the outcome is {"unsupported": ...}.
"""

PROTOCOL = "sockref-driver/1"


class ProtocolError(Exception):
    """A request the protocol does not define; answered with {"error": str(e)}."""


class Unsupported(Exception):
    """The implementation lacks a name the step uses (AttributeError from the kit's lookup)."""
