"""The JSON-lines conversation: read a request, answer it, until quit or end of input.

    out = claim_stdout()                          # replies only; stray prints go to stderr
    status = adapter.run(lambda: serve(session, adapter, out))
"""

import json
import os
import sys

from .errors import ProtocolError
from .values import clean_message

# Bytes read from stdin at a time.
READ_SIZE = 65536


def claim_stdout():
    """claim_stdout returns a text stream on a duplicate of descriptor 1, for replies alone,
    and points descriptor 1 and sys.stdout at stderr, so that whatever else writes there (a
    library, a C extension) cannot corrupt the protocol stream."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def send(out, message):
    """send writes `message` to `out` as one JSON line, flushed. A message holding something
    JSON cannot carry is replaced by an error reply (a driver bug, said instead of dying)."""
    try:
        text = json.dumps(message, allow_nan=False)
        # ensure_ascii escapes every surrogate as \ud8xx-\udfxx: a lone one (an exception
        # message, say, quoting a surrogateescape'd path) is cleaned before it goes out.
        if "\\ud" in text:
            text = json.dumps(clean_message(message), allow_nan=False)
    except (TypeError, ValueError) as e:
        text = json.dumps({"error": "driver failure: unencodable reply: %s" % e})
    out.write(text + "\n")
    out.flush()


class LineReader:
    """Reads request lines from a descriptor, letting the adapter's background actions run
    while it waits."""

    def __init__(self, fd, adapter):
        self.fd = fd
        self.adapter = adapter
        self.buffer = b""

    async def readline(self):
        """readline returns the next line without its newline, or None at end of input."""
        while b"\n" not in self.buffer:
            await self.adapter.wait_readable(self.fd)
            chunk = os.read(self.fd, READ_SIZE)
            if not chunk:
                line, self.buffer = self.buffer, b""
                return line or None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


async def serve(session, adapter, out, fd=0):
    """serve answers requests from descriptor `fd` on `out` until quit or end of input; returns
    the exit status (0). A bad request gets {"error": ...}, with its op and step, and the
    conversation goes on."""
    reader = LineReader(fd, adapter)
    while True:
        line = await reader.readline()
        if line is None:
            return 0
        if not line.strip():
            continue
        request, error = parse_request(line)
        if error is not None:
            send(out, error)
            continue
        if request.get("op") == "quit":
            if session.case is not None:
                await session.finish_case(0.0)
            send(out, {"op": "quit"})
            return 0
        send(out, await answer(session, request))


def parse_request(line):
    """parse_request returns (request, None), or (None, the error reply) for a line that is
    not one JSON object."""
    try:
        request = json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return None, {"error": "not a JSON line: %s" % e}
    if not isinstance(request, dict):
        return None, {"error": "a request is a JSON object"}
    return request, None


async def answer(session, request):
    """answer returns the session's reply to `request`, or an error reply echoing its op and
    step."""
    try:
        reply = await session.handle(request)
    except ProtocolError as e:
        reply = {"error": str(e)}
    except Exception as e:  # a driver bug must not kill the conversation
        reply = {"error": "driver failure: %s: %s" % (type(e).__name__, e)}
    if "error" in reply:
        for key in ("op", "step"):
            if key in request:
                reply[key] = request[key]
    return reply
