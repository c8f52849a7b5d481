"""impl_bench.py: the throughput matrix's workloads, run inside one Python implementation.

Runs under any Python from 3.6 on (CPython, PyPy) and prints one JSON object:

    python3 benchmarks/impl_bench.py --impl socket          # the interpreter's own socket
    /usr/bin/python3 benchmarks/impl_bench.py --impl gevent # gevent.socket
    ... --impl eventlet | trio | sockref --sockref_so bazel-bin/python/_sockref_socket.so

The workloads are socket_benchmark's send/recv ones (workloads.h), named the same
with impl:<name>: an AF_UNIX socketpair or a TCP loopback pair with TCP_NODELAY,
in blocking mode or in timeout mode (settimeout(10.0), which never expires
here), with 64 B and 64 KiB messages. One thread sends a message with send()
until all is sent, then receives it with recv() until all has arrived, so data
is always ready and what is measured is each implementation's own path.

Green libraries run the same code on their sockets, inside their hub. trio is
asynchronous: the same loop with `await`, and timeout mode is each call inside
`trio.fail_after(10.0)` (trio sockets have no settimeout()).

Each workload runs for --seconds after a short warm-up (PyPy's JIT); the clock is
read every 64 messages. Reported per message: wall-clock and CPU time (the
process's: everything runs on one thread).
"""

import argparse
import json
import os
import platform
import sys
import time

SIZES = [64, 64 * 1024]
TRANSPORTS = ["Unix", "Tcp"]
MODES = ["blocking", "timeout"]
TIMEOUT = 10.0
BATCH = 64


def workload_names(impl):
    """Every workload, in socket_benchmark's order: (transport, mode, size, name)."""
    out = []
    for transport in TRANSPORTS:
        for mode in MODES:
            for size in SIZES:
                out.append((transport, mode, size,
                            "BM_SendRecv%s/impl:%s/mode:%s/size:%d" % (transport, impl, mode, size)))
    return out


def connect(sockmod, transport):
    """A connected (sender, receiver) pair on loopback."""
    if transport == "Unix":
        return sockmod.socketpair()
    listener = sockmod.socket(sockmod.AF_INET, sockmod.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        sender = sockmod.socket(sockmod.AF_INET, sockmod.SOCK_STREAM)
        sender.connect(listener.getsockname())
        receiver, _ = listener.accept()
    finally:
        listener.close()
    for s in (sender, receiver):
        s.setsockopt(sockmod.IPPROTO_TCP, sockmod.TCP_NODELAY, 1)
    return sender, receiver


def run_sync(sockmod, transport, mode, size, seconds, warmup):
    """Moves messages for about `seconds`; returns (messages, wall s, cpu s)."""
    sender, receiver = connect(sockmod, transport)
    try:
        if mode == "timeout":
            sender.settimeout(TIMEOUT)
            receiver.settimeout(TIMEOUT)
        payload = memoryview(b"x" * size)
        send, recv = sender.send, receiver.recv

        def batch():
            for _ in range(BATCH):
                sent = send(payload)
                while sent < size:
                    sent += send(payload[sent:])
                got = len(recv(size))
                while got < size:
                    got += len(recv(size - got))

        end = time.perf_counter() + warmup
        while time.perf_counter() < end:
            batch()
        messages = 0
        start, cpu = time.perf_counter(), time.process_time()
        end = start + seconds
        while True:
            batch()
            messages += BATCH
            now = time.perf_counter()
            if now >= end:
                return messages, now - start, time.process_time() - cpu
    finally:
        sender.close()
        receiver.close()


def run_trio(transport, mode, size, seconds, warmup):
    import trio

    async def main():
        tsock = trio.socket
        if transport == "Unix":
            sender, receiver = tsock.socketpair()
        else:
            listener = tsock.socket(tsock.AF_INET, tsock.SOCK_STREAM)
            await listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            sender = tsock.socket(tsock.AF_INET, tsock.SOCK_STREAM)
            await sender.connect(listener.getsockname())
            receiver, _ = await listener.accept()
            listener.close()
            for s in (sender, receiver):
                s.setsockopt(tsock.IPPROTO_TCP, tsock.TCP_NODELAY, 1)
        payload = memoryview(b"x" * size)
        timed = mode == "timeout"

        async def call(fn, *args):
            if timed:
                with trio.fail_after(TIMEOUT):
                    return await fn(*args)
            return await fn(*args)

        async def batch():
            for _ in range(BATCH):
                sent = await call(sender.send, payload)
                while sent < size:
                    sent += await call(sender.send, payload[sent:])
                got = len(await call(receiver.recv, size))
                while got < size:
                    got += len(await call(receiver.recv, size - got))

        try:
            end = time.perf_counter() + warmup
            while time.perf_counter() < end:
                await batch()
            messages = 0
            start, cpu = time.perf_counter(), time.process_time()
            end = start + seconds
            while True:
                await batch()
                messages += BATCH
                now = time.perf_counter()
                if now >= end:
                    return messages, now - start, time.process_time() - cpu
        finally:
            sender.close()
            receiver.close()

    return trio.run(main)


def load_sockref(path):
    """Lib/socket.py on sockref's extension at `path` (python/sockref_socket.py)."""
    import sockref_extension
    sockref_extension.load(path)
    import sockref_socket
    return sockref_socket


def socket_module(impl, sockref_so):
    if impl == "socket":
        import socket
        return socket
    if impl == "gevent":
        import gevent.socket
        return gevent.socket
    if impl == "eventlet":
        from eventlet.green import socket
        return socket
    if impl == "sockref":
        return load_sockref(sockref_so)
    raise SystemExit("impl_bench.py: unknown --impl %s" % impl)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--impl", default="socket", help="socket, gevent, eventlet, trio or sockref")
    p.add_argument("--name", help="the implementation's name in workload names (default --impl)")
    p.add_argument("--sockref_so", help="_sockref_socket.so, for --impl sockref")
    p.add_argument("--sockref_dir", help="the folder of sockref_socket.py, for --impl sockref")
    p.add_argument("--seconds", type=float, default=0.2, help="measured time per workload")
    p.add_argument("--warmup", type=float, default=0.05, help="unmeasured time per workload")
    args = p.parse_args()
    if args.sockref_dir:
        sys.path.insert(0, args.sockref_dir)
    name = args.name or args.impl
    sockmod = None if args.impl == "trio" else socket_module(args.impl, args.sockref_so)
    results = []
    for transport, mode, size, workload in workload_names(name):
        try:
            if args.impl == "trio":
                messages, wall, cpu = run_trio(transport, mode, size, args.seconds, args.warmup)
            else:
                messages, wall, cpu = run_sync(sockmod, transport, mode, size, args.seconds,
                                               args.warmup)
            results.append({"name": workload, "messages": messages,
                            "real_time": wall / messages * 1e9, "cpu_time": cpu / messages * 1e9,
                            "bytes_per_second": messages * size / wall,
                            "items_per_second": messages / wall})
        except Exception as e:  # reported, the matrix goes on
            results.append({"name": workload, "error": "%s: %s" % (type(e).__name__, e)})
    print(json.dumps({
        "implementation": name,
        "python": "%s %s" % (platform.python_implementation(), platform.python_version()),
        "executable": sys.executable,
        "results": results,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
