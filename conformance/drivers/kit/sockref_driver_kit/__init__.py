"""sockref_driver_kit: everything a sockref-driver/1 driver for a Python socket API needs.

A driver (conformance/PROTOCOL.md) answers JSON requests on stdin with JSON replies on stdout,
evaluating each statement AST against one implementation of Python's `socket` API. The kit
does all of it but choose the module and say how a call is made:

    import socket
    import sockref_driver_kit as kit

    sys.exit(kit.run_driver(socket, "socket"))                  # CPython's or PyPy's socket
    sys.exit(kit.run_driver(gevent.socket, "gevent.socket", kit.Gevent()))
    sys.exit(kit.run_driver(kit.ExportTable("mysock", {"htons": mysock.htons}), "mysock",
                            hello={"implementation": "mysock", "version": "1.0"}))

What it does, each in its own module:

    values        the value codec: exact types, enums by name ("MSG_PEEK|MSG_WAITALL"),
                  big ints, floats, bytes, lone surrogates, omitted values
    exceptions    the exception codec: "socket.<name>" for the module's own classes, gaierror's
                  EAI_* errno names, herror's none, errno.errorcode's for the rest
    names         the namespace: the case's variables, the builtins, `socket`; ExportTable, a
                  module stand-in built from a table of names for a port
    evaluation    statement evaluation, missing attributes as `unsupported`, Python's unpacking
                  errors, elapsed time
    case          one case's state: the objects its calls created, to close at `end`
    session       hello, begin, exec (captures, background actions), end (join, cancel, close,
                  leaked descriptors, the case's tmpdir)
    signals       the builtins interrupt() and interrupts(): SIGUSR1 to the running step
    capabilities  probing AF_INET6, AF_UNIX, AF_UNIX_ABSTRACT, SCM_RIGHTS, SO_REUSEPORT, uid
    descriptors   counting this process's open descriptors
    hello         the hello reply, python_version, the warm-up before the first case
    loop          the JSON-lines loop, stdout kept for replies, bad requests answered
    adapters      the one adapter point: Adapter (plain calls, threads), Gevent, Eventlet

The adapter is the only thing that differs between plain, green and asynchronous libraries:
how a call is made (`call`, which an asynchronous adapter awaits), how background actions are
started, joined and cancelled, how stdin is waited for, and how the whole driver runs (`run`).
The kit's logic is written once as coroutines awaiting only the adapter; a plain or green
adapter never suspends, so they run without an event loop. conformance/drivers/trio/driver.py
is an asynchronous adapter in under 100 lines.

Runs unchanged on CPython 3.6 and later and on PyPy 3; //conformance/drivers/kit:kit_test
checks it under every CPython and PyPy installed.
"""

from .adapters import Adapter, Eventlet, Gevent, adapter_for, run_sync
from .case import Case
from .descriptors import open_fds
from .errors import PROTOCOL, ProtocolError, Unsupported
from .evaluation import Evaluator, unpack
from .exceptions import ExceptionCodec
from .hello import make_hello, module_version, python_version, warm_up
from .loop import claim_stdout, send, serve
from .names import ExportTable, Namespace, make_builtins
from .signals import Interrupts
from .session import Session
from .values import decode_value, encode_value, omitted_value

__all__ = [
    "Adapter", "Case", "Eventlet", "Evaluator", "ExceptionCodec", "ExportTable", "Gevent",
    "Interrupts",
    "Namespace", "PROTOCOL", "ProtocolError", "Session", "Unsupported", "adapter_for",
    "claim_stdout", "decode_value", "encode_value", "make_builtins", "make_hello",
    "module_version", "omitted_value", "open_fds", "python_version", "run_driver", "run_sync",
    "send", "serve", "unpack", "warm_up",
]


def run_driver(module, module_name, adapter=None, hello=None, out=None):
    """run_driver speaks sockref-driver/1 on stdin and stdout for `module` (the `socket` of the
    statements, reported in hello as `module_name`) until quit or end of input; returns the
    exit status, 0.

    adapter: how calls are made and background actions run (default: Adapter, plain calls and
    threads). hello: members replacing the hello reply's defaults. out: the reply stream, when
    the caller has already called claim_stdout() (to keep an import's output off stdout)."""
    adapter = adapter if adapter is not None else Adapter()
    out = out if out is not None else claim_stdout()

    async def main():
        reply = await make_hello(module, module_name, adapter, **(hello or {}))
        await warm_up(module, adapter)
        return await serve(Session(module, adapter, reply), adapter, out)
    return adapter.run(main)
