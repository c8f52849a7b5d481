"""Capabilities, probed by trying them with the module under test (PROTOCOL.md, "hello").

    caps = await probe_capabilities(socket, adapter)   # {"AF_INET6", "AF_UNIX", ..., "root"}

`signals` is the driver's own: its adapter says whether interrupt() can reach a blocked step.
Each probe makes its calls through the adapter, so an asynchronous module's methods are
awaited, and a probe that fails for any reason (a missing name included) leaves its
capability out.
"""

import array
import os

from .signals import signals_available


# long-function: one small probe per capability, each next to the test of its result.
async def probe_capabilities(m, adapter):
    """probe_capabilities returns the set of capability names the module has here."""
    async def call(fn, *args):
        return await adapter.call(fn, list(args), {})

    async def works(probe):
        try:
            await probe()
            return True
        except Exception:
            return False

    async def inet6():
        with await call(m.socket, m.AF_INET6, m.SOCK_STREAM) as s:
            await call(s.bind, ("::1", 0))

    async def unix():
        a, b = await call(m.socketpair, m.AF_UNIX, m.SOCK_STREAM)
        a.close()
        b.close()

    async def abstract():
        with await call(m.socket, m.AF_UNIX, m.SOCK_STREAM) as s:
            await call(s.bind, b"\0sockref-probe-%d" % os.getpid())

    async def rights():
        a, b = await call(m.socketpair, m.AF_UNIX, m.SOCK_STREAM)
        try:
            await _pass_descriptor(m, call, a, b)
        finally:
            a.close()
            b.close()

    async def reuseport():
        with await call(m.socket, m.AF_INET, m.SOCK_STREAM) as s:
            await call(s.setsockopt, m.SOL_SOCKET, m.SO_REUSEPORT, 1)

    async def family(family_name, type_name, proto_name):
        proto = getattr(m, proto_name) if proto_name else 0
        s = await call(m.socket, getattr(m, family_name), getattr(m, type_name), proto)
        s.close()

    caps = set()
    # has_ipv6 is consulted where the module has it; a module without it (trio.socket) is
    # simply tried.
    if getattr(m, "has_ipv6", True) and await works(inet6):
        caps.add("AF_INET6")
    if hasattr(m, "AF_UNIX") and await works(unix):
        caps.add("AF_UNIX")
    if "AF_UNIX" in caps and await works(abstract):
        caps.add("AF_UNIX_ABSTRACT")
    if "AF_UNIX" in caps and hasattr(m, "SCM_RIGHTS") and await works(rights):
        caps.add("SCM_RIGHTS")
    if hasattr(m, "SO_REUSEPORT") and await works(reuseport):
        caps.add("SO_REUSEPORT")
    for name, kind in _FAMILY_PROBES:
        if await works(lambda kind=kind: family(*kind)):
            caps.add(name)
    if getattr(adapter, "delivers_signals", False) and signals_available():
        caps.add("signals")
    caps.add("root" if os.geteuid() == 0 else "nonroot")
    return caps


# The Linux families whose cases need the kernel's support (and, for AF_PACKET, CAP_NET_RAW):
# a socket of the kind the cases use can be created. A module without the names lacks them.
_FAMILY_PROBES = [
    ("AF_NETLINK", ("AF_NETLINK", "SOCK_DGRAM", "NETLINK_USERSOCK")),
    ("AF_PACKET", ("AF_PACKET", "SOCK_DGRAM", None)),
    ("AF_VSOCK", ("AF_VSOCK", "SOCK_STREAM", None)),
    ("AF_TIPC", ("AF_TIPC", "SOCK_RDM", None)),
    ("AF_CAN", ("AF_CAN", "SOCK_RAW", "CAN_RAW")),
    ("AF_ALG", ("AF_ALG", "SOCK_SEQPACKET", None)),
]


async def _pass_descriptor(m, call, a, b):
    """Sends a's descriptor over a with SCM_RIGHTS and checks one arrives on b (closing it)."""
    int_size = array.array("i").itemsize
    await call(a.sendmsg, [b"x"], [(m.SOL_SOCKET, m.SCM_RIGHTS, array.array("i", [a.fileno()]))])
    msg, anc, flags, addr = await call(b.recvmsg, 1, m.CMSG_SPACE(int_size))
    for level, kind, data in anc:
        if level == m.SOL_SOCKET and kind == m.SCM_RIGHTS:
            for fd in array.array("i", data[:int_size]):
                os.close(fd)
            return
    raise OSError("no descriptor came back")
