"""The hello reply (PROTOCOL.md, "hello"), and the warm-up that precedes it.

    reply = await make_hello(socket, "socket", adapter)
"""

import platform
import sys

from .capabilities import probe_capabilities
from .errors import PROTOCOL


def python_version():
    """python_version returns the major.minor of the Python language this interpreter
    implements ("3.9"), which versioned truth in the case table is keyed by."""
    return "%d.%d" % sys.version_info[:2]


def module_version(module, module_name):
    """module_version returns the module's own __version__, else its top-level package's
    (gevent's, trio's), else the interpreter's."""
    root = sys.modules.get(module_name.split(".")[0])
    return (getattr(module, "__version__", None) or getattr(root, "__version__", None) or
            platform.python_version())


async def make_hello(module, module_name, adapter, **overrides):
    """make_hello returns the hello reply for `module`, its capabilities probed now; members
    in `overrides` replace the defaults (a port's "implementation" and "version", say)."""
    reply = {
        "op": "hello",
        "protocol": PROTOCOL,
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "python_version": python_version(),
        "interpreter": sys.executable,
        "module": module_name,
        "module_version": module_version(module, module_name),
        "concurrency": adapter.name,
        "capabilities": sorted(await probe_capabilities(module, adapter)),
    }
    reply.update(overrides)
    return reply


async def warm_up(m, adapter):
    """Creates the lazily made machinery of green and asynchronous modules (hub, resolver
    threads) up front, so it is not counted as descriptors leaked by the first case."""
    async def call(fn, *args):
        return await adapter.call(fn, list(args), {})

    for name, args in (("getaddrinfo", ("127.0.0.1", 0)), ("gethostbyname", ("localhost",))):
        try:
            await call(getattr(m, name), *args)
        except Exception:
            pass
    try:
        a, b = await call(m.socketpair)
    except Exception:
        return
    try:
        await call(b.settimeout, 1.0)
        await call(a.sendall, b"x")
        await call(b.recv, 1)
    except Exception:
        pass
    finally:
        a.close()
        b.close()
